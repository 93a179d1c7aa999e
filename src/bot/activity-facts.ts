import type { Activity } from 'botbuilder';
import type { ConversationScope } from '../domain/caller';
import type { UserIdentity } from '../domain/directory';
import { isKnownTimeZone } from '../domain/zoned-time';

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
  /** The person's time zone as their Teams client reports it (the clientInfo entity), if it is a known one. */
  readonly timeZone?: string;
}

interface TeamsChannelData {
  tenant?: { id?: string };
  channel?: { id?: string; name?: string };
  team?: { id?: string };
}

/**
 * The activity's tenant: `conversation.tenantId` and `channelData.tenant.id` must agree; when one
 * is missing the other decides. Undefined when both are missing or they disagree.
 */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const facts = tenantFacts(activity);
  if (facts.conversation && facts.channelData && facts.conversation !== facts.channelData) return undefined;
  return facts.conversation ?? facts.channelData;
}

function tenantFacts(activity: Partial<Activity>): { conversation?: string; channelData?: string } {
  const conversation = nonEmpty(record(activity.conversation)?.tenantId);
  const channelData = nonEmpty(record(record(record(activity.channelData)?.tenant))?.id);
  return { ...(conversation ? { conversation } : {}), ...(channelData ? { channelData } : {}) };
}

/** Why an activity is dropped before any handler sees it. */
export type DropReason = 'no_conversation' | 'no_sender' | 'no_aad_object_id' | 'no_recipient' | 'no_channel' | 'no_service_url' | 'no_tenant' | 'tenant_mismatch';

export type ActivityCheck =
  | { readonly accepted: true; readonly tenantId: string }
  | { readonly accepted: false; readonly reason: DropReason; readonly details?: Readonly<Record<string, string>> };

/**
 * Run once per turn before teams-ai: repairs, in place, the parts of an activity that handlers read
 * without checking (a `text`, name, mention, entity or channel field of the wrong type is removed;
 * a message without text gets ''), and drops what cannot be answered safely: no conversation,
 * sender, Entra object id, recipient, channel or service URL, or no tenant, or two tenants that
 * disagree. An accepted activity carries its one tenant in both places.
 */
export function normaliseActivity(activity: Activity): ActivityCheck {
  const conversation = record(activity.conversation);
  if (!conversation || !nonEmpty(conversation.id)) return { accepted: false, reason: 'no_conversation' };
  const from = record(activity.from);
  if (!from || !nonEmpty(from.id)) return { accepted: false, reason: 'no_sender' };
  // People are keyed by Entra object id and tenant: without one there is nobody to answer as.
  if (!nonEmpty(from.aadObjectId)) return { accepted: false, reason: 'no_aad_object_id' };
  const recipient = record(activity.recipient);
  if (!recipient || !nonEmpty(recipient.id)) return { accepted: false, reason: 'no_recipient' };
  if (!nonEmpty(activity.channelId)) return { accepted: false, reason: 'no_channel' };
  if (!nonEmpty(activity.serviceUrl)) return { accepted: false, reason: 'no_service_url' };

  const tenants = tenantFacts(activity);
  if (tenants.conversation && tenants.channelData && tenants.conversation !== tenants.channelData) {
    return { accepted: false, reason: 'tenant_mismatch', details: { conversationTenantId: tenants.conversation, channelDataTenantId: tenants.channelData } };
  }
  const tenantId = tenants.conversation ?? tenants.channelData;
  if (!tenantId) return { accepted: false, reason: 'no_tenant' };

  const target = activity as unknown as Record<string, unknown>;
  dropUnlessString(from, 'name');
  dropUnlessString(recipient, 'name');
  dropUnlessString(conversation, 'conversationType');
  dropUnlessString(conversation, 'name');
  conversation.tenantId = tenantId;
  const channelData = record(activity.channelData) ?? {};
  channelData.tenant = { ...record(channelData.tenant), id: tenantId };
  for (const key of ['channel', 'team'] as const) {
    const inner = record(channelData[key]);
    if (!inner) delete channelData[key];
    else for (const field of ['id', 'name']) dropUnlessString(inner, field);
  }
  target.channelData = channelData;
  if (activity.type === 'message' && typeof target.text !== 'string') target.text = '';
  else dropUnlessString(target, 'text');
  for (const field of ['name', 'locale', 'replyToId', 'action']) dropUnlessString(target, field);
  target.entities = (Array.isArray(target.entities) ? target.entities : []).filter(isWellFormedEntity);
  if (target.membersAdded !== undefined) target.membersAdded = (Array.isArray(target.membersAdded) ? target.membersAdded : []).filter((m) => nonEmpty(record(m)?.id));
  return { accepted: true, tenantId };
}

function isWellFormedEntity(entity: unknown): boolean {
  const value = record(entity);
  if (!value || typeof value.type !== 'string') return false;
  if (value.type.toLowerCase() !== 'mention') return true;
  return typeof value.text === 'string' && nonEmpty(record(value.mentioned)?.id) !== undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function dropUnlessString(target: Record<string, unknown>, key: string): void {
  if (target[key] !== undefined && typeof target[key] !== 'string') delete target[key];
}

export function readActivityFacts(activity: Activity): ActivityFacts {
  const channelData = (activity.channelData ?? {}) as TeamsChannelData;
  const tenantId = tenantOf(activity);
  const conversationType = activity.conversation?.conversationType;
  // Only a conversation Teams calls personal is one person's; a missing or unknown type (a meeting
  // chat, something new) counts as shared, like a group chat.
  const scope: ConversationScope =
    conversationType === 'personal' ? 'personal' : conversationType === 'channel' ? 'channel' : 'groupChat';
  const conversationId = activity.conversation?.id ?? '';
  const channelId =
    scope === 'personal' ? undefined : (channelData.channel?.id ?? conversationId.split(';')[0] ?? conversationId);
  const botId = activity.recipient?.id;
  const mentionsBot = (activity.entities ?? []).some(
    (entity) => entity.type === 'mention' && (entity as { mentioned?: { id?: string } }).mentioned?.id === botId,
  );
  const timeZone = clientTimeZone(activity);
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
    ...(timeZone ? { timeZone } : {}),
  };
}

/** Teams sends `{ type: 'clientInfo', timezone: 'Europe/London' }` with messages and invokes; anything else is ignored. */
function clientTimeZone(activity: Activity): string | undefined {
  const info = (activity.entities ?? []).find((entity) => typeof entity.type === 'string' && entity.type.toLowerCase() === 'clientinfo') as { timezone?: unknown } | undefined;
  const zone = info?.timezone;
  return typeof zone === 'string' && isKnownTimeZone(zone) ? zone : undefined;
}
