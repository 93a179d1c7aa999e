import type { Clock } from '../src/domain/clock';
import { addDays, calendarDateOf } from '../src/domain/calendar-date';
import { personKey, type Person } from '../src/domain/directory';
import type { Containers } from '../src/store/containers';
import { CosmosAccountRepository } from '../src/store/cosmos-account-repository';
import { CosmosContractRepository } from '../src/store/cosmos-contract-repository';
import { emptyLedgerSummary } from '../src/domain/ledger-summary';
import { CosmosDeliveryPlanRepository } from '../src/store/cosmos-delivery-plan-repository';
import { CosmosDirectoryRepository } from '../src/store/cosmos-directory-repository';
import { CosmosAlertRepository } from '../src/store/cosmos-alert-repository';
import { CosmosEscalationRepository } from '../src/store/cosmos-escalation-repository';
import { CosmosHealthRepository } from '../src/store/cosmos-health-repository';
import { summariseHealth } from '../src/domain/account-health';
import { readHealthFacts } from '../src/services/account-health';
import { demoTenantId } from '../src/services/seed-demo-world';

export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

/**
 * Accounts with a contract and a delivery plan whose check-in is due, all worked by one bench
 * TAM: every measured `checkin.submit` records a real check-in, not a repeat of the last one.
 */
export async function seedCheckInAccounts(containers: Containers, clock: Clock, count: number): Promise<{ tam: Person; accounts: { accountId: string; dueDate: string }[] }> {
  const accounts = new CosmosAccountRepository(containers.accounts);
  const directory = new CosmosDirectoryRepository(containers.directory, clock, 0);
  const contracts = new CosmosContractRepository(containers.accounts);
  const plans = new CosmosDeliveryPlanRepository(containers.accounts);
  const today = calendarDateOf(clock.now());
  const ids = Array.from({ length: count }, (_, i) => `bench-${String(i + 1).padStart(4, '0')}`);
  const tam: Person = {
    tenantId: demoTenantId,
    aadObjectId: '00000000-0000-0000-0000-0000000000077',
    displayName: 'Bea Bench',
    role: 'tam',
    accountIds: ids,
  };
  await directory.upsertPerson(tam);
  const owner = { key: personKey(tam), name: tam.displayName };
  const dueDate = addDays(today, -1);
  await inParallel(ids, 16, async (accountId) => {
    await accounts.upsertAccount({ accountId, name: `Bench ${accountId}`, code: accountId.replace('-', '').toUpperCase(), customerTenantIds: [demoTenantId] });
    await contracts.upsertContract({
      contractId: `${accountId}-c`,
      accountId,
      contractType: 'Premier',
      startDate: addDays(today, -100),
      endDate: addDays(today, 265),
      buckets: [{ name: 'Proactive', purchasedHours: 200 }],
      // A new contract: nothing logged yet, so its ledger summary is the empty one.
      ledgerSummary: emptyLedgerSummary,
    });
    await plans.createPlan({
      accountId,
      contractId: `${accountId}-c`,
      cadence: 'weekly',
      nextCheckInDue: dueDate,
      nextItemNumber: 2,
      updatedAt: clock.now().toISOString(),
      items: [{ itemId: 'PI-1', type: 'Workshop', title: 'Bench workshop', plannedHours: 8, dueDate: addDays(today, 10), owner, status: 'scheduled', health: 'green', createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() }],
    });
  });
  return { tam, accounts: ids.map((accountId) => ({ accountId, dueDate })) };
}

/**
 * A manager whose two TAMs have `count` accounts between them, each with a contract (value and
 * cost rate) and its health summary computed as the sweep computes it: a `portfolio` to measure.
 */
export async function seedPortfolioAccounts(containers: Containers, clock: Clock, count: number): Promise<{ manager: Person }> {
  const accounts = new CosmosAccountRepository(containers.accounts);
  const directory = new CosmosDirectoryRepository(containers.directory, clock, 0);
  const contracts = new CosmosContractRepository(containers.accounts);
  const deps = {
    accounts,
    directory,
    contracts,
    plans: new CosmosDeliveryPlanRepository(containers.accounts),
    escalations: new CosmosEscalationRepository(containers.accounts),
    alerts: new CosmosAlertRepository(containers.accounts),
    health: new CosmosHealthRepository(containers.directory),
    clock,
  };
  const now = clock.now();
  const today = calendarDateOf(now);
  const ids = Array.from({ length: count }, (_, i) => `folio-${String(i + 1).padStart(3, '0')}`);
  const manager: Person = { tenantId: demoTenantId, aadObjectId: '00000000-0000-0000-0000-0000000000078', displayName: 'Mina Manager', role: 'manager', accountIds: [] };
  await directory.upsertPerson(manager);
  for (const t of [0, 1]) {
    const half = Math.ceil(count / 2);
    await directory.upsertPerson({ tenantId: demoTenantId, aadObjectId: `00000000-0000-0000-0000-000000000008${t}`, displayName: `Folio TAM ${t + 1}`, role: 'tam', managerKey: personKey(manager), accountIds: ids.slice(t * half, (t + 1) * half) });
  }
  await inParallel(ids, 16, async (accountId) => {
    await accounts.upsertAccount({ accountId, name: `Portfolio ${accountId}`, code: accountId.replace('-', '').toUpperCase(), customerTenantIds: [demoTenantId] });
    const ends = 30 + (Number(accountId.slice(-3)) % 300);
    await contracts.upsertContract({
      contractId: `${accountId}-c`,
      accountId,
      contractType: 'Unified Enterprise',
      startDate: addDays(today, -(365 - ends)),
      endDate: addDays(today, ends),
      buckets: [{ name: 'Proactive', purchasedHours: 200 }, { name: 'Reactive', purchasedHours: 100 }],
      commercial: { value: 150_000, currency: 'GBP', costRatePerHour: 180 },
    });
    const read = await readHealthFacts(deps, accountId, now);
    if (read) await deps.health.update(accountId, () => summariseHealth({ accountId, accountName: read.account.name, facts: read.facts, complete: true }, now));
  });
  return { manager };
}
