import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import type { Escalation } from '../domain/escalation';
import {
  applyEscalationAction,
  mayPerform,
  permissionFor,
  worksEscalation,
  type EscalationAction,
} from '../domain/escalation-lifecycle';
import { slaTargetsFor, type SlaOverrides } from '../domain/escalation-sla';
import { fingerprintOf } from '../domain/fingerprint';
import type { EscalationRepository } from '../domain/ports';
import { loadVisibleEscalation } from './escalation-access';
import { actorOf } from './open-escalation';

export interface EscalationActionDeps {
  readonly escalations: EscalationRepository;
  readonly clock: Clock;
  readonly slaOverrides?: (accountId: string) => Promise<SlaOverrides>;
}

export interface EscalationActionInput {
  readonly accountId: string;
  readonly escalationId: string;
  readonly action: EscalationAction;
  /** The actor's Teams user id, added to the people whose card view is kept current. */
  readonly teamsUserId?: string;
}

/** The same action by the same person within this window is one action (double click, Teams retry). */
export const actionRepeatWindowInMs = 10 * 60_000;
const rememberedActions = 20;

const refusals: Record<string, string> = {
  acknowledge: 'Only the TAM of the account or a manager can acknowledge an escalation.',
  update: 'Only the TAM of the account or a manager can change the status.',
  note: 'You cannot add notes to this escalation.',
  changeSeverity: 'Only the TAM of the account or a manager can change the severity.',
  resolve: 'Only the TAM of the account or a manager can resolve an escalation.',
  close: 'Only the TAM of the account or a manager can close an escalation.',
  reopen: 'Only the person who opened it, the TAM of the account or a manager can reopen an escalation.',
};

/**
 * Applies one lifecycle action after checking, against the stored record, that this caller
 * may. A repeat of the same action within the window changes nothing. Concurrent actions by
 * different people all land (the repository retries on ETag conflicts).
 */
export async function performEscalationAction(
  deps: EscalationActionDeps,
  caller: Caller,
  input: EscalationActionInput,
): Promise<{ escalation: Escalation; applied: boolean }> {
  const stored = await loadVisibleEscalation(deps, caller, input.accountId, input.escalationId);
  const permission = permissionFor(input.action);
  if (!mayPerform(caller, stored, permission)) throw new DomainError('forbidden', refusals[permission] ?? 'You cannot do that.');

  const actor = actorOf(caller);
  const key = fingerprintOf([actor.key, input.action]);
  const overrides = deps.slaOverrides ? await deps.slaOverrides(stored.accountId) : {};
  let applied = false;
  const escalation = await deps.escalations.update(stored.accountId, stored.escalationId, (current) => {
    const now = deps.clock.now();
    const recent = current.recentActions.filter((a) => now.getTime() - new Date(a.at).getTime() < actionRepeatWindowInMs);
    if (recent.some((a) => a.key === key)) {
      applied = false;
      return undefined;
    }
    const changed = applyEscalationAction(current, input.action, {
      actor,
      actorIsProvider: worksEscalation(caller, current),
      at: now,
      targetsFor: (severity) => slaTargetsFor(severity, overrides),
    });
    const watchers =
      input.teamsUserId && !current.watchers.some((w) => w.key === actor.key)
        ? [...current.watchers, { key: actor.key, teamsUserId: input.teamsUserId }].slice(-60)
        : current.watchers;
    applied = true;
    return { ...changed, watchers, recentActions: [...recent, { key, at: now.toISOString() }].slice(-rememberedActions) };
  });
  return { escalation, applied };
}
