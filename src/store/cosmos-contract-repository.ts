import { ScopedRepository } from './store-container';
import { contractSchema, ledgerEntrySchema, type Contract, type LedgerEntry } from '../domain/contract';
import { maxLedgerPartEntries, type ContractRepository, type LedgerBatchPart } from '../domain/ports';
import { BulkOperationType, type JSONObject, type OperationInput } from '@azure/cosmos';
import { createDocument, isPreconditionFailed, parseDocument, toDocumentId, readDocument, updateDocument, type DocumentCodec } from './documents';
import { emptyLedgerSummary, summaryOf, withEntry } from '../domain/ledger-summary';
import { contractAlertPoints, nextAlertCheck } from '../domain/alert-rules';
import { dueQuery } from './cosmos-escalation-repository';
import { fingerprint } from '../domain/fingerprint';

/**
 * The contract and its ledger live in the account's partition. The contract item keeps a summary of
 * the ledger (totals by bucket and day, the latest entries), so reading it is one point read.
 */
export class CosmosContractRepository extends ScopedRepository implements ContractRepository {

  async getContract(accountId: string): Promise<Contract | undefined> {
    return (await this.readContract(accountId))?.contract;
  }

  /**
   * The contract with its ledger summary and the ETag it was read at. A contract stored without a
   * summary (before summaries were kept, or written whole by a seed) gets one built from its
   * ledger, once: it is written back on the condition that nobody wrote the contract meanwhile.
   */
  private async readContract(accountId: string): Promise<{ contract: Contract; etag: string } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const doc = await readDocument(this.container, 'contract', accountId);
      if (!doc) return undefined;
      const contract = parseDocument(contractSchema, doc);
      if (contract.ledgerSummary && doc._etag) return { contract, etag: doc._etag };
      const summarised = { ...contract, ledgerSummary: contract.ledgerSummary ?? summaryOf(await this.listEntries(accountId, contract.contractId)) };
      try {
        const { etag } = await this.container.item('contract', accountId).replace(contractDocument(summarised), { accessCondition: { type: 'IfMatch', condition: doc._etag ?? '' } });
        if (etag) return { contract: summarised, etag };
      } catch (error) {
        // Someone wrote it first: read theirs.
        if (!isPreconditionFailed(error) || attempt >= 9) throw error;
      }
    }
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
    return (await this.createEntries(entry.accountId, [entry]))[0] ?? false;
  }

  /**
   * Appends entries and counts them in the contract's ledger summary in one transactional batch:
   * the entries and the summary change together or not at all. An entry whose id is there already
   * is left out (false), the rest go in; a contract changed meanwhile is read again.
   */
  async createEntries(accountId: string, entries: readonly LedgerEntry[]): Promise<boolean[]> {
    const valid = entries.map((e) => ledgerEntrySchema.parse(e));
    const created = valid.map(() => false);
    // At most 100 operations a batch: the entries and the contract.
    for (let start = 0; start < valid.length; start += maxEntriesABatch) {
      const chunk = valid.slice(start, start + maxEntriesABatch).map((entry, i) => ({ entry, index: start + i }));
      await this.appendChunk(accountId, chunk, created);
    }
    return created;
  }

  ledgerPart(accountId: string, entries: readonly LedgerEntry[]): LedgerBatchPart {
    if (entries.length > maxLedgerPartEntries) throw new Error(`at most ${maxLedgerPartEntries} ledger entries go beside another write`);
    let pending = entries.map((e) => ledgerEntrySchema.parse(e));
    return {
      prepare: async () => {
        // Every entry there already, counted when it was logged: nothing to add.
        if (pending.length === 0) return [];
        const read = await this.readContract(accountId);
        if (!read) throw Object.assign(new Error(`no contract for ${accountId} to count its entries in`), { code: 404 });
        const { contract, etag } = read;
        const counted = pending.filter((e) => e.contractId === contract.contractId).reduce(withEntry, contract.ledgerSummary ?? emptyLedgerSummary);
        const next: Contract = { ...contract, ledgerSummary: counted, ledgerVersion: (contract.ledgerVersion ?? 0) + 1 };
        return [
          ...pending.map((entry): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: entryDocument(entry) as JSONObject })),
          { operationType: BulkOperationType.Replace, id: 'contract', resourceBody: contractDocument(next) as JSONObject, ifMatch: etag },
        ];
      },
      settle: (statuses) => {
        const failed = statuses.findIndex((code) => code >= 400 && code !== 424);
        if (failed < 0) return statuses.every((code) => code < 300) ? 'stored' : 'again';
        if (failed < pending.length && statuses[failed] === 409) {
          // Logged already (a resend after an earlier attempt): it stays as it was, counted once.
          pending = pending.filter((_, i) => i !== failed);
          return 'again';
        }
        return failed === pending.length && statuses[failed] === 412 ? 'again' : 'failed';
      },
    };
  }

  private async appendChunk(accountId: string, chunk: { entry: LedgerEntry; index: number }[], created: boolean[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 0; attempt < 10 && pending.length > 0; attempt++) {
      const read = await this.readContract(accountId);
      if (!read) {
        // No contract to count them in: the entries alone.
        for (const { entry, index } of pending) created[index] = await createDocument(this.container, entryDocument(entry));
        return;
      }
      const { contract, etag } = read;
      const counted = pending.filter((p) => p.entry.contractId === contract.contractId).reduce((summary, p) => withEntry(summary, p.entry), contract.ledgerSummary ?? emptyLedgerSummary);
      const next: Contract = { ...contract, ledgerSummary: counted, ledgerVersion: (contract.ledgerVersion ?? 0) + 1 };
      const operations: OperationInput[] = [
        ...pending.map((p): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: entryDocument(p.entry) as JSONObject })),
        { operationType: BulkOperationType.Replace, id: 'contract', resourceBody: contractDocument(next) as JSONObject, ifMatch: etag },
      ];
      const response = await this.container.items.batch(operations, accountId);
      const results = response.result ?? [];
      const failed = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
      if (failed < 0 && response.code !== 207) {
        for (const { index } of pending) created[index] = true;
        return;
      }
      const status = results[failed]?.statusCode;
      if (failed >= 0 && failed < pending.length && status === 409) {
        // Logged already (a retry, a double click): it stays as it was, counted once.
        pending = pending.filter((_, i) => i !== failed);
        continue;
      }
      if (failed === pending.length && status === 412) continue;
      throw Object.assign(new Error(`the ledger of ${accountId} could not be appended to (status ${String(status ?? response.code)})`), { code: status ?? response.code ?? 500 });
    }
    if (pending.length > 0) throw Object.assign(new Error(`contract of ${accountId} kept changing under us`), { code: 412 });
  }
}

/** A batch holds at most 100 operations: this many entries and the contract. */
const maxEntriesABatch = 99;

function entryDocument(entry: LedgerEntry): Record<string, unknown> {
  return { id: entryDocumentId(entry.entryId), type: 'ledgerEntry', schemaVersion: 1, ...entry };
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
