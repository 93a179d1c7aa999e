import { BulkOperationType, type JSONObject, type OperationInput } from '@azure/cosmos';
import { ScopedRepository, type StoreContainer } from './store-container';
import { z } from 'zod';
import { escalationAlertPoints, nextAlertCheck } from '../domain/alert-rules';
import { escalationSchema, openStatuses, timelineEntrySchema, type Escalation, type TimelineEntry } from '../domain/escalation';
import { maxOpenedTogether, type EscalationRepository, type OpenedOutcome, type OpenedTogetherOutcome, type Opening, type OpeningIntake, type StoredIntake } from '../domain/ports';
import type { EscalationHistory } from '../domain/service-review';
import { createDocument, isConflict, isPreconditionFailed, lastVersion, noteVersion, parseDocument, rememberParsed, toDocumentId, readDocument, updateDocument, type DocumentCodec } from './documents';

const counterSchema = z.object({ next: z.number().int().positive() });
const intakeSchema = z.object({ claimedAt: z.string(), escalationId: z.string().optional() });

const maxAttempts = 10;

/**
 * Records of one type whose `alertCheckAt` has come, earliest first. Only what is due is read,
 * so a sweep costs what is due, not how many records exist.
 */
export async function dueQuery<T>(container: StoreContainer, type: string, now: Date, limit: number, fields: string): Promise<T[]> {
  const { resources } = await container.items
    .query<T>({
      query: `SELECT TOP @limit ${fields} FROM c WHERE c.type = @type AND c.alertCheckAt <= @now ORDER BY c.alertCheckAt`,
      parameters: [
        { name: '@limit', value: limit },
        { name: '@type', value: type },
        { name: '@now', value: now.toISOString() },
      ],
    })
    .fetchAll();
  return resources;
}

/** The item keeps its latest `timelineKept` entries; at `timelineFlushAt` the older ones move out. */
export const timelineKept = 20;
export const timelineFlushAt = 40;
/** A transactional batch holds at most 100 operations: the entries moved and the item. */
const maxMovedABatch = 99;

/** One timeline entry moved out of its escalation's item, keyed on its place in the timeline. */
function timelineDocument(accountId: string, escalationId: string, ordinal: number, entry: TimelineEntry): Record<string, unknown> {
  return {
    id: toDocumentId(`timeline:${escalationId}:${String(ordinal).padStart(7, '0')}`),
    accountId,
    type: 'timelineEntry',
    schemaVersion: 1,
    escalationId,
    ordinal,
    entry,
  };
}

/** How long a completed intake claim is kept (the duplicate window is minutes). */
export const completedIntakeTtlInSeconds = 24 * 3600;

/** Escalations live in their account's partition, with the account's counter and intake claims. */
export class CosmosEscalationRepository extends ScopedRepository implements EscalationRepository {

  async get(accountId: string, escalationId: string): Promise<Escalation | undefined> {
    const key = { id: toDocumentId(escalationId), partitionKey: accountId };
    const doc = await readDocument(this.container, key.id, accountId);
    if (!doc) return undefined;
    const escalation = parseDocument(escalationSchema, doc);
    noteVersion(this.container, key, doc);
    return escalation;
  }

  readAheadForChange(accountId: string, escalationId: string): void {
    if (lastVersion(this.container, { id: toDocumentId(escalationId), partitionKey: accountId }, escalationSchema, 0)) return;
    void this.get(accountId, escalationId).catch(() => undefined);
  }

  async create(escalation: Escalation): Promise<boolean> {
    return createDocument(this.container, escalationDocument(escalationSchema.parse(escalation)));
  }

  /**
   * The next number each account's openers here last left, so an opener need not read the
   * counter first. Only a hint, like the counter: a number taken meanwhile costs one more try.
   */
  private readonly numberHints = new Map<string, number>();

  /**
   * Stores a new escalation, its submission's intake record and the number hint in one
   * transactional batch of its account's partition: all three or none. The intake goes first, so
   * a repeat of the submission (or two openers of the same one at once) is told `intake-exists`
   * and writes nothing, and a number another opener took first is told `number-taken`.
   */
  async createOpened(escalation: Escalation, intake: OpeningIntake): Promise<OpenedOutcome> {
    const outcome = await this.createOpenedTogether([{ escalation, intake }]);
    return outcome.kind === 'intake-exists' ? { kind: 'intake-exists', ...(outcome.intake ? { intake: outcome.intake } : {}) } : outcome;
  }

