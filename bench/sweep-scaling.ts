import { BulkOperationType, CosmosClient, type Container, type JSONObject, type OperationInput } from '@azure/cosmos';
import { performance } from 'node:perf_hooks';
import { addDays, calendarDateOf } from '../src/domain/calendar-date';
import type { Escalation } from '../src/domain/escalation';
import { initialSla, slaTargetsFor } from '../src/domain/escalation-sla';
import { JsonLogger } from '../src/logging/json-logger';
import { runAlertSweep } from '../src/services/alerts';
import { demoTenantId } from '../src/services/seed-demo-world';
import { ensureContainers, type Containers } from '../src/store/containers';
import { CosmosAlertRepository } from '../src/store/cosmos-alert-repository';
import { CosmosAlertSettingsRepository } from '../src/store/cosmos-alert-settings-repository';
import { contractDocument, CosmosContractRepository } from '../src/store/cosmos-contract-repository';
import { CosmosDeliveryPlanRepository, planDocument } from '../src/store/cosmos-delivery-plan-repository';
import { CosmosDirectoryRepository } from '../src/store/cosmos-directory-repository';
import { CosmosEscalationRepository, escalationDocument } from '../src/store/cosmos-escalation-repository';
import { CosmosOutboxRepository } from '../src/store/cosmos-outbox-repository';
import { startEmbeddedCosmos } from '../src/store/embedded-cosmos';
import { CosmosRequestCounter, requestKinds, type RequestKind } from './cosmos-request-counter';
import { inParallel } from './seed-bench';

export interface SweepMeasure {
  readonly escalations: number;
  readonly accounts: number;
  readonly sweepMs: number;
  /** Escalations, contracts and plans the sweep found due and ran the rules on. */
  readonly subjectsChecked: number;
  readonly requests: Record<RequestKind, number> & { total: number };
  /** Of the sweep's time, how long the store took to answer its queries. */
  readonly queryMs: number;
}

/**
 * The instant of each measure, held still: the sweep sees the store as it was seeded. With the time
 * running on, contracts whose daily check falls in the minutes the loading took came due as well.
 */
let measuredAt = new Date();
const clock = { now: () => new Date(measuredAt) };

/** Loads documents in bulk, 100 to a request: loading 120,000 one by one would take longer than the bench may. */
async function bulkCreate(container: Container, docs: Record<string, unknown>[]): Promise<void> {
  const batches: OperationInput[][] = [];
  for (let i = 0; i < docs.length; i += 100) {
    batches.push(docs.slice(i, i + 100).map((doc): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: doc as JSONObject, partitionKey: String(doc.accountId) })));
  }
  await inParallel(batches, 4, async (batch) => {
    const results = await container.items.bulk(batch);
    const failed = results.filter((r) => r.statusCode >= 300);
    if (failed.length > 0) throw new Error(`bulk load: ${failed.length} failed (${failed[0]?.statusCode})`);
  });
}
const quiet = new JsonLogger('error', clock, () => undefined);

function repositories(containers: Containers) {
  return {
    escalations: new CosmosEscalationRepository(containers.accounts),
    contracts: new CosmosContractRepository(containers.accounts),
    plans: new CosmosDeliveryPlanRepository(containers.accounts),
    alerts: new CosmosAlertRepository(containers.accounts),
    alertSettings: new CosmosAlertSettingsRepository(containers.directory),
    directory: new CosmosDirectoryRepository(containers.directory, clock, 0),
    outbox: new CosmosOutboxRepository(containers.outbox),
  };
}

/**
 * Fills a fresh store with escalations, contracts and plans none of which is due but a handful,
 * then times one alert sweep through a request counter.
 */
