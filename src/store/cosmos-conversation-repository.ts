import type { Container } from '@azure/cosmos';
import type { Clock } from '../domain/clock';
import { ScopedRepository, type StoreContainer } from './store-container';
import { TtlCache } from './ttl-cache';
import { z } from 'zod';
import { isOwnedBy, storedConversationReferenceSchema, type StoredConversationReference } from '../domain/conversation-reference';
import type { UserIdentity } from '../domain/directory';
import type { ConversationReferenceRepository, ConversationSaveOutcome } from '../domain/ports';
import { fromDocumentId, isConflict, isNotFound, isPreconditionFailed, parseDocument, toDocumentId, type StoredDocument } from './documents';

const personalIndexSchema = z.object({ conversationId: z.string() });
const personalIndexType = 'personalConversation';

/**
 * One document per conversation, plus a per-user index document that points at the user's
 * personal chat, so a proactive message to a person is two point reads. The conversation
 * document is the truth about whose chat it is: an index is followed only to a personal chat
 * of the same user (a client that gives two users one chat id must not let one read the other's).
 */
export class CosmosConversationReferenceRepository extends ScopedRepository implements ConversationReferenceRepository {
  /**
   * References found, by conversation and by person: read on most turns that post (the watchers of
   * a card, a private answer) and changed rarely. Only what exists is kept; a save or a retirement
   * here updates it, another instance's shows after at most the cache lifetime.
   */
  private readonly byConversation: TtlCache<StoredConversationReference> | undefined;
  private readonly byPerson: TtlCache<StoredConversationReference> | undefined;

  constructor(container: StoreContainer | Container, cache?: { clock: Clock; ttlInMs: number }) {
    super(container);
    this.byConversation = cache ? new TtlCache(cache.clock, cache.ttlInMs) : undefined;
    this.byPerson = cache ? new TtlCache(cache.clock, cache.ttlInMs) : undefined;
  }

  async save(reference: StoredConversationReference): Promise<ConversationSaveOutcome> {
    const valid = storedConversationReferenceSchema.parse(reference);
    this.forget(valid.conversationId);
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
        type: personalIndexType,
        schemaVersion: 1,
        tenantId: valid.tenantId,
        aadObjectId: valid.userAadObjectId,
        conversationId: valid.conversationId,
      });
    }
    return outcome ?? 'updated';
  }

  async get(conversationId: string): Promise<StoredConversationReference | undefined> {
    const known = this.byConversation?.peek(conversationId);
    if (known) return known;
    const doc = await this.read(conversationDocumentId(conversationId));
    const reference = doc ? parseDocument(storedConversationReferenceSchema, doc) : undefined;
    if (reference) this.byConversation?.set(conversationId, reference);
    return reference;
  }

  async getPersonal(identity: UserIdentity): Promise<StoredConversationReference | undefined> {
    const key = `${identity.tenantId}|${identity.aadObjectId}`;
    const known = this.byPerson?.peek(key);
    if (known && isOwnedBy(known, identity)) return known;
    const index = await this.read(personalIndexId(identity));
    if (!index) return undefined;
    const reference = await this.get(parseDocument(personalIndexSchema, index).conversationId);
    if (!reference || !isOwnedBy(reference, identity)) return undefined;
    this.byPerson?.set(key, reference);
    return reference;
  }

  /** What this instance keeps of a conversation is forgotten when it changes. */
  private forget(conversationId?: string): void {
    if (conversationId) this.byConversation?.delete(conversationId);
    else this.byConversation?.clear();
    this.byPerson?.clear();
  }

  async removeForeignPersonalIndexes(): Promise<number> {
    this.forget();
    // A plain scan by type, page by page: the embedded store has no OFFSET/LIMIT or DISTINCT.
    const pages = this.container.items.query<StoredDocument>(
      { query: 'SELECT * FROM c WHERE c.type = @type', parameters: [{ name: '@type', value: personalIndexType }] },
      { maxItemCount: 100 },
    );
    let removed = 0;
    while (pages.hasMoreResults()) {
      const { resources } = await pages.fetchNext();
      const outcomes = await Promise.all(resources.map((index) => this.removeIfForeign(index)));
      removed += outcomes.filter(Boolean).length;
    }
    return removed;
  }

  /**
   * Deletes the index unless it leads to a personal chat of its own user. Conditional on the
   * index's ETag: an index rewritten meanwhile (the user installed again) is left alone.
   */
  private async removeIfForeign(index: StoredDocument): Promise<boolean> {
    const identity = indexIdentity(index);
    const pointer = personalIndexSchema.safeParse(index);
    const target = identity && pointer.success ? await this.read(conversationDocumentId(pointer.data.conversationId)) : undefined;
    const reference = target ? storedConversationReferenceSchema.safeParse(target) : undefined;
    if (identity && reference?.success && isOwnedBy(reference.data, identity)) return false;
    const id = String(index.id);
    try {
      await this.container.item(id, id).delete(index._etag ? { accessCondition: { type: 'IfMatch', condition: index._etag } } : {});
      return true;
    } catch (error) {
      if (isNotFound(error) || isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async retire(conversationId: string, reason: string, at: Date): Promise<void> {
    this.forget(conversationId);
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

/**
 * Whose index this is: from its fields, or for an index written before they were stored, from
 * its id. Undefined when the two disagree or the id is not an index id (getPersonal never reads it).
 */
function indexIdentity(index: StoredDocument): UserIdentity | undefined {
  const id = typeof index.id === 'string' ? index.id : '';
  let identity: UserIdentity | undefined;
  if (typeof index.tenantId === 'string' && typeof index.aadObjectId === 'string') {
    identity = { tenantId: index.tenantId, aadObjectId: index.aadObjectId };
  } else {
    const match = /^user:([^:]+):(.+)$/.exec(fromDocumentId(id) ?? '');
    identity = match?.[1] && match[2] ? { tenantId: match[1], aadObjectId: match[2] } : undefined;
  }
  return identity && personalIndexId(identity) === id ? identity : undefined;
}
