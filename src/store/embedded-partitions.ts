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
  _data: Map<string, { read(): Record<string, unknown> }>;
  _getPartition(data: Record<string, unknown>): unknown;
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
    const all = this._data;
    const inPartition = new Map([...all].filter(([, item]) => samePartition(this._getPartition(item.read()), partition.value)));
    // The query reads `_data` only; it sees the partition for the length of this call.
    this._data = inPartition;
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

function samePartition(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null);
}
