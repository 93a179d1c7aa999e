import type { Activity } from 'botbuilder';
import type { ConversationScope } from '../domain/caller';
import type { UserIdentity } from '../domain/directory';

/** What a handler needs to know about where an activity came from, read once per turn. */
export interface ActivityFacts {
  readonly identity: UserIdentity;
  readonly displayName: string;
  readonly tenantId: string | undefined;
  readonly scope: ConversationScope;
  readonly conversationId: string;
  /** The channel (or group chat) itself, without a thread's `;messageid=` suffix. */
  readonly channelId?: string;
  readonly channelName?: string;
  readonly teamId?: string;
  readonly mentionsBot: boolean;
}

interface TeamsChannelData {
  tenant?: { id?: string };
  channel?: { id?: string; name?: string };
  team?: { id?: string };
}

export function tenantOf(activity: Partial<Activity>): string | undefined {
  const channelData = (activity.channelData ?? {}) as TeamsChannelData;
  return channelData.tenant?.id ?? activity.conversation?.tenantId ?? undefined;
}

export function readActivityFacts(activity: Activity): ActivityFacts {
  const channelData = (activity.channelData ?? {}) as TeamsChannelData;
  const tenantId = tenantOf(activity);
  const conversationType = activity.conversation?.conversationType;
  const scope: ConversationScope =
    conversationType === 'channel' ? 'channel' : conversationType === 'groupChat' ? 'groupChat' : 'personal';
  const conversationId = activity.conversation?.id ?? '';
  const channelId =
    scope === 'personal' ? undefined : (channelData.channel?.id ?? conversationId.split(';')[0] ?? conversationId);
  const botId = activity.recipient?.id;
  const mentionsBot = (activity.entities ?? []).some(
    (entity) => entity.type === 'mention' && (entity as { mentioned?: { id?: string } }).mentioned?.id === botId,
  );
  return {
    identity: { tenantId: tenantId ?? '', aadObjectId: activity.from?.aadObjectId ?? '' },
    displayName: activity.from?.name?.trim() || 'there',
    tenantId,
    scope,
    conversationId,
    ...(channelId ? { channelId } : {}),
    ...(channelData.channel?.name ? { channelName: channelData.channel.name } : {}),
    ...(channelData.team?.id ? { teamId: channelData.team.id } : {}),
    mentionsBot,
  };
}
