import { z } from 'zod';

/**
 * Where the bot can reach someone later. `reference` holds the channel's own reference
 * object as received; only the edge that sends interprets it.
 */
export const storedConversationReferenceSchema = z.object({
  conversationId: z.string().min(1).max(500),
  conversationType: z.enum(['personal', 'channel', 'groupChat']),
  tenantId: z.string().min(1).max(100),
  serviceUrl: z.string().min(1).max(500),
  /** For personal chats: whose chat this is. */
  userAadObjectId: z.string().max(100).optional(),
  teamId: z.string().max(400).optional(),
  reference: z.record(z.string(), z.unknown()),
  capturedAt: z.string(),
  /** Set when Teams says the bot is no longer in the conversation; nothing is sent any more. */
  retiredAt: z.string().optional(),
  retiredReason: z.string().max(200).optional(),
});
export type StoredConversationReference = z.infer<typeof storedConversationReferenceSchema>;
