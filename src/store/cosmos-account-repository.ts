import type { Container } from '@azure/cosmos';
import { ScopedRepository, type StoreContainer } from './store-container';
import { accountSchema, type Account } from '../domain/directory';
import type { AccountRepository } from '../domain/ports';
import { isNotFound, parseDocument } from './documents';
import { TtlCache, type CacheOptions } from './ttl-cache';

/**
 * The account record sits in its own partition (`accountId`) beside the account's other records.
 * Nearly every turn needs an account's name or code, and accounts change rarely: reads are cached
 * like the directory's, so another instance's change shows after at most the cache lifetime.
 */
export class CosmosAccountRepository extends ScopedRepository implements AccountRepository {
  private readonly cache: TtlCache<Account | undefined> | undefined;
  /** The whole list, for admins: one query of the fields an account has, cached like the rest. */
  private readonly list: TtlCache<Account[]> | undefined;

  constructor(container: StoreContainer | Container, cache?: CacheOptions) {
    super(container);
    this.cache = cache ? new TtlCache(cache.clock, cache.ttlInMs, cache) : undefined;
    this.list = cache ? new TtlCache(cache.clock, cache.ttlInMs, { maxEntries: 1 }) : undefined;
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    return this.cache ? this.cached(this.cache, accountId, (r) => r.read(accountId)) : this.read(accountId);
  }

  async upsertAccount(account: Account): Promise<void> {
    const valid = accountSchema.parse(account);
    this.cache?.delete(valid.accountId);
    this.list?.clear();
    await this.container.items.upsert({ id: 'account', type: 'account', schemaVersion: 1, ...valid });
    // Its code leads to it in one point read (ESC-<CODE>-0042 names the code, not the account).
    await this.container.items.upsert(codeDocument(valid));
    this.cache?.set(valid.accountId, valid);
  }

  async findByCode(code: string): Promise<Account | undefined> {
    const key = codeKey(code);
    let doc: Record<string, unknown> | undefined;
    try {
      doc = (await this.container.item('accountCode', key).read<Record<string, unknown>>()).resource;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (doc && typeof doc.ofAccount === 'string') {
      const account = await this.getAccount(doc.ofAccount);
      if (account?.code === code) return account;
    }
    // Accounts stored before codes had their own item: found by the list once, then by their item.
    const listed = (await this.listAccounts()).find((a) => a.code === code);
    if (listed) await this.container.items.upsert(codeDocument(listed));
    return listed;
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
    const load = async (): Promise<Account[]> => {
      const { resources } = await this.container.items
        .query({
          query: 'SELECT c.accountId, c.name, c.code, c.customerTenantIds, c.primaryTamKey, c.timeZone FROM c WHERE c.type = @type',
          parameters: [{ name: '@type', value: 'account' }],
        })
        .fetchAll();
      const accounts = resources.map((doc: unknown) => parseDocument(accountSchema, doc)).sort((a, b) => a.name.localeCompare(b.name));
      for (const account of accounts) this.cache?.set(account.accountId, account);
      return accounts;
    };
    return this.list ? this.list.get('all', load) : load();
  }
}

function codeKey(code: string): string {
  return `code:${code}`;
}

/** The item that leads from an account's code to the account, in a partition of its own. */
function codeDocument(account: Account): Record<string, unknown> {
  return { id: 'accountCode', accountId: codeKey(account.code), type: 'accountCode', schemaVersion: 1, ofAccount: account.accountId };
}
