import type { Container } from '@azure/cosmos';
import { ScopedRepository, type StoreContainer } from './store-container';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { channelLinkSchema, personKey, personSchema, type ChannelLink, type Person, type UserIdentity } from '../domain/directory';
import type { ChannelLinkWrite, DirectoryRepository } from '../domain/ports';
import { createDocument, isNotFound, isPreconditionFailed, parseDocument, readDocument, toDocumentId } from './documents';
import { TtlCache, type RefreshAhead } from './ttl-cache';

const tenantSchema = z.object({ tenantId: z.string(), reason: z.string() });
const markerSchema = z.object({ name: z.string(), value: z.string() });
const accountChannelSchema = z.object({ accountId: z.string(), channelId: z.string() });

/**
 * People live in one partition per tenant (`person:<tenant>`), so a manager's reports are a
 * single-partition query; channel links and allowed tenants are keyed by their own id.
 */
export class CosmosDirectoryRepository extends ScopedRepository implements DirectoryRepository {
  private readonly people: TtlCache<Person | undefined>;
  private readonly links: TtlCache<ChannelLink | undefined>;
  private readonly tenants: TtlCache<boolean>;
  private readonly accountPeople: TtlCache<Person[]>;
  private readonly reports: TtlCache<Person[]>;
  private readonly accountChannels: TtlCache<string | undefined>;

  /** With `refreshAhead`, people, reports, tenants and channel links read on most turns are read again before they run out. */
  constructor(container: StoreContainer | Container, clock: Clock, cacheTtlInMs = 15_000, refreshAhead?: RefreshAhead) {
    super(container);
    this.people = new TtlCache(clock, cacheTtlInMs, { refreshAhead });
    this.links = new TtlCache(clock, cacheTtlInMs, { refreshAhead });
    this.tenants = new TtlCache(clock, cacheTtlInMs, { refreshAhead });
    this.accountPeople = new TtlCache(clock, cacheTtlInMs, { refreshAhead });
    this.reports = new TtlCache(clock, cacheTtlInMs, { refreshAhead });
    this.accountChannels = new TtlCache(clock, cacheTtlInMs);
  }

  async getPerson(identity: UserIdentity): Promise<Person | undefined> {
    return this.cached(this.people, personKey(identity), (r) => r.readPerson(identity));
  }

  private async readPerson(identity: UserIdentity): Promise<Person | undefined> {
    const doc = await this.read(toDocumentId(identity.aadObjectId), personPartition(identity.tenantId));
    return doc ? parseDocument(personSchema, doc) : undefined;
  }

  async upsertPerson(person: Person): Promise<void> {
    const valid = personSchema.parse(person);
    await this.container.items.upsert({
      id: toDocumentId(valid.aadObjectId),
      pk: personPartition(valid.tenantId),
      type: 'person',
      schemaVersion: 1,
      ...valid,
    });
    this.people.set(personKey(valid), valid);
    // Who works on which account, and for whom, may have changed: the next lookup reads the store again.
    this.accountPeople.clear();
    this.reports.clear();
  }

  /** Cached like people: every turn of a manager needs them (the accounts of their TAMs). */
  async listReports(manager: UserIdentity): Promise<Person[]> {
    return this.cached(this.reports, personKey(manager), (r) => r.queryReports(manager));
  }

