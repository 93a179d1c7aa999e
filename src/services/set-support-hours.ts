import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { canSetSupportHours, canViewContract } from '../domain/contract-access';
import { DomainError } from '../domain/errors';
import { applySupportHoursChange, sameClock } from '../domain/escalation-lifecycle';
import { clockOf } from '../domain/escalation-sla';
import type { AccountRepository, ContractRepository, EscalationRepository } from '../domain/ports';
import { clockFor, describeWindow, sameSupportHours, supportHoursOf, validateSupportHours, type SupportHours, type SupportHoursField } from '../domain/support-hours';
import { actorOf } from './open-escalation';

export interface SetSupportHoursDeps {
  readonly accounts: Pick<AccountRepository, 'getAccount'>;
  readonly contracts: Pick<ContractRepository, 'getContract' | 'updateContract'>;
  readonly escalations: Pick<EscalationRepository, 'listOpen' | 'update'>;
  readonly clock: Clock;
}

export type SetSupportHoursResult =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Partial<Record<SupportHoursField, string>>> }
  /** `unchanged`: the same hours were in force already (a repeat, or nothing edited). */
  | { readonly kind: 'saved' | 'unchanged'; readonly hours: SupportHours; readonly retimed: readonly string[] };

/**
 * Sets the contract's support hours (a TAM or manager of the account): every field is checked and
 * nothing is written unless all are valid. Each open escalation whose severity now runs on another
 * clock is re-timed from this moment, with a timeline entry. Escalations are compared with the
 * hours in force, not with the change, so a repeat after a failure half-way re-times the rest.
 */
export async function setSupportHours(deps: SetSupportHoursDeps, caller: Caller, accountId: string, data: Readonly<Record<string, unknown>>): Promise<SetSupportHoursResult> {
  if (!canViewContract(caller, accountId)) throw new DomainError('not_found', 'There is no contract here that you can see.');
  if (!canSetSupportHours(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can change the support hours.', {}, accountId);
  const validation = validateSupportHours(data);
  if (!validation.ok) return { kind: 'invalid', errors: validation.errors };
  const hours = validation.hours;
  const [account, contract] = await Promise.all([deps.accounts.getAccount(accountId), deps.contracts.getContract(accountId)]);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  if (!contract) throw new DomainError('not_found', `${account.name} has no contract yet.`, {}, accountId);

  let changed = false;
  const stored = await deps.contracts.updateContract(accountId, (current) => {
    // Decided on each record it is called with (a write that met a newer one is tried again on it).
    changed = false;
    if (current.supportHours && sameSupportHours(current.supportHours, hours)) return undefined;
    changed = true;
    return { ...current, supportHours: hours };
  });
  if (!stored) throw new DomainError('not_found', `${account.name} has no contract yet.`, {}, accountId);
  const inForce = supportHoursOf(stored, account);

  const at = deps.clock.now();
  const actor = actorOf(caller);
  const hoursText = describeWindow(inForce);
  const retimed: string[] = [];
  for (const open of await deps.escalations.listOpen(accountId)) {
    if (sameClock(clockOf(open.sla), clockFor(inForce, open.severity))) continue;
    let moved = false;
    await deps.escalations.update(accountId, open.escalationId, (current) => {
      const next = applySupportHoursChange(current, clockFor(inForce, current.severity), { actor, at, hoursText });
      moved = !!next;
      return next;
    });
    if (moved) retimed.push(open.escalationId);
  }
  return { kind: changed ? 'saved' : 'unchanged', hours: inForce, retimed };
}
