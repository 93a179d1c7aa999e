import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { storedConversationReferenceSchema, type StoredConversationReference } from '../domain/conversation-reference';
import type { UserIdentity } from '../domain/directory';
import type { ConversationReferenceRepository, ConversationSaveOutcome } from '../domain/ports';
import { isConflict, isNotFound, isPreconditionFailed, parseDocument, toDocumentId } from './documents';

const personalIndexSchema = z.object({ conversationId: z.string() });

/**
 * One document per conversation, plus a per-user index document that points at the user's
 * personal chat, so a proactive message to a person is two point reads.
 */
export class CosmosConversationReferenceRepository implements ConversationReferenceRepository {
  constructor(private readonly container: Container) {}

  async save(reference: StoredConversationReference): Promise<ConversationSaveOutcome> {
    const valid = storedConversationReferenceSchema.parse(reference);
    const id = conversationDocumentId(valid.conversationId);
    const document = { id, type: 'conversationReference', schemaVersion: 1, ...valid };
    let outcome: ConversationSaveOutcome | undefined;
    try {
      await this.container.items.create(document);
      outcome = 'created';
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    for (let attempt = 0; outcome === undefined && attempt < 5; attempt++) {
      const current = await this.read(id);
      if (!current) {
        outcome = await this.container.items.create(document).then(
          () => 'created' as const,
          (error: unknown) => {
            if (isConflict(error)) return undefined;
            throw error;
          },
        );
        continue;
      }
      const etag = typeof current._etag === 'string' ? current._etag : undefined;
      try {
        await this.container.item(id, id).replace(document, etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
        outcome = current.retiredAt ? 'revived' : 'updated';
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    if (valid.conversationType === 'personal' && valid.userAadObjectId) {
      await this.container.items.upsert({
        id: personalIndexId({ tenantId: valid.tenantId, aadObjectId: valid.userAadObjectId }),
        type: 'personalConversation',
        schemaVersion: 1,
        conversationId: valid.conversationId,
      });
    }
    return outcome ?? 'updated';
  }

  async get(conversationId: string): Promise<StoredConversationReference | undefined> {
    const doc = await this.read(conversationDocumentId(conversationId));
    return doc ? parseDocument(storedConversationReferenceSchema, doc) : undefined;
  }

  async getPersonal(identity: UserIdentity): Promise<StoredConversationReference | undefined> {
    const index = await this.read(personalIndexId(identity));
    if (!index) return undefined;
    return this.get(parseDocument(personalIndexSchema, index).conversationId);
  }

  async retire(conversationId: string, reason: string, at: Date): Promise<void> {
    const id = conversationDocumentId(conversationId);
    for (let attempt = 0; attempt < 5; attempt++) {
      let current: (Record<string, unknown> & { _etag?: string }) | undefined;
      try {
        current = (await this.container.item(id, id).read<Record<string, unknown> & { _etag?: string }>()).resource;
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      if (!current || current.retiredAt) return;
      try {
        await this.container.item(id, id).replace(
          { ...current, retiredAt: at.toISOString(), retiredReason: reason },
          current._etag ? { accessCondition: { type: 'IfMatch', condition: current._etag } } : {},
        );
        return;
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
  }

  private async read(id: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.container.item(id, id).read<Record<string, unknown>>()).resource;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function conversationDocumentId(conversationId: string): string {
  return toDocumentId(`conv:${conversationId}`);
}

function personalIndexId(identity: UserIdentity): string {
  return toDocumentId(`user:${identity.tenantId}:${identity.aadObjectId}`);
}
