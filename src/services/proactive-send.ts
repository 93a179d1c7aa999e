import { decideProactiveAudience, type Place } from '../domain/audience';
import type { StoredConversationReference } from '../domain/conversation-reference';
import type { UserIdentity } from '../domain/directory';
import type { CardMessage, DeliveryResult, DirectoryRepository, TeamsMessenger } from '../domain/ports';

export interface ProactiveSendDeps {
  readonly directory: DirectoryRepository;
  readonly messenger: TeamsMessenger;
}

/** What a proactive send did; `refused`: the audience rule does not let this card go there. */
export type ProactiveOutcome = DeliveryResult | { readonly status: 'refused'; readonly reason: string };

/** Who may see what lands in the conversation: its owner, or everyone in it (with the link read afresh). */
export async function placeOfReference(directory: DirectoryRepository, reference: StoredConversationReference): Promise<Place> {
  if (reference.conversationType === 'personal') {
    return { kind: 'personal', owner: { tenantId: reference.tenantId, aadObjectId: reference.userAadObjectId ?? '' } };
  }
  const link = await directory.getChannelLink(reference.conversationId, { fresh: true });
  return { kind: 'shared', userSpecific: false, ...(link ? { linkedAccountId: link.accountId } : {}) };
}

/**
 * Every proactive card goes out through here: the audience rule decides, from where it lands and
 * whom it is for, whether it may go and in which view, then the messenger renders and sends it.
 */
export async function sendProactive(
  deps: ProactiveSendDeps,
  reference: StoredConversationReference,
  message: CardMessage,
  about: { readonly accountIds: readonly string[]; readonly recipient?: UserIdentity; readonly activityId?: string },
): Promise<ProactiveOutcome> {
  const place = await placeOfReference(deps.directory, reference);
  const view = decideProactiveAudience({ place, accountIds: about.accountIds, ...(about.recipient ? { recipient: about.recipient } : {}) });
  if (view === 'refused') {
    return {
      status: 'refused',
      reason: place.kind === 'personal' ? 'this personal chat belongs to someone else' : 'the conversation is not linked to this account (any more)',
    };
  }
  return about.activityId ? deps.messenger.update(reference, about.activityId, message, view) : deps.messenger.post(reference, message, view);
}
