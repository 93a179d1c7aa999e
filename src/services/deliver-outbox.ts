import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import { cardStateOf } from '../domain/alert';
import type { StoredConversationReference } from '../domain/conversation-reference';
import { nextAttemptDelayInMs, type OutboxItem } from '../domain/outbox';
import type {
  AccountRepository,
  AlertRepository,
  AlertSettingsRepository,
  CardMessage,
  DirectoryRepository,
  ContractRepository,
  ConversationReferenceRepository,
  DeliveryPlanRepository,
  DeliveryResult,
  EscalationRepository,
  OutboxRepository,
  ReportLinks,
  TeamsMessenger,
} from '../domain/ports';
import { reviewMonthSchema } from '../domain/review-month';
import { customerView } from '../domain/service-review';
import { buildServiceReview, reviewPdfLink } from './service-review';
import { digestAlerts } from './alerts';
import { buildPlanView } from './delivery-plan-view';
import { resolveCaller } from '../domain/caller';
import { personKey } from '../domain/directory';
import { availableEscalationActions, lastHandover } from '../domain/escalation-lifecycle';
import { sendProactive } from './proactive-send';
import { personTimeZone } from './time-zones';

export interface DeliverOutboxDeps {
  readonly outbox: OutboxRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly escalations: EscalationRepository;
  readonly accounts: AccountRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly alerts: AlertRepository;
  readonly alertSettings: AlertSettingsRepository;
  readonly directory: DirectoryRepository;
  readonly messenger: TeamsMessenger;
  /** This instance, for claims on outbox items. */
  readonly instanceId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 0..1, for jitter on retries. */
  readonly random: () => number;
  /** Signs the PDF link of a posted review; absent when reports are off. */
  readonly reportLinks?: ReportLinks;
}

/** How long a sender may hold an item before another may take it (a crashed sender's items come back). */
export const claimInMs = 60_000;

/**
 * Tries to deliver one queued message; whatever happens, the item records it. The sender first
 * claims the item (a conditional write), so two instances, or a turn and the dispatcher, never
 * send the same item twice.
 */
export async function deliverOutboxItem(deps: DeliverOutboxDeps, id: string): Promise<OutboxItem | undefined> {
  const claimedAt = deps.clock.now();
  let claimed = false;
  const item = await deps.outbox.update(id, (current) => {
    // Decided on each record it is called with: a claim lost to another instance is no claim.
    claimed = false;
    if (current.status !== 'pending') return undefined;
    if (current.claimUntil && current.claimedBy !== deps.instanceId && new Date(current.claimUntil).getTime() > claimedAt.getTime()) return undefined;
    claimed = true;
    return { ...current, claimedBy: deps.instanceId, claimUntil: new Date(claimedAt.getTime() + claimInMs).toISOString() };
  });
  if (!item || !claimed) return item;
  const result = await attempt(deps, item);
  const now = deps.clock.now();
  return deps.outbox.update(id, (latest) => {
    if (latest.status !== 'pending' || latest.claimedBy !== deps.instanceId) return undefined;
    const { claimedBy: _released, claimUntil: _until, ...current } = latest;
    const attempts = current.attempts + 1;
    switch (result.status) {
      case 'not-needed':
        return { ...current, status: 'cancelled', attempts, lastError: result.reason };
      case 'sent':
        return { ...current, status: 'sent', attempts, sentAt: now.toISOString(), activityId: result.activityId };
      case 'gone':
        return { ...current, status: 'undeliverable', attempts, lastError: result.reason };
      case 'retry': {
        const delay = Math.max(result.retryAfterInMs ?? 0, nextAttemptDelayInMs(attempts, deps.random()));
        return { ...current, attempts, lastError: result.error, nextAttemptAt: new Date(now.getTime() + delay).toISOString() };
      }
    }
  });
}

/**
 * Background pass over everything due, several conversations at a time (the messenger keeps each
 * conversation and tenant within the Teams limits), one conversation's messages in order.
 */
