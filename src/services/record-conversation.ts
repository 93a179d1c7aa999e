import type { Clock } from '../domain/clock';
import type { StoredConversationReference } from '../domain/conversation-reference';
import type { ConversationReferenceRepository, ConversationSaveOutcome } from '../domain/ports';

/**
 * Keeps where the bot can reach a conversation later; a reinstall brings a retired one back.
 * Says whether the conversation is new to the bot, so the welcome is sent once however many
 * install events (or retries of them) arrive.
 */
export async function recordConversation(
  deps: { conversations: ConversationReferenceRepository; clock: Clock },
  reference: Omit<StoredConversationReference, 'capturedAt' | 'retiredAt' | 'retiredReason'>,
): Promise<ConversationSaveOutcome> {
  return deps.conversations.save({ ...reference, capturedAt: deps.clock.now().toISOString() });
}

/** The bot was removed from a conversation: stop sending to it. */
export async function retireConversation(
  deps: { conversations: ConversationReferenceRepository; clock: Clock },
  conversationId: string,
  reason: string,
): Promise<void> {
  await deps.conversations.retire(conversationId, reason, deps.clock.now());
}

/**
 * At start-up: pointers to personal chats stored under the wrong owner (a client that gave two
 * users one chat id, or data from before owners were checked) are retired, so nobody's messages
 * go to someone else's chat. Returns how many were removed.
 */
export async function recheckPersonalConversations(deps: { conversations: ConversationReferenceRepository }): Promise<number> {
  return deps.conversations.removeForeignPersonalIndexes();
}
