import type { LogFields, Logger, LogLevel } from '../domain/logger';

/** What telemetry does with the lines it watches. */
export interface Observers {
  turnDone(fields: LogFields): void;
  failure(level: LogLevel, event: string, error: Error): void;
}

/** Passes every line on unchanged, and tells the observers of the lines telemetry records. */
export class ObservedLogger implements Logger {
  constructor(
    private readonly inner: Logger,
    private readonly observers: Observers,
  ) {}

  debug(event: string, fields?: LogFields): void {
    this.inner.debug(event, fields);
  }

  info(event: string, fields?: LogFields): void {
    this.inner.info(event, fields);
    if (event === 'turn.done' && fields) this.safely(() => this.observers.turnDone(fields));
  }

  warn(event: string, fields?: LogFields): void {
    this.inner.warn(event, fields);
    this.failure('warn', event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.inner.error(event, fields);
    this.failure('error', event, fields);
  }

  child(fields: LogFields): Logger {
    return new ObservedLogger(this.inner.child(fields), this.observers);
  }

  private failure(level: LogLevel, event: string, fields: LogFields | undefined): void {
    const error = fields?.error;
    if (error instanceof Error) this.safely(() => this.observers.failure(level, event, error));
  }

  private safely(record: () => void): void {
    try {
      record();
    } catch {
      // Telemetry never fails the work it describes.
    }
  }
}
