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
  /** The container: its definition, the indexing policy among it. */
  _parent: { read(): { indexingPolicy?: { includedPaths?: readonly { path?: string }[] } } | null | undefined };
  /** Where every create, replace and upsert stores its item. */
  _set: (this: ItemsInternals, data: Record<string, unknown>) => unknown;
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
  const set = proto._set;
  // Indexed from the first write on, as Cosmos indexes each write: a first query need not index a whole container.
  proto._set = function (this: ItemsInternals, data: Record<string, unknown>): unknown {
    indexed(this);
    return set.call(this, data);
  };
  proto.query = function (this: ItemsInternals, params: QueryParams, options: unknown): unknown {
    const partition = requestPartition.getStore();
    const ast = this._getQuery(params.query).ast;
    const type = requiredType(ast, params.parameters ?? []);
    if (!partition && type === undefined) return query.call(this, params, options);
    const all = indexed(this);
    const bound = type === undefined ? undefined : upperBound(ast, params.parameters ?? []);
    // Only a path the container's indexing policy includes has a range index in Cosmos; a filter on another is a scan.
    const ranged = bound && rangeIndexed(this).has(bound.path.join('/')) ? bound : undefined;
    // The query reads `_data` only; it sees the partition for the length of this call (or the
    // whole container), and of that only the items of the type it asks for, as Cosmos finds them
    // in its index; with an upper bound on a property, only those at or below it (its range index).
    this._data = all.candidates(partition ? { value: partition.value } : undefined, type, ranged);
    try {
      return query.call(this, params, options);
    } finally {
      this._data = all;
    }
  };
  proto.partitionScoped = true;
}

/** The paths (`sla/responseDueAt`) the container's indexing policy names one by one (`/sla/responseDueAt/?`). */
function rangeIndexed(items: ItemsInternals): ReadonlySet<string> {
  const policy = items._parent.read()?.indexingPolicy;
  const known = includedPaths.get(policy ?? items);
  if (known) return known;
  const paths = new Set((policy?.includedPaths ?? []).flatMap((p) => (p.path && /^\/.+\/\?$/.test(p.path) ? [p.path.slice(1, -2)] : [])));
  includedPaths.set(policy ?? items, paths);
  return paths;
}
const includedPaths = new WeakMap<object, ReadonlySet<string>>();

