import { BulkOperationType, type JSONObject, type OperationInput } from '@azure/cosmos';
import { ScopedRepository } from './store-container';
import type { CalendarDate } from '../domain/calendar-date';
import { checkInSchema, deliveryPlanSchema, type CheckIn, type DeliveryPlan } from '../domain/delivery-plan';
import type { DeliveryPlanRepository, LedgerBatchPart } from '../domain/ports';
import { nextAlertCheck, planAlertPoints } from '../domain/alert-rules';
import { dueQuery } from './cosmos-escalation-repository';
import { createDocument, parseDocument, toDocumentId, readDocument, updateDocument, type DocumentCodec, type StoredDocument } from './documents';

/** The plan (one document, items inside) and its check-ins live in the account's partition. */
export class CosmosDeliveryPlanRepository extends ScopedRepository implements DeliveryPlanRepository {

  async getPlan(accountId: string): Promise<DeliveryPlan | undefined> {
    const doc = await readDocument(this.container, 'plan', accountId);
    return doc ? parseDocument(deliveryPlanSchema, doc) : undefined;
  }

  async createPlan(plan: DeliveryPlan): Promise<boolean> {
    return createDocument(this.container, planDocument(deliveryPlanSchema.parse(plan)));
  }

  async updatePlan(accountId: string, change: (current: DeliveryPlan) => DeliveryPlan | undefined): Promise<DeliveryPlan> {
    const outcome = await updateDocument(this.container, { id: 'plan', partitionKey: accountId }, planCodec, change);
    if (!('value' in outcome)) {
      throw outcome.status === 'missing' ? Object.assign(new Error(`no delivery plan for ${accountId}`), { code: 404 }) : Object.assign(new Error(`the plan of ${accountId} kept changing under us`), { code: 412 });
    }
    return outcome.value;
  }

  async getCheckIn(accountId: string, dueDate: CalendarDate): Promise<CheckIn | undefined> {
    const doc = await readDocument(this.container, checkInId(dueDate), accountId);
    return doc ? parseDocument(checkInSchema, doc) : undefined;
  }

  async createCheckIn(checkIn: CheckIn): Promise<boolean> {
    const valid = checkInSchema.parse(checkIn);
    return createDocument(this.container, { id: checkInId(valid.dueDate), type: 'checkIn', schemaVersion: 1, ...valid });
  }

  async recordCheckIn(checkIn: CheckIn, change: (current: DeliveryPlan) => DeliveryPlan | undefined, ledger?: LedgerBatchPart): Promise<boolean> {
    const valid = checkInSchema.parse(checkIn);
    const accountId = valid.accountId;
    const record = { id: checkInId(valid.dueDate), type: 'checkIn', schemaVersion: 1, ...valid };
    for (let attempt = 0; attempt < 10; attempt++) {
      const [doc, entries] = await Promise.all([readDocument(this.container, 'plan', accountId), ledger ? ledger.prepare() : Promise.resolve([])]);
      if (!doc) throw Object.assign(new Error(`no delivery plan for ${accountId}`), { code: 404 });
      const next = change(planCodec.parse(doc));
      // The check-in first: when it exists, that is the answer, whatever the plan's ETag.
      const operations: OperationInput[] = [
        { operationType: BulkOperationType.Create, resourceBody: record },
        ...(next ? [{ operationType: BulkOperationType.Replace, id: 'plan', resourceBody: planDocument(planCodec.validate(next)) as JSONObject, ifMatch: doc._etag ?? '' }] : []),
      ];
      const own = operations.length;
      operations.push(...(entries as OperationInput[]));
      const response = await this.container.items.batch(operations, accountId);
      const statuses = (response.result ?? []).map((r) => r.statusCode);
      const [checkInStatus, planStatus] = statuses;
      // The operation that failed decides: the check-in's or the plan's, else the ledger part's.
      const firstFailed = statuses.findIndex((code) => code >= 400 && code !== 424);
      if (firstFailed >= 0 && firstFailed < own) {
        if (checkInStatus === 409) return false;
        if (own > 1 && planStatus === 412) continue;
      } else {
        const ledgerOutcome = ledger ? ledger.settle(statuses.slice(own)) : 'stored';
        if (response.code !== 207 && checkInStatus !== undefined && checkInStatus < 300 && ledgerOutcome === 'stored') return true;
        if (ledgerOutcome === 'again') continue;
      }
      const failed = statuses.find((code) => code >= 400 && code !== 424) ?? response.code ?? 500;
      throw Object.assign(new Error(`the check-in of ${accountId} due ${valid.dueDate} could not be stored (status ${failed})`), { code: failed });
    }
    throw Object.assign(new Error(`the plan of ${accountId} kept changing under us`), { code: 412 });
  }

  async updateCheckIn(accountId: string, dueDate: CalendarDate, change: (current: CheckIn) => CheckIn | undefined): Promise<CheckIn | undefined> {
    const id = checkInId(dueDate);
    const codec: DocumentCodec<CheckIn> = { ...checkInCodec, toDocument: (checkIn) => ({ id, type: 'checkIn', schemaVersion: 1, ...checkIn }) };
    const outcome = await updateDocument(this.container, { id, partitionKey: accountId }, codec, change);
    return 'value' in outcome ? outcome.value : undefined;
  }

  async listCheckIns(accountId: string, from: CalendarDate, to: CalendarDate): Promise<CheckIn[]> {
    const { resources } = await this.container.items
      .query<unknown>(
        {
          query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.dueDate >= @from AND c.dueDate <= @to',
          parameters: [
            { name: '@accountId', value: accountId },
            { name: '@type', value: 'checkIn' },
            { name: '@from', value: from },
            { name: '@to', value: to },
          ],
        },
        { partitionKey: accountId },
      )
      .fetchAll();
    return resources.map((doc) => parseDocument(checkInSchema, doc)).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  }

  async listPlansDueForCheckIn(today: CalendarDate, limit: number): Promise<{ accountId: string; nextCheckInDue: CalendarDate }[]> {
    const { resources } = await this.container.items
      .query<{ accountId: string; nextCheckInDue: CalendarDate }>({
        query: 'SELECT TOP @limit c.accountId, c.nextCheckInDue FROM c WHERE c.type = @type AND c.nextCheckInDue <= @today',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'plan' },
          { name: '@today', value: today },
        ],
      })
      .fetchAll();
    return resources;
  }

  async listDueForAlerts(now: Date, limit: number): Promise<string[]> {
    return (await dueQuery<{ accountId: string }>(this.container, 'plan', now, limit, 'c.accountId')).map((r) => r.accountId);
  }
}

/** The stored form of a plan, with the instant its next alert threshold comes due. */
export function planDocument(plan: DeliveryPlan): Record<string, unknown> {
  const check = nextAlertCheck(planAlertPoints(plan), plan.alertCursor ? new Date(plan.alertCursor) : undefined);
  return { id: 'plan', type: 'plan', schemaVersion: 1, ...plan, alertCheckAt: check ? check.toISOString() : null };
}

function checkInId(dueDate: CalendarDate): string {
  return toDocumentId(`checkin:${dueDate}`);
}

const planCodec: DocumentCodec<DeliveryPlan> = { parse: (doc) => parseDocument(deliveryPlanSchema, doc), validate: (plan) => deliveryPlanSchema.parse(plan), toDocument: planDocument };
const checkInCodec = { parse: (doc: StoredDocument) => parseDocument(checkInSchema, doc), validate: (checkIn: CheckIn) => checkInSchema.parse(checkIn) };
