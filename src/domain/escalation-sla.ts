import { addBusinessMinutes, addBusinessTime, aroundTheClock, businessMsBetween, earliestWithRemaining, isWithinHours, nextClockChange, type ClockHours } from './business-time';
import { formatMinutes, minuteInMs } from './duration-text';
import { isOpen, type Escalation, type Severity, type SlaState, type SlaTargets } from './escalation';
import { formatInZone } from './zoned-time';

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

/** What the escalation's clocks run on (escalations opened before support hours: around the clock). */
export function clockOf(sla: Pick<SlaState, 'clock'>): ClockHours {
  return sla.clock ?? aroundTheClock;
}

const iso = (at: Date): string => at.toISOString();

export function initialSla(openedAt: Date, targets: SlaTargets, clock: ClockHours = aroundTheClock): SlaState {
  return { responseDueAt: iso(addBusinessMinutes(clock, openedAt, targets.responseMinutes)), targets, clock };
}

/**
 * The provider told the customer something (acknowledged or posted an update): the first one
 * meets the response target, and each one restarts the update cadence, on the escalation's clock.
 */
export function afterProviderUpdate(sla: SlaState, at: Date): SlaState {
  return {
    ...sla,
    respondedAt: sla.respondedAt ?? iso(at),
    nextUpdateDueAt: iso(addBusinessMinutes(clockOf(sla), at, sla.targets.updateCadenceMinutes)),
    cadenceFrom: iso(at),
  };
}

/** When the running update window began; older records did not say, and ran around the clock. */
function cadenceStart(sla: SlaState): Date | undefined {
  if (sla.cadenceFrom) return new Date(sla.cadenceFrom);
  if (!sla.nextUpdateDueAt) return undefined;
  return new Date(new Date(sla.nextUpdateDueAt).getTime() - sla.targets.updateCadenceMinutes * minuteInMs);
}

/**
 * New severity, new targets and the new severity's clock, counted again from the opening: a
 * response not yet given is due by the new window from when the escalation was opened, or from
 * the change itself when that window has already passed; the update window from its start.
 */
export function afterSeverityChange(sla: SlaState, openedAt: Date, at: Date, targets: SlaTargets, clock: ClockHours = clockOf(sla)): SlaState {
  const fromOpening = addBusinessMinutes(clock, openedAt, targets.responseMinutes);
  const responseDueAt = sla.respondedAt ? sla.responseDueAt : iso(fromOpening > at ? fromOpening : addBusinessMinutes(clock, at, targets.responseMinutes));
  const windowStart = sla.nextUpdateDueAt ? cadenceStart(sla) : undefined;
  return {
    responseDueAt,
    ...(sla.respondedAt ? { respondedAt: sla.respondedAt } : {}),
    ...(windowStart ? { nextUpdateDueAt: iso(addBusinessMinutes(clock, windowStart, targets.updateCadenceMinutes)), cadenceFrom: iso(windowStart) } : {}),
    targets,
    clock,
  };
}

/**
 * The support hours changed: from `at` on, each deadline still ahead runs on the new clock for
 * the time it had left on the old one, so what was counted before the change stays counted.
 * Deadlines already passed stay where they were.
 */
export function afterHoursChange(sla: SlaState, at: Date, clock: ClockHours): SlaState {
  const old = clockOf(sla);
  const retime = (due: string): string => {
    const dueAt = new Date(due);
    return dueAt <= at ? due : iso(addBusinessTime(clock, at, businessMsBetween(old, at, dueAt)));
  };
  return {
    ...sla,
    ...(sla.respondedAt ? {} : { responseDueAt: retime(sla.responseDueAt) }),
    ...(sla.nextUpdateDueAt ? { nextUpdateDueAt: retime(sla.nextUpdateDueAt) } : {}),
    clock,
  };
}

/** Resolved or closed: no update is owed any more. */
export function afterStopped(sla: SlaState): SlaState {
  const { nextUpdateDueAt: _stopped, cadenceFrom: _from, ...rest } = sla;
  return rest;
}

/** Reopened: the customer is owed an update within one cadence, on the escalation's clock. */
export function afterReopen(sla: SlaState, at: Date): SlaState {
  return { ...sla, nextUpdateDueAt: iso(addBusinessMinutes(clockOf(sla), at, sla.targets.updateCadenceMinutes)), cadenceFrom: iso(at) };
}

export type ClockState = 'running' | 'at-risk' | 'overdue' | 'met' | 'missed';