export async function deliverDueOutbox(deps: DeliverOutboxDeps, options: { limit?: number; concurrency?: number } = {}): Promise<number> {
  const due = await deps.outbox.listDue(deps.clock.now(), options.limit ?? 1000);
  const byTarget = new Map<string, OutboxItem[]>();
  for (const item of due) {
    const key = item.target.kind === 'person' ? `${item.target.tenantId}:${item.target.aadObjectId}` : item.target.conversationId;
    byTarget.set(key, [...(byTarget.get(key) ?? []), item]);
  }
  const queues = [...byTarget.values()];
  let sent = 0;
  const worker = async (): Promise<void> => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const item of queue) {
        const after = await deliverOutboxItem(deps, item.id);
        if (after?.status === 'sent') sent += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return sent;
}

/**
 * A person's personal chat has just become known (an install, a first message): what waited for
 * it goes now, without waiting out the backoff it had while there was nowhere to send it.
 */
export async function deliverPendingFor(deps: DeliverOutboxDeps, person: { readonly tenantId: string; readonly aadObjectId: string }, limit = 100): Promise<number> {
  let sent = 0;
  for (const item of await deps.outbox.listPendingFor(person, limit)) {
    const after = await deliverOutboxItem(deps, item.id);
    if (after?.status === 'sent') sent += 1;
  }
  return sent;
}

type AttemptResult = DeliveryResult | { readonly status: 'not-needed'; readonly reason: string };

/** The card an intent stands for, rendered from the records as they are now. */
async function messageFor(deps: DeliverOutboxDeps, item: OutboxItem): Promise<CardMessage | { notNeeded: string }> {
  const intent = item.intent;
  switch (intent.kind) {
    case 'alert': {
      const [alert, account] = await Promise.all([deps.alerts.get(intent.accountId, intent.alertId), deps.accounts.getAccount(intent.accountId)]);
      if (!alert) return { notNeeded: 'the alert no longer exists' };
      if (alert.status !== 'open') return { notNeeded: `the alert is ${alert.status}` };
      if (intent.occurrence > 0 && alert.snoozedUntil && new Date(alert.snoozedUntil).getTime() > deps.clock.now().getTime()) return { notNeeded: 'the alert is snoozed' };
      const escalation = alert.subject.kind === 'escalation' ? await deps.escalations.get(alert.accountId, alert.subject.escalationId) : undefined;
      return { kind: 'alert', alert, accountName: account?.name ?? intent.accountId, ...(escalation ? { escalation } : {}), reminder: intent.occurrence > 0, timeZone: await recipientTimeZone(deps, item) };
    }
    case 'alert-card': {
      const [alert, account] = await Promise.all([deps.alerts.get(intent.accountId, intent.alertId), deps.accounts.getAccount(intent.accountId)]);
      if (!alert) return { notNeeded: 'the alert no longer exists' };
      // The alert changed again since: the update for that state follows, and shows it.
      if (cardStateOf(alert) !== intent.state) return { notNeeded: 'a later change replaces this update' };
      const escalation = alert.subject.kind === 'escalation' ? await deps.escalations.get(alert.accountId, alert.subject.escalationId) : undefined;
      return { kind: 'alert', alert, accountName: account?.name ?? intent.accountId, ...(escalation ? { escalation } : {}), reminder: intent.reminder, timeZone: await recipientTimeZone(deps, item) };
    }
    case 'digest': {
      const groups = await digestAlerts({ ...deps, accountsOf: (person) => accountsOf(deps, person) }, intent.personKey, new Date(intent.since));
      if (groups.length === 0) return { notNeeded: 'nothing new for the digest' };
      const names = await Promise.all(groups.map(async (g) => (await deps.accounts.getAccount(g.accountId))?.name ?? g.accountId));
      return { kind: 'digest', groups: groups.map((g, i) => ({ accountName: names[i] ?? g.accountId, alerts: g.alerts })), localDate: intent.localDate };
    }
    case 'check-in': {
      const plan = await deps.plans.getPlan(intent.accountId);
      if (!plan || plan.nextCheckInDue !== intent.dueDate) return { notNeeded: 'the check-in was recorded already' };
      return { kind: 'check-in', view: await buildPlanView(deps, intent.accountId), dueDate: intent.dueDate };
    }
    case 'assignment':
      return assignmentMessage(deps, item, intent);
    case 'reply':
      return replyMessage(intent);
    case 'review': {
      // Rendered when it goes, from the records then, in the view every member of the channel may see.
      const review = customerView(await buildServiceReview(deps, intent.accountId, reviewMonthSchema.parse(intent.month)));
      const pdfLink = reviewPdfLink(deps.reportLinks, deps.clock, { accountId: review.accountId, month: review.month, role: 'customer' });
      return { kind: 'review', review, postedBy: intent.postedBy, ...(pdfLink ? { pdfLink } : {}) };
    }
  }
}

