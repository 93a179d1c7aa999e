import { ScopedRepository } from './store-container';
import { contractSchema, ledgerEntrySchema, type Contract, type LedgerEntry } from '../domain/contract';
import type { ContractRepository } from '../domain/ports';
import { createDocument, parseDocument, toDocumentId, readDocument, updateDocument, type DocumentCodec } from './documents';
import { contractAlertPoints, nextAlertCheck } from '../domain/alert-rules';
import { dueQuery } from './cosmos-escalation-repository';
import { fingerprint } from '../domain/fingerprint';

/** The contract and its ledger live in the account's partition: one point read and one query. */
export class CosmosContractRepository extends ScopedRepository implements ContractRepository {

  async getContract(accountId: string): Promise<Contract | undefined> {
    const doc = await readDocument(this.container, 'contract', accountId);
    return doc ? parseDocument(contractSchema, doc) : undefined;
  }

  async upsertContract(contract: Contract): Promise<void> {
    await this.container.items.upsert(contractDocument(contractSchema.parse(contract)));
  }

  async updateContract(accountId: string, change: (current: Contract) => Contract | undefined): Promise<Contract | undefined> {
    const outcome = await updateDocument(this.container, { id: 'contract', partitionKey: accountId }, contractCodec, change);
    if ('value' in outcome) return outcome.value;
    if (outcome.status === 'missing') return undefined;
    throw Object.assign(new Error(`contract of ${accountId} kept changing under us`), { code: 412 });
  }

  async listDueForAlerts(now: Date, limit: number): Promise<string[]> {
    return (await dueQuery<{ accountId: string }>(this.container, 'contract', now, limit, 'c.accountId')).map((r) => r.accountId);
  }

  async markLedgerChanged(accountId: string): Promise<void> {
    await this.change(accountId, (c) => ({ ...c, ledgerVersion: (c.ledgerVersion ?? 0) + 1 }));
  }

  async markAlertsSeen(accountId: string, cursor: string, ledgerVersion: number): Promise<void> {
    await this.change(accountId, (c) => ({ ...c, alertCursor: cursor, alertSeenLedgerVersion: ledgerVersion }));
  }

  private async change(accountId: string, change: (current: Contract) => Contract): Promise<void> {
    await updateDocument(this.container, { id: 'contract', partitionKey: accountId }, contractCodec, change);
  }

  async listEntries(accountId: string, contractId: string): Promise<LedgerEntry[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT * FROM c WHERE c.accountId = @accountId AND c.type = @type AND c.contractId = @contractId',
        parameters: [
          { name: '@accountId', value: accountId },
          { name: '@type', value: 'ledgerEntry' },
          { name: '@contractId', value: contractId },
        ],
      }, { partitionKey: accountId })
      .fetchAll();
    return resources
      .map((doc: unknown) => parseDocument(ledgerEntrySchema, doc))
      .sort((a, b) => a.date.localeCompare(b.date) || a.loggedAt.localeCompare(b.loggedAt));
  }

  async getEntry(accountId: string, entryId: string): Promise<LedgerEntry | undefined> {
    const doc = await readDocument(this.container, entryDocumentId(entryId), accountId);
    return doc ? parseDocument(ledgerEntrySchema, doc) : undefined;
  }

  async createEntry(entry: LedgerEntry): Promise<boolean> {
    const valid = ledgerEntrySchema.parse(entry);
    return createDocument(this.container, { id: entryDocumentId(valid.entryId), type: 'ledgerEntry', schemaVersion: 1, ...valid });
  }
}

const dayInMs = 86_400_000;

/**
 * The contract with the moment the alert rules next need it: a renewal threshold, at once after a
 * ledger change they have not seen, or the daily re-check (spread over the day by account, so ten thousand
 * contracts do not all come due at midnight).
 */
export function contractDocument(contract: Contract): Record<string, unknown> {
  const cursor = contract.alertCursor ? new Date(contract.alertCursor) : undefined;
  const candidates: Date[] = [];
  const threshold = nextAlertCheck(contractAlertPoints(contract), cursor);
  if (threshold) candidates.push(threshold);
  if ((contract.ledgerVersion ?? 0) > (contract.alertSeenLedgerVersion ?? 0)) candidates.push(new Date(0));
  if (!cursor) candidates.push(new Date(0));
  else {
    const offsetInMs = (parseInt(fingerprint(contract.accountId).slice(-6), 16) % 1440) * 60_000;
    const nextDay = Math.floor(cursor.getTime() / dayInMs) * dayInMs + dayInMs + offsetInMs;
    candidates.push(new Date(nextDay > cursor.getTime() + dayInMs ? nextDay - dayInMs : nextDay));
  }
  const check = candidates.sort((a, b) => a.getTime() - b.getTime())[0];
  return { id: 'contract', type: 'contract', schemaVersion: 1, ...contract, alertCheckAt: check ? check.toISOString() : null };
}

function entryDocumentId(entryId: string): string {
  return toDocumentId(`ledger:${entryId}`);
}

const contractCodec: DocumentCodec<Contract> = { parse: (doc) => parseDocument(contractSchema, doc), validate: (contract) => contract, toDocument: contractDocument };
