import type { Container } from '@azure/cosmos';
import { accountSchema, type Account } from '../domain/directory';
import type { AccountRepository } from '../domain/ports';
import { isNotFound, parseDocument } from './documents';

/** The account record sits in its own partition (`accountId`) beside the account's other records. */
export class CosmosAccountRepository implements AccountRepository {
  constructor(private readonly container: Container) {}

  async getAccount(accountId: string): Promise<Account | undefined> {
    try {
      const { resource } = await this.container.item('account', accountId).read<Record<string, unknown>>();
      return resource ? parseDocument(accountSchema, resource) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async upsertAccount(account: Account): Promise<void> {
    const valid = accountSchema.parse(account);
    await this.container.items.upsert({ id: 'account', type: 'account', schemaVersion: 1, ...valid });
  }

  async listAccounts(): Promise<Account[]> {
    const { resources } = await this.container.items
      .query({ query: 'SELECT * FROM c WHERE c.type = @type', parameters: [{ name: '@type', value: 'account' }] })
      .fetchAll();
    return resources
      .map((doc: unknown) => parseDocument(accountSchema, doc))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
