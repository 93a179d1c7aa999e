import { ScopedRepository } from './store-container';
import { outboxItemSchema, type OutboxItem } from '../domain/outbox';
import type { OutboxRepository } from '../domain/ports';
import { createDocument, parseDocument, toDocumentId, readDocument, updateDocument, type DocumentCodec, type StoredDocument } from './documents';

/** How long a finished outbox item is kept: its alert card can still be updated in place meanwhile. */
export const finishedOutboxTtlInSeconds = 30 * 24 * 3600;

/** Proactive messages waiting to be (or already) sent; one document per dedupe key. */
/** An item as its document holds it: its own id travels in `itemId`. One schema, so a parsed item is found again by it. */
const storedItemSchema = outboxItemSchema.omit({ id: true });

export class CosmosOutboxRepository extends ScopedRepository implements OutboxRepository {

  async enqueue(item: OutboxItem): Promise<boolean> {
    return createDocument(this.container, this.toDocument(outboxItemSchema.parse(item)));
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const docId = toDocumentId(id);
    const doc = await readDocument(this.container, docId, docId);
    return doc ? this.parse(doc) : undefined;
  }

  async update(id: string, change: (current: OutboxItem) => OutboxItem | undefined): Promise<OutboxItem | undefined> {
    const docId = toDocumentId(id);
    const codec: DocumentCodec<OutboxItem> = { parse: (doc) => this.parse(doc), validate: (item) => outboxItemSchema.parse(item), toDocument: (item) => this.toDocument(item) };
    const outcome = await updateDocument(this.container, { id: docId, partitionKey: docId }, codec, change);
    return 'value' in outcome ? outcome.value : undefined;
  }

  async listDue(now: Date, limit: number): Promise<OutboxItem[]> {
    const { resources } = await this.container.items
      .query<StoredDocument>({
        query: 'SELECT TOP @limit * FROM c WHERE c.type = @type AND c.status = @status AND c.nextAttemptAt <= @now ORDER BY c.nextAttemptAt',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'outbox' },
          { name: '@status', value: 'pending' },
          { name: '@now', value: now.toISOString() },
        ],
      })
      .fetchAll();
    return resources.map((doc) => this.parse(doc));
  }

  async listPendingFor(target: { tenantId: string; aadObjectId: string }, limit: number): Promise<OutboxItem[]> {
    const { resources } = await this.container.items
      .query<StoredDocument>({
        query: 'SELECT TOP @limit * FROM c WHERE c.type = @type AND c.status = @status AND c.target.kind = @person AND c.target.tenantId = @tenantId AND c.target.aadObjectId = @aadObjectId ORDER BY c.nextAttemptAt',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'outbox' },
          { name: '@status', value: 'pending' },
          { name: '@person', value: 'person' },
          { name: '@tenantId', value: target.tenantId },
          { name: '@aadObjectId', value: target.aadObjectId },
        ],
      })
      .fetchAll();
    return resources.map((doc) => this.parse(doc));
  }

  async listSentAlertCards(accountId: string, alertId: string): Promise<OutboxItem[]> {
    const { resources } = await this.container.items
      .query<StoredDocument>({
        query: 'SELECT * FROM c WHERE c.type = @type AND c.status = @sent AND c.intent.kind = @alert AND c.intent.accountId = @accountId AND c.intent.alertId = @alertId',
        parameters: [
          { name: '@type', value: 'outbox' },
          { name: '@sent', value: 'sent' },
          { name: '@alert', value: 'alert' },
          { name: '@accountId', value: accountId },
          { name: '@alertId', value: alertId },
        ],
      })
      .fetchAll();
    return resources.map((doc) => this.parse(doc));
  }

  private parse(doc: StoredDocument): OutboxItem {
    // The document id is the Cosmos-safe form; the item's own id travels in itemId. A finished
    // item keeps no next attempt (see toDocument).
    const { itemId, ttl: _ttl, ...rest } = doc;
    const nextAttemptAt = typeof rest.nextAttemptAt === 'string' ? rest.nextAttemptAt : typeof rest.createdAt === 'string' ? rest.createdAt : '';
    return { ...parseDocument(storedItemSchema, { ...rest, nextAttemptAt }), id: String(itemId) };
  }

  /**
   * A finished item (sent, undeliverable, cancelled) expires after `finishedOutboxTtlInSeconds`
   * (the container's defaultTtl is -1, so an item's own ttl applies), and drops the field the
   * pending query filters and sorts on, so that query reads only what is still to be sent.
   */
  private toDocument(item: OutboxItem): Record<string, unknown> {
    const base = { ...item, id: toDocumentId(item.id), itemId: item.id, type: 'outbox', schemaVersion: 1 };
    if (item.status === 'pending') return base;
    const { nextAttemptAt: _next, ...finished } = base;
    return { ...finished, ttl: finishedOutboxTtlInSeconds };
  }
}
