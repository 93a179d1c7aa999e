import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import { nextAttemptDelayInMs, type OutboxItem } from '../domain/outbox';
import type {
  AccountRepository,
  CardMessage,
  ContractRepository,
  ConversationReferenceRepository,
  DeliveryPlanRepository,
  DeliveryResult,
  EscalationRepository,
  OutboxRepository,
  TeamsMessenger,
} from '../domain/ports';
import { buildPlanView } from './delivery-plan-view';

export interface DeliverOutboxDeps {
  readonly outbox: OutboxRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly escalations: EscalationRepository;
  readonly accounts: AccountRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly messenger: TeamsMessenger;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 0..1, for jitter on retries. */
  readonly random: () => number;
}

/** Tries to deliver one queued message; whatever happens, the item records it. */
export async function deliverOutboxItem(deps: DeliverOutboxDeps, id: string): Promise<OutboxItem | undefined> {
  const item = await deps.outbox.get(id);
  if (!item || item.status !== 'pending') return item;
  const result = await attempt(deps, item);
  const now = deps.clock.now();
  return deps.outbox.update(id, (current) => {
    if (current.status !== 'pending') return undefined;
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

/** Background pass over everything due. */
export async function deliverDueOutbox(deps: DeliverOutboxDeps, limit = 100): Promise<number> {
  const due = await deps.outbox.listDue(deps.clock.now(), limit);
  let sent = 0;
  for (const item of due) {
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
    case 'escalation-alert': {
      const [escalation, account] = await Promise.all([deps.escalations.get(intent.accountId, intent.escalationId), deps.accounts.getAccount(intent.accountId)]);
      if (!escalation) return { notNeeded: 'the escalation no longer exists' };
      return { kind: 'escalation', escalation, accountName: account?.name ?? intent.accountId, headline: intent.headline, refreshUserIds: [] };
    }
    case 'check-in': {
      const plan = await deps.plans.getPlan(intent.accountId);
      if (!plan || plan.nextCheckInDue !== intent.dueDate) return { notNeeded: 'the check-in was recorded already' };
      return { kind: 'check-in', view: await buildPlanView(deps, intent.accountId), dueDate: intent.dueDate };
    }
  }
}

async function attempt(deps: DeliverOutboxDeps, item: OutboxItem): Promise<AttemptResult> {
  const reference =
    item.target.kind === 'person'
      ? await deps.conversations.getPersonal(item.target)
      : await deps.conversations.get(item.target.conversationId);
  if (!reference) return { status: 'retry', error: 'no conversation with this target yet (the app is not installed for them)' };
  if (reference.retiredAt) return { status: 'gone', reason: `conversation retired: ${reference.retiredReason ?? 'bot removed'}` };
  const message = await messageFor(deps, item);
  if ('notNeeded' in message) return { status: 'not-needed', reason: message.notNeeded };
  const result = await deps.messenger.post(reference, message);
  if (result.status === 'gone') await deps.conversations.retire(reference.conversationId, result.reason, deps.clock.now());
  if (result.status !== 'sent') deps.logger.warn('outbox.delivery_failed', { itemId: item.id, result: result.status });
  return result;
}
