import type { Container, FeedOptions, FeedResponse, ItemDefinition, ItemResponse, OperationInput, OperationResponse, QueryIterator, RequestOptions, Response, SqlQuerySpec } from '@azure/cosmos';
import type { StoreScope } from '../domain/store-scope';
import type { StoreObserver } from './store-readiness';
import { deepFreeze } from '../domain/deep-freeze';
import { ReadsTogether, type PointRead } from './reads-together';
import type { TtlCache } from './ttl-cache';
import { batchCallHeader, batchCallTag, failedBatchStatus } from './batch-statuses';

interface Charged {
  readonly requestCharge?: number;
}

/** The query calls the repositories make: all pages, or one page at a time. */
export interface StoreQuery<T> {
  fetchAll(): Promise<FeedResponse<T>>;
  fetchNext(): Promise<FeedResponse<T>>;
  hasMoreResults(): boolean;
}

/**
 * A Cosmos container as the repositories use it, with the caller's scope passed explicitly into
 * every request's options (the SDK's `abortSignal`) and each request's charge logged at debug and
 * added to the scope's meter.
 */
export class StoreContainer {
  constructor(
    readonly container: Container,
    private readonly scope: StoreScope = {},
    /** Told whether each call got an answer (readiness counts a recent one), whatever its scope. */
    private readonly observer?: StoreObserver,
  ) {}

  get id(): string {
    return this.container.id;
  }

  /** The same container, its calls made for `scope`. */
  inScope(scope: StoreScope): StoreContainer {
    return new StoreContainer(this.container, scope, this.observer);
  }

  item(id: string, partitionKey: string) {
    const item = this.container.item(id, partitionKey);
    return {
      read: <T extends ItemDefinition = ItemDefinition>(options?: RequestOptions): Promise<ItemResponse<T>> => {
        const memo = this.remembers(id) ? this.scope.reads : undefined;
        const key = this.memoKey(id, partitionKey);
        // A read the turn made, or is making: one that found nothing (or failed) is made again.
        const known = memo?.get(key) as ItemResponse<T> | Promise<ItemResponse<T> | undefined> | undefined;
        if (known) return Promise.resolve(known).then((response) => (response ?? this.item(id, partitionKey).read<T>(options)));
        const reading = memo && !options ? (this.readTogether(memo, id, partitionKey) as Promise<ItemResponse<T>>) : this.call('read', () => item.read<T>(this.options(options)));
        if (memo) {
          const kept = reading.then(
            (response) => (response.resource ? frozen(response) : undefined),
            () => undefined,
          );
          memo.set(key, kept);
          void kept.then((response) => {
            if (!response && memo.get(key) === kept) memo.delete(key);
          });
        }
        return reading;
      },
      replace: <T extends ItemDefinition>(body: T, options?: RequestOptions): Promise<ItemResponse<T>> =>
        this.write([id], () => this.call('replace', () => item.replace<T>(body, this.options(options))), this.remembers(id) ? this.memoKey(id, partitionKey) : undefined),
      delete: (options?: RequestOptions): Promise<ItemResponse<ItemDefinition>> => this.write([id], () => this.call('delete', () => item.delete(this.options(options)))),
    };
  }

