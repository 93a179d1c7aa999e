import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import type { Escalation } from '../domain/escalation';
import {
  applyEscalationAction,
  lastHandover,
  mayPerform,
  permissionFor,
  worksEscalation,
  type EscalationAction,
} from '../domain/escalation-lifecycle';
import { slaTargetsFor, type SlaOverrides } from '../domain/escalation-sla';
import { clockFor, supportHoursOf } from '../domain/support-hours';
import { fingerprintOf } from '../domain/fingerprint';
import type { AccountRepository, AlertRepository, ContractRepository, DirectoryRepository, EscalationRepository, HealthSummaryRepository, OutboxRepository } from '../domain/ports';
import type { OutboxItem } from '../domain/outbox';
import { personKey, type Person } from '../domain/directory';
import { actorOfPerson } from '../domain/ownership';
import { accountTams } from './account-tams';
import { noteEscalationHealth } from './account-health';
import { reassignEscalationAlerts } from './alerts';
import { loadVisibleEscalation, notVisible, visibleTo } from './escalation-access';
import { actorOf } from './open-escalation';

export interface EscalationActionDeps {
  readonly escalations: EscalationRepository;
  readonly clock: Clock;
  /** The contract's SLA overrides time the clocks a change restarts. */
  readonly contracts: Pick<ContractRepository, 'getContract'>;
  /** Resolving, reopening or a new severity changes the account's health summary. */
  readonly health: HealthSummaryRepository;
  /** The account's time zone, for default support hours: a severity change moves onto the new severity's clock. */
  readonly accounts?: Pick<AccountRepository, 'getAccount'>;
}

export interface EscalationActionInput {
  readonly accountId: string;
  readonly escalationId: string;
  readonly action: EscalationAction;
  /** The version of the record the card showed when the action was taken. */
  readonly fromVersion?: number;
  /** The actor's Teams user id, added to the people whose card view is kept current. */
  readonly teamsUserId?: string;
}

/**
 * What came of an action: applied; a true repeat (a Teams retry, a double click) that changed
 * nothing; or the same change made from the same version by someone else first.
 */
export type EscalationActionOutcome =
  | { readonly kind: 'applied' }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'already'; readonly by: string; readonly transition: string; readonly noteAdded?: boolean };

/** Without the card's version (older cards), the same action by the same person within this window is one action. */
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
  assign: 'Only the TAM of the account or a manager can hand an escalation over.',
};

/** The state change an action makes; notes make none, so two people's notes both land. */
export function transitionOf(action: EscalationAction): string | undefined {
  switch (action.kind) {
    case 'update':
      return action.status ? `status:${action.status}` : undefined;
    case 'changeSeverity':
      return `severity:${action.severity}`;
    case 'assign':
      return `assign:${action.assignee.key}`;
    default:
      return action.kind;
  }
}

/**
 * Applies one lifecycle action after checking, against the stored record, that this caller
 * may. Idempotency is keyed on the state the action was taken from: the record's version, the
 * action and its data, and the actor. Concurrent actions by different people all land (the
 * repository retries on ETag conflicts).
 */
