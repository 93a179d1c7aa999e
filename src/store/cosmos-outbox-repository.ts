import type { Container } from '@azure/cosmos';
import { outboxItemSchema, type OutboxItem } from '../domain/outbox';
import type { OutboxRepository } from '../domain/ports';
import { isConflict, isNotFound, isPreconditionFailed, parseDocument, toDocumentId } from './documents';

type Stored = Record<string, unknown> & { _etag?: string };

/** Proactive messages waiting to be (or already) sent; one document per dedupe key. */
export class CosmosOutboxRepository implements OutboxRepository {
  constructor(private readonly container: Container) {}

  async enqueue(item: OutboxItem): Promise<boolean> {
    try {
      await this.container.items.create(this.toDocument(outboxItemSchema.parse(item)));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    const doc = await this.read(toDocumentId(id));
    return doc ? this.parse(doc) : undefined;
  }

  async update(id: string, change: (current: OutboxItem) => OutboxItem | undefined): Promise<OutboxItem | undefined> {
    const docId = toDocumentId(id);
    for (let attempt = 0; attempt < 10; attempt++) {
      const doc = await this.read(docId);
      if (!doc) return undefined;
      const current = this.parse(doc);
      const changed = change(current);
      if (!changed) return current;
      try {
        await this.container
          .item(docId, docId)
          .replace(this.toDocument(outboxItemSchema.parse(changed)), { accessCondition: { type: 'IfMatch', condition: doc._etag ?? '' } });
        return changed;
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    return undefined;
  }

  async listDue(now: Date, limit: number): Promise<OutboxItem[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT TOP @limit * FROM c WHERE c.type = @type AND c.status = @status AND c.nextAttemptAt <= @now ORDER BY c.nextAttemptAt',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'outbox' },
          { name: '@status', value: 'pending' },
          { name: '@now', value: now.toISOString() },
        ],
      })
      .fetchAll();
    return resources.map((doc: Stored) => this.parse(doc));
  }

  private parse(doc: Stored): OutboxItem {
    // The document id is the Cosmos-safe form; the item's own id travels in itemId.
    const { itemId, ...rest } = doc;
    return { ...parseDocument(outboxItemSchema.omit({ id: true }), rest), id: String(itemId) };
  }

  private toDocument(item: OutboxItem): Record<string, unknown> {
    return { ...item, id: toDocumentId(item.id), itemId: item.id, type: 'outbox', schemaVersion: 1 };
  }

  private async read(id: string): Promise<Stored | undefined> {
    try {
      return (await this.container.item(id, id).read<Stored>()).resource;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