  get items() {
    const items = this.container.items;
    return {
      create: <T extends ItemDefinition>(body: T, options?: RequestOptions): Promise<ItemResponse<T>> => this.write(idsOf([body]), () => this.call('create', () => items.create<T>(body, this.options(options)))),
      upsert: <T extends ItemDefinition>(body: T, options?: RequestOptions): Promise<ItemResponse<T>> => this.write(idsOf([body]), () => this.call('upsert', () => items.upsert<T>(body, this.options(options)))),
      // A query's rows are whatever its SELECT makes them: unknown until parsed with their schema.
      query: <T = unknown>(query: SqlQuerySpec | string, options?: FeedOptions): StoreQuery<T> => this.query<T>(items.query<T>(query, this.options(options))),
      /** A transactional batch: all of its operations (one partition key, at most 100) or none. */
      batch: (operations: OperationInput[], partitionKey: string, options?: RequestOptions): Promise<Response<OperationResponse[]>> =>
        this.write(idsOf(operations.map((op) => ('resourceBody' in op ? op.resourceBody : undefined) ?? ('id' in op ? { id: op.id } : undefined))), async () => {
          const response = await this.call('batch', async () => {
            const answer = await this.sendBatch(operations, partitionKey, options);
            return Object.assign(answer, { requestCharge: chargeInHeaders(answer) });
          });
          // What a batch that went through wrote is what those records now are.
          const memo = this.scope.reads;
          if (memo && response.code !== 207) {
            for (const result of response.result ?? []) {
              const body = result.resourceBody;
              if (result.statusCode < 300 && typeof body?.id === 'string' && this.remembers(body.id)) {
                memo.set(this.memoKey(body.id, partitionKey), { resource: deepFreeze(body), etag: result.eTag, statusCode: result.statusCode });
              }
            }
          }
          return response;
        }),
    };
  }

  /** A turn's point read, sent with the others of its partition that the turn asks for at the same time. */
  private readTogether(memo: Map<string, unknown>, id: string, partitionKey: string): Promise<PointRead> {
    let together = readsOfTurns.get(memo);
    if (!together) {
      together = new ReadsTogether();
      readsOfTurns.set(memo, together);
    }
    return together.read(`${this.container.id}|${partitionKey}`, id, {
      one: (alone) => this.call('read', () => this.container.item(alone, partitionKey).read(this.options(undefined))),
      batch: (operations) =>
        this.call('readBatch', async () => {
          const answer = await this.sendBatch(operations, partitionKey, undefined);
          return Object.assign(answer, { requestCharge: chargeInHeaders(answer) });
        }),
    });
  }

  /**
   * Which point reads a turn remembers: an account's records, and the channel links (read to
   * decide the audience at the start of a channel turn and again before a post in that turn).
   * People, settings and the rest are read as they are asked.
   */
  private remembers(id: string): boolean {
    const container = this.container.id;
    return container === 'accounts' || (container === 'directory' && id.startsWith('channel:'));
  }

  private memoKey(id: string, partitionKey: string): string {
    return `${this.container.id}|${id}|${partitionKey}`;
  }

  /**
   * A write forgets the turn's reads of the records it writes, whatever its outcome (a write
   * changes no other record); a replace that went through is remembered as what the record now
   * is. A write whose records are not known forgets every read of this container.
   */
  private async write<R>(ids: readonly string[] | undefined, send: () => Promise<R>, replaced?: string): Promise<R> {
    const memo = this.scope.reads;
    if (memo) {
      const prefixes = ids ? ids.map((id) => `${this.container.id}|${id}|`) : [`${this.container.id}|`];
      for (const key of [...memo.keys()]) if (prefixes.some((prefix) => key.startsWith(prefix))) memo.delete(key);
    }
    const response = await send();
    const stored = response as ItemResponse<ItemDefinition>;
    if (memo && replaced && stored.resource) memo.set(replaced, frozen(stored));
    return response;
  }

  private query<T>(iterator: QueryIterator<T>): StoreQuery<T> {
    return {
      fetchAll: () => this.call('query', () => iterator.fetchAll()),
      fetchNext: () => this.call('query', () => iterator.fetchNext()),
      hasMoreResults: () => iterator.hasMoreResults(),
    };
  }

