import type { Logger } from '../domain/logger';
import type { BusinessEvents } from './business-events';

/**
 * The process's telemetry while it exports to Azure Monitor. The rest of the app sees only this
 * interface; the OpenTelemetry packages behind it are loaded only when it is switched on.
 */
export interface Telemetry {
  /** Custom events for what happened to escalations and alerts. */
  readonly events: BusinessEvents;
  /**
   * The logger, observed: `turn.done` becomes the turn-duration metric (by kind and name) and marks
   * the request with them; a line carrying an `error` becomes an exception. Every line still goes
   * to `logger` as it was.
   */
  observe(logger: Logger): Logger;
  /** The trace id of the active span (the incoming request), or undefined outside one. */
  readonly traceId: () => string | undefined;
  /** Exports everything recorded so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops; nothing is recorded afterwards. */
  shutdown(): Promise<void>;
}
