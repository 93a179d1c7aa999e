import type { Clock } from '../src/domain/clock';
import { addDays, calendarDateOf } from '../src/domain/calendar-date';
import { personKey, type Person } from '../src/domain/directory';
import type { Containers } from '../src/store/containers';
import { CosmosAccountRepository } from '../src/store/cosmos-account-repository';
import { CosmosContractRepository } from '../src/store/cosmos-contract-repository';
import { CosmosDeliveryPlanRepository } from '../src/store/cosmos-delivery-plan-repository';
import { CosmosDirectoryRepository } from '../src/store/cosmos-directory-repository';
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