  /**
   * A transactional batch, whose failure as a whole comes back with the status the store gave it
   * (the SDK's own error has lost it: see batch-statuses.ts), or as an AbortError when the turn's
   * budget ran out, so that a throttled or unavailable store reads as such.
   */
  private async sendBatch(operations: OperationInput[], partitionKey: string, options: RequestOptions | undefined): Promise<Response<OperationResponse[]>> {
    const tag = batchCallTag();
    const sent = this.options(options);
    try {
      return await this.container.items.batch(operations, partitionKey, { ...sent, initialHeaders: { ...sent.initialHeaders, [batchCallHeader]: tag } });
    } catch (error) {
      const status = failedBatchStatus(tag);
      if (statusOf(error) !== undefined || !(error instanceof Error)) throw error;
      if (status !== undefined) throw Object.assign(new Error(error.message, { cause: error }), { code: status });
      if (this.scope.signal?.aborted) throw Object.assign(new Error(error.message, { cause: error }), { name: 'AbortError' });
      throw error;
    }
  }

  private options<O extends RequestOptions | FeedOptions>(options: O | undefined): O {
    const signal = this.scope.signal;
    return (signal ? { ...options, abortSignal: signal } : { ...options }) as O;
  }

  private async call<R extends Charged>(operation: string, send: () => Promise<R>): Promise<R> {
    try {
      const response = await send();
      this.observer?.observed(200);
      this.charge(operation, response.requestCharge);
      return response;
    } catch (error) {
      this.observer?.observed(statusOf(error));
      this.charge(operation, chargeInHeaders(error), statusOf(error));
      throw error;
    }
  }

  private charge(operation: string, requestCharge: number | undefined, status?: number): void {
    this.scope.meter?.add(requestCharge);
    this.scope.logger?.debug('store.request', {
      container: this.container.id,
      operation,
      requestCharge: requestCharge ?? 0,
      ...(status !== undefined ? { status } : {}),
    });
  }
}

/** Each turn's reads sent together, by the turn's memo of its reads. */
const readsOfTurns = new WeakMap<Map<string, unknown>, ReadsTogether>();

/** The ids of the records a write names; undefined when one of them has none. */
function idsOf(bodies: readonly (unknown)[]): string[] | undefined {
  const ids: string[] = [];
  for (const body of bodies) {
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return undefined;
    ids.push(id);
  }
  return ids;
}

/**
 * A response the turn remembers, as its readers get it: its record frozen rather than copied (a
 * copy of a large record costs more than the read's own parsing), so a reader that tried to
 * change it would fail at once instead of changing what later reads of the turn are answered.
 */
function frozen<T extends ItemDefinition>(response: ItemResponse<T>): ItemResponse<T> {
  if (response.resource) deepFreeze(response.resource);
  return response;
}

/** The request charge in a response's or an error's headers. */
function chargeInHeaders(error: unknown): number | undefined {
  const headers = (error as { headers?: Record<string, unknown> } | undefined)?.headers;
  const value = headers?.['x-ms-request-charge'];
  const charge = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : undefined;
  return charge !== undefined && Number.isFinite(charge) ? charge : undefined;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A repository whose store calls can be made for a scope: the same repository, caches shared. */
export abstract class ScopedRepository {
  protected readonly container: StoreContainer;
  /** This repository outside any turn's scope, in its copies too: for reads made behind the answer. */
  protected readonly unscoped: this = this;

  /**
   * `cache`'s entry for `key`, read with `read` through this repository when there is none; a hot
   * entry is read again ahead through the unscoped repository, which is all a waiting reload holds.
   */
  protected cached<V>(cache: TtlCache<V>, key: string, read: (repository: this) => Promise<V>): Promise<V> {
    const unscoped = this.unscoped;
    return cache.get(key, () => read(this), () => read(unscoped));
  }

  /** A bare container is used with no scope (the dispatcher's and the sweep's calls, tests, scripts). */
  constructor(container: StoreContainer | Container) {
    this.container = container instanceof StoreContainer ? container : new StoreContainer(container);
  }

  /** This repository (its caches shared) with every store call made for `scope`. */
  inScope(scope: StoreScope): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this);
    (copy as unknown as { container: StoreContainer }).container = this.container.inScope(scope);
    return copy;
  }
}
