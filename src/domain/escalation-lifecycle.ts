import type { Caller } from './caller';
import { personKey } from './directory';
import { DomainError } from './errors';
import {
  compareSeverity,
  escalationStatuses,
  isOpen,
  limits,
  type Actor,
  type Escalation,
  type EscalationStatus,
  type Severity,
  type SlaTargets,
  type TimelineEntry,
} from './escalation';
import type { ClockHours } from './business-time';
import { afterHoursChange, afterProviderUpdate, afterReopen, afterSeverityChange, afterStopped, clockOf, describeClock } from './escalation-sla';
import { cleanUserText } from './user-text';

export type EscalationAction =
  | { readonly kind: 'acknowledge' }
  | { readonly kind: 'update'; readonly note: string; readonly status?: 'investigating' | 'mitigated' }
  | { readonly kind: 'changeSeverity'; readonly severity: Severity; readonly reason: string }
  | { readonly kind: 'resolve'; readonly resolution: string }
  | { readonly kind: 'close' }
  | { readonly kind: 'reopen'; readonly reason: string }
  /** Hands the escalation to another TAM of the account (checked by the caller of apply). */
  | { readonly kind: 'assign'; readonly assignee: Actor; readonly reason: string };

export type EscalationActionKind = EscalationAction['kind'];

export function canViewEscalation(caller: Caller, escalation: Pick<Escalation, 'accountId'>): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'guest') return false;
  return caller.accountIds.includes(escalation.accountId);
}

/** TAMs of the account and managers over it: the people who work an escalation. */
export function worksEscalation(caller: Caller, escalation: Pick<Escalation, 'accountId'>): boolean {
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(escalation.accountId);
}

/** What this caller may do to this escalation, decided from the stored record only. */
export function mayPerform(caller: Caller, escalation: Pick<Escalation, 'accountId' | 'openedBy'>, kind: EscalationActionKind | 'note'): boolean {
  if (!canViewEscalation(caller, escalation) || caller.role === 'admin') return false;
  if (worksEscalation(caller, escalation)) return true;
  if (caller.role !== 'customer') return false;
  if (kind === 'note') return true;
  if (kind === 'reopen') return escalation.openedBy.key === personKey(caller.identity);
  return false;
}

/** The actions a card can offer on an escalation. `update` with a status is the TAM's; a note anyone's. */
export const escalationActionNames = ['acknowledge', 'update', 'note', 'changeSeverity', 'resolve', 'close', 'reopen', 'assign'] as const;
export type EscalationActionName = (typeof escalationActionNames)[number];

const openOnes = escalationStatuses.filter(isOpen);
/** The statuses each action can be taken from. */
const takenFrom: Record<EscalationActionName, readonly EscalationStatus[]> = {
  acknowledge: ['new', 'reopened'],
  update: openOnes,
  note: escalationStatuses.filter((s) => s !== 'closed'),
  changeSeverity: openOnes,
  resolve: openOnes,
  close: ['resolved'],
  reopen: ['resolved', 'closed'],
  assign: openOnes,
};

/** What every member of the account's channel may be offered: the server still checks who presses. */
const customerSafeActions: ReadonlySet<EscalationActionName> = new Set(['note', 'reopen']);

/** Who the card is for: a caller's own view, or the view every member of a shared conversation sees. */
export type EscalationViewer = Caller | 'customer-safe';

/**
 * The one answer to "what may this viewer do to this escalation now": permission (from the stored
 * record and the caller) and the record's status together. Routes, cards and proactive messages
 * all ask it.
 */
export function availableEscalationActions(viewer: EscalationViewer, escalation: Pick<Escalation, 'accountId' | 'openedBy' | 'status'>): ReadonlySet<EscalationActionName> {
  return new Set(
    escalationActionNames.filter(
      (name) => takenFrom[name].includes(escalation.status) && (viewer === 'customer-safe' ? customerSafeActions.has(name) : mayPerform(viewer, escalation, name)),
    ),
  );
}

/** The permission an action needs: a customer's update without a status is a note. */
export function permissionFor(action: EscalationAction): EscalationActionKind | 'note' {
  return action.kind === 'update' && !action.status ? 'note' : action.kind;
}

