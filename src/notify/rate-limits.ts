/** Waiting, as the process really does it; a test may pass its own. */
export interface Timer {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WindowLimit {
  readonly count: number;
  readonly windowInMs: number;
}

/** Teams limits per bot and conversation: 7 per second, 8 per 2 seconds, 60 per 30 seconds. */
export const conversationLimits: readonly WindowLimit[] = [
  { count: 7, windowInMs: 1_000 },
  { count: 8, windowInMs: 2_000 },
  { count: 60, windowInMs: 30_000 },
];

/** Teams limit per app and tenant: 50 requests per second. */
export const tenantLimits: readonly WindowLimit[] = [{ count: 50, windowInMs: 1_000 }];

/**
 * Sliding-window limits per key. `acquire` waits until one more request fits in every window
 * of the key, then counts it; `block` holds a key back until a time (a 429's Retry-After).
 */
export class SlidingWindowLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly limits: readonly WindowLimit[],
    private readonly timer: Timer,
  ) {}

  /** Waits for a slot for `key`; callers for the same key are served in order. */
  async acquire(key: string): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      for (;;) {
        const wait = this.waitFor(key);
        if (wait <= 0) break;
        await this.timer.sleep(wait);
      }
      const stamps = this.sent.get(key) ?? [];
      stamps.push(this.timer.now());
      this.sent.set(key, stamps);
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  block(key: string, untilInMs: number): void {
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, untilInMs));
  }

  private waitFor(key: string): number {
    const now = this.timer.now();
    const longest = Math.max(...this.limits.map((l) => l.windowInMs));
    const stamps = (this.sent.get(key) ?? []).filter((t) => now - t < longest);
    this.sent.set(key, stamps);
    let wait = Math.max(0, (this.blockedUntil.get(key) ?? 0) - now);
    for (const limit of this.limits) {
      const inWindow = stamps.filter((t) => now - t < limit.windowInMs);
      if (inWindow.length >= limit.count) {
        const oldest = inWindow[inWindow.length - limit.count] ?? now;
        wait = Math.max(wait, oldest + limit.windowInMs - now + 1);
      }
    }
    return wait;
  }
}
