import type { Clock } from '../domain/clock';

/**
 * A small bounded cache with a lifetime per entry, for records read on nearly every turn
 * (people, channel links, tenants). Writes in this process go through it; other instances
 * see a change after at most `ttlInMs`.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlInMs: number,
    private readonly maxEntries = 5_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
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
}
