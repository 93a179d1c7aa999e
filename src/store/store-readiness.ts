import type { Container } from '@azure/cosmos';
import type { Clock } from '../domain/clock';

/** What each store call tells readiness: whether the store answered it. */
export interface StoreObserver {
  /** `status`: the HTTP status of the store's answer; undefined when none came (a timeout, the network). */
  observed(status: number | undefined): void;
}

/** How long a store answer keeps the process ready without another look at the store. */
export const readinessWindowInMs = 60_000;

/**
 * Whether the store answers, cheap enough for a health probe every few seconds: a store call
 * answered within the window counts, so a probe reads the store only when nothing reached it
 * lately or the last call got no answer. That read is one point read of an item that need not
 * exist (1 RU, data plane; database reads are metadata requests, which Cosmos throttles apart from
 * data and keeps out of health probes). Probes arriving together share it.
 */
export class StoreReadiness implements StoreObserver {
  private answeredAt: number | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly clock: Clock,
    private readonly windowInMs = readinessWindowInMs,
  ) {}

  observed(status: number | undefined): void {
    if (isStoreAnswer(status)) this.answeredAt = this.clock.now().getTime();
    else this.answeredAt = undefined;
  }

  isReady(): Promise<boolean> {
    const at = this.answeredAt;
    if (at !== undefined && this.clock.now().getTime() - at < this.windowInMs) return Promise.resolve(true);
    this.probing ??= this.probe()
      .then(
        () => {
          this.observed(200);
          return true;
        },
        () => {
          this.observed(undefined);
          return false;
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }
}

/**
 * The store is there when it answers: every status but a server error or a request timeout. A 404 or
 * 412 is an answer about the item; a 429 is a busy store, not a missing one (taking instances out
 * of rotation would not make it less busy).
 */
export function isStoreAnswer(status: number | undefined): boolean {
  return status !== undefined && status !== 408 && status < 500;
}

/** A point read of an item that need not exist, within `timeoutInMs`; it throws when the store gives no answer. */
export function pointReadProbe(container: Container, timeoutInMs: number): () => Promise<void> {
  return async () => {
    // The SDK answers a missing item with a 404 response, not an error.
    const { statusCode } = await container.item('readiness-probe', 'readiness-probe').read({ abortSignal: AbortSignal.timeout(timeoutInMs) });
    if (!isStoreAnswer(statusCode)) throw new Error(`the store answered ${statusCode}`);
  };
}