/** The new owner's own view of the escalation handed to them, unless it has moved on to someone else. */
async function assignmentMessage(
  deps: DeliverOutboxDeps,
  item: OutboxItem,
  intent: Extract<OutboxItem['intent'], { kind: 'assignment' }>,
): Promise<CardMessage | { notNeeded: string }> {
  if (item.target.kind !== 'person') return { notNeeded: 'a hand-over is told to a person' };
  const identity = { tenantId: item.target.tenantId, aadObjectId: item.target.aadObjectId };
  const [escalation, account, person] = await Promise.all([
    deps.escalations.get(intent.accountId, intent.escalationId),
    deps.accounts.getAccount(intent.accountId),
    deps.directory.getPerson(identity),
  ]);
  if (!escalation || !person) return { notNeeded: 'the escalation or the person is gone' };
  if (escalation.owner?.key !== personKey(identity)) return { notNeeded: 'it was handed on again' };
  const reports = person.role === 'manager' ? await deps.directory.listReports(identity) : [];
  const caller = resolveCaller({ identity, displayName: person.displayName, scope: 'personal', person, reportsAccountIds: reports.flatMap((r) => r.accountIds) });
  const handover = lastHandover(escalation);
  const headline = handover ? `${handover.by.name} handed ${escalation.escalationId} to you: ${handover.text ?? ''}` : `${escalation.escalationId} is yours now.`;
  return {
    kind: 'escalation-assigned',
    escalation,
    accountName: account?.name ?? intent.accountId,
    headline,
    view: caller.role === 'manager' ? 'manager' : 'provider',
    actions: [...availableEscalationActions(caller, escalation)],
    timeZone: await personTimeZone(deps, identity, person),
  };
}

async function attempt(deps: DeliverOutboxDeps, item: OutboxItem): Promise<AttemptResult> {
  if (item.intent.kind === 'reply') return attemptReply(deps, item, item.intent);
  const reference =
    item.target.kind === 'person'
      ? await deps.conversations.getPersonal(item.target)
      : await deps.conversations.get(item.target.conversationId);
  if (!reference) return { status: 'retry', error: 'no conversation with this target yet (the app is not installed for them)' };
  if (reference.retiredAt) return { status: 'gone', reason: `conversation retired: ${reference.retiredReason ?? 'bot removed'}` };
  const message = await messageFor(deps, item);
  if ('notNeeded' in message) return { status: 'not-needed', reason: message.notNeeded };
  const accountIds = item.intent.kind === 'digest' ? [] : [item.intent.accountId];
  // An alert card already sent is replaced in place (the same message, for its one reader).
  const activityId = item.intent.kind === 'alert-card' ? item.intent.activityId : undefined;
  const sent = await sendProactive(deps, reference, message, { accountIds, ...(item.target.kind === 'person' ? { recipient: item.target } : {}), ...(activityId ? { activityId } : {}) });
  // A personal chat that is not the recipient's own is as good as none: the item waits for theirs.
  const result: DeliveryResult = sent.status === 'refused' ? { status: 'retry', error: sent.reason } : sent;
  // An update that finds no card (deleted, or too old for Teams) is only that card gone, not the chat.
  if (activityId && result.status === 'gone') return { status: 'not-needed', reason: `the card is gone: ${result.reason}` };
  if (result.status === 'gone') {
    deps.logger.warn('conversation.retired', { conversationId: reference.conversationId, reason: result.reason });
    await deps.conversations.retire(reference.conversationId, result.reason, deps.clock.now());
  }
  if (result.status !== 'sent') deps.logger.warn('outbox.delivery_failed', { itemId: item.id, result: result.status });
  return result;
}