export interface ActionContext {
  readonly actor: Actor;
  /** The actor works the escalation (TAM or manager): their updates count for the SLA. */
  readonly actorIsProvider: boolean;
  readonly at: Date;
  readonly targetsFor: (severity: Severity) => SlaTargets;
  /** What a severity's clocks run on (the contract's support hours); absent: the escalation keeps its clock. */
  readonly clockFor?: (severity: Severity) => ClockHours;
}

const statusLabels: Record<EscalationStatus, string> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  investigating: 'Investigating',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'Reopened',
};

/** The latest hand-over on the timeline the item holds, if any (the newest entries are always there). */
export function lastHandover(escalation: Pick<Escalation, 'timeline'>): TimelineEntry | undefined {
  return [...escalation.timeline].reverse().find((t) => t.kind === 'assigned');
}

export function statusLabel(status: EscalationStatus): string {
  return statusLabels[status];
}

function refuse(message: string, field?: string): never {
  throw new DomainError('invalid_input', message, field ? { [field]: message } : {});
}

function requireText(value: string, field: string, what: string, max: number): string {
  const trimmed = cleanUserText(value);
  if (!trimmed) refuse(`${what} is required.`, field);
  if (trimmed.length > max) refuse(`${what} can be at most ${max} characters.`, field);
  return trimmed;
}

/**
 * Applies one lifecycle action, returning the changed escalation (version + 1, a timeline entry).
 * Throws DomainError('invalid_input') when the action does not fit the escalation's state.
 */
export function applyEscalationAction(escalation: Escalation, action: EscalationAction, context: ActionContext): Escalation {
  const at = context.at.toISOString();
  const entry = (kind: TimelineEntry['kind'], summary: string, text?: string, updateClock?: TimelineEntry['updateClock']): TimelineEntry => ({
    at,
    by: context.actor,
    kind,
    summary,
    ...(text ? { text } : {}),
    ...(updateClock ? { updateClock } : {}),
  });
  // The update deadline running when the provider tells the customer something: answered now.
  const answering = (): NonNullable<TimelineEntry['updateClock']> => {
    const due = escalation.sla.nextUpdateDueAt;
    return due ? { answered: { dueAt: due, met: context.at.getTime() <= new Date(due).getTime() } } : {};
  };
  const next = (changes: Partial<Escalation>, timeline: TimelineEntry): Escalation => ({
    ...escalation,
    ...changes,
    timeline: [...escalation.timeline, timeline],
    version: escalation.version + 1,
    updatedAt: at,
  });

  switch (action.kind) {
    case 'acknowledge': {
      if (escalation.status !== 'new' && escalation.status !== 'reopened') {
        refuse(`${escalation.escalationId} is already ${statusLabel(escalation.status).toLowerCase()}.`);
      }
      return next(
        { status: 'acknowledged', owner: escalation.owner ?? context.actor, sla: afterProviderUpdate(escalation.sla, context.at) },
        entry('acknowledged', `Acknowledged by ${context.actor.name}`, undefined, answering()),
      );
    }
    case 'update': {
      const note = requireText(action.note, 'note', 'A note', limits.note);
      if (escalation.status === 'closed') refuse(`${escalation.escalationId} is closed: reopen it to add to it.`);
      if (action.status) {
        if (!context.actorIsProvider) refuse('Only the TAM can change the status.');
        if (!isOpen(escalation.status)) refuse(`${escalation.escalationId} is ${statusLabel(escalation.status).toLowerCase()}: reopen it first.`);
        if (action.status === escalation.status) refuse(`${escalation.escalationId} is already ${statusLabel(action.status).toLowerCase()}.`, 'status');
      }
      const implicitAck = context.actorIsProvider && (escalation.status === 'new' || escalation.status === 'reopened') && !action.status;
      const status: EscalationStatus = action.status ?? (implicitAck ? 'acknowledged' : escalation.status);
      const providerChanges: Partial<Escalation> =
        context.actorIsProvider && isOpen(escalation.status)
          ? { sla: afterProviderUpdate(escalation.sla, context.at), owner: escalation.owner ?? context.actor }
          : {};
      const summary =
        status !== escalation.status
          ? `${context.actor.name} set the status to ${statusLabel(status)}`
          : `${context.actor.name} added a note`;
      return next({ status, ...providerChanges }, entry(status !== escalation.status ? 'status' : 'note', summary, note, providerChanges.sla ? answering() : undefined));
    }
    case 'changeSeverity': {
      if (!isOpen(escalation.status)) refuse(`${escalation.escalationId} is ${statusLabel(escalation.status).toLowerCase()}: reopen it first.`);
      if (action.severity === escalation.severity) refuse(`It is already severity ${action.severity}.`, 'severity');
      const reason = requireText(action.reason, 'reason', 'A reason', limits.reason);
      const direction = compareSeverity(action.severity, escalation.severity) < 0 ? 'Raised' : 'Lowered';
      return next(
        {
          severity: action.severity,
          sla: afterSeverityChange(
            escalation.sla,
            new Date(escalation.openedAt),
            context.at,
            context.targetsFor(action.severity),
            context.clockFor ? context.clockFor(action.severity) : clockOf(escalation.sla),
          ),
        },
        entry('severity', `${direction} from severity ${escalation.severity} to ${action.severity} by ${context.actor.name}`, reason),
      );
    }
    case 'resolve': {
      if (!isOpen(escalation.status)) refuse(`${escalation.escalationId} is already ${statusLabel(escalation.status).toLowerCase()}.`);
      const resolution = requireText(action.resolution, 'resolution', 'The resolution', limits.resolution);
      return next(
        { status: 'resolved', resolution, resolvedAt: at, sla: afterStopped({ ...escalation.sla, respondedAt: escalation.sla.respondedAt ?? at }) },
        entry('resolved', `Resolved by ${context.actor.name}`, resolution, answering()),
      );
    }
    case 'close': {
      if (escalation.status !== 'resolved') refuse(`Only a resolved escalation can be closed; ${escalation.escalationId} is ${statusLabel(escalation.status).toLowerCase()}.`);
      return next({ status: 'closed', closedAt: at, sla: afterStopped(escalation.sla) }, entry('closed', `Closed by ${context.actor.name}`));
    }
    case 'assign': {
      if (!isOpen(escalation.status)) refuse(`${escalation.escalationId} is ${statusLabel(escalation.status).toLowerCase()}: reopen it first.`);
      if (escalation.owner?.key === action.assignee.key) refuse(`${action.assignee.name} owns it already.`, 'assignee');
      const reason = requireText(action.reason, 'reason', 'A reason', limits.reason);
      return next({ owner: action.assignee }, entry('assigned', `Assigned to ${action.assignee.name} by ${context.actor.name}`, reason));
    }
    case 'reopen': {
      if (escalation.status !== 'resolved' && escalation.status !== 'closed') {
        refuse(`${escalation.escalationId} is still open.`);
      }
      const reason = requireText(action.reason, 'reason', 'A reason', limits.reason);
      const reopened = next({ status: 'reopened', sla: afterReopen(escalation.sla, context.at) }, entry('reopened', `Reopened by ${context.actor.name}`, reason));
      const { resolvedAt: _resolvedAt, closedAt: _closedAt, ...rest } = reopened;
      return rest;
    }
  }
}

