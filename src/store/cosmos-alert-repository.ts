import { ScopedRepository } from './store-container';
import { alertSchema, cardsBehind, type Alert } from '../domain/alert';
import type { AlertRepository } from '../domain/ports';
import { createDocument, parseDocument, toDocumentId, readDocument, updateDocument, type DocumentCodec } from './documents';

/** Alerts live in their account's partition; reminders are found by an indexed due time. */
export class CosmosAlertRepository extends ScopedRepository implements AlertRepository {

  async create(alert: Alert): Promise<boolean> {
    return createDocument(this.container, toDocument(alertSchema.parse(alert)));
  }

  async get(accountId: string, alertId: string): Promise<Alert | undefined> {
    const doc = await readDocument(this.container, documentId(alertId), accountId);
    return doc ? parseDocument(alertSchema, doc) : undefined;
  }

  async update(accountId: string, alertId: string, change: (current: Alert) => Alert | undefined): Promise<Alert | undefined> {
    const outcome = await updateDocument(this.container, { id: documentId(alertId), partitionKey: accountId }, alertCodec, change);
    return 'value' in outcome ? outcome.value : undefined;
  }

  async listUnresolvedAbout(accountId: string, subject: { readonly kind: Alert['subject']['kind']; readonly escalationId?: string }): Promise<Alert[]> {
    const parameters = [
      { name: '@accountId', value: accountId },
      { name: '@open', value: 'open' },
      { name: '@acknowledged', value: 'acknowledged' },
      { name: '@kind', value: subject.kind },
      ...(subject.escalationId ? [{ name: '@escalationId', value: subject.escalationId }] : []),
    ];
    return this.query(
      `SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND (c.status = @open OR c.status = @acknowledged) AND c.subject.kind = @kind${subject.escalationId ? ' AND c.subject.escalationId = @escalationId' : ''}`,
      parameters,
      accountId,
    );
  }

  async listLaterOccurrences(accountId: string, findingKey: string): Promise<Alert[]> {
    return this.query('SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.findingKey = @findingKey AND c.occurrence > 1', [
      { name: '@accountId', value: accountId },
      { name: '@findingKey', value: findingKey },
    ], accountId);
  }

  async listRecent(accountId: string, limit: number, options: { readonly unresolvedOnly?: boolean } = {}): Promise<Alert[]> {
    const filter = options.unresolvedOnly ? ' AND c.status != @resolved' : '';
    return this.query(`SELECT TOP @limit * FROM c WHERE c.accountId = @accountId AND c.type = @type${filter} ORDER BY c.raisedAt DESC`, [
      { name: '@limit', value: limit },
      { name: '@accountId', value: accountId },
      ...(options.unresolvedOnly ? [{ name: '@resolved', value: 'resolved' }] : []),
    ], accountId);
  }

  async listOpenNormalSince(accountId: string, since: Date): Promise<Alert[]> {
    return this.query('SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.status = @open AND c.severity = @normal AND c.raisedAt >= @since', [
      { name: '@accountId', value: accountId },
      { name: '@open', value: 'open' },
      { name: '@normal', value: 'normal' },
      { name: '@since', value: since.toISOString() },
    ], accountId);
  }

  async listAboutEscalation(accountId: string, escalationId: string, limit: number): Promise<Alert[]> {
    return this.query('SELECT TOP @limit * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.subject.escalationId = @escalationId ORDER BY c.raisedAt DESC', [
      { name: '@limit', value: limit },
      { name: '@accountId', value: accountId },
      { name: '@escalationId', value: escalationId },
    ], accountId);
  }

  async listCardsBehind(limit: number): Promise<Alert[]> {
    return this.query('SELECT TOP @limit * FROM c WHERE c.type = @type AND c.cardSyncPending = true', [{ name: '@limit', value: limit }]);
  }

  async listRemindersDue(now: Date, limit: number): Promise<Alert[]> {
    return this.query('SELECT TOP @limit * FROM c WHERE c.type = @type AND c.status = @open AND c.nextReminderAt <= @now ORDER BY c.nextReminderAt', [
      { name: '@limit', value: limit },
      { name: '@open', value: 'open' },
      { name: '@now', value: now.toISOString() },
    ]);
  }

  /** With `accountId`, a single-partition query; without, it crosses partitions (the background sweep only). */
  private async query(query: string, parameters: { name: string; value: string | number }[], accountId?: string): Promise<Alert[]> {
    const { resources } = await this.container.items
      .query({ query, parameters: [...parameters, { name: '@type', value: 'alert' }] }, accountId ? { partitionKey: accountId } : {})
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(alertSchema, doc));
  }
}

function documentId(alertId: string): string {
  return toDocumentId(`alert:${alertId}`);
}

function toDocument(alert: Alert): Record<string, unknown> {
  // Denormalised so the card sync finds the alerts whose cards are behind with one indexed filter.
  return { id: documentId(alert.alertId), type: 'alert', schemaVersion: 1, ...alert, cardSyncPending: cardsBehind(alert) };
}

const alertCodec: DocumentCodec<Alert> = { parse: (doc) => parseDocument(alertSchema, doc), validate: (alert) => alertSchema.parse(alert), toDocument };
