import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
// The server's item collection class: its `query` is replaced on the prototype, once.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import itemsModule = require('@vercel/cosmosdb-server/lib/account/items');

/**
 * Azure Cosmos DB runs a query that names a partition key within that logical partition only.
 * The embedded server ignores the header and runs every query over every item of the container:
 * slower the more the container holds, and an item of another partition that matches the filter
 * would be returned where Cosmos returns nothing. The query of a request that names a partition
 * key sees the items of that partition only.
 */
interface ItemsInternals {
  _data: Map<string, StoredEntry>;
  /** The partition key path, as property names ("/accountId": ["accountId"]). */
  _getPartitionKeyPath(): string[];
  query: (this: ItemsInternals, params: unknown, options: unknown) => unknown;
}

type ItemsClass = { prototype: ItemsInternals & { partitionScoped?: true } };
const Items = (itemsModule as unknown as { default: ItemsClass }).default;

const requestPartition = new AsyncLocalStorage<{ readonly value: unknown }>();

export function installPartitionScopedQueries(): void {
  const proto = Items.prototype;
  if (proto.partitionScoped) return;
  const query = proto.query;
  proto.query = function (this: ItemsInternals, params: unknown, options: unknown): unknown {
    const partition = requestPartition.getStore();
    if (!partition) return query.call(this, params, options);
    const all = this._data instanceof PartitionIndexedMap ? this._data : (this._data = new PartitionIndexedMap(this._getPartitionKeyPath(), this._data));
    // The query reads `_data` only; it sees the partition for the length of this call.
    this._data = all.partition(partition.value);
    try {
      return query.call(this, params, options);
    } finally {
      this._data = all;
    }
  };
  proto.partitionScoped = true;
}

/** Runs `handle` with the request's partition key, when it names one, in force for its queries. */
export function withRequestPartition<T>(req: IncomingMessage, handle: () => T): T {
  const value = partitionKeyOf(req);
  return value === undefined ? handle() : requestPartition.run({ value: value.key }, handle);
}

/** The single value of an `x-ms-documentdb-partitionkey: ["contoso"]` header. */
function partitionKeyOf(req: IncomingMessage): { key: unknown } | undefined {
  const raw = req.headers['x-ms-documentdb-partitionkey'];
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || parsed.length !== 1) return undefined;
    const key: unknown = parsed[0];
    return typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean' || key === null ? { key } : undefined;
  } catch {
    return undefined;
  }
}

type StoredEntry = { read(): Record<string, unknown> };

/**
 * The container's items by id, as the server keeps them, and by partition: kept in step on every
 * set and delete, so a partition's items are at hand without looking at the others.
 */
class PartitionIndexedMap extends Map<string, StoredEntry> {
  private readonly partitions = new Map<unknown, Map<string, StoredEntry>>();

  constructor(
    private readonly path: readonly string[],
    entries: Iterable<[string, StoredEntry]>,
  ) {
    super();
    for (const [key, value] of entries) this.set(key, value);
  }

  override set(key: string, value: StoredEntry): this {
    const before = super.get(key);
    if (before) this.partitions.get(this.partitionOf(before))?.delete(key);
    super.set(key, value);
    const partition = this.partitionOf(value);
    const members = this.partitions.get(partition) ?? new Map<string, StoredEntry>();
    this.partitions.set(partition, members);
    members.set(key, value);
    return this;
  }

  override delete(key: string): boolean {
    const before = super.get(key);
    if (before) this.partitions.get(this.partitionOf(before))?.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.partitions.clear();
    super.clear();
  }

  /** The items of one partition (a copy: the query may not change the index). */
  partition(value: unknown): Map<string, StoredEntry> {
    return new Map(this.partitions.get(value ?? null));
  }

  private partitionOf(entry: StoredEntry): unknown {
    let value: unknown = entry.read();
    for (const key of this.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value ?? null;
  }
}
