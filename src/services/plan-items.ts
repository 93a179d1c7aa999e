import { accountPeople } from './account-tams';
import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { formatHours } from '../domain/contract-forecast';
import { canEditPlan } from '../domain/delivery-access';
import { withStatus, type DeliveryPlan, type PlanItem } from '../domain/delivery-plan';
import { personKey } from '../domain/directory';
import { DomainError } from '../domain/errors';
import { readPlanItemForm, validatePlanItem, type PlanItemField } from '../domain/plan-item-input';
import type { AccountRepository, ContractRepository, DeliveryPlanRepository, DirectoryRepository } from '../domain/ports';
import { buildPlanView } from './delivery-plan-view';

export interface PlanItemDeps {
  readonly accounts: AccountRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly directory: DirectoryRepository;
  readonly clock: Clock;
  readonly providerTenantIds: readonly string[];
}

export interface PlanOwner {
  readonly key: string;
  readonly name: string;
}

/** Who can own a plan item: the account's TAMs and managers, and the caller. */
export async function planOwners(deps: PlanItemDeps, caller: Caller, accountId: string): Promise<PlanOwner[]> {
  const people = await accountPeople(deps, accountId);
  const owners = new Map<string, string>();
  for (const p of people) if (p.role === 'tam' || p.role === 'manager') owners.set(personKey(p), p.displayName);
  owners.set(personKey(caller.identity), caller.displayName);
  return [...owners].map(([key, name]) => ({ key, name })).sort((a, b) => a.name.localeCompare(b.name));
}

export type PlanItemResult =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Partial<Record<PlanItemField, string>>> }
  | { readonly kind: 'saved'; readonly plan: DeliveryPlan; readonly item: PlanItem; readonly warning?: string };

/**
 * Adds (itemId absent) or changes a plan item. Over-planning the delivery bucket is allowed with
 * a warning, not refused: plans are often written before the hours are bought.
 */
export async function savePlanItem(
  deps: PlanItemDeps,
  caller: Caller,
  accountId: string,
  data: Readonly<Record<string, unknown>>,
  itemId?: string,
): Promise<PlanItemResult> {
  if (!canEditPlan(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can change the delivery plan.');
  const view = await buildPlanView(deps, accountId);
  const contract = await deps.contracts.getContract(accountId);
  if (!contract) throw new DomainError('not_found', 'This account has no contract.');
  if (itemId && !view.plan.items.some((i) => i.itemId === itemId)) throw new DomainError('not_found', `There is no plan item ${itemId}.`);
  const owners = await planOwners(deps, caller, accountId);
  const checked = validatePlanItem(readPlanItemForm(data), contract, owners.map((o) => o.key));
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
  const valid = checked.item;
  const owner = owners.find((o) => o.key === valid.ownerKey) ?? { key: valid.ownerKey, name: valid.ownerKey };
  const now = deps.clock.now().toISOString();
  let saved: PlanItem | undefined;
  const plan = await deps.plans.updatePlan(accountId, (current) => {
    // Decided on each record it is called with (a write that met a newer one is tried again on it).
    saved = undefined;
    if (itemId) {
      const existing = current.items.find((i) => i.itemId === itemId);
      if (!existing) return undefined;
      saved = { ...withStatus(existing, valid.status, deps.clock.now()), type: valid.type, title: valid.title, plannedHours: valid.plannedHours, dueDate: valid.dueDate, owner, health: valid.health, updatedAt: now };
      return { ...current, items: current.items.map((i) => (i.itemId === itemId ? (saved as PlanItem) : i)), updatedAt: now };
    }
    saved = {
      itemId: `PI-${current.nextItemNumber}`,
      type: valid.type,
      title: valid.title,
      plannedHours: valid.plannedHours,
      dueDate: valid.dueDate,
      owner,
      status: valid.status,
      health: valid.health,
      createdAt: now,
      updatedAt: now,
      ...(valid.status === 'delivered' ? { deliveredAt: now } : {}),
      ...(valid.status === 'cancelled' ? { cancelledAt: now } : {}),
    };
    return { ...current, items: [...current.items, saved], nextItemNumber: current.nextItemNumber + 1, updatedAt: now };
  });
  if (!saved) throw new DomainError('not_found', `There is no plan item ${itemId ?? ''}.`);
  const stillToDeliver = plan.items
    .filter((i) => i.status !== 'delivered' && i.status !== 'cancelled')
    .reduce((sum, i) => sum + Math.max(0, i.plannedHours - (view.deliveredHours[i.itemId] ?? 0)), 0);
  const over = stillToDeliver - view.deliveryBucket.remainingHours;
  const warning =
    over > 0
      ? `The plan still needs ${formatHours(stillToDeliver)}, ${formatHours(over)} more than the ${formatHours(Math.max(0, view.deliveryBucket.remainingHours))} left in the ${view.deliveryBucket.name} bucket.`
      : undefined;
  return { kind: 'saved', plan, item: saved, ...(warning ? { warning } : {}) };
}
