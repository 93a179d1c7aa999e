import type { Container } from '@azure/cosmos';
import { ScopedRepository, type StoreContainer } from './store-container';
import { TtlCache, type CacheOptions } from './ttl-cache';
import { alertSettingsSchema, type AlertSettings } from '../domain/alert-settings';
import type { AlertSettingsRepository } from '../domain/ports';
import { isNotFound, parseDocument, toDocumentId } from './documents';

/** Alert settings sit beside the person in the directory (partition of the person's tenant). */
export class CosmosAlertSettingsRepository extends ScopedRepository implements AlertSettingsRepository {
  /** Read on most turns (the zone of a person's own view) and changed rarely: cached like people. */
  private readonly cache: TtlCache<AlertSettings | undefined> | undefined;

  constructor(container: StoreContainer | Container, cache?: CacheOptions) {
    super(container);
    this.cache = cache ? new TtlCache(cache.clock, cache.ttlInMs, cache) : undefined;
  }

  async get(personKey: string): Promise<AlertSettings | undefined> {
    return this.cache ? this.cached(this.cache, personKey, (r) => r.read(personKey)) : this.read(personKey);
  }

  private async read(personKey: string): Promise<AlertSettings | undefined> {
    const { id, pk } = locate(personKey);
    try {
      const { resource } = await this.container.item(id, pk).read<Record<string, unknown>>();
      return resource ? parseDocument(alertSettingsSchema, resource) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async upsert(settings: AlertSettings): Promise<void> {
    const valid = alertSettingsSchema.parse(settings);
    const { id, pk } = locate(valid.personKey);
    await this.container.items.upsert({ id, pk, type: 'alertSettings', schemaVersion: 1, ...valid });
    this.cache?.set(valid.personKey, valid);
  }

  async listDigestsDue(now: Date, limit: number): Promise<AlertSettings[]> {
    const { resources } = await this.container.items
      .query({
        query: 'SELECT TOP @limit * FROM c WHERE c.type = @type AND c.mode = @digest AND c.nextDigestAt <= @now ORDER BY c.nextDigestAt',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@type', value: 'alertSettings' },
          { name: '@digest', value: 'digest' },
          { name: '@now', value: now.toISOString() },
        ],
      })
      .fetchAll();
    return resources.map((doc: unknown) => parseDocument(alertSettingsSchema, doc));
  }
}

function locate(personKey: string): { id: string; pk: string } {
  const [tenantId = '', aadObjectId = ''] = personKey.split(':');
  return { id: toDocumentId(`alert-settings:${aadObjectId}`), pk: `person:${tenantId}` };
}