function indexed(items: ItemsInternals): PartitionIndexedMap {
  if (items._data instanceof PartitionIndexedMap) return items._data;
  const all = new PartitionIndexedMap(items._getPartitionKeyPath(), items._data);
  items._data = all;
  return all;
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

/**
 * The name the query gives the item itself: `c` in `FROM c`, `d` in `FROM c AS d`. A FROM over
 * a part of the item (`FROM c.sla s`, `FROM ch IN c.children`) names no item: nothing narrows.
 */
function collectionAlias(ast: QueryAst): string | undefined {
  type Source = { alias?: { name?: string } | null; iteration?: boolean; expression?: { type?: string; expression?: { type?: string; name?: string } } };
  const source = (ast.body?.from as { source?: Source } | undefined)?.source;
  const expression = source?.expression;
  if (!source || source.iteration || expression?.type !== 'collection_expression' || expression.expression?.type !== 'identifier') return undefined;
  return source.alias?.name ?? expression.expression.name;
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
 * An upper bound every result must be within, when the filter says so outright: `c.dueAt <= @now`
 * (or `<`, or the bound on the left: `@now >= c.dueAt`) as one of the conditions joined by AND at
 * the top of the WHERE clause, on a property path of the item, the bound a string. Cosmos finds
 * such items in its range index; a string bound matches only string values.
 */
export function upperBound(ast: QueryAst, parameters: QueryParams['parameters'] & object): { readonly path: readonly string[]; readonly value: string } | undefined {
  let found = upperBounds.get(ast);
  if (found === undefined) {
    found = boundCondition(ast.body?.where?.condition, collectionAlias(ast)) ?? null;
    upperBounds.set(ast, found);
  }
  if (!found) return undefined;
  const value = found.value ?? parameters.find((p) => p.name === found.parameter)?.value;
  return typeof value === 'string' ? { path: found.path, value } : undefined;
}

const upperBounds = new WeakMap<QueryAst, { readonly path: readonly string[]; readonly parameter?: string; readonly value?: string } | null>();

function boundCondition(node: AstNode | undefined, alias: string | undefined): { path: readonly string[]; parameter?: string; value?: string } | undefined {
  if (!node || node.type !== 'scalar_binary_expression' || !alias) return undefined;
  if (node.operator === 'AND') return boundCondition(node.left, alias) ?? boundCondition(node.right, alias);
  const [member, bound] = node.operator === '<=' || node.operator === '<' ? [node.left, node.right] : node.operator === '>=' || node.operator === '>' ? [node.right, node.left] : [];
  const path = member ? pathOf(member, alias) : undefined;
  if (!path || !bound) return undefined;
  if (bound.type === 'parameter_name' && typeof bound.name === 'string') return { path, parameter: bound.name };
  if (bound.type === 'string_constant' && typeof bound.value === 'string') return { path, value: bound.value };
  return undefined;
}

/** `c.a.b` (or `c["a"].b`) as ["a", "b"]; undefined for anything but a chain of properties of the item. */
function pathOf(node: AstNode, alias: string): string[] | undefined {
  if (node.type !== 'scalar_member_expression' || !node.object) return undefined;
  const property = node.property;
  const name = node.computed ? (property?.type === 'string_constant' && typeof property.value === 'string' ? property.value : undefined) : property?.type === 'identifier' ? property.name : undefined;
  if (name === undefined) return undefined;
  if (node.object.type === 'identifier') return node.object.name === alias ? [name] : undefined;
  const parent = pathOf(node.object, alias);
  return parent ? [...parent, name] : undefined;
}

function valueAt(item: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = item;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** One type's items with a string at one path, in the order of those strings (then of their keys). */
class RangeIndex {
  private readonly rows: { value: string; key: string; entry: StoredEntry }[] = [];

  /** Made from the items there are, sorted once. */
  constructor(
    readonly path: readonly string[],
    entries: Iterable<[string, StoredEntry]>,
  ) {
    for (const [key, entry] of entries) {
      const value = valueAt(entry.read(), path);
      if (typeof value === 'string') this.rows.push({ value, key, entry });
    }
    this.rows.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  add(key: string, entry: StoredEntry): void {
    const value = valueAt(entry.read(), this.path);
    if (typeof value !== 'string') return;
    this.rows.splice(this.place(value, key), 0, { value, key, entry });
  }

  remove(key: string, entry: StoredEntry): void {
    const value = valueAt(entry.read(), this.path);
    if (typeof value !== 'string') return;
    const at = this.place(value, key);
    if (this.rows[at]?.key === key) this.rows.splice(at, 1);
  }

  /** How many rows are at or below `bound`. */
  countUpTo(bound: string): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.rows[middle]?.value ?? '') <= bound) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  upTo(bound: string, keep: (entry: StoredEntry) => boolean): Map<string, StoredEntry> {
    const found = new Map<string, StoredEntry>();
    const end = this.countUpTo(bound);
    for (let i = 0; i < end; i++) {
      const row = this.rows[i];
      if (row && keep(row.entry)) found.set(row.key, row.entry);
    }
    return found;
  }

  private place(value: string, key: string): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const row = this.rows[middle];
      if (row && (row.value < value || (row.value === value && row.key < key))) low = middle + 1;
      else high = middle;
    }
    return low;
  }
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
  /** By type, each type's range indexes by path: made when a query first bounds that path, kept in step from then on. */
  private readonly ranges = new Map<unknown, Map<string, RangeIndex>>();

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
    for (const index of this.ranges.get(type)?.values() ?? []) index.add(key, value);
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
    this.ranges.clear();
    super.clear();
  }

  /**
   * What a query may match (a copy: the query may not change the index): the items of its
   * partition (all when it names none), of its type when it names one; with an upper bound, those
   * of the type at or below it, when they are fewer.
   */
  candidates(partition: { readonly value: unknown } | undefined, type: string | undefined, bound?: { readonly path: readonly string[]; readonly value: string }): Map<string, StoredEntry> {
    const key = partition ? (partition.value ?? null) : undefined;
    const ofType = partition ? (type === undefined ? this.partitions.get(key) : this.types.get(key)?.get(type)) : this.everyType.get(type ?? '');
    if (type === undefined || !bound) return new Map(ofType);
    const index = this.rangeIndex(type, bound.path);
    if (index.countUpTo(bound.value) >= (ofType?.size ?? 0)) return new Map(ofType);
    return index.upTo(bound.value, (entry) => !partition || this.partitionOf(entry) === key);
  }

  private rangeIndex(type: string, path: readonly string[]): RangeIndex {
    const byPath = this.ranges.get(type) ?? new Map<string, RangeIndex>();
    this.ranges.set(type, byPath);
    const name = JSON.stringify(path);
    let index = byPath.get(name);
    if (!index) {
      index = new RangeIndex(path, this.everyType.get(type) ?? []);
      byPath.set(name, index);
    }
    return index;
  }

  private forget(key: string, entry: StoredEntry): void {
    const partition = this.partitionOf(entry);
    const type = entry.read().type;
    this.partitions.get(partition)?.delete(key);
    this.types.get(partition)?.get(type)?.delete(key);
    this.everyType.get(type)?.delete(key);
    for (const index of this.ranges.get(type)?.values() ?? []) index.remove(key, entry);
  }

  private partitionOf(entry: StoredEntry): unknown {
    let value: unknown = entry.read();
    for (const key of this.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value ?? null;
  }
}
