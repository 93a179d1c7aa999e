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

/** Hands a slot back once its request has been answered. */
export type Release = () => void;

/**
 * Sliding-window limits per key. `acquire` waits until one more request fits in every window
 * of the key and holds a slot for it; `block` holds a key back until a time (a 429's Retry-After).
 *
 * Teams counts a request when it arrives, which is some time after it left here, and requests in
 * flight together do not all take the same time on the way. So a slot is held from the moment it
 * is acquired until the request is answered, and only then dated, by the answer: every request
 * that arrived within the last window was either answered within it or is still in flight, so
 * the count here is never below the count Teams keeps, and no fixed safety margin is needed.
 */
export class SlidingWindowLimiter {
  private readonly answered = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly limits: readonly WindowLimit[],
    private readonly timer: Timer,
  ) {}

  /** Waits for a slot for `key`; callers for the same key are served in order. Call the release when answered. */
  async acquire(key: string): Promise<Release> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      for (;;) {
        const wait = this.waitFor(key);
        if (wait === 0) break;
        if (wait === 'answer') await new Promise<void>((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
        else await this.timer.sleep(wait);
      }
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      const flying = (this.inFlight.get(key) ?? 1) - 1;
      if (flying > 0) this.inFlight.set(key, flying);
      else this.inFlight.delete(key);
      this.answered.set(key, [...(this.answered.get(key) ?? []), this.timer.now()]);
      const waiters = this.waiting.get(key) ?? [];
      this.waiting.delete(key);
      for (const wake of waiters) wake();
    };
  }

  block(key: string, untilInMs: number): void {
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, untilInMs));
  }

  /** How long `key` is still held back by a Retry-After; 0 when it is not. */
  blockedFor(key: string): number {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - this.timer.now();
    if (left <= 0) this.blockedUntil.delete(key);
    return Math.max(0, left);
  }

  /** 0 when a request fits now; otherwise how long until one does, or 'answer' when only an answer can make room. */
  private waitFor(key: string): number | 'answer' {
    const now = this.timer.now();
    const longest = Math.max(...this.limits.map((l) => l.windowInMs));
    const stamps = (this.answered.get(key) ?? []).filter((t) => now - t < longest);
    if (stamps.length > 0) this.answered.set(key, stamps);
    else this.answered.delete(key);
    const flying = this.inFlight.get(key) ?? 0;
    let wait = Math.max(0, (this.blockedUntil.get(key) ?? 0) - now);
    for (const limit of this.limits) {
      const inWindow = stamps.filter((t) => now - t < limit.windowInMs);
      // Once the oldest `excess + 1` answered requests leave the window, one more fits.
      const excess = inWindow.length + flying - limit.count;
      if (excess < 0) continue;
      const freeing = inWindow[excess];
      if (freeing === undefined) return 'answer';
      wait = Math.max(wait, freeing + limit.windowInMs - now + 1);
    }
    return wait;
  }
}