export interface SlaClock {
  readonly kind: 'response' | 'update';
  readonly state: ClockState;
  readonly dueAt: Date;
  /** Minutes of the clock's time until due; negative once overdue. */
  readonly minutesLeft: number;
  /** Share of the window used, 0..1 and beyond when overdue. */
  readonly fractionUsed: number;
  /** The line people read: "Response due in 38 min", "Response due Mon 2 Mar 09:40, business hours, Europe/London". */
  readonly text: string;
  /** Which clock runs, and the deadline or what is left of it; empty when there is nothing to add. */
  readonly detail: string;
  readonly hours: ClockHours;
}

/** From this share of a window used, an SLA is at risk. */
export const atRiskFraction = 0.8;

/** What is left of a window when it turns at risk, in whole ms (no rounding drift at the threshold). */
export function atRiskRemainingMs(windowMinutes: number): number {
  return Math.round(windowMinutes * minuteInMs * (1 - atRiskFraction));
}

/** How the clock is named on a card: "around the clock", "business hours, Europe/London". */
export function describeClock(hours: ClockHours): string {
  return hours.kind === '24x7' ? 'around the clock' : `business hours, ${hours.timeZone}`;
}

/**
 * A deadline on a business clock, for a reader in `zone`: the clock's zone is named once when the
 * reader's is the same ("Mon 2 Mar 09:40, business hours, Europe/London").
 */
function businessDeadline(due: Date, hours: Extract<ClockHours, { kind: 'business' }>, zone: string): string {
  return `${formatInZone(due, zone, { zone: zone !== hours.timeZone })}, business hours, ${hours.timeZone}`;
}

export interface ClockView {
  /** The zone the reader's times are shown in. */
  readonly timeZone?: string;
}

function runningClock(kind: SlaClock['kind'], dueAt: Date, windowMinutes: number, hours: ClockHours, now: Date, zone: string): SlaClock {
  const overdueMs = now > dueAt ? businessMsBetween(hours, dueAt, now) : 0;
  const leftMs = now > dueAt ? -overdueMs : businessMsBetween(hours, now, dueAt);
  const minutesLeft = leftMs / minuteInMs;
  const windowMs = windowMinutes * minuteInMs;
  const fractionUsed = (windowMs - leftMs) / windowMs;
  const label = kind === 'response' ? 'Response' : 'Next update';
  const overdueLabel = kind === 'response' ? 'Response' : 'Update';
  const state: ClockState = now > dueAt ? 'overdue' : leftMs <= atRiskRemainingMs(windowMinutes) ? 'at-risk' : 'running';
  if (hours.kind === '24x7') {
    const text =
      state === 'overdue'
        ? `${overdueLabel} overdue by ${formatMinutes(Math.max(1, Math.ceil(-minutesLeft)))}`
        : leftMs === 0
          ? `${label} due now`
          : `${label} due in ${formatMinutes(Math.ceil(minutesLeft))}`;
    const detail = `${state === 'overdue' ? 'Was due' : 'Due'} ${formatInZone(dueAt, zone)}, around the clock`;
    return { kind, state, dueAt, minutesLeft, fractionUsed, text, detail, hours };
  }
  if (state === 'overdue') {
    // Business time past the deadline: none yet when the clock stopped right at it.
    const text = overdueMs >= minuteInMs / 2 ? `${overdueLabel} overdue by ${formatMinutes(Math.ceil(-minutesLeft))} of business hours` : `${overdueLabel} overdue`;
    return { kind, state, dueAt, minutesLeft, fractionUsed, text, detail: `Was due ${businessDeadline(dueAt, hours, zone)}`, hours };
  }
  const stopped = !isWithinHours(hours, now);
  const resumes = stopped ? nextClockChange(hours, now) : undefined;
  const left = `${formatMinutes(Math.ceil(minutesLeft))} of business hours left`;
  const detail = resumes ? `${left}; the clock is stopped until ${formatInZone(resumes, zone)}` : left;
  return { kind, state, dueAt, minutesLeft, fractionUsed, text: `${label} due ${businessDeadline(dueAt, hours, zone)}`, detail, hours };
}

