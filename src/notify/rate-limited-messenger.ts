import type { StoredConversationReference } from '../domain/conversation-reference';
import type { CardMessage, DeliveryResult, ProactiveView, TeamsMessenger } from '../domain/ports';
import { conversationLimits, SlidingWindowLimiter, tenantLimits, type Timer } from './rate-limits';

export interface RetryBudget {
  /** Attempts per message within one pass, the first included. */
  readonly attempts: number;
  /** The longest wait this pass accepts before handing the message back for a later one. */
  readonly maxWaitInMs: number;
  /** First backoff after a 5xx; doubled each time, with jitter. */
  readonly baseBackoffInMs: number;
}

export const defaultRetryBudget: RetryBudget = { attempts: 4, maxWaitInMs: 10_000, baseBackoffInMs: 500 };

/**
 * Keeps proactive sends within the Teams limits (per conversation and per tenant), honours
 * Retry-After on 429 for the whole conversation, and backs off with jitter on 5xx, up to a
 * budget; past it the message goes back to the outbox as pending for a later pass, never dropped.
 */
export class RateLimitedMessenger implements TeamsMessenger {
  private readonly conversations: SlidingWindowLimiter;
  private readonly tenants: SlidingWindowLimiter;

  constructor(
    private readonly inner: TeamsMessenger,
    private readonly timer: Timer,
    private readonly random: () => number,
    private readonly budget: RetryBudget = defaultRetryBudget,
  ) {
    this.conversations = new SlidingWindowLimiter(conversationLimits, timer);
    this.tenants = new SlidingWindowLimiter(tenantLimits, timer);
  }

  post(reference: StoredConversationReference, message: CardMessage, view: ProactiveView): Promise<DeliveryResult> {
    return this.withLimits(reference, () => this.inner.post(reference, message, view));
  }

  update(reference: StoredConversationReference, activityId: string, message: CardMessage, view: ProactiveView): Promise<DeliveryResult> {
    return this.withLimits(reference, () => this.inner.update(reference, activityId, message, view));
  }

  private async withLimits(reference: StoredConversationReference, send: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
    const started = this.timer.now();
    let result: DeliveryResult = { status: 'retry', error: 'not attempted' };
    for (let attempt = 1; attempt <= this.budget.attempts; attempt++) {
      // A Retry-After longer than this pass may wait (Teams can say an hour) is not slept through:
      // the message goes back to the outbox, due when the conversation may be sent to again.
      const blocked = this.conversations.blockedFor(reference.conversationId);
      if (blocked > 0 && this.timer.now() - started + blocked > this.budget.maxWaitInMs) {
        return attempt === 1 ? { status: 'retry', error: 'throttled: the conversation is held back by Retry-After', retryAfterInMs: blocked } : result;
      }
      const conversationSlot = await this.conversations.acquire(reference.conversationId);
      const tenantSlot = await this.tenants.acquire(reference.tenantId).catch((error: unknown) => {
        conversationSlot();
        throw error;
      });
      try {
        result = await send();
      } finally {
        tenantSlot();
        conversationSlot();
      }
      // Unanswered: Teams may have posted it. Not sent again within this pass, which would only
      // make a second copy likelier and hold the pass for another timeout.
      if (result.status !== 'retry' || result.outcomeUnknown) return result;
      const backoff = result.retryAfterInMs ?? this.budget.baseBackoffInMs * 2 ** (attempt - 1) * (0.5 + this.random());
      if (result.retryAfterInMs !== undefined) this.conversations.block(reference.conversationId, this.timer.now() + result.retryAfterInMs);
      if (attempt === this.budget.attempts || this.timer.now() - started + backoff > this.budget.maxWaitInMs) return result;
      await this.timer.sleep(backoff);
    }
    return result;
  }
}
