import { z } from 'zod';
import { minuteInMs } from './duration-text';

/** Who a proactive message goes to: a person's personal chat, or a conversation (channel). */
export const deliveryTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), tenantId: z.string(), aadObjectId: z.string() }),
  z.object({ kind: z.literal('conversation'), conversationId: z.string() }),
]);
export type DeliveryTarget = z.infer<typeof deliveryTargetSchema>;

/** What to say; rendered from the current records at the moment of sending. */
export const messageIntentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('alert'),
    accountId: z.string(),
    alertId: z.string(),
    /** 0 for the first notice, then 1, 2 ... for reminders of a critical alert. */
    occurrence: z.number().int(),
  }),
  z.object({
    /** An alert card already sent, brought up to date in place. */
    kind: z.literal('alert-card'),
    accountId: z.string(),
    alertId: z.string(),
    activityId: z.string(),
    reminder: z.boolean(),
    /** cardStateOf the alert this update shows; a later change makes it unneeded (its own update follows). */
    state: z.string(),
  }),
  z.object({
    kind: z.literal('digest'),
    personKey: z.string(),
    /** The alerts raised since this instant are in it. */
    since: z.string(),
    localDate: z.string(),
  }),
  z.object({
    kind: z.literal('check-in'),
    accountId: z.string(),
    dueDate: z.string(),
  }),
  z.object({
    /** An escalation handed to a TAM: they are told in personal chat, with their own view. */
    kind: z.literal('assignment'),
    accountId: z.string(),
    escalationId: z.string(),
    /** The escalation's version after the hand-over, so a second hand-over is a second message. */
    version: z.number().int(),
  }),
  z.object({
    /** A month's service review, in the customer view, posted to the account's channel. */
    kind: z.literal('review'),
    accountId: z.string(),
    month: z.string(),
    /** Who asked for it to be posted, as the card names them. */
    postedBy: z.string(),
  }),
  z.object({
    /**
     * A turn's answer the Bot Connector did not take within the turn's deadline. Unlike the other
     * intents it is sent as it was prepared then: it answers what the person asked at that moment.
     * The target's conversation id is the turn's own (a channel thread keeps its `;messageid=`).
     */
    kind: z.literal('reply'),
    serviceUrl: z.string(),
    conversationType: z.enum(['personal', 'channel', 'groupChat']),
    tenantId: z.string(),
    /** The channel or group chat, without a thread suffix: whose link decides who may see it. */
    channelId: z.string().optional(),
    /** The accounts whose data it carries; in a shared conversation it goes only while still linked to them. */
    accountIds: z.array(z.string()),
    /** The message it answers (a reply in that thread). */
    replyToId: z.string().optional(),
    /** Set when it replaces a message in place rather than posting a new one. */
    updateActivityId: z.string().optional(),
    /** The activity as the turn prepared it (type, text, attachments), without its addressing. */
    activity: z.record(z.string(), z.unknown()),
  }),
]);
export type MessageIntent = z.infer<typeof messageIntentSchema>;

/** `cancelled`: no longer needed when its turn came (e.g. the check-in was recorded already). */
export const outboxStatuses = ['pending', 'sent', 'undeliverable', 'cancelled'] as const;

/**
 * A proactive message, written before it is sent so that a crash, a throttled connector or a
 * second instance never loses or doubles it. The id is the dedupe key: one per subject and target.
 */
export const outboxItemSchema = z.object({
  id: z.string(),
  target: deliveryTargetSchema,
  intent: messageIntentSchema,
  status: z.enum(outboxStatuses),
  createdAt: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  sentAt: z.string().optional(),
  activityId: z.string().optional(),
  lastError: z.string().optional(),
  /** Who is sending it right now; another sender leaves it alone until the claim runs out. */
  claimedBy: z.string().optional(),
  claimUntil: z.string().optional(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

/** Exponential backoff from 30 s up to 30 min, with the jitter supplied by the caller (0..1). */
export function nextAttemptDelayInMs(attempts: number, jitter: number): number {
  const base = Math.min(30 * minuteInMs, 30_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + 0.5 * jitter));
}
