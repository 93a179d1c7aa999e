import type { Container } from '@azure/cosmos';
import { contractSchema, ledgerEntrySchema, type Contract, type LedgerEntry } from '../domain/contract';
import type { ContractRepository } from '../domain/ports';
import { isConflict, isNotFound, parseDocument, toDocumentId } from './documents';

/** The contract and its ledger live in the account's partition: one point read and one query. */
export class CosmosContractRepository implements ContractRepository {
  constructor(private readonly container: Container) {}

  async getContract(accountId: string): Promise<Contract | undefined> {
    const doc = await this.read('contract', accountId);
    return doc ? parseDocument(contractSchema, doc) : undefined;
  }

  async upsertContract(contract: Contract): Promise<void> {
    const valid = contractSchema.parse(contract);
    await this.container.items.upsert({ id: 'contract', type: 'contract', schemaVersion: 1, ...valid });
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
      })
      .fetchAll();
    return resources
      .map((doc: unknown) => parseDocument(ledgerEntrySchema, doc))
      .sort((a, b) => a.date.localeCompare(b.date) || a.loggedAt.localeCompare(b.loggedAt));
  }

  async getEntry(accountId: string, entryId: string): Promise<LedgerEntry | undefined> {
    const doc = await this.read(entryDocumentId(entryId), accountId);
    return doc ? parseDocument(ledgerEntrySchema, doc) : undefined;
  }

  async createEntry(entry: LedgerEntry): Promise<boolean> {
    const valid = ledgerEntrySchema.parse(entry);
    try {
      await this.container.items.create({ id: entryDocumentId(valid.entryId), type: 'ledgerEntry', schemaVersion: 1, ...valid });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  private async read(id: string, accountId: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.container.item(id, accountId).read<Record<string, unknown>>()).resource;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function entryDocumentId(entryId: string): string {
  return toDocumentId(`ledger:${entryId}`);
}
