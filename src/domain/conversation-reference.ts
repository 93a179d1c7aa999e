import { z } from 'zod';
import type { UserIdentity } from './directory';

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

/**
 * A personal chat belongs to one person: its reference may be used only for the user it was
 * stored for, in that user's tenant. Anything else (another person's chat, a channel or group
 * chat, a reference without an owner) counts as no personal chat at all.
 */
export function isOwnedBy(
  reference: Pick<StoredConversationReference, 'conversationType' | 'tenantId' | 'userAadObjectId'>,
  identity: UserIdentity,
): boolean {
  return (
    reference.conversationType === 'personal' &&
    typeof reference.userAadObjectId === 'string' &&
    reference.userAadObjectId !== '' &&
    reference.userAadObjectId === identity.aadObjectId &&
    reference.tenantId === identity.tenantId
  );
}
