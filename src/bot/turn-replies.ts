import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock';
import type { ConversationScope } from '../domain/caller';
import type { Logger } from '../domain/logger';
import { nextAttemptDelayInMs, type OutboxItem } from '../domain/outbox';
import type { DeliveryResult, OutboxRepository } from '../domain/ports';
import type { BotConnectorClient } from '../notify/bot-connector-client';
import { deadlineSignal, releaseDeadline } from '../notify/deadline';
import { untilAborted } from '../notify/until-aborted';
import { readActivityFacts } from './activity-facts';

/**
 * How long a turn may wait for the Bot Connector, counted from the turn's start. Teams gives up on
 * a request after about 15 s and sends it again; the turn answers its request within 10 s.
 */
export interface ReplyDeadline {
  /** Every message of the turn is answered by the connector by then, or it is queued. */
  readonly sendWithinMs: number;
  /** What had to be queued is written to the outbox by then. */
  readonly queueWithinMs: number;
}

export const defaultReplyDeadline: ReplyDeadline = { sendWithinMs: 7_000, queueWithinMs: 9_000 };

/** A reply's deadline with sends cut off at `sendWithinMs`, and two more seconds to queue what is left. */
export function replyDeadlineOf(sendWithinMs: number): ReplyDeadline {
  return { sendWithinMs, queueWithinMs: sendWithinMs + 2_000 };
}

export interface TurnRepliesDeps {
  readonly connector: BotConnectorClient;
  readonly outbox: OutboxRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 0..1, for the jitter of the first retry. */
  readonly random: () => number;
}

/** Where a message of the turn goes: the turn's own conversation, or the caller's personal chat. */
export interface ReplyTarget {
  readonly serviceUrl: string;
  readonly conversationId: string;
  readonly conversationType: ConversationScope;
  readonly tenantId: string;
  readonly channelId?: string;
}

/** `queued`: the outbox sends it later; `lost`: neither the connector nor the store took it. */
export type ReplyOutcome = { readonly status: 'sent'; readonly activityId: string } | { readonly status: 'queued' | 'gone' | 'lost' };

const repliesKey = Symbol('turnReplies');

/** Addressing the connector gets from the call itself; the rest of an activity is what it says. */
const addressing = new Set(['id', 'serviceUrl', 'conversation', 'replyToId', 'from', 'recipient', 'timestamp', 'localTimestamp']);

/**
 * One turn's way to the Bot Connector. Each message is one request through our connector client
 * (no hidden retries, no waiting out a Retry-After), bounded by the turn's deadline; what the
 * connector does not take in time, refuses for now (5xx, 429) or never answers goes to the outbox,
 * and the dispatcher delivers it. Once one message of a turn is queued, the turn's later messages
 * queue behind it, so they arrive in order.
 *
 * The adapter (channel-requests.ts) sends every message and update of a turn through here.
 */
export class TurnReplies {
  private readonly sendBy: AbortSignal;
  private readonly queueBy: AbortSignal;
  /** The accounts whose data the next message carries (the audience step says so before sending). */
  private nextCarries: readonly string[] = [];
  private sequence = 0;
  /** When the last queued message is due; later ones are due after it. */
  private queuedDueAt: number | undefined;

  private constructor(
    private readonly context: TurnContext,
    private readonly deps: TurnRepliesDeps,
    deadline: ReplyDeadline,
  ) {
    this.sendBy = deadlineSignal(deadline.sendWithinMs);
    this.queueBy = deadlineSignal(deadline.queueWithinMs);
  }

  /** The turn is over: its deadlines are let go (nothing of the turn waits on them any more). */
  finish(): void {
    releaseDeadline(this.sendBy);
    releaseDeadline(this.queueBy);
  }

  /** Starts the turn's deadline now. */
  static start(context: TurnContext, deps: TurnRepliesDeps, deadline: ReplyDeadline): TurnReplies {
    const replies = new TurnReplies(context, deps, deadline);
    context.turnState.set(repliesKey, replies);
    return replies;
  }

  /** The turn's replies; undefined for a context that was not started as a turn. */
  static of(context: TurnContext): TurnReplies | undefined {
    return context.turnState.get<TurnReplies | undefined>(repliesKey);
  }

  /** The next message carries these accounts' data: queued, it goes only where they may still be seen. */
  carries(accountIds: readonly string[]): void {
    this.nextCarries = [...accountIds];
  }

  /** A message in the turn's conversation (the SDK prepared its addressing), as `sendActivity` would. */
  async send(activity: Partial<Activity>): Promise<ResourceResponse> {
    const outcome = await this.deliver(this.ownConversation(activity), activity, activity.replyToId ? { replyToId: activity.replyToId } : {});
    return { id: outcome.status === 'sent' ? outcome.activityId : '' };
  }