export async function measureSweep(size: { escalations: number; accounts: number; due: number }): Promise<SweepMeasure> {
  measuredAt = new Date();
  // The store counts the requests it takes up: no proxy between the sweep and the store.
  const counter = new CosmosRequestCounter();
  const store = await startEmbeddedCosmos({ logger: quiet, onRequest: (req, res, body) => counter.observe(req, res, body) });
  const loader = new CosmosClient({ endpoint: store.endpoint, key: 'local', connectionPolicy: { enableEndpointDiscovery: false } });
  const { containers } = await ensureContainers(loader, 'tam-assistant');
  const load = repositories(containers);
  const now = clock.now();
  const today = calendarDateOf(now);
  const accountIds = Array.from({ length: size.accounts }, (_, i) => `acct-${String(i + 1).padStart(5, '0')}`);
  await load.directory.upsertPerson({ tenantId: demoTenantId, aadObjectId: 'sweep-tam', displayName: 'Sweep TAM', role: 'tam', accountIds: accountIds.slice(0, 10) });

  const seen = { alertCursor: now.toISOString() };
  await bulkCreate(
    containers.accounts,
    accountIds.flatMap((accountId) => [
      contractDocument({
        contractId: `${accountId}-c`,
        accountId,
        contractType: 'Premier',
        startDate: addDays(today, -30),
        endDate: addDays(today, 335),
        buckets: [{ name: 'Proactive', purchasedHours: 100 }],
        ...seen,
        alertSeenLedgerVersion: 0,
      }),
      planDocument({ accountId, contractId: `${accountId}-c`, cadence: 'monthly', nextCheckInDue: addDays(today, 20), nextItemNumber: 1, items: [], updatedAt: now.toISOString(), ...seen }),
    ]),
  );

  const openedLongAgo = new Date(now.getTime() - 3 * 3600_000).toISOString();
  const escalation = (n: number, due: boolean): Escalation => {
    const accountId = accountIds[n % accountIds.length] ?? 'acct-00001';
    const openedAt = due ? openedLongAgo : now.toISOString();
    const sla = initialSla(new Date(openedAt), slaTargetsFor('B'));
    return {
      escalationId: `ESC-${accountId.replace('-', '').toUpperCase()}-${String(n + 1).padStart(6, '0')}`,
      accountId,
      number: n + 1,
      title: `Escalation ${n}`,
      description: 'Measured',
      severity: 'B',
      product: 'Azure',
      status: due ? 'new' : 'acknowledged',
      openedBy: { key: 'k', name: 'Bench', role: 'customer' },
      openedAt,
      sla: due ? sla : { ...sla, respondedAt: now.toISOString(), nextUpdateDueAt: new Date(now.getTime() + 20 * 86_400_000).toISOString() },
      timeline: [],
      watchers: [],
      version: 1,
      recentActions: [],
      intakeKey: `k${n}`,
      updatedAt: now.toISOString(),
      ...(due ? {} : { alertCursor: now.toISOString(), alertSeenVersion: 1 }),
    };
  };
  await bulkCreate(containers.accounts, Array.from({ length: size.escalations }, (_, i) => escalationDocument(escalation(i, i < size.due))));

  // Azure Cosmos DB keeps its range indexes from the first write; the embedded store makes one when
  // a query first bounds a path. Each path the sweep bounds on these containers' bulk of items is
  // bounded once before the timed sweep, so the sweep meets an index as Cosmos keeps it.
  for (const [type, path] of [['escalation', 'alertCheckAt'], ['contract', 'alertCheckAt'], ['plan', 'alertCheckAt'], ['plan', 'nextCheckInDue']] as const) {
    await containers.accounts.items.query({ query: `SELECT TOP 1 c.id FROM c WHERE c.type = @type AND c.${path} <= @now`, parameters: [{ name: '@type', value: type }, { name: '@now', value: now.toISOString() }] }).fetchAll();
  }
  const client = new CosmosClient({ endpoint: store.endpoint, key: 'local', connectionPolicy: { enableEndpointDiscovery: false } });
  const { containers: counted } = await ensureContainers(client, 'tam-assistant');
  const deps = { ...repositories(counted), clock, logger: quiet, providerTenantIds: [demoTenantId] };
  counter.reset();
  const started = performance.now();
  const report = await runAlertSweep(deps);
  const sweepMs = performance.now() - started;
  const queryMs = counter.timeInMs['query, one partition'] + counter.timeInMs['query, cross-partition'];
  const counts = counter.reset();
  if (report.subjectsChecked < size.due) throw new Error(`the sweep saw ${report.subjectsChecked} subjects, expected at least ${size.due}`);
  client.dispose();
  loader.dispose();
  await store.close();
  return { escalations: size.escalations, accounts: size.accounts, sweepMs, subjectsChecked: report.subjectsChecked, queryMs, requests: { ...counts, total: requestKinds.reduce((s, k) => s + counts[k], 0) } };
}