  async createOpenedTogether(openings: readonly Opening[]): Promise<OpenedTogetherOutcome> {
    const valid = openings.map((o) => ({ escalation: escalationSchema.parse(o.escalation), intake: o.intake }));
    const accountId = valid[0]?.escalation.accountId;
    if (!accountId || valid.some((o) => o.escalation.accountId !== accountId)) throw new Error('escalations opened together are of one account');
    if (valid.length > maxOpenedTogether) throw new Error(`at most ${maxOpenedTogether} escalations are opened together`);
    const operations: OperationInput[] = [];
    for (const { escalation, intake } of valid) {
      const intakeId = toDocumentId(`intake:${intake.key}`);
      const intakeBody = { id: intakeId, accountId, type: 'intake', schemaVersion: 1, claimedAt: intake.claimedAt, escalationId: escalation.escalationId, ttl: completedIntakeTtlInSeconds };
      operations.push(
        intake.replacing
          ? { operationType: BulkOperationType.Replace, id: intakeId, resourceBody: intakeBody, ifMatch: intake.replacing }
          : { operationType: BulkOperationType.Create, resourceBody: intakeBody },
        { operationType: BulkOperationType.Create, resourceBody: escalationDocument(escalation) as JSONObject },
      );
    }
    const highest = Math.max(...valid.map((o) => o.escalation.number));
    // A hint only: a lower value written by a concurrent opener costs a later probe, never a duplicate.
    operations.push({ operationType: BulkOperationType.Upsert, resourceBody: { id: 'counter:escalations', accountId, type: 'counter', schemaVersion: 1, next: highest + 1 } });
    const response = await this.container.items.batch(operations, accountId);
    const statuses = (response.result ?? []).map((r) => r.statusCode);
    if (response.code !== 207 && statuses.length === operations.length && statuses.every((code) => code < 300)) {
      this.rememberNumber(accountId, highest + 1);
      return { kind: 'created' };
    }
    // All or nothing: the operation that failed says why, and whose it was (an intake and an escalation each).
    const failedAt = statuses.findIndex((code) => code >= 400 && code !== 424);
    const status = failedAt >= 0 ? statuses[failedAt]! : (response.code ?? 500);
    const index = Math.floor(failedAt / 2);
    const opening = failedAt >= 0 && failedAt < valid.length * 2 ? valid[index] : undefined;
    if (opening && failedAt % 2 === 0 && (status === 409 || status === 412 || status === 404)) {
      const stored = await this.readIntake(accountId, opening.intake.key);
      return { kind: 'intake-exists', index, ...(stored ? { intake: stored } : {}) };
    }
    if (opening && failedAt % 2 === 1 && status === 409) {
      this.numberHints.delete(accountId);
      return { kind: 'number-taken' };
    }
    throw Object.assign(new Error(`escalations ${valid.map((o) => o.escalation.escalationId).join(', ')} could not be stored (status ${status})`), { code: status });
  }

  async readIntake(accountId: string, intakeKey: string): Promise<StoredIntake | undefined> {
    const doc = await readDocument(this.container, toDocumentId(`intake:${intakeKey}`), accountId);
    if (!doc) return undefined;
    const intake = parseDocument(intakeSchema, doc);
    return { claimedAt: intake.claimedAt, ...(intake.escalationId ? { escalationId: intake.escalationId } : {}), etag: doc._etag ?? '' };
  }

  private rememberNumber(accountId: string, next: number): void {
    if (this.numberHints.size >= 10_000) this.numberHints.clear();
    if ((this.numberHints.get(accountId) ?? 0) < next) this.numberHints.set(accountId, next);
  }

