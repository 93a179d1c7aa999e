import { type ContainerImage, documentKey, type JournalEntry, partitionValue, type StoreImage } from './embedded-journal';

/**
 * Time to live as Azure Cosmos DB applies it:
 * - a container without `defaultTtl` keeps every item for ever, whatever the item's `ttl` says;
 * - `defaultTtl: -1`: an item expires only if it carries `ttl` (seconds, positive);
 * - `defaultTtl: n > 0`: an item expires n seconds after its last write, unless its own `ttl`
 *   says otherwise (`-1` = never, a positive number = that many seconds).
 *
 * Returns how many seconds an item lives after its last write, or undefined if it never expires.
 */
export function timeToLiveInSeconds(defaultTtl: unknown, itemTtl: unknown): number | undefined {
  if (!isTtl(defaultTtl)) return undefined;
  if (isTtl(itemTtl)) return itemTtl > 0 ? itemTtl : undefined;
  return defaultTtl > 0 ? defaultTtl : undefined;
}

/** -1 or a positive whole number of seconds: anything else (0, null, a string) is no setting. */
function isTtl(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && (value > 0 || value === -1);
}

/** When the item written at `writtenAtMs` expires, in milliseconds; undefined = never. */
export function expiresAt(defaultTtl: unknown, itemTtl: unknown, writtenAtMs: number): number | undefined {
  const seconds = timeToLiveInSeconds(defaultTtl, itemTtl);
  return seconds === undefined ? undefined : writtenAtMs + seconds * 1000;
}

export interface Expiry {
  readonly key: string;
  readonly expiresAt: number;
  readonly db: string;
  readonly coll: string;
  readonly id: string;
  readonly pk: unknown;
}

/**
 * The items that will expire, soonest first (a binary heap). Asking what is due costs one
 * comparison when nothing is; a rewritten or deleted item's old place is skipped when reached,
 * and the heap is rebuilt once such leftovers outnumber the live entries.
 */
export class ExpiryIndex {
  private readonly current = new Map<string, Expiry>();
  private heap: Expiry[] = [];

  get size(): number {
    return this.current.size;
  }

  /** Sets when the item under `key` expires (replacing what was known), or forgets it. */
  set(key: string, expiry: Expiry | undefined): void {
    if (!expiry) {
      this.current.delete(key);
      return;
    }
    this.current.set(key, expiry);
    this.push(expiry);
    if (this.heap.length > 2 * this.current.size + 1024) this.rebuild();
  }

  delete(key: string): void {
    this.current.delete(key);
  }

  /** Forgets every item of one container (all of a database's when `coll` is omitted). */
  deleteContainer(db: string, coll?: string): void {
    for (const [key, expiry] of this.current) {
      if (expiry.db === db && (coll === undefined || expiry.coll === coll)) this.current.delete(key);
    }
  }

  /** Removes and returns every item whose expiry is at or before `nowMs`. */
  takeDue(nowMs: number): Expiry[] {
    const due: Expiry[] = [];
    for (let top = this.heap[0]; top !== undefined && top.expiresAt <= nowMs; top = this.heap[0]) {
      this.pop();
      if (this.current.get(top.key) !== top) continue;
      this.current.delete(top.key);
      due.push(top);
    }
    return due;
  }

  private rebuild(): void {
    this.heap = [];
    for (const expiry of this.current.values()) this.push(expiry);
  }

  private push(expiry: Expiry): void {
    const heap = this.heap;
    heap.push(expiry);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const above = heap[parent] as Expiry;
      if (above.expiresAt <= expiry.expiresAt) break;
      heap[child] = above;
      heap[parent] = expiry;
      child = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < heap.length && (heap[left] as Expiry).expiresAt < (heap[smallest] as Expiry).expiresAt) smallest = left;
      if (right < heap.length && (heap[right] as Expiry).expiresAt < (heap[smallest] as Expiry).expiresAt) smallest = right;
      if (smallest === parent) return;
      heap[parent] = heap[smallest] as Expiry;
      heap[smallest] = last;
      parent = smallest;
    }
  }
}

/** The expiry index kept in step with the store's image: told of every change, it knows what is due. */
export class ImageExpiry {
  private readonly index = new ExpiryIndex();

  constructor(private readonly image: StoreImage) {
    for (const [db, containers] of image) for (const coll of containers.keys()) this.trackContainer(db, coll);
  }

  /** Call after the change is applied to the image. */
  track(entry: JournalEntry): void {
    switch (entry.op) {
      case 'put': {
        const container = this.image.get(entry.db)?.get(entry.coll);
        if (container) this.trackItem(entry.db, entry.coll, container, documentKey(partitionValue(container.definition, entry.doc), String(entry.doc.id)));
        return;
      }
      case 'del':
        this.index.delete(indexKey(entry.db, entry.coll, documentKey(entry.pk, entry.id)));
        return;
      case 'replaceColl':
        this.trackContainer(entry.db, entry.definition.id);
        return;
      case 'dropColl':
        this.index.deleteContainer(entry.db, entry.coll);
        return;
      case 'dropDb':
        this.index.deleteContainer(entry.db);
        return;
      case 'batch':
        for (const inner of entry.entries) this.track(inner);
        return;
      default:
        return;
    }
  }

  /** Removes and returns the items due at `nowMs`. */
  takeDue(nowMs: number): Expiry[] {
    return this.index.takeDue(nowMs);
  }

  private trackContainer(db: string, coll: string): void {
    const container = this.image.get(db)?.get(coll);
    if (container) for (const key of container.documents.keys()) this.trackItem(db, coll, container, key);
  }

  private trackItem(db: string, coll: string, container: ContainerImage, key: string): void {
    const stored = container.documents.get(key);
    const at = stored ? expiresAt(container.definition.defaultTtl, stored.doc.ttl, stored.at) : undefined;
    const entryKey = indexKey(db, coll, key);
    if (!stored || at === undefined) {
      this.index.delete(entryKey);
      return;
    }
    this.index.set(entryKey, { key: entryKey, expiresAt: at, db, coll, id: String(stored.doc.id), pk: partitionValue(container.definition, stored.doc) });
  }
}

function indexKey(db: string, coll: string, key: string): string {
  return JSON.stringify([db, coll, key]);
}
