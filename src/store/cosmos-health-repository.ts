import { z } from 'zod';
import { ScopedRepository } from './store-container';
import { healthSummarySchema, healthViewSchema, type HealthSummary } from '../domain/account-health';
import type { HealthSummaryRepository, PortfolioEntry } from '../domain/ports';
import { changing, isConflict, isNotFound, isPreconditionFailed, lastVersion, noteVersion, parseDocument, readDocument, rememberParsed, toDocumentId } from './documents';

/** Every summary lives in this one partition of the directory container. */
export const healthPartition = 'health';
const type = 'healthSummary';
const maxAttempts = 10;
/** One page of a portfolio query: a summary's view is under 2 KB, so a page stays far below Cosmos' 4 MB. */
const pageSize = 1000;

const entrySchema = z.object({ accountId: z.string(), complete: z.boolean(), view: healthViewSchema });

/**
 * Account health summaries: small items, one per account, all in the `health` partition of the
 * directory container (10,000 accounts at ~2 KB each are 20 MB, far below a logical partition's
 * 20 GB), so a portfolio is one single-partition query and the sweep finds due ones with one more.
 */
export class CosmosHealthRepository extends ScopedRepository implements HealthSummaryRepository {
  async get(accountId: string): Promise<HealthSummary | undefined> {
    const doc = await readDocument(this.container, summaryId(accountId), healthPartition);
    return doc ? parseDocument(healthSummarySchema, doc) : undefined;
  }

  /**
   * Read-change-write under the ETag. A summary this process wrote last is first changed on what it
   * wrote, under that ETag, without a read (see `updateDocument`): an account's summary is written
   * by one change at a time here, so that version is most often still the stored one.
   */
  update(accountId: string, change: (current: HealthSummary | undefined) => HealthSummary | undefined): Promise<HealthSummary | undefined> {
    const key = { id: summaryId(accountId), partitionKey: healthPartition };
    return changing(this.container, key, async () => {
      const last = lastVersion(this.container, key, healthSummarySchema);
      const onLast = last ? checkedOnLast(change, last.value) : undefined;
      if (last && onLast && (await this.write(key, onLast.valid, last.etag))) return onLast.next;
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const doc = await readDocument(this.container, key.id, healthPartition);
        const current = doc ? parseDocument(healthSummarySchema, doc) : undefined;
        if (doc) noteVersion(this.container, key, doc);
        const next = change(current);
        if (!next) return current;
        if (await this.write(key, healthSummarySchema.parse(next), doc ? (doc._etag ?? '') : undefined)) return next;
      }
      throw Object.assign(new Error(`the health summary of ${accountId} kept changing under us`), { code: 412 });
    });
  }

  /**
   * Writes a checked summary (under `etag`, or as a new one without); false when someone wrote it
   * in between, or removed it, and the change is to be made again on what is there now.
   */
  private async write(key: { id: string; partitionKey: string }, valid: HealthSummary, etag: string | undefined): Promise<boolean> {
    const body = summaryDocument(valid);
    try {
      const written = etag !== undefined ? await this.container.item(key.id, healthPartition).replace(body, { accessCondition: { type: 'IfMatch', condition: etag } }) : await this.container.items.create(body);
      // Read back at the next change, it need not be checked against its schema again.
      rememberParsed(healthSummarySchema, written.resource, valid);
      noteVersion(this.container, key, written.resource);
      return true;
    } catch (error) {
      if (!isPreconditionFailed(error) && !isConflict(error) && !isNotFound(error)) throw error;
      return false;
    }
  }

  async listEntries(accountIds: readonly string[] | 'all'): Promise<PortfolioEntry[]> {
    if (accountIds !== 'all' && accountIds.length === 0) return [];
    const some = accountIds !== 'all';
    const { resources } = await this.container.items
      .query(
        {
          query: `SELECT c.accountId, c.complete, c.view FROM c WHERE c.pk = @pk AND c.type = @type${some ? ' AND ARRAY_CONTAINS(@ids, c.accountId)' : ''}`,
          parameters: [
            { name: '@pk', value: healthPartition },
            { name: '@type', value: type },
            ...(some ? [{ name: '@ids', value: [...accountIds] }] : []),
          ],
        },
        { partitionKey: healthPartition, maxItemCount: pageSize },
      )
      .fetchAll();
    return resources.map((row: unknown) => entrySchema.parse(row));
  }

  async listDue(now: Date, limit: number): Promise<HealthSummary[]> {
    const { resources } = await this.container.items
      .query(
        {
          query: 'SELECT TOP @limit * FROM c WHERE c.pk = @pk AND c.type = @type AND c.healthCheckAt <= @now ORDER BY c.healthCheckAt',
          parameters: [
            { name: '@limit', value: limit },
            { name: '@pk', value: healthPartition },
            { name: '@type', value: type },
            { name: '@now', value: now.toISOString() },
          ],
        },
        { partitionKey: healthPartition },
      )
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(healthSummarySchema, doc));
  }

  async listAccountIds(): Promise<string[]> {
    const { resources } = await this.container.items
      .query<string>(
        {
          query: 'SELECT VALUE c.accountId FROM c WHERE c.pk = @pk AND c.type = @type',
          parameters: [
            { name: '@pk', value: healthPartition },
            { name: '@type', value: type },
          ],
        },
        { partitionKey: healthPartition, maxItemCount: 10_000 },
      )
      .fetchAll();
    return resources;
  }
}

function summaryId(accountId: string): string {
  return toDocumentId(`health:${accountId}`);
}

/** Version 2 keeps open escalations as ids by severity; version 1 (one line each) still reads. */
const summarySchemaVersion = 2;

function summaryDocument(summary: HealthSummary): Record<string, unknown> {
  return { id: summaryId(summary.accountId), pk: healthPartition, type, schemaVersion: summarySchemaVersion, ...summary };
}

/**
 * The change made and checked on the version this process wrote last; undefined when it leaves
 * that version as it is or refuses it (then it is decided on the stored summary, as it should be).
 */
function checkedOnLast(change: (current: HealthSummary | undefined) => HealthSummary | undefined, last: HealthSummary): { next: HealthSummary; valid: HealthSummary } | undefined {
  try {
    const next = change(last);
    return next ? { next, valid: healthSummarySchema.parse(next) } : undefined;
  } catch {
    return undefined;
  }
}