/** Same clock, whatever order the stored form lists it in. */
export function sameClock(a: ClockHours, b: ClockHours): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === '24x7' || b.kind === '24x7') return true;
  return (
    a.timeZone === b.timeZone &&
    a.opensAt === b.opensAt &&
    a.closesAt === b.closesAt &&
    [...a.days].sort().join() === [...b.days].sort().join() &&
    [...a.holidays].sort().join() === [...b.holidays].sort().join()
  );
}

/**
 * The contract's support hours changed: an open escalation whose severity now runs on another
 * clock is re-timed from `at` (what its clocks had counted stays counted), with a timeline entry.
 * Undefined when nothing changes for it (closed, or its clock is the same).
 */
export function applySupportHoursChange(escalation: Escalation, clock: ClockHours, context: { readonly actor: Actor; readonly at: Date; readonly hoursText: string }): Escalation | undefined {
  if (!isOpen(escalation.status) || sameClock(clockOf(escalation.sla), clock)) return undefined;
  const at = context.at.toISOString();
  const running = clock.kind === '24x7' ? describeClock(clock) : `in business hours, ${context.hoursText}`;
  return {
    ...escalation,
    sla: afterHoursChange(escalation.sla, context.at, clock),
    timeline: [
      ...escalation.timeline,
      { at, by: context.actor, kind: 'support-hours', summary: `${context.actor.name} changed the support hours: the SLA of severity ${escalation.severity} now runs ${running}` },
    ],
    version: escalation.version + 1,
    updatedAt: at,
  };
}
