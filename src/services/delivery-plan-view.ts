import { ledgerLinesOf } from '../domain/ledger-summary';
import type { Caller } from '../domain/caller';
import { calendarDateOf } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { Contract } from '../domain/contract';
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


/** The plan as anyone may see it (no commercial fields), with delivered hours from the ledger. */
export async function buildPlanView(deps: PlanViewDeps, accountId: string): Promise<DeliveryPlanView> {
  const [account, contract, plan] = await Promise.all([deps.accounts.getAccount(accountId), deps.contracts.getContract(accountId), deps.plans.getPlan(accountId)]);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  if (!contract || !plan) throw new DomainError('not_found', `${account.name} has no delivery plan yet.`, {}, accountId);
  const today = calendarDateOf(deps.clock.now());
  const bucketName = deliveryBucketOf(contract);
  const bucket = contractStatus(contract, ledgerLinesOf(contract), today).buckets.find((b) => b.name === bucketName);
  return {
    account,
    contract: withoutCommercial(contract),
    plan,
    deliveredHours: { ...(contract.ledgerSummary?.delivered ?? {}) },
    deliveryBucket: { name: bucketName, remainingHours: bucket?.remainingHours ?? 0 },
    today,
  };
}

export async function loadPlanView(deps: PlanViewDeps, caller: Caller, accountId: string): Promise<DeliveryPlanView> {
  if (!canViewPlan(caller, accountId)) throw new DomainError('not_found', 'There is no delivery plan here that you can see.');
  return buildPlanView(deps, accountId);
}
