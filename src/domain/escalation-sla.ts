import { addMinutes, formatMinutes, minuteInMs } from './duration-text';
import { isOpen, type Escalation, type Severity, type SlaState, type SlaTargets } from './escalation';

/** Default SLA by severity: initial response and update cadence, in minutes. */
export const defaultSlaTargets: Readonly<Record<Severity, SlaTargets>> = {
  A: { responseMinutes: 60, updateCadenceMinutes: 60 },
  B: { responseMinutes: 120, updateCadenceMinutes: 4 * 60 },
  C: { responseMinutes: 240, updateCadenceMinutes: 24 * 60 },
};

export type SlaOverrides = Partial<Record<Severity, Partial<SlaTargets>>>;

/** The SLA for a severity: the contract's override where it has one, else the default. */
export function slaTargetsFor(severity: Severity, overrides: SlaOverrides = {}): SlaTargets {
  return { ...defaultSlaTargets[severity], ...overrides[severity] };
}

export function initialSla(openedAt: Date, targets: SlaTargets): SlaState {
  return { responseDueAt: addMinutes(openedAt, targets.responseMinutes).toISOString(), targets };
}

/**
 * The provider told the customer something (acknowledged or posted an update): the first one
 * meets the response target, and each one restarts the update cadence.
 */
export function afterProviderUpdate(sla: SlaState, at: Date): SlaState {
  return {
    ...sla,
    respondedAt: sla.respondedAt ?? at.toISOString(),
    nextUpdateDueAt: addMinutes(at, sla.targets.updateCadenceMinutes).toISOString(),
  };
}

/**
 * New severity, new targets. A response not yet given is due by the new window counted from
 * when the escalation was opened, or from the change itself when that window has already passed.
 */
export function afterSeverityChange(sla: SlaState, openedAt: Date, at: Date, targets: SlaTargets): SlaState {
  const fromOpening = addMinutes(openedAt, targets.responseMinutes);
  const responseDueAt = sla.respondedAt ? sla.responseDueAt : (fromOpening > at ? fromOpening : addMinutes(at, targets.responseMinutes)).toISOString();
  const lastUpdate = sla.nextUpdateDueAt ? new Date(new Date(sla.nextUpdateDueAt).getTime() - sla.targets.updateCadenceMinutes * minuteInMs) : undefined;
  return {
    responseDueAt,
    ...(sla.respondedAt ? { respondedAt: sla.respondedAt } : {}),
    ...(lastUpdate ? { nextUpdateDueAt: addMinutes(lastUpdate, targets.updateCadenceMinutes).toISOString() } : {}),
    targets,
  };
}

/** Resolved or closed: no update is owed any more. */
export function afterStopped(sla: SlaState): SlaState {
  const { nextUpdateDueAt: _stopped, ...rest } = sla;
  return rest;
}

/** Reopened: the customer is owed an update within one cadence. */
export function afterReopen(sla: SlaState, at: Date): SlaState {
  return { ...sla, nextUpdateDueAt: addMinutes(at, sla.targets.updateCadenceMinutes).toISOString() };
}

export type ClockState = 'running' | 'at-risk' | 'overdue' | 'met' | 'missed';

export interface SlaClock {
  readonly kind: 'response' | 'update';
  readonly state: ClockState;
  readonly dueAt: Date;
  /** Minutes until due; negative once overdue. */
  readonly minutesLeft: number;
  /** Share of the window used, 0..1 and beyond when overdue. */
  readonly fractionUsed: number;
  readonly text: string;
}

/** From this share of a window used, an SLA is at risk. */
export const atRiskFraction = 0.8;

function runningClock(kind: SlaClock['kind'], dueAt: Date, windowMinutes: number, now: Date): SlaClock {
  const minutesLeft = (dueAt.getTime() - now.getTime()) / minuteInMs;
  const fractionUsed = (windowMinutes - minutesLeft) / windowMinutes;
  const label = kind === 'response' ? 'Response' : 'Next update';
  const overdueLabel = kind === 'response' ? 'Response' : 'Update';
  const state: ClockState = minutesLeft < 0 ? 'overdue' : fractionUsed >= atRiskFraction ? 'at-risk' : 'running';
  const text =
    minutesLeft < 0
      ? `${overdueLabel} overdue by ${formatMinutes(Math.ceil(-minutesLeft))}`
      : minutesLeft === 0
        ? `${label} due now`
        : `${label} due in ${formatMinutes(Math.ceil(minutesLeft))}`;
  return { kind, state, dueAt, minutesLeft, fractionUsed, text };
}

