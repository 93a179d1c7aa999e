import { findingKeyOf, type Alert, type AlertFinding } from './alert';
import { addDays, dayNumberOf, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract, LedgerLine } from './contract';
import { contractStatus, formatHours, unusedRiskPercent, unusedRiskWindowDays } from './contract-forecast';
import type { DeliveryPlan } from './delivery-plan';
import { checkInGraceDays, checkInState, isLate } from './delivery-schedule';
import { isOpen, type Escalation } from './escalation';
import { atRiskAt, clockOf, slaClocks } from './escalation-sla';
import { formatInZone } from './zoned-time';
import { minuteInMs } from './duration-text';
import { entitlementGapText } from './entitlement';

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

/**
 * Instants at which an escalation's alerts can change: opening (severity A), and for each running
 * window the moment it turns at risk (80% of it used, counted on its clock) and its deadline.
 */
export function escalationAlertPoints(e: Escalation): Date[] {
  if (!isOpen(e.status)) return [];
  const points: Date[] = [];
  const opened = new Date(e.openedAt);
  const hours = clockOf(e.sla);
  if (e.severity === 'A' || e.outsideEntitlement) points.push(opened);
  if (!e.sla.respondedAt) {
    const due = new Date(e.sla.responseDueAt);
    points.push(atRiskAt(hours, due, e.sla.targets.responseMinutes), due);
  }
  if (e.sla.respondedAt && e.sla.nextUpdateDueAt) {
    const due = new Date(e.sla.nextUpdateDueAt);
    points.push(atRiskAt(hours, due, e.sla.targets.updateCadenceMinutes), due);
  }
  return points;
}

/**
 * The escalation as its alert cards show it, short of a countdown: status, severity, owner and
 * each SLA clock's state (running, at risk, overdue, met). It changes only at the instants the
 * rules look anyway (alert points) or with the record's version.
 */
export function escalationCardState(e: Escalation, now: Date): string {
  const clocks = slaClocks(e, now);
  return [e.status, e.severity, e.owner?.key ?? '', clocks.response.state, clocks.update?.state ?? ''].join('|');
}

/**
 * An alert's text stays as it was raised, while its card shows the live clock beside it: so the
 * text names the deadline itself ("due 2 Mar 10:00 UTC"; on a business clock in the clock's own
 * zone, "due Mon 2 Mar 17:00 Europe/London, business hours"), which stays true, not a countdown.
 */
function dueText(at: Date, e: Escalation): string {
  const hours = clockOf(e.sla);
  if (hours.kind === 'business') return `${formatInZone(at, hours.timeZone)}, business hours`;
  return formatInZone(at, 'UTC', { weekday: false });
}

