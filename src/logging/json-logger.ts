import type { Clock } from '../domain/clock';
import type { LogFields, Logger, LogLevel } from '../domain/logger';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON line per event, with the fields of every enclosing `child` logger. */
export class JsonLogger implements Logger {
  constructor(
    private readonly level: LogLevel,
    private readonly clock: Clock,
    private readonly write: (line: string) => void = writeToStdout,
    private readonly fields: LogFields = {},
  ) {}

  debug(event: string, fields?: LogFields): void {
    this.log('debug', event, fields);
  }

  info(event: string, fields?: LogFields): void {
    this.log('info', event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    this.log('warn', event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.log('error', event, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, this.clock, this.write, { ...this.fields, ...fields });
  }

  private log(level: LogLevel, event: string, fields?: LogFields): void {
    if (rank[level] < rank[this.level]) return;
    const entry = { time: this.clock.now().toISOString(), level, event, ...this.fields, ...serialise(fields) };
    this.write(withoutReportTokens(JSON.stringify(entry)));
  }
}

/**
 * A signed report link is a bearer token for 24 hours: whatever carries one into a log line (a
 * URL, an error message, a card) has it replaced, the query of a /reports/ URL and the token itself.
 */
export function withoutReportTokens(line: string): string {
  // Most lines carry neither: they are not searched.
  if (!line.includes('/reports/') && !line.includes('v1.')) return line;
  return line.replace(/(\/reports\/[^\s"?#]*\?)[^\s"#]*/g, '$1[redacted]').replace(/\bv1\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, '[redacted]');
}

function serialise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

/**
 * Lines for stdout, written together once the work of this turn of the event loop is done: a pipe
 * is written synchronously, one system call a write, and turns in flight together log together.
 * Whatever is still waiting when the process exits is written then.
 */
let waiting: string[] = [];
let flushScheduled = false;

function flushStdout(): void {
  flushScheduled = false;
  if (waiting.length === 0) return;
  const text = waiting.join('');
  waiting = [];
  process.stdout.write(text);
}

let exitHooked = false;

export function writeToStdout(line: string): void {
  waiting.push(`${line}\n`);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', flushStdout);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStdout);
  }
}
