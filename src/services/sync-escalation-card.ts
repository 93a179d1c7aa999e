import type { Clock } from '../domain/clock';
import type { Escalation } from '../domain/escalation';
import type { Logger } from '../domain/logger';
import type { AccountRepository, ConversationReferenceRepository, DirectoryRepository, EscalationRepository, TeamsMessenger } from '../domain/ports';
import { sendProactive } from './proactive-send';
import { accountTimeZone } from './time-zones';

export interface SyncEscalationCardDeps {
  readonly escalations: EscalationRepository;
  readonly accounts: AccountRepository;
  readonly directory: DirectoryRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly messenger: TeamsMessenger;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type CardSyncOutcome = 'in-sync' | 'posted' | 'updated' | 'no-channel' | 'retry-later' | 'channel-gone' | 'channel-moved';

/**
 * Brings the escalation's message in the account channel up to date with the record: posts it
 * the first time, then updates that same message in place. The record says which version the
 * channel shows, so a failed send is retried later and never lost.
 */
/** Runs store work after the turn's answer, with dependencies of its own (not the turn's). */
export type BehindAnswer = (name: string, work: (detached: SyncEscalationCardDeps) => Promise<unknown>) => void;

/**
 * `behindAnswer`: a turn that updates a message it already posted marks the record in sync after
 * its answer; should that write be lost, the card-sync pass updates the same message once more.
 * A first post is always marked before the answer, so its message is never posted twice.
 */
export async function syncEscalationCard(deps: SyncEscalationCardDeps, accountId: string, escalationId: string, justWritten?: Escalation, behindAnswer?: BehindAnswer): Promise<CardSyncOutcome> {
  // A turn that has just written the record hands it over rather than have it read again.
  const escalation = justWritten?.escalationId === escalationId ? justWritten : await deps.escalations.get(accountId, escalationId);
  const card = escalation?.channelCard;
  if (!escalation || !card) return 'no-channel';
  if (card.syncedVersion >= escalation.version) return 'in-sync';
  const [reference, account] = await Promise.all([deps.conversations.get(card.conversationId), deps.accounts.getAccount(accountId)]);
  if (!reference) return 'retry-later';
  if (reference.retiredAt) {
    await forgetChannelCard(deps, accountId, escalationId, card.conversationId);
    return 'channel-gone';
  }
  const message = {
    kind: 'escalation' as const,
    escalation,
    accountName: account?.name ?? accountId,
    refreshUserIds: escalation.watchers.map((w) => w.teamsUserId),
    // Everyone in the channel reads it: in the account's zone.
    timeZone: accountTimeZone(account),
  };
  const result = await sendProactive(deps, reference, message, { accountIds: [accountId], ...(card.activityId ? { activityId: card.activityId } : {}) });
  if (result.status === 'refused') {
    // The channel speaks for another account now: this escalation's card is no longer kept there.
    deps.logger.info('escalation.card_channel_moved', { escalationId, conversationId: card.conversationId });
    await forgetChannelCard(deps, accountId, escalationId, card.conversationId);
    return 'channel-moved';
  }
  if (result.status === 'retry') {
    deps.logger.warn('escalation.card_sync_failed', { escalationId, error: result.error });
    return 'retry-later';
  }
  if (result.status === 'gone' && card.activityId && isMissingMessage(result.reason)) {
    // The message was deleted (or the client lost it), not the channel: the next pass posts a new card.
    deps.logger.warn('escalation.card_missing', { escalationId, conversationId: card.conversationId, reason: result.reason });
    await deps.escalations.update(accountId, escalationId, (current) =>
      current.channelCard && current.channelCard.activityId === card.activityId ? { ...current, channelCard: { conversationId: current.channelCard.conversationId, syncedVersion: 0 } } : undefined,
    );
    return 'retry-later';
  }
  if (result.status === 'gone') {
    deps.logger.warn('conversation.retired', { conversationId: card.conversationId, reason: result.reason });
    await deps.conversations.retire(card.conversationId, result.reason, deps.clock.now());
    await forgetChannelCard(deps, accountId, escalationId, card.conversationId);
    return 'channel-gone';
  }
  const activityId = card.activityId ?? result.activityId;
  const markSynced = (on: SyncEscalationCardDeps): Promise<Escalation> =>
    on.escalations.update(accountId, escalationId, (current) => {
      if (!current.channelCard || current.channelCard.syncedVersion >= escalation.version) return undefined;
      return { ...current, channelCard: { ...current.channelCard, activityId, syncedVersion: escalation.version } };
    });
  if (card.activityId && behindAnswer) behindAnswer('escalation.card_synced', markSynced);
  else await markSynced(deps);
  return card.activityId ? 'updated' : 'posted';
}

/** A 404 about the message itself, not about the conversation (which is "ConversationNotFound"). */
function isMissingMessage(reason: string): boolean {
  return reason.startsWith('404') && !/ConversationNotFound/i.test(reason);
}

async function forgetChannelCard(deps: SyncEscalationCardDeps, accountId: string, escalationId: string, conversationId: string): Promise<void> {
  await deps.escalations.update(accountId, escalationId, (current) => {
    if (current.channelCard?.conversationId !== conversationId) return undefined;
    const { channelCard: _gone, ...rest } = current;
    return rest;
  });
}

/** Background pass: every escalation whose channel card is behind. */
export async function syncPendingEscalationCards(deps: SyncEscalationCardDeps, limit = 50): Promise<number> {
  const pending = await deps.escalations.listCardSyncPending(limit);
  let synced = 0;
  for (const { accountId, escalationId } of pending) {
    const outcome = await syncEscalationCard(deps, accountId, escalationId);
    if (outcome === 'posted' || outcome === 'updated') synced += 1;
  }
  return synced;
}
