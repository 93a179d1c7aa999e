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
  /** The server's parsed query, one per SQL text. */
  _getQuery(sql: string): { readonly ast: QueryAst };
  query: (this: ItemsInternals, params: QueryParams, options: unknown) => unknown;
}

interface QueryParams {
  readonly query: string;
  readonly parameters?: readonly { readonly name: string; readonly value: unknown }[];
}

type ItemsClass = { prototype: ItemsInternals & { partitionScoped?: true } };
const Items = (itemsModule as unknown as { default: ItemsClass }).default;

const requestPartition = new AsyncLocalStorage<{ readonly value: unknown }>();

export function installPartitionScopedQueries(): void {
  const proto = Items.prototype;
  if (proto.partitionScoped) return;
  const query = proto.query;
  proto.query = function (this: ItemsInternals, params: QueryParams, options: unknown): unknown {
    const partition = requestPartition.getStore();
    const type = requiredType(this._getQuery(params.query).ast, params.parameters ?? []);
    if (!partition && type === undefined) return query.call(this, params, options);
    const all = this._data instanceof PartitionIndexedMap ? this._data : (this._data = new PartitionIndexedMap(this._getPartitionKeyPath(), this._data));
    // The query reads `_data` only; it sees the partition for the length of this call (or the
    // whole container), and of that only the items of the type it asks for, as Cosmos finds them
    // in its index.
    this._data = partition ? all.partition(partition.value, type) : all.ofType(type ?? '');
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

/** The parts of the query engine's syntax tree looked at here. */
interface QueryAst {
  readonly body?: { readonly where?: { readonly condition?: AstNode } | null; readonly from?: unknown } | null;
}
interface AstNode {
  readonly type: string;
  readonly operator?: string;
  readonly left?: AstNode;
  readonly right?: AstNode;
  readonly object?: AstNode;
  readonly property?: AstNode;
  readonly computed?: boolean;
  readonly name?: string;
  readonly value?: unknown;
}

const requiredTypes = new WeakMap<QueryAst, { readonly parameter?: string; readonly value?: string } | null>();

/**
 * The `type` every result must have, when the filter says so outright: `c.type = @type` or
 * `c.type = "plan"` as one of the conditions joined by AND at the top of the WHERE clause. Any
 * other shape (under an OR or a NOT, another property, a value that is not a string) narrows nothing.
 */
export function requiredType(ast: QueryAst, parameters: QueryParams['parameters'] & object): string | undefined {
  let found = requiredTypes.get(ast);
  if (found === undefined) {
    found = typeCondition(ast.body?.where?.condition, collectionAlias(ast)) ?? null;
    requiredTypes.set(ast, found);
  }
  if (!found) return undefined;
  if (found.value !== undefined) return found.value;
  const value = parameters.find((p) => p.name === found.parameter)?.value;
  return typeof value === 'string' ? value : undefined;
}

function collectionAlias(ast: QueryAst): string | undefined {
  const source = (ast.body?.from as { source?: { alias?: { name?: string } | null; expression?: { expression?: { name?: string } } } } | undefined)?.source;
  return source?.alias?.name ?? source?.expression?.expression?.name;
}

function typeCondition(node: AstNode | undefined, alias: string | undefined): { parameter?: string; value?: string } | undefined {
  if (!node || node.type !== 'scalar_binary_expression' || !alias) return undefined;
  if (node.operator === 'AND') return typeCondition(node.left, alias) ?? typeCondition(node.right, alias);
  if (node.operator !== '=') return undefined;
  const sides = [[node.left, node.right], [node.right, node.left]] as const;
  for (const [member, value] of sides) {
    if (!member || !value || !isTypeOf(member, alias)) continue;
    if (value.type === 'parameter_name' && typeof value.name === 'string') return { parameter: value.name };
    if (value.type === 'string_constant' && typeof value.value === 'string') return { value: value.value };
  }
  return undefined;
}

function isTypeOf(node: AstNode, alias: string): boolean {
  if (node.type !== 'scalar_member_expression' || node.object?.type !== 'identifier' || node.object.name !== alias) return false;
  const property = node.property;
  return node.computed ? property?.type === 'string_constant' && property.value === 'type' : property?.type === 'identifier' && property.name === 'type';
}

/**
 * The container's items by id, as the server keeps them, and by partition and type within it:
 * kept in step on every set and delete, so a partition's items of a type are at hand without
 * looking at the others.
 */
class PartitionIndexedMap extends Map<string, StoredEntry> {
  private readonly partitions = new Map<unknown, Map<string, StoredEntry>>();
  private readonly types = new Map<unknown, Map<unknown, Map<string, StoredEntry>>>();
  /** By type across partitions, for the queries that name no partition. */
  private readonly everyType = new Map<unknown, Map<string, StoredEntry>>();

  constructor(
    private readonly path: readonly string[],
    entries: Iterable<[string, StoredEntry]>,
  ) {
    super();
    for (const [key, value] of entries) this.set(key, value);
  }

  override set(key: string, value: StoredEntry): this {
    const before = super.get(key);
    if (before) this.forget(key, before);
    super.set(key, value);
    const partition = this.partitionOf(value);
    const members = this.partitions.get(partition) ?? new Map<string, StoredEntry>();
    this.partitions.set(partition, members);
    members.set(key, value);
    const types = this.types.get(partition) ?? new Map<unknown, Map<string, StoredEntry>>();
    this.types.set(partition, types);
    const type = value.read().type;
    const ofType = types.get(type) ?? new Map<string, StoredEntry>();
    types.set(type, ofType);
    ofType.set(key, value);
    const everywhere = this.everyType.get(type) ?? new Map<string, StoredEntry>();
    this.everyType.set(type, everywhere);
    everywhere.set(key, value);
    return this;
  }

  override delete(key: string): boolean {
    const before = super.get(key);
    if (before) this.forget(key, before);
    return super.delete(key);
  }

  override clear(): void {
    this.partitions.clear();
    this.types.clear();
    this.everyType.clear();
    super.clear();
  }

  /** The items of one partition, of one type when given (a copy: the query may not change the index). */
  partition(value: unknown, type?: string): Map<string, StoredEntry> {
    const key = value ?? null;
    return new Map(type === undefined ? this.partitions.get(key) : this.types.get(key)?.get(type));
  }

  /** The items of one type in every partition (a copy). */
  ofType(type: string): Map<string, StoredEntry> {
    return new Map(this.everyType.get(type));
  }

  private forget(key: string, entry: StoredEntry): void {
    const partition = this.partitionOf(entry);
    const type = entry.read().type;
    this.partitions.get(partition)?.delete(key);
    this.types.get(partition)?.get(type)?.delete(key);
    this.everyType.get(type)?.delete(key);
  }

  private partitionOf(entry: StoredEntry): unknown {
    let value: unknown = entry.read();
    for (const key of this.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value ?? null;
  }
}
