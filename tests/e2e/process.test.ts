import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { actionExecute, channelMessage } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { FakeConnector } from '../support/fake-connector';
import { demo } from '../support/test-bot';

const root = path.join(__dirname, '..', '..');

interface BotProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `src/index.ts` as its own process, the way `npm start` does, and waits until it listens. */
async function startProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/index.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', APP_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /"event":"bot\.started".*?"port":(\d+)/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => reject(new Error(`bot exited with ${code} before listening:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/index.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', APP_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('the bot as a process (npm start)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let connector: FakeConnector;
  const running: BotProcess[] = [];

  before(async () => {
    connector = new FakeConnector();
    await connector.start();
  });

  after(async () => {
    await connector.stop();
  });

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-process-'));
    connector.reset();
  });

  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<BotProcess> {
    const p = await startProcess({ DATA_DIR: dataDir, PROVIDER_TENANT_IDS: demo.tenantId });
    running.push(p);
    return p;
  }

  async function post(url: string, activity: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return response.status;
  }

  it('exits non-zero with a readable message on invalid configuration', async () => {
    const { code, output } = await runToExit({ PORT: 'abc', PROVIDER_TENANT_IDS: demo.tenantId, DATA_DIR: dataDir });
    assert.equal(code, 1);
    assert.equal(output.trim(), 'Invalid configuration: PORT: expected a port number between 0 and 65535 (got "abc")');
  });

  it('names a missing required variable', async () => {
    const { code, output } = await runToExit({ DATA_DIR: dataDir });
    assert.equal(code, 1);
    assert.match(output, /PROVIDER_TENANT_IDS: expected at least one tenant id/);
  });

  it('serves /healthz and /readyz, says authentication is off, and stops cleanly on SIGTERM', async () => {
    const bot = await start();
    assert.equal((await fetch(`${bot.url}/healthz`)).status, 200);
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', store: 'reachable' });
    assert.match(bot.output(), /channel authentication OFF \(BOT_ID not set\)/);
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0);
    assert.match(bot.output(), /"event":"bot\.stopped"/);
  });

  it('keeps data written before a crash (SIGKILL) and before a clean stop (SIGINT)', async () => {
    const first = await start();
    assert.equal(await post(first.url, channelMessage(connector.serviceUrl, demo.users.alex, demo.newChannel, 'link fabrikam')), 200);
    assert.match(cardText(onlyCard(connector.sent())), /Linked to Fabrikam Inc/);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start();
    assert.equal(await post(second.url, channelMessage(connector.serviceUrl, demo.users.stranger, demo.newChannel, 'whoami')), 200);
    assert.match(cardText(onlyCard(connector.sent())), /Linked to Fabrikam Inc \(fabrikam\)/);
    assert.equal(await post(second.url, channelMessage(connector.serviceUrl, demo.users.isaiah, demo.newChannel, 'link northwind')), 200);
    assert.match(cardText(onlyCard(connector.sent())), /linked to Fabrikam Inc/, 'a linked channel moves only when confirmed');
    assert.equal(
      await post(second.url, actionExecute(connector.serviceUrl, demo.users.isaiah, 'channel.move', { account: 'northwind', from: 'fabrikam' }, { channel: demo.newChannel, replyToId: 'confirm' })),
      200,
    );
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);

    const third = await start();
    assert.doesNotMatch(third.output(), /demo_seeded/, 'the demo world is seeded only once');
    assert.equal(await post(third.url, channelMessage(connector.serviceUrl, demo.users.stranger, demo.newChannel, 'whoami')), 200);
    assert.match(cardText(onlyCard(connector.sent())), /Linked to Northwind Traders \(northwind\)/);
  });
});
