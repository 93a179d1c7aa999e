import { CosmosClient } from '@azure/cosmos';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CardTemplates } from '../src/cards/card-templates';
import type { Alert } from '../src/domain/alert';
import { JsonLogger } from '../src/logging/json-logger';
import { BotConnectorClient } from '../src/notify/bot-connector-client';
import { RateLimitedMessenger } from '../src/notify/rate-limited-messenger';
import { realTimer } from '../src/notify/rate-limits';
import { ConnectorTeamsMessenger } from '../src/notify/teams-messenger';
import { deliverDueOutbox } from '../src/services/deliver-outbox';
import { demoTenantId } from '../src/services/seed-demo-world';
import { ensureContainers } from '../src/store/containers';
import { CosmosAccountRepository } from '../src/store/cosmos-account-repository';
import { CosmosAlertRepository } from '../src/store/cosmos-alert-repository';
import { CosmosAlertSettingsRepository } from '../src/store/cosmos-alert-settings-repository';
import { CosmosContractRepository } from '../src/store/cosmos-contract-repository';
import { CosmosConversationReferenceRepository } from '../src/store/cosmos-conversation-repository';
import { CosmosDeliveryPlanRepository } from '../src/store/cosmos-delivery-plan-repository';
import { CosmosDirectoryRepository } from '../src/store/cosmos-directory-repository';
import { CosmosEscalationRepository } from '../src/store/cosmos-escalation-repository';
import { CosmosOutboxRepository } from '../src/store/cosmos-outbox-repository';
import { startEmbeddedCosmos } from '../src/store/embedded-cosmos';
import { closeServer, listenOnLoopback } from '../tests/support/loopback';
import { inParallel } from './seed-bench';

export interface SenderMeasure {
  readonly seconds: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly throttled: number;
  /** From the start until the connector accepted the first message. */
  readonly firstDeliveryInMs: number;
}

export interface FanOutResult {
  readonly alerts: number;
  readonly conversations: number;
  readonly theoreticalSeconds: number;
  readonly outbox: SenderMeasure;
  readonly naive: SenderMeasure;
}

/** A Bot Connector that enforces the Teams limits and answers 429 + Retry-After past them. */
class LimitedConnector {
  private server: http.Server | undefined;
  private readonly perConversation = new Map<string, number[]>();
  private tenant: number[] = [];
  readonly accepted: string[] = [];
  readonly acceptedAt: number[] = [];
  throttled = 0;

