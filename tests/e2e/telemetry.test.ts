import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { actionExecute, channelMessage, installationUpdate, personalMessage } from '../support/activities';
import { FakeConnector } from '../support/fake-connector';
import { FakeIngestion, type Envelope } from '../support/fake-ingestion';
import { demo } from '../support/test-bot';

const root = path.join(__dirname, '..', '..');

/** Packages that exist only for telemetry: none of them may be loaded while it is off. */
const telemetryPackages = /node_modules\/(@opentelemetry|@microsoft\/opentelemetry|@azure\/monitor-opentelemetry-exporter|@azure\/opentelemetry-instrumentation-azure-sdk)\//;

// Distinctive values: each must never reach the ingestion endpoint.
const messageText = 'please look at quokka-marmalade-4417 for me';
const escalationTitle = 'Turbine vibration narwhal-7093';
const sweepSecret = 'sweep-secret-aardvark-2291-xyz';
const botPassword = 'bot-password-pangolin-8812';
const linkToken = 'signed-link-token-okapi-5530';

interface BotProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

interface ProbeReport {
  readonly modules: string[];
  readonly refused: string[];
}

/** Starts `src/index.ts` as `npm start` does, with the probe preloaded, and waits until it listens. */
async function startProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '--require', './tests/support/process-probe.ts', 'src/index.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', APP_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /"event":"bot\.started".*?"port":(\d+)/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    void exited.then((code) => reject(new Error(`bot exited with ${code} before listening:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

async function post(url: string, activity: Record<string, unknown>): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return { status: response.status, body: await response.text() };
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const ofType = (envelopes: Envelope[], baseType: string): Envelope[] => envelopes.filter((e) => e.data.baseType === baseType);

describe('telemetry (Azure Monitor through OpenTelemetry)', function () {
  this.timeout(90_000);
  let dataDir: string;
  let connector: FakeConnector;
  let ingestion: FakeIngestion;
  const running: BotProcess[] = [];

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-telemetry-'));
    connector = new FakeConnector();
    await connector.start();
    ingestion = new FakeIngestion();
    await ingestion.start();
  });

  afterEach(async () => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await connector.stop();
    await ingestion.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<BotProcess> {
    const p = await startProcess({ DATA_DIR: path.join(dataDir, 'store'), PROVIDER_TENANT_IDS: demo.tenantId, PROBE_REPORT: path.join(dataDir, 'probe.json'), ...env });
    running.push(p);
    return p;
  }

  /** Stops the bot as App Service does (SIGTERM): what telemetry holds is exported before it exits. */
  async function stop(bot: BotProcess): Promise<ProbeReport> {
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0, bot.output());
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'probe.json'), 'utf8')) as ProbeReport;
  }

  it('loads no telemetry package without APPLICATIONINSIGHTS_CONNECTION_STRING', async () => {
    const bot = await start({});
    assert.equal((await post(bot.url, personalMessage(connector.serviceUrl, demo.users.alex, 'help'))).status, 200);
    const report = await stop(bot);
    assert.ok(report.modules.some((m) => m.includes(`${path.sep}node_modules${path.sep}restify${path.sep}`)), 'the probe sees the modules the bot loaded');
    assert.deepEqual(report.modules.filter((m) => telemetryPackages.test(m)), []);
    assert.deepEqual(report.refused, []);
    assert.equal(ingestion.requests.length, 0);
  });

  it('exports requests, Cosmos and Bot Connector dependencies, turn durations and events, and never a message text or a secret', async () => {
    const bot = await start({
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      ALERT_SWEEP_SECRET: sweepSecret,
      BOT_PASSWORD: botPassword,
      SWEEP_INTERVAL_SECONDS: '0',
      // Every trace kept (the default keeps at most 5 a second), nothing sent about the SDK itself.
      OTEL_TRACES_SAMPLER: 'always_on',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      MICROSOFT_OTEL_SDKSTATS_DISABLED: 'true',
      // The fake ingestion endpoint's certificate is a throwaway one.
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
      // The exporter keeps what it could not send under the temporary folder: this test's own.
      TMPDIR: dataDir,
    });
    const channel = demo.contosoChannel;
    // Alex (TAM) and Megan (manager) have the app; Megan's chat is gone, so her alerts are undeliverable.
    assert.equal((await post(bot.url, installationUpdate(connector.serviceUrl, demo.users.alex, 'add'))).status, 200);
    assert.equal((await post(bot.url, installationUpdate(connector.serviceUrl, demo.users.megan, 'add'))).status, 200);
    const megansChat = `a:personal-${demo.users.megan.aadObjectId}`;
    connector.respondWith((call) => (call.conversationId === megansChat ? { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } } : undefined));
    assert.equal((await post(bot.url, personalMessage(connector.serviceUrl, demo.users.alex, 'help'))).status, 200);
    assert.equal((await post(bot.url, personalMessage(connector.serviceUrl, demo.users.alex, messageText))).status, 200);
    const created = await post(
      bot.url,
      actionExecute(
        connector.serviceUrl,
        demo.users.adele,
        'escalation.create',
        { accountId: 'contoso', title: escalationTitle, description: `Seen at ${messageText}.`, severity: 'B', product: 'Azure', businessImpact: 'One site down.', contactPhone: '+44 20 7946 0958', supportCaseId: '' },
        { channel, replyToId: 'intake-1' },
      ),
    );
    assert.equal(created.status, 200);
    const escalationId = /ESC-CONTOSO-\d{4}/.exec(created.body)?.[0];
    assert.ok(escalationId, created.body);
    const acknowledged = await post(bot.url, actionExecute(connector.serviceUrl, demo.users.alex, 'escalation.acknowledge', { escalationId, accountId: 'contoso' }, { channel, replyToId: 'intake-1' }));
    assert.match(acknowledged.body, /Acknowledged by Alex Wilber/);
    assert.equal((await post(bot.url, channelMessage(connector.serviceUrl, demo.users.alex, channel, 'whoami'))).status, 200);
    assert.equal((await fetch(`${bot.url}/readyz?token=${linkToken}`)).status, 200);
    // A report link's token (the feature is off here: 404) goes neither to telemetry nor to the log.
    assert.equal((await fetch(`${bot.url}/reports/review.pdf?token=${linkToken}`)).status, 404);
    const sweep = await fetch(`${bot.url}/api/alerts/sweep`, { method: 'POST', headers: { authorization: `Bearer ${sweepSecret}` } });
    assert.equal(sweep.status, 200);
    assert.ok(connector.sent().length > 0, 'the bot answered through the connector');

    const report = await stop(bot);
    const envelopes = ingestion.envelopes();

    // Incoming requests, each its own operation.
    const requests = ofType(envelopes, 'RequestData');
    const urlOf = (r: Envelope): string => new URL(String(r.data.baseData.url)).pathname;
    const messages = requests.filter((r) => r.data.baseData.name === 'POST' && urlOf(r) === '/api/messages');
    assert.equal(messages.length, 7, `requests: ${requests.map((r) => `${String(r.data.baseData.name)} ${urlOf(r)}`).join(', ')}`);
    assert.ok(requests.some((r) => urlOf(r) === '/api/alerts/sweep' && r.data.baseData.responseCode === '200'));
    assert.ok(requests.some((r) => urlOf(r) === '/readyz'));
    assert.ok(requests.every((r) => !/\/dbs\//.test(urlOf(r))), 'the embedded store\'s own requests are not requests to the bot');

    // The log lines' correlation id is the request's operation (trace) id.
    const turns = logLines(bot.output()).filter((l) => l.event === 'turn.done');
    const operations = new Set(messages.map((r) => r.tags?.['ai.operation.id']));
    assert.equal(turns.length, messages.length);
    for (const turn of turns) assert.ok(operations.has(String(turn.correlationId)), `turn ${String(turn.correlationId)} has no request`);

    // Turns by kind: the command and the verb, on the request and as a metric.
    const help = turns.find((t) => t.kind === 'command' && t.name === 'help');
    const ack = turns.find((t) => t.kind === 'verb' && t.name === 'escalation.acknowledge');
    assert.ok(help && ack, JSON.stringify(turns.map((t) => [t.kind, t.name])));
    const helpRequest = messages.find((r) => r.tags?.['ai.operation.id'] === help.correlationId);
    assert.equal(helpRequest?.data.baseData.properties?.['tam.turn.kind'], 'command');
    assert.equal(helpRequest?.data.baseData.properties?.['tam.turn.name'], 'help');
    const durations = ofType(envelopes, 'MetricData').filter((m) => JSON.stringify(m.data.baseData).includes('tam.turn.duration'));
    const durationKinds = durations.map((m) => `${m.data.baseData.properties?.['tam.turn.kind']}:${m.data.baseData.properties?.['tam.turn.name'] ?? ''}`);
    assert.ok(durationKinds.includes('command:help') && durationKinds.includes('verb:escalation.acknowledge') && durationKinds.includes('verb:escalation.create'), durationKinds.join(', '));

    // Dependencies: the Bot Connector (fetch) and Cosmos (Azure SDK), inside the turns' operations.
    const dependencies = ofType(envelopes, 'RemoteDependencyData');
    const connectorCalls = dependencies.filter((d) => String(d.data.baseData.data).startsWith(`${connector.serviceUrl}v3/conversations/`));
    assert.ok(connectorCalls.length > 0, `dependencies: ${dependencies.map((d) => `${String(d.data.baseData.type)} ${String(d.data.baseData.target)} ${String(d.data.baseData.name)}`).join('; ')}`);
    const allOperations = new Set(requests.map((r) => r.tags?.['ai.operation.id']));
    assert.ok(connectorCalls.every((d) => allOperations.has(d.tags?.['ai.operation.id'])), 'each connector call belongs to a request (a turn, or the sweep)');
    assert.ok(connectorCalls.some((d) => d.tags?.['ai.operation.id'] === help.correlationId), 'the answer to "help" is a dependency of its turn');
    const cosmosCalls = dependencies.filter((d) => /^(GET|POST|PUT|PATCH|DELETE) \/dbs\/tam-assistant\/colls\//.test(String(d.data.baseData.name)));
    assert.ok(cosmosCalls.some((d) => operations.has(d.tags?.['ai.operation.id'])), 'Cosmos calls of a turn belong to it');

    // Events, each with ids only.
    const events = ofType(envelopes, 'EventData');
    const named = (name: string) => events.filter((e) => e.data.baseData.name === name);
    const about = (name: string, id: string | undefined) => named(name).filter((e) => e.data.baseData.properties?.escalationId === id);
    assert.equal(about('escalation.opened', escalationId).length, 1);
    assert.deepEqual(about('escalation.opened', escalationId)[0]?.data.baseData.properties, { accountId: 'contoso', escalationId, severity: 'B' });
    assert.ok(operations.has(about('escalation.opened', escalationId)[0]?.tags?.['ai.operation.id']), 'the event belongs to the turn that opened it');
    assert.equal(about('escalation.acknowledged', escalationId).length, 1);
    assert.ok(named('escalation.breached').length > 0, 'the sweep found the seeded breaches');
    assert.ok(named('alert.sent').length > 0, 'alerts went to Alex');
    assert.ok(named('alert.undeliverable').length > 0, 'alerts to Megan could not be delivered');

    // Nothing anyone wrote, no secret and no link token left the process.
    const received = ingestion.requests.map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
    for (const secret of [messageText, 'quokka-marmalade', escalationTitle, 'narwhal-7093', sweepSecret, botPassword, linkToken]) {
      assert.ok(!received.includes(secret), `"${secret}" was sent to Application Insights`);
    }
    assert.ok(requests.some((r) => urlOf(r) === '/reports/review.pdf'), 'the report request itself is recorded, without its query');
    assert.ok(!bot.output().includes(linkToken), 'the link token is not in the log');
    // Nothing else was sent anywhere: the probe kept on loopback what the SDK asks by itself (the
    // Azure VM metadata service, and the exporter's settings service when it gets to it).
    const expected = new Set(['169.254.169.254:80', 'settings.sdk.monitor.azure.com:443']);
    assert.deepEqual(report.refused.filter((d) => !expected.has(d)), []);
  });
});
