import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import sinon from 'sinon';
import { JsonLogger, withoutReportTokens, writeToStdout } from '../../src/logging/json-logger';

const root = path.join(__dirname, '..', '..');

/** Runs a script in a process of its own with tsx, and returns what it wrote to stdout. */
function stdoutOf(script: string): string {
  try {
    return execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? '');
  }
}

const logThree = `
  const { JsonLogger } = require('./src/logging/json-logger');
  const logger = new JsonLogger('info', { now: () => new Date('2026-03-02T09:00:00Z') });
  for (const n of [1, 2, 3]) logger.info('step', { n });
`;

const events = (out: string): unknown[] => out.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { n?: number }).n);

describe('JSON logger on stdout', function () {
  this.timeout(30_000);

  it('writes each line whole and in order, lines logged together in one write', async () => {
    assert.deepEqual(events(stdoutOf(logThree)), [1, 2, 3]);
    const write = sinon.stub(process.stdout, 'write').returns(true);
    try {
      writeToStdout('{"n":1}');
      writeToStdout('{"n":2}');
      assert.equal(write.callCount, 0, 'not before the work at hand is done');
      await new Promise((resolve) => setImmediate(resolve));
      writeToStdout('{"n":3}');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      write.restore();
    }
    assert.deepEqual(write.args.map((a) => a[0]), ['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
  });

  it('loses no line logged just before the process exits or fails', () => {
    assert.deepEqual(events(stdoutOf(`${logThree}; process.exit(0);`)), [1, 2, 3]);
    assert.deepEqual(events(stdoutOf(`${logThree}; throw new Error('boom');`)), [1, 2, 3]);
  });

  it('redacts signed report links and tokens, and leaves other lines as they are', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('info', { now: () => new Date('2026-03-02T09:00:00Z') }, (line) => lines.push(line));
    logger.info('report.sent', { url: 'https://bot.example/reports/review?account=contoso&sig=abc', token: `v1.${'a'.repeat(20)}.${'b'.repeat(20)}` });
    logger.info('turn.done', { ms: 12 });
    assert.doesNotMatch(lines[0] ?? '', /sig=abc|aaaaaaaaaaaaaaaaaaaa/);
    assert.match(lines[0] ?? '', /\/reports\/review\?\[redacted\]/);
    assert.equal(withoutReportTokens(lines[1] ?? ''), lines[1]);
    assert.match(lines[1] ?? '', /"ms":12/);
  });
});
