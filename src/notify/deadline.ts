/**
 * Deadlines as abort signals, like `AbortSignal.timeout`, whose timers are let go once nothing
 * waits on them. Every turn makes several (its store budget, its send and queue deadlines, one per
 * connector call); left to fire long after the turn, each would still build a TimeoutError and
 * dispatch an abort event that nobody listens to.
 */
const timers = new WeakMap<AbortSignal, NodeJS.Timeout>();
let pending = 0;

/** How many deadlines are waiting to fire: what a process holds between turns. */
export function deadlinesPending(): number {
  return pending;
}

/** A signal that aborts with a `TimeoutError` after `ms`, unless `releaseDeadline` lets it go first. */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => {
    timers.delete(signal);
    pending -= 1;
    controller.abort(timeoutError());
  }, ms);
  // A deadline alone does not keep the process running, as with AbortSignal.timeout.
  timer.unref();
  timers.set(signal, timer);
  pending += 1;
  return signal;
}

/** Nothing waits on this deadline any more: it never fires. Any other signal is left as it is. */
export function releaseDeadline(signal: AbortSignal): void {
  const timer = timers.get(signal);
  if (!timer) return;
  clearTimeout(timer);
  timers.delete(signal);
  pending -= 1;
}

/**
 * A signal that aborts when `outer` does (with its reason) or after `ms`, whichever comes first;
 * `release` lets both go. For one call bounded by its caller's deadline and its own timeout.
 */
export function boundedSignal(outer: AbortSignal | undefined, ms: number): { readonly signal: AbortSignal; release(): void } {
  const own = deadlineSignal(ms);
  if (!outer) return { signal: own, release: () => releaseDeadline(own) };
  if (outer.aborted) {
    releaseDeadline(own);
    return { signal: outer, release: () => undefined };
  }
  const controller = new AbortController();
  const fromOuter = (): void => controller.abort(outer.reason);
  const fromOwn = (): void => controller.abort(own.reason);
  outer.addEventListener('abort', fromOuter, { once: true });
  own.addEventListener('abort', fromOwn, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      outer.removeEventListener('abort', fromOuter);
      own.removeEventListener('abort', fromOwn);
      releaseDeadline(own);
    },
  };
}

function timeoutError(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}