/**
 * A turn's answer that the connector did not take in time. It goes to the conversation it answers,
 * as the turn prepared it, unless the bot has left that conversation since, or (in a shared one)
 * it carries an account's data and the conversation is no longer linked to that account.
 */
async function attemptReply(deps: DeliverOutboxDeps, item: OutboxItem, intent: Extract<OutboxItem['intent'], { kind: 'reply' }>): Promise<AttemptResult> {
  if (item.target.kind !== 'conversation') return { status: 'not-needed', reason: 'a reply goes to the conversation it answers' };
  const conversationId = item.target.conversationId;
  const stored = await deps.conversations.get(intent.conversationType === 'personal' ? conversationId : (intent.channelId ?? conversationId));
  if (stored?.retiredAt) return { status: 'gone', reason: `conversation retired: ${stored.retiredReason ?? 'bot removed'}` };
  const shared = intent.conversationType !== 'personal';
  if (shared && intent.accountIds.length > 0) {
    const link = intent.channelId ? await deps.directory.getChannelLink(intent.channelId, { fresh: true }) : undefined;
    if (!link || intent.accountIds.some((id) => id !== link.accountId)) return { status: 'not-needed', reason: 'the conversation is no longer linked to the account it is about' };
  }
  const reference: StoredConversationReference = {
    conversationId,
    conversationType: intent.conversationType,
    tenantId: intent.tenantId,
    serviceUrl: intent.serviceUrl,
    reference: {},
    capturedAt: item.createdAt,
  };
  const message = replyMessage(intent);
  // The audience step chose this card for this conversation when the turn ran: in a shared one it is what everyone may see.
  const view = shared ? 'customer-safe' : 'own';
  const result = intent.updateActivityId ? await deps.messenger.update(reference, intent.updateActivityId, message, view) : await deps.messenger.post(reference, message, view);
  // The card it was to replace is gone: nothing to update any more (the chat itself is fine).
  if (intent.updateActivityId && result.status === 'gone') return { status: 'not-needed', reason: `the card is gone: ${result.reason}` };
  if (result.status === 'gone' && stored) {
    deps.logger.warn('conversation.retired', { conversationId: stored.conversationId, reason: result.reason });
    await deps.conversations.retire(stored.conversationId, result.reason, deps.clock.now());
  }
  if (result.status !== 'sent') deps.logger.warn('outbox.delivery_failed', { itemId: item.id, result: result.status });
  return result;
}

function replyMessage(intent: Extract<OutboxItem['intent'], { kind: 'reply' }>): CardMessage {
  return { kind: 'reply', activity: intent.activity, ...(intent.replyToId ? { replyToId: intent.replyToId } : {}) };
}

/** A proactive card is read in its recipient's zone (their alert settings'). */
async function recipientTimeZone(deps: DeliverOutboxDeps, item: OutboxItem): Promise<string> {
  return item.target.kind === 'person' ? personTimeZone(deps, { tenantId: item.target.tenantId, aadObjectId: item.target.aadObjectId }) : 'UTC';
}

/** The accounts a person hears about: their own, and for a manager their TAMs'. */
async function accountsOf(deps: Pick<DeliverOutboxDeps, 'directory'>, key: string): Promise<string[]> {
  const [tenantId = '', aadObjectId = ''] = key.split(':');
  const person = await deps.directory.getPerson({ tenantId, aadObjectId });
  if (!person) return [];
  const reports = person.role === 'manager' ? await deps.directory.listReports(person) : [];
  return [...new Set([...person.accountIds, ...reports.flatMap((r) => r.accountIds)])];
}