  get serviceUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/`;
  }

  reset(): void {
    this.perConversation.clear();
    this.tenant = [];
    this.accepted.length = 0;
    this.acceptedAt.length = 0;
    this.throttled = 0;
  }

  async start(): Promise<void> {
    this.server = http.createServer({ keepAlive: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '');
        const now = performance.now();
        const stamps = (this.perConversation.get(conversation) ?? []).filter((t) => now - t < 30_000);
        this.tenant = this.tenant.filter((t) => now - t < 1_000);
        const within = (ms: number): number => stamps.filter((t) => now - t < ms).length;
        if (within(1_000) >= 7 || within(2_000) >= 8 || stamps.length >= 60 || this.tenant.length >= 50) {
          this.throttled += 1;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end(JSON.stringify({ error: { code: 'TooManyRequests' } }));
          return;
        }
        stamps.push(now);
        this.perConversation.set(conversation, stamps);
        this.tenant.push(now);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { attachments?: { content?: { body?: { items?: { inlines?: { text?: string }[] }[] }[] } }[] };
        const title = JSON.stringify(body.attachments?.[0]?.content?.body?.[0]?.items?.[1]?.inlines?.[0]?.text ?? '');
        this.accepted.push(`${conversation}|${title}`);
        this.acceptedAt.push(now);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `m${this.accepted.length}` }));
      });
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  measure(startedAt: number, expected: number): SenderMeasure {
    const unique = new Set(this.accepted).size;
    const seconds = (performance.now() - startedAt) / 1000;
    return { seconds, delivered: unique, lost: expected - unique, duplicated: this.accepted.length - unique, throttled: this.throttled, firstDeliveryInMs: (this.acceptedAt[0] ?? startedAt) - startedAt };
  }
}

/** 1,000 alerts to 200 people: the outbox sender against a naive sequential one, same connector. */
export async function measureFanOut(size: { alerts: number; conversations: number }): Promise<FanOutResult> {
  let offsetInMs = 0;
  // Real time, but a pass can move it on so that items left pending are due again at once.
  const clock = { now: () => new Date(Date.now() + offsetInMs) };
  const quiet = new JsonLogger('error', clock, () => undefined);
  const connector = new LimitedConnector();
  await connector.start();
  const store = await startEmbeddedCosmos({ logger: quiet });
  const client = new CosmosClient({ endpoint: store.endpoint, key: 'local', connectionPolicy: { enableEndpointDiscovery: false } });
  const { containers } = await ensureContainers(client, 'tam-assistant');
  const repos = {
    accounts: new CosmosAccountRepository(containers.accounts),
    alerts: new CosmosAlertRepository(containers.accounts),
    alertSettings: new CosmosAlertSettingsRepository(containers.directory),
    conversations: new CosmosConversationReferenceRepository(containers.conversations),
    outbox: new CosmosOutboxRepository(containers.outbox),
    escalations: new CosmosEscalationRepository(containers.accounts),
    contracts: new CosmosContractRepository(containers.accounts),
    plans: new CosmosDeliveryPlanRepository(containers.accounts),
    directory: new CosmosDirectoryRepository(containers.directory, clock, 0),
  };
  await repos.accounts.upsertAccount({ accountId: 'fanout', name: 'Fan-out Ltd', code: 'FANOUT', customerTenantIds: [] });
  const people = Array.from({ length: size.conversations }, (_, i) => `person-${String(i + 1).padStart(4, '0')}`);
  await inParallel(people, 32, (aad) =>
    repos.conversations.save({
      conversationId: `a:${aad}`,
      conversationType: 'personal',
      tenantId: demoTenantId,
      serviceUrl: connector.serviceUrl,
      userAadObjectId: aad,
      reference: {},
      capturedAt: clock.now().toISOString(),
    }),
  );
  const alerts: Alert[] = Array.from({ length: size.alerts }, (_, i) => ({
    alertId: `fanout-${i}`,
    accountId: 'fanout',
    rule: 'renewal-approaching',
    subject: { kind: 'contract', contractId: 'C' },
    severity: 'normal',
    title: `Alert ${i}`,
    detail: 'Measured fan-out',
    raisedAt: clock.now().toISOString(),
    recipients: [`${demoTenantId}:${people[i % people.length]}`],
    status: 'open',
    reminders: 0,
  }));
  await inParallel(alerts, 32, (a) => repos.alerts.create(a));
  await inParallel(alerts, 32, (a) =>
    repos.outbox.enqueue({
      id: `alert:${a.alertId}`,
      target: { kind: 'person', tenantId: demoTenantId, aadObjectId: a.recipients[0]!.split(':')[1] ?? '' },
      intent: { kind: 'alert', accountId: 'fanout', alertId: a.alertId, occurrence: 0 },
      status: 'pending',
      createdAt: clock.now().toISOString(),
      attempts: 0,
      nextAttemptAt: clock.now().toISOString(),
    }),
  );

  const cards = CardTemplates.load();
  const plain = new ConnectorTeamsMessenger(new BotConnectorClient({}), cards, clock);

  // The outbox path: claims, Teams limits, Retry-After, retries within a budget.
  const messenger = new RateLimitedMessenger(plain, realTimer, Math.random);
  const deps = { ...repos, messenger, clock, logger: quiet, random: Math.random, instanceId: 'bench' };
  const t0 = performance.now();
  for (let pass = 0; pass < 20; pass++) {
    await deliverDueOutbox(deps); // as the dispatcher calls it
    if ((await repos.outbox.listDue(new Date(Date.now() + 10 * 86_400_000), 1)).length === 0) break;
    offsetInMs += 60 * 60_000;
  }
  const outbox = connector.measure(t0, size.alerts);

  // A naive sender: one after the other, waiting out each 429 before trying that message again.
  connector.reset();
  const t1 = performance.now();
  for (const alert of alerts) {
    const aad = alert.recipients[0]!.split(':')[1] ?? '';
    const reference = await repos.conversations.getPersonal({ tenantId: demoTenantId, aadObjectId: aad });
    if (!reference) continue;
    for (;;) {
      const result = await plain.post(reference, { kind: 'alert', alert, accountName: 'Fan-out Ltd', reminder: false }, 'own');
      if (result.status !== 'retry') break;
      await realTimer.sleep(result.retryAfterInMs ?? 1_000);
    }
  }
  const naive = connector.measure(t1, size.alerts);

  client.dispose();
  await store.close();
  await connector.stop();
  // 50 per second per tenant: the first 50 at once, the last 50 after (alerts / 50 - 1) seconds.
  return { alerts: size.alerts, conversations: size.conversations, theoreticalSeconds: Math.ceil(size.alerts / 50) - 1, outbox, naive };
}
