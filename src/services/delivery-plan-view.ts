import type { Caller } from '../domain/caller';
import { calendarDateOf } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { Contract, LedgerEntry } from '../domain/contract';
import { contractStatus } from '../domain/contract-forecast';
import { canViewPlan } from '../domain/delivery-access';
import type { DeliveryPlanView } from '../domain/delivery-views';
import { DomainError } from '../domain/errors';
import type { AccountRepository, ContractRepository, DeliveryPlanRepository } from '../domain/ports';
import { withoutCommercial } from './contract-view';

export interface PlanViewDeps {
  readonly accounts: AccountRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly clock: Clock;
}

/** Delivered hours are logged to the Proactive bucket, or to the first bucket of a contract without one. */
export function deliveryBucketOf(contract: Contract): string {
  return contract.buckets.find((b) => b.name.toLowerCase() === 'proactive')?.name ?? contract.buckets[0]?.name ?? 'Proactive';
}

/** Hours delivered per plan item, summed from the ledger's delivery entries (reversals included). */
export function deliveredHoursByItem(entries: readonly LedgerEntry[]): Record<string, number> {
  const delivered: Record<string, number> = {};
  const deliveryIds = new Map(entries.filter((e) => e.source === 'delivery' && e.reference).map((e) => [e.entryId, e.reference as string]));
  for (const entry of entries) {
    const item = entry.source === 'delivery' ? entry.reference : entry.reverses ? deliveryIds.get(entry.reverses) : undefined;
    if (item) delivered[item] = (delivered[item] ?? 0) + entry.hours;
  }
  return delivered;
}

/** The plan as anyone may see it (no commercial fields), with delivered hours from the ledger. */
export async function buildPlanView(deps: PlanViewDeps, accountId: string): Promise<DeliveryPlanView> {
  const [account, contract, plan] = await Promise.all([deps.accounts.getAccount(accountId), deps.contracts.getContract(accountId), deps.plans.getPlan(accountId)]);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  if (!contract || !plan) throw new DomainError('not_found', `${account.name} has no delivery plan yet.`, {}, accountId);
  const entries = await deps.contracts.listEntries(accountId, contract.contractId);
  const today = calendarDateOf(deps.clock.now());
  const bucketName = deliveryBucketOf(contract);
  const bucket = contractStatus(contract, entries, today).buckets.find((b) => b.name === bucketName);
  return {
    account,
    contract: withoutCommercial(contract),
    plan,
    deliveredHours: deliveredHoursByItem(entries),
    deliveryBucket: { name: bucketName, remainingHours: bucket?.remainingHours ?? 0 },
    today,
  };
}

export async function loadPlanView(deps: PlanViewDeps, caller: Caller, accountId: string): Promise<DeliveryPlanView> {
  if (!canViewPlan(caller, accountId)) throw new DomainError('not_found', 'There is no delivery plan here that you can see.');
  return buildPlanView(deps, accountId);
}