/** The response clock and, once responded and while open, the update clock, as of `now`. */
export function slaClocks(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date): { response: SlaClock; update?: SlaClock } {
  const { sla } = escalation;
  const responseDue = new Date(sla.responseDueAt);
  let response: SlaClock;
  if (sla.respondedAt) {
    const respondedAt = new Date(sla.respondedAt);
    const took = (respondedAt.getTime() - new Date(escalation.openedAt).getTime()) / minuteInMs;
    const late = respondedAt > responseDue;
    response = {
      kind: 'response',
      state: late ? 'missed' : 'met',
      dueAt: responseDue,
      minutesLeft: (responseDue.getTime() - respondedAt.getTime()) / minuteInMs,
      fractionUsed: took / sla.targets.responseMinutes,
      text: late
        ? `Responded in ${formatMinutes(Math.ceil(took))}, ${formatMinutes(Math.ceil((respondedAt.getTime() - responseDue.getTime()) / minuteInMs))} late`
        : `Responded in ${formatMinutes(Math.ceil(took))}`,
    };
  } else if (!isOpen(escalation.status)) {
    response = { kind: 'response', state: 'met', dueAt: responseDue, minutesLeft: 0, fractionUsed: 0, text: 'No response owed' };
  } else {
    const windowMinutes = (responseDue.getTime() - new Date(escalation.openedAt).getTime()) / minuteInMs;
    response = runningClock('response', responseDue, Math.max(windowMinutes, 1), now);
  }
  if (!sla.respondedAt || !sla.nextUpdateDueAt || !isOpen(escalation.status)) return { response };
  return { response, update: runningClock('update', new Date(sla.nextUpdateDueAt), sla.targets.updateCadenceMinutes, now) };
}

/** Minutes until the next SLA deadline of an open escalation (negative when overdue); for "most urgent first". */
export function minutesToNextDeadline(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date): number {
  const clocks = slaClocks(escalation, now);
  const running = [clocks.response, clocks.update].filter((c): c is SlaClock => !!c && (c.state === 'running' || c.state === 'at-risk' || c.state === 'overdue'));
  return running.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...running.map((c) => c.minutesLeft));
}

/** The worst state among the running clocks: what a manager's breach-risk line shows. */
/**
 * Most urgent first: what is overdue now, then the least time left to the next deadline, then
 * severity, then the oldest. Severity alone would put a breached B below an A with hours to go.
 */
export function compareUrgency(a: Pick<Escalation, 'sla' | 'status' | 'openedAt' | 'severity'>, b: Pick<Escalation, 'sla' | 'status' | 'openedAt' | 'severity'>, now: Date): number {
  const left = [minutesToNextDeadline(a, now), minutesToNextDeadline(b, now)] as const;
  const overdue = Number(left[1] < 0) - Number(left[0] < 0);
  if (overdue !== 0) return overdue;
  if (left[0] !== left[1]) return left[0] === Number.POSITIVE_INFINITY ? 1 : left[1] === Number.POSITIVE_INFINITY ? -1 : left[0] - left[1];
  return severityOrder[a.severity] - severityOrder[b.severity] || a.openedAt.localeCompare(b.openedAt);
}

const severityOrder: Record<Escalation['severity'], number> = { A: 0, B: 1, C: 2 };

export function breachRisk(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date): { state: 'ok' | 'at-risk' | 'breached'; text: string } {
  const clocks = slaClocks(escalation, now);
  const running = [clocks.response, clocks.update].filter((c): c is SlaClock => !!c);
  const overdue = running.find((c) => c.state === 'overdue');
  if (overdue) return { state: 'breached', text: `SLA breached: ${overdue.text.toLowerCase()}` };
  const atRisk = running.find((c) => c.state === 'at-risk');
  if (atRisk) return { state: 'at-risk', text: `At risk: ${Math.round(atRisk.fractionUsed * 100)}% of the ${atRisk.kind} window used` };
  if (clocks.response.state === 'missed') return { state: 'breached', text: 'Response target was missed' };
  return { state: 'ok', text: 'On track' };
}
