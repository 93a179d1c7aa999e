import assert from 'node:assert/strict';
import type { LogFields } from '../../src/domain/logger';
import { JsonLogger } from '../../src/logging/json-logger';
import { ObservedLogger } from '../../src/telemetry/observed-logger';

describe('ObservedLogger', () => {
  const clock = { now: () => new Date('2026-03-02T10:00:00Z') };

  function observed(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
    const lines: Record<string, unknown>[] = [];
    const turns: LogFields[] = [];
    const failures: string[] = [];
    const logger = new ObservedLogger(new JsonLogger(level, clock, (line) => lines.push(JSON.parse(line) as Record<string, unknown>)), {
      turnDone: (fields) => turns.push(fields),
      failure: (lineLevel, event, error) => failures.push(`${lineLevel} ${event} ${error.message}`),
    });
    return { logger, lines, turns, failures };
  }

  it('writes every line as the logger it wraps does, with the fields of its children', () => {
    const { logger, lines } = observed();
    logger.child({ correlationId: 'abc' }).info('turn.done', { durationInMs: 12, kind: 'command', name: 'help' });
    assert.deepEqual(lines, [{ time: '2026-03-02T10:00:00.000Z', level: 'info', event: 'turn.done', correlationId: 'abc', durationInMs: 12, kind: 'command', name: 'help' }]);
  });

  it('hands turn.done to the turn-duration observer, from a child logger too, whatever the log level', () => {
    const { logger, lines, turns } = observed('error');
    logger.child({ correlationId: 'abc' }).info('turn.done', { durationInMs: 12, kind: 'verb', name: 'escalation.acknowledge' });
    logger.info('bot.started', {});
    assert.equal(lines.length, 0);
    assert.deepEqual(turns, [{ durationInMs: 12, kind: 'verb', name: 'escalation.acknowledge' }]);
  });

  it('reports lines that carry an error as failures, and only those', () => {
    const { logger, failures } = observed();
    logger.error('turn.failed', { error: new Error('boom') });
    logger.child({ x: 1 }).warn('turn.store_unavailable', { error: new Error('timed out') });
    logger.warn('http.request_refused', { status: 401 });
    logger.error('dispatcher.failed', { error: 'not an Error' });
    assert.deepEqual(failures, ['error turn.failed boom', 'warn turn.store_unavailable timed out']);
  });

  it('still logs when telemetry throws', () => {
    const lines: string[] = [];
    const logger = new ObservedLogger(new JsonLogger('info', clock, (line) => lines.push(line)), {
      turnDone: () => {
        throw new Error('exporter broke');
      },
      failure: () => {
        throw new Error('exporter broke');
      },
    });
    logger.info('turn.done', { durationInMs: 1, kind: 'message' });
    logger.error('turn.failed', { error: new Error('boom') });
    assert.equal(lines.length, 2);
  });
});