/** What is true of an escalation now: new severity A, an SLA clock at risk or breached (the worse only). */
export function escalationFindings(e: Escalation, now: Date): AlertFinding[] {
  if (!isOpen(e.status)) return [];
  const findings: AlertFinding[] = [];
  const subject = { kind: 'escalation' as const, escalationId: e.escalationId };
  const base = { accountId: e.accountId, subject, subjectState: escalationCardState(e, now), ...(e.owner ? { owner: e.owner.key } : {}) };
  // "New" means nobody has responded yet: the response clears it.
  if (e.severity === 'A' && !e.sla.respondedAt && now.getTime() - new Date(e.openedAt).getTime() < newSeverityAWindowInMs) {
    findings.push({ ...base, key: `sev-a:${e.escalationId}`, rule: 'severity-a-opened', severity: 'critical', title: `New severity A escalation: ${e.escalationId}`, detail: e.title });
  }
  // Opened without cover: the account's managers hear of it until it is resolved.
  if (e.outsideEntitlement) {
    findings.push({
      accountId: e.accountId,
      subject,
      subjectState: base.subjectState,
      key: `entitlement:${e.escalationId}`,
      rule: 'outside-entitlement',
      severity: 'normal',
      title: `Outside entitlement: ${e.escalationId} (severity ${e.severity})`,
      detail: `Opened although ${entitlementGapText[e.outsideEntitlement.gap]}. The TAM confirms coverage with the customer. ${e.title}`,
      audience: 'managers',
    });
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
        detail: `The ${which} was due ${dueText(clock.dueAt, e)}. ${e.title}`,
      });
    } else {
      findings.push({
        ...base,
        key: `sla-at-risk:${which}:${e.escalationId}:${due}`,
        rule: 'sla-at-risk',
        severity: 'normal',
        title: `SLA at risk: ${e.escalationId} (severity ${e.severity})`,
        detail: `The ${which} is due ${dueText(clock.dueAt, e)}: ${Math.round(clock.fractionUsed * 100)}% of the window was used when this was raised. ${e.title}`,
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

export function contractFindings(contract: Contract, entries: readonly LedgerLine[], today: CalendarDate): AlertFinding[] {
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
      const bucketKey = (t: number): string => `bucket:${contract.contractId}:${bucket.name}:${t}`;
      findings.push({
        ...base,
        key: bucketKey(crossed),
        alsoHolds: bucketThresholds.filter((t) => t < crossed).map(bucketKey),
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
      alsoHolds: renewalThresholds.filter((d) => d > threshold).map((d) => `renewal:${contract.contractId}:${d}`),
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

/**
 * Instants at which a check-in becomes overdue and items become late; and the plan's last change,
 * so that a recorded check-in or a delivered, cancelled or re-dated item is seen at once (its alert resolves).
 */
export function planAlertPoints(plan: DeliveryPlan): Date[] {
  const points = [dayStart(addDays(plan.nextCheckInDue, checkInGraceDays + 1))];
  const changed = new Date(plan.updatedAt);
  if (!Number.isNaN(changed.getTime())) points.push(changed);
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

// --- Resolution ------------------------------------------------------------------------------

/** The condition keys that still hold: what was found, and the lower thresholds it implies. */
export function holdingKeys(findings: readonly AlertFinding[]): Set<string> {
  return new Set(findings.flatMap((f) => [f.key, ...(f.alsoHolds ?? [])]));
}

/** What the rules look at for one subject, to say why an alert about it no longer holds. */
export type ClearedFacts =
  | { readonly kind: 'escalation'; readonly escalation: Escalation | undefined; readonly now: Date }
  | { readonly kind: 'contract'; readonly contract: Contract | undefined; readonly entries: readonly LedgerLine[]; readonly today: CalendarDate }
  | { readonly kind: 'plan'; readonly plan: DeliveryPlan | undefined; readonly today: CalendarDate };

/** Why an alert whose key is no longer among the holding keys resolved itself, in a few words. */
export function clearedReason(alert: Alert, facts: ClearedFacts): string {
  const parts = findingKeyOf(alert).split(':');
  switch (facts.kind) {
    case 'escalation': {
      const e = facts.escalation;
      if (!e) return 'The escalation no longer exists.';
      if (!isOpen(e.status)) return `The escalation is ${e.status}.`;
      if (alert.rule === 'severity-a-opened') {
        if (e.sla.respondedAt) return 'The escalation was acknowledged.';
        if (e.severity !== 'A') return `Severity changed to ${e.severity}.`;
        return 'No longer new: the SLA alerts follow it.';
      }
      const which = parts[1];
      const due = parts.slice(3).join(':');
      const clocks = slaClocks(e, facts.now);
      const clock = which === 'response' ? clocks.response : clocks.update;
      if (which === 'response' && e.sla.respondedAt) return 'Responded: the response target is met.';
      if (alert.rule === 'sla-at-risk' && clock?.state === 'overdue' && clock.dueAt.toISOString() === due) return 'Now breached: see the breach alert.';
      if (which === 'update' && clock && clock.dueAt.toISOString() !== due) return 'Updated: the next update is due later.';
      if (which === 'update' && !clock) return 'No update is due any more.';
      return 'The SLA target moved (severity or support hours changed).';
    }
    case 'contract': {
      const contract = facts.contract;
      if (!contract || (alert.subject.kind === 'contract' && alert.subject.contractId !== contract.contractId)) return 'The contract was replaced.';
      const status = contractStatus(contract, facts.entries, facts.today);
      if (status.phase !== 'active') return `The contract has ${status.phase === 'ended' ? 'ended' : 'not started'}.`;
      const subject = alert.subject;
      const bucket = subject.kind === 'contract' ? status.buckets.find((b) => b.name === subject.bucket) : undefined;
      switch (alert.rule) {
        case 'bucket-threshold':
          return bucket && bucket.percentUsed !== null ? `Corrected: ${bucket.name} is ${Math.round(bucket.percentUsed)}% used, below ${parts[3] ?? ''}%.` : 'The bucket is no longer on the contract.';
        case 'projected-exhaustion':
          return 'No longer projected to run out before the end date.';
        case 'hours-at-risk-unused':
          return 'No longer at risk of going unused.';
        case 'renewal-approaching':
          return `The end date moved to ${formatCalendarDate(contract.endDate)}.`;
        default:
          return 'The condition has cleared.';
      }
    }
    case 'plan': {
      const plan = facts.plan;
      if (!plan) return 'The delivery plan no longer exists.';
      if (alert.rule === 'check-in-overdue') return plan.lastCheckIn?.dueDate === parts[2] ? 'Check-in recorded.' : 'The check-in is no longer overdue.';
      const subject = alert.subject;
      const item = subject.kind === 'plan' ? plan.items.find((i) => i.itemId === subject.itemId) : undefined;
      if (!item) return 'The item is no longer in the plan.';
      if (item.status === 'delivered') return 'Item delivered.';
      if (item.status === 'cancelled') return 'Item cancelled.';
      if (item.dueDate !== parts[3]) return `Re-dated to ${formatCalendarDate(item.dueDate)}.`;
      return 'No longer late.';
    }
  }
}