/** The response clock and, once responded and while open, the update clock, as of `now`. */
export function slaClocks(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date, view: ClockView = {}): { response: SlaClock; update?: SlaClock } {
  const { sla } = escalation;
  const hours = clockOf(sla);
  const zone = view.timeZone ?? 'UTC';
  const responseDue = new Date(sla.responseDueAt);
  const of = hours.kind === '24x7' ? '' : ' of business hours';
  let response: SlaClock;
  if (sla.respondedAt) {
    const respondedAt = new Date(sla.respondedAt);
    const took = businessMsBetween(hours, new Date(escalation.openedAt), respondedAt) / minuteInMs;
    const late = respondedAt > responseDue;
    const lateBy = businessMsBetween(hours, responseDue, respondedAt) / minuteInMs;
    response = {
      kind: 'response',
      state: late ? 'missed' : 'met',
      dueAt: responseDue,
      minutesLeft: late ? -lateBy : businessMsBetween(hours, respondedAt, responseDue) / minuteInMs,
      fractionUsed: took / sla.targets.responseMinutes,
      text: late ? `Responded in ${formatMinutes(Math.ceil(took))}${of}, ${formatMinutes(Math.max(1, Math.ceil(lateBy)))} late` : `Responded in ${formatMinutes(Math.ceil(took))}${of}`,
      detail: '',
      hours,
    };
  } else if (!isOpen(escalation.status)) {
    response = { kind: 'response', state: 'met', dueAt: responseDue, minutesLeft: 0, fractionUsed: 0, text: 'No response owed', detail: '', hours };
  } else {
    response = runningClock('response', responseDue, sla.targets.responseMinutes, hours, now, zone);
  }
  if (!sla.respondedAt || !sla.nextUpdateDueAt || !isOpen(escalation.status)) return { response };
  return { response, update: runningClock('update', new Date(sla.nextUpdateDueAt), sla.targets.updateCadenceMinutes, hours, now, zone) };
}

const runningStates: readonly ClockState[] = ['running', 'at-risk', 'overdue'];

/** The next SLA deadline of an open escalation, and whether it has passed; undefined when nothing runs. */
export function nextDeadline(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date): { at: Date; overdue: boolean } | undefined {
  const clocks = slaClocks(escalation, now);
  const running = [clocks.response, clocks.update].filter((c): c is SlaClock => !!c && runningStates.includes(c.state));
  if (running.length === 0) return undefined;
  const first = running.reduce((a, b) => (b.dueAt < a.dueAt ? b : a));
  return { at: first.dueAt, overdue: running.some((c) => c.state === 'overdue') };
}

/**
 * Most urgent first: what is overdue now, then the earliest deadline (an instant, whichever clock
 * it runs on), then severity, then the oldest. Severity alone would put a breached B below an A
 * with hours to go.
 */
export function compareUrgency(a: Pick<Escalation, 'sla' | 'status' | 'openedAt' | 'severity'>, b: Pick<Escalation, 'sla' | 'status' | 'openedAt' | 'severity'>, now: Date): number {
  const [da, db] = [nextDeadline(a, now), nextDeadline(b, now)];
  const overdue = Number(!!db?.overdue) - Number(!!da?.overdue);
  if (overdue !== 0) return overdue;
  if (!da !== !db) return da ? -1 : 1;
  if (da && db && da.at.getTime() !== db.at.getTime()) return da.at.getTime() - db.at.getTime();
  return severityOrder[a.severity] - severityOrder[b.severity] || a.openedAt.localeCompare(b.openedAt);
}

const severityOrder: Record<Escalation['severity'], number> = { A: 0, B: 1, C: 2 };

/** The worst state among the running clocks: what a manager's breach-risk line shows. */
export function breachRisk(escalation: Pick<Escalation, 'sla' | 'status' | 'openedAt'>, now: Date, view: ClockView = {}): { state: 'ok' | 'at-risk' | 'breached'; text: string } {
  const clocks = slaClocks(escalation, now, view);
  const running = [clocks.response, clocks.update].filter((c): c is SlaClock => !!c);
  const overdue = running.find((c) => c.state === 'overdue');
  if (overdue) return { state: 'breached', text: `SLA breached: ${overdue.text.charAt(0).toLowerCase()}${overdue.text.slice(1)}` };
  const atRisk = running.find((c) => c.state === 'at-risk');
  if (atRisk) return { state: 'at-risk', text: `At risk: ${Math.round(atRisk.fractionUsed * 100)}% of the ${atRisk.kind} window used` };
  if (clocks.response.state === 'missed') return { state: 'breached', text: 'Response target was missed' };
  return { state: 'ok', text: 'On track' };
}

/** The instant a running window turns at risk: when what is left of it first comes down to the at-risk share. */
export function atRiskAt(hours: ClockHours, dueAt: Date, windowMinutes: number): Date {
  return earliestWithRemaining(hours, dueAt, atRiskRemainingMs(windowMinutes));
}