  private async queryReports(manager: UserIdentity): Promise<Person[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @type AND c.managerKey = @managerKey',
        parameters: [
          { name: '@pk', value: personPartition(manager.tenantId) },
          { name: '@type', value: 'person' },
          { name: '@managerKey', value: personKey(manager) },
        ],
      }, { partitionKey: personPartition(manager.tenantId) })
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(personSchema, doc));
  }

  async listPeopleForAccount(tenantId: string, accountId: string): Promise<Person[]> {
    return this.cached(this.accountPeople, `${tenantId}|${accountId}`, (r) => r.queryPeopleForAccount(tenantId, accountId));
  }

  private async queryPeopleForAccount(tenantId: string, accountId: string): Promise<Person[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT * FROM c WHERE c.pk = @pk AND c.type = @type AND ARRAY_CONTAINS(c.accountIds, @accountId)',
        parameters: [
          { name: '@pk', value: personPartition(tenantId) },
          { name: '@type', value: 'person' },
          { name: '@accountId', value: accountId },
        ],
      }, { partitionKey: personPartition(tenantId) })
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(personSchema, doc));
  }

  async getAccountChannel(accountId: string): Promise<string | undefined> {
    // A pointer found is cached; a miss is read again, so a link made on another instance counts at once.
    const cached = this.accountChannels.peek(accountId);
    const channelId = cached ?? (await this.readAccountChannel(accountId));
    if (!channelId) return undefined;
    this.accountChannels.set(accountId, channelId);
    // The pointer only says where to look; the channel's own link decides. A move interrupted
    // before it cleared the old account's pointer is finished here.
    const link = await this.getChannelLink(channelId, { fresh: true });
    if (link?.accountId === accountId) return channelId;
    return this.clearAccountChannel(accountId, channelId);
  }

  private async readAccountChannel(accountId: string): Promise<string | undefined> {
    const doc = await this.read(accountChannelId(accountId), accountChannelId(accountId));
    return doc ? parseDocument(accountChannelSchema, doc).channelId : undefined;
  }

  async getChannelLink(channelId: string, options: { readonly fresh?: boolean } = {}): Promise<ChannelLink | undefined> {
    if (!options.fresh) return this.cached(this.links, channelId, (r) => r.readChannelLink(channelId));
    const link = await this.readChannelLink(channelId);
    this.links.set(channelId, link);
    return link;
  }

  private async readChannelLink(channelId: string): Promise<ChannelLink | undefined> {
    const id = channelLinkId(channelId);
    const doc = await this.read(id, id);
    return doc ? parseDocument(channelLinkSchema, doc) : undefined;
  }

  async createChannelLink(link: ChannelLink): Promise<ChannelLinkWrite> {
    const valid = channelLinkSchema.parse(link);
    const id = channelLinkId(valid.channelId);
    const created = await createDocument(this.container, { id, pk: id, type: 'channelLink', schemaVersion: 1, ...valid });
    if (!created) {
      const taken = await this.currentLink(valid.channelId);
      // Linked to this account already: a link cut off before its pointer was written is finished.
      if (taken.current?.accountId === valid.accountId) await this.restorePointer(valid.accountId, valid.channelId);
      return { kind: 'taken', ...taken };
    }
    this.links.set(valid.channelId, valid);
    await this.pointAccountAt(valid.accountId, valid.channelId);
    return { kind: 'written' };
  }

  async moveChannelLink(link: ChannelLink, fromAccountId: string): Promise<ChannelLinkWrite> {
    const valid = channelLinkSchema.parse(link);
    const id = channelLinkId(valid.channelId);
    const current = await readDocument(this.container, id, id);
    const stored = current ? parseDocument(channelLinkSchema, current) : undefined;
    if (!current || stored?.accountId !== fromAccountId) {
      if (stored?.accountId === valid.accountId) await this.restorePointer(valid.accountId, valid.channelId);
      return { kind: 'taken', ...(stored ? { current: stored } : {}) };
    }
    try {
      await this.container.item(id, id).replace(
        { id, pk: id, type: 'channelLink', schemaVersion: 1, ...valid },
        current._etag ? { accessCondition: { type: 'IfMatch', condition: current._etag } } : {},
      );
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return { kind: 'taken', ...(await this.currentLink(valid.channelId)) };
      throw error;
    }
    this.links.set(valid.channelId, valid);
    // The link is the truth from here on; the pointers follow (a crash in between is repaired by
    // getAccountChannel, which checks the link before trusting a pointer).
    await this.pointAccountAt(valid.accountId, valid.channelId);
    await this.clearAccountChannel(fromAccountId, valid.channelId);
    return { kind: 'written' };
  }

  private async currentLink(channelId: string): Promise<{ current?: ChannelLink }> {
    const current = await this.getChannelLink(channelId, { fresh: true });
    return current ? { current } : {};
  }

  private async pointAccountAt(accountId: string, channelId: string): Promise<void> {
    const id = accountChannelId(accountId);
    await this.container.items.upsert({ id, pk: id, type: 'accountChannel', schemaVersion: 1, accountId, channelId });
    this.accountChannels.set(accountId, channelId);
  }

  /** Points an account without a channel at this one (an earlier link that did not get that far). */
  private async restorePointer(accountId: string, channelId: string): Promise<void> {
    if (!(await this.readAccountChannel(accountId))) await this.pointAccountAt(accountId, channelId);
  }

  /**
   * Drops the account's pointer if it still names this channel (another link may have replaced
   * it), and points it at another channel still linked to the account, if there is one. Returns
   * where the pointer now leads. Moves are rare, so the cross-partition look-up is too.
   */
  private async clearAccountChannel(accountId: string, channelId: string): Promise<string | undefined> {
    const id = accountChannelId(accountId);
    this.accountChannels.delete(accountId);
    const doc = await readDocument(this.container, id, id);
    if (doc && parseDocument(accountChannelSchema, doc).channelId === channelId) {
      try {
        await this.container.item(id, id).delete(doc._etag ? { accessCondition: { type: 'IfMatch', condition: doc._etag } } : {});
      } catch (error) {
        if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
      }
    }
    const { resources } = await this.container.items
      .query({ query: 'SELECT * FROM c WHERE c.type = @type AND c.accountId = @accountId', parameters: [{ name: '@type', value: 'channelLink' }, { name: '@accountId', value: accountId }] })
      .fetchAll();
    const other = resources
      .map((d: unknown) => parseDocument(channelLinkSchema, d))
      .filter((l) => l.channelId !== channelId)
      .sort((a, b) => b.linkedAt.localeCompare(a.linkedAt))[0];
    if (!other) return undefined;
    await this.restorePointer(accountId, other.channelId);
    return this.readAccountChannel(accountId);
  }

  async isTenantAllowed(tenantId: string): Promise<boolean> {
    return this.cached(this.tenants, tenantId, (r) => r.readTenant(tenantId));
  }

  private async readTenant(tenantId: string): Promise<boolean> {
    const id = tenantDocumentId(tenantId);
    const doc = await this.read(id, id);
    return doc ? parseDocument(tenantSchema, doc).tenantId === tenantId : false;
  }

  async allowTenant(tenantId: string, reason: string): Promise<void> {
    const id = tenantDocumentId(tenantId);
    await this.container.items.upsert({ id, pk: id, type: 'tenant', schemaVersion: 1, tenantId, reason });
    this.tenants.set(tenantId, true);
  }

  async getMarker(name: string): Promise<string | undefined> {
    const id = toDocumentId(`marker:${name}`);
    const doc = await this.read(id, id);
    return doc ? parseDocument(markerSchema, doc).value : undefined;
  }

  async setMarker(name: string, value: string): Promise<void> {
    const id = toDocumentId(`marker:${name}`);
    await this.container.items.upsert({ id, pk: id, type: 'marker', schemaVersion: 1, name, value });
  }

  private async read(id: string, partitionKey: string): Promise<unknown> {
    try {
      const { resource } = await this.container.item(id, partitionKey).read<Record<string, unknown>>();
      return resource;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function personPartition(tenantId: string): string {
  return `person:${tenantId}`;
}

function channelLinkId(channelId: string): string {
  return toDocumentId(`channel:${channelId}`);
}

function accountChannelId(accountId: string): string {
  return toDocumentId(`account-channel:${accountId}`);
}

function tenantDocumentId(tenantId: string): string {
  return toDocumentId(`tenant:${tenantId}`);
}
