import type { AlertFinding } from './alert';
import { addDays, dayNumberOf, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract, LedgerEntry } from './contract';
import { contractStatus, formatHours, unusedRiskPercent, unusedRiskWindowDays } from './contract-forecast';
import type { DeliveryPlan } from './delivery-plan';
import { checkInGraceDays, checkInState, isLate } from './delivery-schedule';
import { isOpen, type Escalation } from './escalation';
import { atRiskFraction, slaClocks } from './escalation-sla';
import { minuteInMs } from './duration-text';

/** Bucket thresholds of used hours, in percent. */
export const bucketThresholds = [75, 90, 100] as const;
/** Days before the end of the term at which the renewal is announced. */
export const renewalThresholds = [90, 60, 30] as const;
/** A severity A escalation is "new" for the alert rule this long after it was opened. */
export const newSeverityAWindowInMs = 24 * 60 * minuteInMs;

const dayStart = (date: CalendarDate): Date => new Date(`${date}T00:00:00.000Z`);

/** The earliest threshold instant after the cursor: when the record next needs the rules. */
export function nextAlertCheck(points: readonly Date[], cursor: Date | undefined): Date | undefined {
  const after = points.filter((p) => !cursor || p.getTime() > cursor.getTime()).sort((a, b) => a.getTime() - b.getTime());
  return after[0];
}

// --- Escalations -----------------------------------------------------------------------------

/** Instants at which an escalation's alerts can change: opening (severity A), 80% and 100% of each SLA window. */
export function escalationAlertPoints(e: Escalation): Date[] {
  if (!isOpen(e.status)) return [];
  const points: Date[] = [];
  const opened = new Date(e.openedAt);
  if (e.severity === 'A') points.push(opened);
  if (!e.sla.respondedAt) {
    const due = new Date(e.sla.responseDueAt);
    points.push(new Date(opened.getTime() + (due.getTime() - opened.getTime()) * atRiskFraction), due);
  }
  if (e.sla.respondedAt && e.sla.nextUpdateDueAt) {
    const due = new Date(e.sla.nextUpdateDueAt);
    const window = e.sla.targets.updateCadenceMinutes * minuteInMs;
    points.push(new Date(due.getTime() - window * (1 - atRiskFraction)), due);
  }
  return points;
}

/** What is true of an escalation now: new severity A, an SLA clock at risk or breached (the worse only). */
export function escalationFindings(e: Escalation, now: Date): AlertFinding[] {
  if (!isOpen(e.status)) return [];
  const findings: AlertFinding[] = [];
  const subject = { kind: 'escalation' as const, escalationId: e.escalationId };
  const base = { accountId: e.accountId, subject };
  if (e.severity === 'A' && now.getTime() - new Date(e.openedAt).getTime() < newSeverityAWindowInMs) {
    findings.push({ ...base, key: `sev-a:${e.escalationId}`, rule: 'severity-a-opened', severity: 'critical', title: `New severity A escalation: ${e.escalationId}`, detail: e.title });
  }
  const clocks = slaClocks(e, now);
  for (const clock of [clocks.response, clocks.update]) {
    if (!clock || (clock.state !== 'at-risk' && clock.state !== 'overdue')) continue;
    const which = clock.kind === 'response' ? 'response' : 'update';
    const due = clock.dueAt.toISOString();
    if (clock.state === 'overdue') {
      findings.push({
        ...base,
        key: `sla-breached:${which}:${e.escalationId}:${due}`,
        rule: 'sla-breached',
        severity: 'critical',
        title: `SLA breached: ${e.escalationId} (severity ${e.severity})`,
        detail: `${clock.text}. ${e.title}`,
      });
    } else {
      findings.push({
        ...base,
        key: `sla-at-risk:${which}:${e.escalationId}:${due}`,
        rule: 'sla-at-risk',
        severity: 'normal',
        title: `SLA at risk: ${e.escalationId} (severity ${e.severity})`,
        detail: `${clock.text}: ${Math.round(clock.fractionUsed * 100)}% of the ${which} window used. ${e.title}`,
      });
    }
  }
  return findings;
}

// --- Contracts -------------------------------------------------------------------------------

/** Instants at which the renewal thresholds are crossed (the rest is re-checked daily and on every ledger change). */
export function contractAlertPoints(contract: Contract): Date[] {
  const renewal = addDays(contract.endDate, 1);
  return renewalThresholds.map((days) => dayStart(addDays(renewal, -days)));
}