  /** A message of the turn's conversation replaced in place, as `updateActivity` would. */
  async update(activity: Partial<Activity>): Promise<void> {
    if (!activity.id) throw new Error('an update names the activity it replaces');
    await this.deliver(this.ownConversation(activity), activity, { updateActivityId: activity.id });
  }

  /** A message to another conversation of the caller's (their personal chat), on the same terms. */
  sendTo(target: ReplyTarget, activity: Partial<Activity>): Promise<ReplyOutcome> {
    return this.deliver(target, activity, {});
  }

  private ownConversation(activity: Partial<Activity>): ReplyTarget {
    const facts = readActivityFacts(this.context.activity);
    return {
      serviceUrl: activity.serviceUrl ?? this.context.activity.serviceUrl,
      conversationId: activity.conversation?.id ?? facts.conversationId,
      conversationType: facts.scope,
      tenantId: facts.tenantId ?? '',
      ...(facts.channelId ? { channelId: facts.channelId } : {}),
    };
  }

  private async deliver(target: ReplyTarget, activity: Partial<Activity>, how: { replyToId?: string; updateActivityId?: string }): Promise<ReplyOutcome> {
    const sequence = ++this.sequence;
    const accountIds = this.nextCarries;
    this.nextCarries = [];
    if (this.queuedDueAt !== undefined || this.sendBy.aborted) return this.queue(target, activity, { ...how, accountIds }, sequence);
    const where = { serviceUrl: target.serviceUrl, conversationId: target.conversationId };
    const options = { signal: this.sendBy };
    const result = how.updateActivityId
      ? await this.deps.connector.update(where, how.updateActivityId, activity, options)
      : how.replyToId
        ? await this.deps.connector.reply(where, how.replyToId, activity, options)
        : await this.deps.connector.send(where, activity, options);
    if (result.status === 'sent') return result;
    if (result.status === 'gone') {
      this.deps.logger.warn('reply.undeliverable', { conversationId: target.conversationId, reason: result.reason });
      return { status: 'gone' };
    }
    return this.queue(target, activity, { ...how, accountIds }, sequence, result);
  }

  private async queue(
    target: ReplyTarget,
    activity: Partial<Activity>,
    how: { replyToId?: string; updateActivityId?: string; accountIds: readonly string[] },
    sequence: number,
    failed?: Extract<DeliveryResult, { status: 'retry' }>,
  ): Promise<ReplyOutcome> {
    const now = this.deps.clock.now().getTime();
    // Tried and refused (or unanswered): as a first delivery attempt of the outbox would wait.
    // Never tried (the deadline had passed, or an earlier message waits): at once, behind the others.
    const wait = failed ? Math.max(failed.retryAfterInMs ?? 0, nextAttemptDelayInMs(1, this.deps.random())) : 0;
    const dueAt = Math.max(now + wait, (this.queuedDueAt ?? 0) + 1);
    this.queuedDueAt = dueAt;
    const inbound = this.context.activity.id ?? this.context.activity.conversation?.id ?? 'turn';
    const item: OutboxItem = {
      id: `reply:${target.conversationId}:${inbound}:${sequence}`,
      target: { kind: 'conversation', conversationId: target.conversationId },
      intent: {
        kind: 'reply',
        serviceUrl: target.serviceUrl,
        conversationType: target.conversationType,
        tenantId: target.tenantId,
        ...(target.channelId ? { channelId: target.channelId } : {}),
        accountIds: target.conversationType === 'personal' ? [] : [...how.accountIds],
        ...(how.replyToId ? { replyToId: how.replyToId } : {}),
        ...(how.updateActivityId ? { updateActivityId: how.updateActivityId } : {}),
        activity: contentOf(activity),
      },
      status: 'pending',
      createdAt: new Date(now).toISOString(),
      attempts: failed ? 1 : 0,
      nextAttemptAt: new Date(dueAt).toISOString(),
      ...(failed ? { lastError: failed.error } : {}),
    };
    const facts = {
      itemId: item.id,
      conversationId: target.conversationId,
      reason: failed?.error ?? 'not tried: the deadline had passed or an earlier message waits',
      ...(failed?.retryAfterInMs !== undefined ? { retryAfterInMs: failed.retryAfterInMs } : {}),
      ...(failed?.outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
    try {
      // A Teams retry of the same activity finds its replies queued already: they are not queued twice.
      await untilAborted(this.deps.outbox.enqueue(item), this.queueBy);
      this.deps.logger.warn('reply.queued', facts);
      return { status: 'queued' };
    } catch (error) {
      this.deps.logger.error('reply.lost', { ...facts, error });
      return { status: 'lost' };
    }
  }
}

/** What the activity says, without where it goes: a plain JSON object the outbox can keep. */
function contentOf(activity: Partial<Activity>): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(activity)) if (!addressing.has(key) && value !== undefined) content[key] = value;
  return JSON.parse(JSON.stringify(content)) as Record<string, unknown>;
}