  /**
   * Read-change-write under the ETag. The item keeps only its latest timeline entries: once it
   * holds `timelineFlushAt`, the oldest move out as timeline items of the same partition in the
   * same transactional batch as the change (upserts keyed on their ordinal, then the item under
   * its ETag): both or neither, so no entry is ever in neither place or in both.
   */
  async update(accountId: string, escalationId: string, change: (current: Escalation) => Escalation | undefined): Promise<Escalation> {
    const key = { id: toDocumentId(escalationId), partitionKey: accountId };
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let moving: { entries: TimelineEntry[]; firstOrdinal: number } | undefined;
      const outcome = await updateDocument(this.container, key, escalationCodec, (current) => {
        // Called again on a newer record, it decides again.
        moving = undefined;
        if (current.timeline.length < timelineFlushAt) return change(current);
        // The oldest, at most a batch's worth: a longer timeline (kept by an older version) moves out over several changes.
        moving = { entries: current.timeline.slice(0, Math.min(current.timeline.length - timelineKept, maxMovedABatch)), firstOrdinal: (current.timelineMoved ?? 0) + 1 };
        return undefined;
      }, maxAttempts);
      if (!moving || !('value' in outcome)) return this.result(escalationId, outcome);
      const current = outcome.value;
      const { entries, firstOrdinal } = moving;
      const trimmed: Escalation = { ...current, timeline: current.timeline.slice(entries.length), timelineMoved: (current.timelineMoved ?? 0) + entries.length };
      const next = escalationCodec.validate(change(trimmed) ?? trimmed);
      const operations: OperationInput[] = [
        ...entries.map((entry, i): OperationInput => ({ operationType: BulkOperationType.Upsert, resourceBody: timelineDocument(accountId, escalationId, firstOrdinal + i, entry) as JSONObject })),
        { operationType: BulkOperationType.Replace, id: key.id, resourceBody: escalationDocument(next) as JSONObject, ifMatch: outcome.etag ?? '' },
      ];
      const response = await this.container.items.batch(operations, accountId);
      const statuses = (response.result ?? []).map((r) => r.statusCode);
      if (response.code !== 207 && statuses.length === operations.length && statuses.every((code) => code < 300)) {
        // What the batch wrote is the version the next change here is tried on.
        const written = response.result?.at(-1)?.resourceBody;
        rememberParsed(escalationSchema, written, next);
        noteVersion(this.container, key, written);
        return next;
      }
      // Written meanwhile (the item's ETag moved on): read it again and move what is there now.
      if (statuses[statuses.length - 1] === 412) continue;
      const failed = statuses.find((code) => code >= 400 && code !== 424) ?? response.code ?? 500;
      throw Object.assign(new Error(`escalation ${escalationId} could not be stored (status ${failed})`), { code: failed });
    }
    throw Object.assign(new Error(`escalation ${escalationId} kept changing under us`), { code: 412 });
  }

  async listTimeline(accountId: string, escalationId: string): Promise<TimelineEntry[]> {
    const [current, moved] = await Promise.all([
      this.get(accountId, escalationId),
      this.container.items
        .query<Record<string, unknown>>(
          {
            query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.escalationId = @escalationId',
            parameters: [
              { name: '@accountId', value: accountId },
              { name: '@type', value: 'timelineEntry' },
              { name: '@escalationId', value: escalationId },
            ],
          },
          { partitionKey: accountId },
        )
        .fetchAll(),
    ]);
    const inItem = current?.timelineMoved ?? 0;
    const older = moved.resources
      .map((doc) => ({ ordinal: Number(doc.ordinal), entry: parseDocument(timelineEntrySchema, doc.entry) }))
      .filter((m) => m.ordinal <= inItem)
      .sort((a, b) => a.ordinal - b.ordinal)
      .map((m) => m.entry);
    return [...older, ...(current?.timeline ?? [])];
  }

  async listForPeriod(accountId: string, start: Date, end: Date): Promise<EscalationHistory[]> {
    const { resources } = await this.container.items
      .query<unknown>(
        {
          query:
            'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.openedAt < @end AND (ARRAY_CONTAINS(@open, c.status) OR c.resolvedAt >= @start OR c.sla.responseDueAt >= @start)',
          parameters: [
            { name: '@accountId', value: accountId },
            { name: '@type', value: 'escalation' },
            { name: '@end', value: end.toISOString() },
            { name: '@start', value: start.toISOString() },
            { name: '@open', value: [...openStatuses] },
          ],
        },
        { partitionKey: accountId },
      )
      .fetchAll();
    const escalations = resources.map((doc) => parseDocument(escalationSchema, doc));
    // The older entries of the long ones, in one more query of the same partition.
    const moved = escalations.filter((e) => (e.timelineMoved ?? 0) > 0).map((e) => e.escalationId);
    const older = new Map<string, { ordinal: number; entry: TimelineEntry }[]>();
    if (moved.length > 0) {
      const { resources: docs } = await this.container.items
        .query<Record<string, unknown>>(
          {
            query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND ARRAY_CONTAINS(@ids, c.escalationId)',
            parameters: [
              { name: '@accountId', value: accountId },
              { name: '@type', value: 'timelineEntry' },
              { name: '@ids', value: moved },
            ],
          },
          { partitionKey: accountId },
        )
        .fetchAll();
      for (const doc of docs) {
        const id = String(doc.escalationId);
        older.set(id, [...(older.get(id) ?? []), { ordinal: Number(doc.ordinal), entry: parseDocument(timelineEntrySchema, doc.entry) }]);
      }
    }
    return escalations.map((escalation) => {
      const kept = escalation.timelineMoved ?? 0;
      const before = (older.get(escalation.escalationId) ?? []).filter((m) => m.ordinal <= kept).sort((a, b) => a.ordinal - b.ordinal).map((m) => m.entry);
      return { escalation, timeline: [...before, ...escalation.timeline] };
    });
  }

  private result(escalationId: string, outcome: Awaited<ReturnType<typeof updateDocument<Escalation>>>): Escalation {
    if (!('value' in outcome)) {
      throw outcome.status === 'missing' ? Object.assign(new Error(`escalation ${escalationId} not found`), { code: 404 }) : Object.assign(new Error(`escalation ${escalationId} kept changing under us`), { code: 412 });
    }
    return outcome.value;
  }

  async listOpen(accountId: string): Promise<Escalation[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND ARRAY_CONTAINS(@open, c.status)',
        parameters: [
          { name: '@accountId', value: accountId },
          { name: '@type', value: 'escalation' },
          { name: '@open', value: [...openStatuses] },
        ],
      }, { partitionKey: accountId })
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(escalationSchema, doc));
  }

  async findByIntakeKey(accountId: string, intakeKey: string): Promise<Escalation | undefined> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.intakeKey = @key',
        parameters: [
          { name: '@accountId', value: accountId },
          { name: '@type', value: 'escalation' },
          { name: '@key', value: intakeKey },
        ],
      }, { partitionKey: accountId })
      .fetchAll();
    const first: unknown = resources[0];
    return first ? parseDocument(escalationSchema, first) : undefined;
  }

  async nextNumberHint(accountId: string): Promise<number> {
    const remembered = this.numberHints.get(accountId);
    if (remembered !== undefined) return remembered;
    const doc = await readDocument(this.container, 'counter:escalations', accountId);
    return doc ? parseDocument(counterSchema, doc).next : 1;
  }

  async recordNumberUsed(accountId: string, number: number): Promise<void> {
    // The counter is only a hint: allocation probes upward from it, so a lost write costs one retry, never a duplicate or a gap.
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const doc = await readDocument(this.container, 'counter:escalations', accountId);
      const next = number + 1;
      if (doc && parseDocument(counterSchema, doc).next >= next) return;
      try {
        if (doc) {
          await this.container
            .item('counter:escalations', accountId)
            .replace({ id: 'counter:escalations', accountId, type: 'counter', schemaVersion: 1, next }, { accessCondition: { type: 'IfMatch', condition: doc._etag ?? '' } });
        } else {
          await this.container.items.create({ id: 'counter:escalations', accountId, type: 'counter', schemaVersion: 1, next });
        }
        return;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isConflict(error)) throw error;
      }
    }
  }

  async listCardSyncPending(limit: number): Promise<{ accountId: string; escalationId: string }[]> {
    const { resources } = await this.container.items
      .query<{ accountId: string; escalationId: string }>({
        query: 'SELECT TOP @limit c.accountId, c.escalationId FROM c WHERE c.type = @type AND c.cardSyncPending = true',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'escalation' },
        ],
      })
      .fetchAll();
    return resources;
  }

  async listDueForAlerts(now: Date, limit: number): Promise<{ accountId: string; escalationId: string }[]> {
    return dueQuery(this.container, 'escalation', now, limit, 'c.accountId, c.escalationId');
  }
}

/** The stored form of an escalation, with what background passes filter on. */
export function escalationDocument(escalation: Escalation): Record<string, unknown> {
  const card = escalation.channelCard;
  const cursor = escalation.alertCursor ? new Date(escalation.alertCursor) : undefined;
  // A change since the rules last looked (acknowledged, updated, resolved) makes it due at once, so
  // alerts whose condition has cleared stop reminding.
  const changed = cursor && escalation.version > (escalation.alertSeenVersion ?? 0);
  const check = changed ? new Date(0) : nextAlertCheck(escalationAlertPoints(escalation), cursor);
  return {
    id: toDocumentId(escalation.escalationId),
    type: 'escalation',
    schemaVersion: 1,
    ...escalation,
    // Denormalised so background passes find their work with one indexed filter each:
    // stale channel cards, and escalations whose next alert threshold has come.
    cardSyncPending: !!card && card.syncedVersion < escalation.version,
    alertCheckAt: check ? check.toISOString() : null,
  };
}

const escalationCodec: DocumentCodec<Escalation> = { parse: (doc) => parseDocument(escalationSchema, doc), schema: escalationSchema, validate: (escalation) => escalationSchema.parse(escalation), toDocument: escalationDocument };