export function contractFindings(contract: Contract, entries: readonly LedgerEntry[], today: CalendarDate): AlertFinding[] {
  const status = contractStatus(contract, entries, today);
  if (status.phase !== 'active') return [];
  const findings: AlertFinding[] = [];
  const daysLeft = dayNumberOf(contract.endDate) - dayNumberOf(today);
  for (const bucket of status.buckets) {
    if (bucket.purchasedHours <= 0 || bucket.percentUsed === null) continue;
    const subject = { kind: 'contract' as const, contractId: contract.contractId, bucket: bucket.name };
    const base = { accountId: contract.accountId, subject, severity: 'normal' as const };
    const crossed = [...bucketThresholds].reverse().find((t) => (bucket.percentUsed ?? 0) >= t);
    if (crossed) {
      findings.push({
        ...base,
        key: `bucket:${contract.contractId}:${bucket.name}:${crossed}`,
        rule: 'bucket-threshold',
        title: `${bucket.name} hours ${crossed}% used`,
        detail: `${formatHours(bucket.usedHours)} of ${formatHours(bucket.purchasedHours)} used. ${bucket.reason}`,
      });
    }
    if (bucket.projectedExhaustion && bucket.verdict === 'over-consuming') {
      findings.push({
        ...base,
        key: `exhaustion:${contract.contractId}:${bucket.name}`,
        rule: 'projected-exhaustion',
        title: `${bucket.name} hours run out before the end date`,
        detail: bucket.reason,
      });
    }
    if (daysLeft <= unusedRiskWindowDays && bucket.percentUsed < unusedRiskPercent && bucket.projectedUnusedHours > 0) {
      findings.push({
        ...base,
        key: `unused:${contract.contractId}:${bucket.name}`,
        rule: 'hours-at-risk-unused',
        title: `${bucket.name} hours at risk of going unused`,
        detail: `${Math.round(bucket.percentUsed)}% used with ${daysLeft} days to the end: ${formatHours(bucket.projectedUnusedHours)} would be left at this pace.`,
      });
    }
  }
  const threshold = [...renewalThresholds].reverse().find((days) => status.daysToRenewal <= days);
  if (threshold) {
    findings.push({
      key: `renewal:${contract.contractId}:${threshold}`,
      rule: 'renewal-approaching',
      accountId: contract.accountId,
      subject: { kind: 'contract', contractId: contract.contractId },
      severity: 'normal',
      title: `Renewal in ${status.daysToRenewal} days`,
      detail: `${contract.contractType} contract ends on ${formatCalendarDate(contract.endDate)}.`,
    });
  }
  return findings;
}

// --- Delivery plans --------------------------------------------------------------------------

/** Instants at which a check-in becomes overdue and items become late. */
export function planAlertPoints(plan: DeliveryPlan): Date[] {
  const points = [dayStart(addDays(plan.nextCheckInDue, checkInGraceDays + 1))];
  for (const item of plan.items) if (item.status !== 'delivered' && item.status !== 'cancelled') points.push(dayStart(addDays(item.dueDate, 1)));
  return points;
}

export function planFindings(plan: DeliveryPlan, today: CalendarDate): AlertFinding[] {
  const findings: AlertFinding[] = [];
  if (checkInState(plan, today) === 'overdue') {
    findings.push({
      key: `check-in-overdue:${plan.accountId}:${plan.nextCheckInDue}`,
      rule: 'check-in-overdue',
      accountId: plan.accountId,
      subject: { kind: 'plan' },
      severity: 'normal',
      title: 'Delivery check-in overdue',
      detail: `The ${plan.cadence} check-in was due ${formatCalendarDate(plan.nextCheckInDue)}.`,
    });
  }
  for (const item of plan.items) {
    if (!isLate(item, today)) continue;
    findings.push({
      key: `item-late:${plan.accountId}:${item.itemId}:${item.dueDate}`,
      rule: 'plan-item-late',
      accountId: plan.accountId,
      subject: { kind: 'plan', itemId: item.itemId },
      severity: 'normal',
      title: `Plan item late: ${item.title}`,
      detail: `${item.type} was due ${formatCalendarDate(item.dueDate)} and is ${item.status}.`,
    });
  }
  return findings;
}