export async function performEscalationAction(
  deps: EscalationActionDeps,
  caller: Caller,
  input: EscalationActionInput,
): Promise<{ escalation: Escalation; outcome: EscalationActionOutcome }> {
  const permission = permissionFor(input.action);

  const actor = actorOf(caller);
  const versioned = input.fromVersion !== undefined;
  const key = fingerprintOf([actor.key, input.action, versioned ? input.fromVersion : 'unversioned']);
  const transition = transitionOf(input.action);
  // Only a new severity asks for SLA targets and a clock: no other action reads the contract.
  const contract = input.action.kind === 'changeSeverity' ? await deps.contracts.getContract(input.accountId) : undefined;
  const overrides: SlaOverrides = contract?.slaOverrides ?? {};
  // A new severity runs on its own clock: the contract's support hours, or the defaults in the account's zone.
  const hours =
    input.action.kind === 'changeSeverity' && (contract?.supportHours || deps.accounts)
      ? supportHoursOf(contract, contract?.supportHours ? undefined : await deps.accounts?.getAccount(input.accountId))
      : undefined;
  let outcome: EscalationActionOutcome = { kind: 'applied' };
  let before: Escalation | undefined;
  // Who may see it and act on it is checked on the record the change is made on: no read before it.
  const escalation = await deps.escalations
    .update(input.accountId, input.escalationId, (current) => {
      visibleTo(caller, current, input.escalationId);
      if (!mayPerform(caller, current, permission)) throw new DomainError('forbidden', refusals[permission] ?? 'You cannot do that.');
      before = current;
      // Decided again on each record it is called with.
      outcome = { kind: 'applied' };
      const now = deps.clock.now();
    const remembered = current.recentActions.filter(
      (a) => a.fromVersion !== undefined || now.getTime() - new Date(a.at).getTime() < actionRepeatWindowInMs,
    );
    if (remembered.some((a) => a.key === key)) {
      outcome = { kind: 'repeat' };
      return undefined;
    }
    let action = input.action;
    if (versioned && transition && (input.fromVersion ?? 0) < current.version) {
      const first = remembered.find((a) => a.fromVersion === input.fromVersion && a.transition === transition);
      if (first) {
        outcome = { kind: 'already', by: first.byName ?? 'someone else', transition };
        // The status was set by someone else first; a note that came with it is still news.
        if (action.kind !== 'update' || !action.note.trim()) return undefined;
        action = { kind: 'update', note: action.note };
        outcome = { ...outcome, noteAdded: true };
      }
    }
    const changed = applyEscalationAction(current, action, {
      actor,
      actorIsProvider: worksEscalation(caller, current),
      at: now,
      targetsFor: (severity) => slaTargetsFor(severity, overrides),
      ...(hours ? { clockFor: (severity: Escalation['severity']) => clockFor(hours, severity) } : {}),
    });
    const watchers =
      input.teamsUserId && !current.watchers.some((w) => w.key === actor.key)
        ? [...current.watchers, { key: actor.key, teamsUserId: input.teamsUserId }].slice(-60)
        : current.watchers;
    if (outcome.kind !== 'already') outcome = { kind: 'applied' };
    const entry = {
      key,
      at: now.toISOString(),
      ...(versioned ? { fromVersion: input.fromVersion } : {}),
      ...(transition ? { transition } : {}),
      byName: actor.name,
    };
    return { ...changed, watchers, recentActions: [...remembered, entry].slice(-rememberedActions) };
    })
    .catch((error: unknown) => {
      // Not there at all reads as not there for this caller (the port's 404).
      throw (error as { code?: unknown } | undefined)?.code === 404 ? notVisible(input.escalationId) : error;
    });
  await noteEscalationHealth(deps, before, escalation);
  return { escalation, outcome };
}

export interface AssignInput {
  readonly accountId: string;
  readonly escalationId: string;
  /** personKey of the TAM to hand it to. */
  readonly assigneeKey: string;
  readonly reason: string;
  readonly fromVersion?: number;
  readonly teamsUserId?: string;
}

/**
 * Hands an escalation to another TAM of the account, with a reason: a TAM or manager of the
 * account may. Who may receive it is checked against the directory, never the card.
 */
export async function assignEscalation(
  deps: EscalationActionDeps & { readonly directory: DirectoryRepository; readonly outbox: OutboxRepository; readonly alerts: AlertRepository; readonly providerTenantIds: readonly string[] },
  caller: Caller,
  input: AssignInput,
): Promise<{ escalation: Escalation; outcome: EscalationActionOutcome; assignee: Person; notifications: string[] }> {
  const stored = await loadVisibleEscalation(deps, caller, input.accountId, input.escalationId);
  if (!mayPerform(caller, stored, 'assign')) throw new DomainError('forbidden', refusals.assign ?? 'You cannot do that.');
  const assignee = (await accountTams(deps, stored.accountId)).find((p) => personKey(p) === input.assigneeKey);
  if (!assignee) throw new DomainError('invalid_input', 'Choose one of the TAMs of the account.', { assignee: 'Choose one of the TAMs of the account.' });
  const result = await performEscalationAction(deps, caller, {
    accountId: input.accountId,
    escalationId: input.escalationId,
    action: { kind: 'assign', assignee: actorOfPerson(assignee), reason: input.reason },
    ...(input.fromVersion !== undefined ? { fromVersion: input.fromVersion } : {}),
    ...(input.teamsUserId ? { teamsUserId: input.teamsUserId } : {}),
  });
  const escalation = result.escalation;
  const handover = lastHandover(escalation);
  // Only while it is theirs: a repeat after it moved on again tells nobody.
  if (escalation.owner?.key !== personKey(assignee) || !handover) return { ...result, assignee, notifications: [] };
  // Both steps are safe to repeat, so a retry after a failure half-way (even one answered as a
  // repeat) finishes them: the alerts follow the owner, and the notice is keyed on the hand-over.
  await reassignEscalationAlerts(deps, escalation.accountId, escalation.escalationId, personKey(assignee));
  const now = deps.clock.now().toISOString();
  const item: OutboxItem = {
    id: `assign:${escalation.escalationId}:${personKey(assignee)}:${handover.at}`,
    target: { kind: 'person', tenantId: assignee.tenantId, aadObjectId: assignee.aadObjectId },
    intent: { kind: 'assignment', accountId: result.escalation.accountId, escalationId: result.escalation.escalationId, version: result.escalation.version },
    status: 'pending',
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
  };
  const queued = await deps.outbox.enqueue(item);
  return { ...result, assignee, notifications: queued ? [item.id] : [] };
}
