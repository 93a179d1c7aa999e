import type { Container } from '@azure/cosmos';
import type { Clock } from '../domain/clock';
import { accountSchema, type Account } from '../domain/directory';
import type { AccountRepository } from '../domain/ports';
import { isNotFound, parseDocument } from './documents';
import { TtlCache } from './ttl-cache';

/**
 * The account record sits in its own partition (`accountId`) beside the account's other records.
 * Nearly every turn needs an account's name or code, and accounts change rarely: reads are cached
 * like the directory's, so another instance's change shows after at most the cache lifetime.
 */
export class CosmosAccountRepository implements AccountRepository {
  private readonly cache: TtlCache<Account | undefined> | undefined;

  constructor(
    private readonly container: Container,
    cache?: { clock: Clock; ttlInMs: number },
  ) {
    this.cache = cache ? new TtlCache(cache.clock, cache.ttlInMs) : undefined;
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    return this.cache ? this.cache.get(accountId, () => this.read(accountId)) : this.read(accountId);
  }

  async upsertAccount(account: Account): Promise<void> {
    const valid = accountSchema.parse(account);
    this.cache?.delete(valid.accountId);
    await this.container.items.upsert({ id: 'account', type: 'account', schemaVersion: 1, ...valid });
    this.cache?.set(valid.accountId, valid);
  }

  private async read(accountId: string): Promise<Account | undefined> {
    try {
      const { resource } = await this.container.item('account', accountId).read<Record<string, unknown>>();
      return resource ? parseDocument(accountSchema, resource) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
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
