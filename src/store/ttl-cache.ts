import type { Clock } from '../domain/clock';
import type { CacheRefresh } from '../domain/ports';

/**
 * The entries read in the last part of their life, reloaded together behind a turn's answer:
 * a record read on nearly every turn is reloaded before it runs out, so no turn waits for it.
 * Nothing is served past its lifetime; a reload only starts that lifetime again from its read.
 */
export class RefreshAhead implements CacheRefresh {
  /** By cache, then key: a cache's map is there only while it holds a reload. */
  private readonly due = new Map<object, Map<string, () => Promise<void>>>();

  /** At most this many reloads wait at once (a burst the store takes easily); past it, entries just run out. */
  constructor(private readonly maxDue = 100) {}

  get pending(): boolean {
    return this.due.size > 0;
  }

  private get count(): number {
    let count = 0;
    for (const keys of this.due.values()) count += keys.size;
    return count;
  }

  /** False when as many reloads as may wait are due already. */
  note(cache: object, key: string, reload: () => Promise<void>): boolean {
    let keys = this.due.get(cache);
    // Due already for an entry since replaced: the newest entry's reload is the one that runs.
    if (keys?.has(key)) {
      keys.set(key, reload);
      return true;
    }
    if (this.count >= this.maxDue) return false;
    if (!keys) this.due.set(cache, (keys = new Map<string, () => Promise<void>>()));
    keys.set(key, reload);
    return true;
  }

  /** Reloads what is due. One that fails is left to run out: the next turn reads it as usual. */
  async run(): Promise<void> {
    const work = [...this.due.values()].flatMap((keys) => [...keys.values()]);
    this.due.clear();
    await Promise.all(work.map((reload) => reload().catch(() => undefined)));
  }
}

/** How a repository caches: the lifetime, and the reloads ahead its hot entries take part in. */
export interface CacheOptions {
  readonly clock: Clock;
  readonly ttlInMs: number;
  readonly refreshAhead?: RefreshAhead;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
  /** A reload is due or under way; a second read in the window does not ask again. */
  reloading?: boolean;
}

/**
 * A small bounded cache with a lifetime per entry, for records read on nearly every turn
 * (people, channel links, tenants). Writes in this process go through it; other instances
 * see a change after at most `ttlInMs`.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly maxEntries: number;
  private readonly refreshAhead: RefreshAhead | undefined;
  /** An entry read with less than this left is reloaded behind the answer (the last third of its life). */
  private readonly refreshWithin: number;

  constructor(
    private readonly clock: Clock,
    private readonly ttlInMs: number,
    options: { readonly maxEntries?: number; readonly refreshAhead?: RefreshAhead | undefined } = {},
  ) {
    this.maxEntries = options.maxEntries ?? 5_000;
    this.refreshAhead = options.refreshAhead;
    this.refreshWithin = ttlInMs / 3;
  }

  /**
   * The live entry, or `load`'s. With `reload` (the same read outside any turn's scope) an entry
   * read in the last third of its life is read again behind the answer, when the cache takes part.
   */
  async get(key: string, load: () => Promise<V>, reload?: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) {
      if (reload && this.refreshAhead && !hit.reloading && hit.expiresAt - now <= this.refreshWithin) this.reloadAhead(key, hit, this.refreshAhead, reload);
      return hit.value;
    }
    const value = await load();
    this.set(key, value);
    return value;
  }

  /** The cached value if there is a live one; nothing is loaded. */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > this.clock.now().getTime() ? hit.value : undefined;
  }

  set(key: string, value: V): void {
    if (this.ttlInMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.clock.now().getTime() + this.ttlInMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private reloadAhead(key: string, hit: Entry<V>, ahead: RefreshAhead, reload: () => Promise<V>): void {
    hit.reloading = ahead.note(this, key, async () => {
      try {
        const value = await reload();
        // Written, deleted or loaded again meanwhile: this process's own change stands.
        if (this.entries.get(key) === hit) this.set(key, value);
      } finally {
        hit.reloading = false;
      }
    });
  }
}

