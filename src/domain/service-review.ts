import { addDays, calendarDateOf, daysBetween, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract, LedgerLine } from './contract';
import { contractStatus, formatHours, type Verdict } from './contract-forecast';
import { isActive, type CheckIn, type DeliveryPlan, type PlanItem, type ServiceType } from './delivery-plan';
import { checkInGraceDays, nextDueDate } from './delivery-schedule';
import type { Account } from './directory';
import { formatMinutes, minuteInMs } from './duration-text';
import { severities, type Escalation, type Product, type Severity, type TimelineEntry } from './escalation';
import { monthLabel, monthPeriod, inPeriod, type MonthPeriod, type ReviewMonth } from './review-month';
import { resolutions, responseOutcome, timeToAcknowledge, updateDeadlines, type DeadlineOutcome } from './sla-attainment';
import { localDateOf } from './zoned-time';

/** An escalation with its whole timeline (the item keeps only its latest entries). */
export interface EscalationHistory {
  readonly escalation: Escalation;
  readonly timeline: readonly TimelineEntry[];
}

/** Everything a review is computed from: the month's escalations, the ledger, the plan and its check-ins. */
export interface ReviewInput {
  readonly account: Pick<Account, 'accountId' | 'name' | 'timeZone'>;
  readonly month: ReviewMonth;
  readonly now: Date;
  /** Escalations that may have had anything in the month; others are ignored. */
  readonly escalations: readonly EscalationHistory[];
  readonly contract?: Contract;
  /** Hours by bucket and day (entries or the contract's summary of them). */
  readonly ledger: readonly LedgerLine[];
  readonly plan?: DeliveryPlan;
  /** Check-ins recorded around the month (from three months before it to its end). */
  readonly checkIns: readonly CheckIn[];
}

/** Met of due, and the share; null when nothing was due. */
export interface Attainment {
  readonly met: number;
  readonly due: number;
  readonly percent: number | null;
}

export interface SeverityFigures {
  readonly severity: Severity | 'all';
  readonly opened: number;
  readonly resolved: number;
  /** Opened by the end of the month and not resolved by then. */
  readonly openAtEnd: number;
  readonly response: Attainment;
  readonly update: Attainment;
  readonly acknowledged: number;
  /** Mean minutes to the first response, on each escalation's clock; null when none was acknowledged. */
  readonly meanAcknowledgeMinutes: number | null;
  /** What those minutes count: around the clock, business hours, or both (different clocks). */
  readonly acknowledgeClock: 'around the clock' | 'business hours' | 'mixed' | null;
  /** Mean wall-clock minutes from opening to the resolution in the month; null when none. */
  readonly meanResolveMinutes: number | null;
}

export interface ReviewBucket {
  readonly name: string;
  readonly purchasedHours: number;
  readonly usedInMonth: number;
  readonly usedToDate: number;
  readonly percentUsed: number | null;
  readonly verdict: Verdict;
  readonly reason: string;
}

export interface ReviewItem {
  readonly itemId: string;
  readonly title: string;
  readonly type: ServiceType;
  readonly dueDate: CalendarDate;
  /** When it was delivered or cancelled, where that is known. */
  readonly on?: CalendarDate;
}

export interface ReviewMargin {
  readonly currency: string;
  /** The month's share of the contract value: value × days of the term in the month ÷ days of the term. */
  readonly valueShare: number;
  readonly hoursUsed: number;
  readonly costRatePerHour?: number;
  readonly cost?: number;
  readonly margin?: number;
  readonly percent?: number;
}

/** A month's service review of one account; `internal` is for the provider's eyes only. */
export interface ServiceReview {
  readonly accountId: string;
  readonly accountName: string;
  readonly month: ReviewMonth;
  readonly monthLabel: string;
  readonly timeZone: string;
  readonly firstDay: CalendarDate;
  readonly lastDay: CalendarDate;
  /** False while the month is still running: its figures are so far. */
  readonly complete: boolean;
  readonly asOf: string;
  readonly escalations: {
    readonly bySeverity: readonly SeverityFigures[];
    readonly total: SeverityFigures;
    readonly topProducts: readonly { readonly product: Product; readonly count: number }[];
    /** Deadlines of the month that were missed, earliest first. */
    readonly missed: readonly { readonly escalationId: string; readonly severity: Severity; readonly kind: 'response' | 'update'; readonly dueAt: string }[];
  };
  readonly hours?: {
    readonly buckets: readonly ReviewBucket[];
    readonly usedInMonth: number;
    readonly usedToDate: number;
    readonly purchased: number;
  };
  readonly delivery?: {
    readonly delivered: readonly ReviewItem[];
    readonly cancelled: readonly ReviewItem[];
    readonly late: readonly ReviewItem[];
    readonly next: readonly ReviewItem[];
  };
  readonly checkIns?: {
    readonly due: number;
    readonly done: number;
    readonly late: number;
    readonly missed: readonly CalendarDate[];
    readonly pending: readonly CalendarDate[];
  };
  readonly renewal?: { readonly date: CalendarDate; readonly daysFromToday: number };
  readonly highlights: readonly string[];
  readonly risks: readonly string[];
  /** What was worked out rather than read from records made for it. */
  readonly notes: readonly string[];
  readonly internal?: {
    readonly margin?: ReviewMargin;
    readonly risks: readonly string[];
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const percentOf = (met: number, due: number): number | null => (due === 0 ? null : (met / due) * 100);
const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
const attainment = (outcomes: readonly DeadlineOutcome[]): Attainment => {
  const met = outcomes.filter((o) => o.met).length;
  return { met, due: outcomes.length, percent: percentOf(met, outcomes.length) };
};
const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);

/** "80% (4 of 5)", or "none due". */
export function attainmentText(a: Attainment): string {
  return a.percent === null ? 'none due' : `${Math.round(a.percent)}% (${a.met} of ${a.due})`;
}

/** Open at an instant, from the timeline: opened before it, and not resolved or closed by then (reopened counts open again). */
function openAt(history: EscalationHistory, at: Date): boolean {
  if (new Date(history.escalation.openedAt).getTime() >= at.getTime()) return false;
  let open = true;
  for (const entry of history.timeline) {
    if (new Date(entry.at).getTime() >= at.getTime()) break;
    if (entry.kind === 'resolved' || entry.kind === 'closed') open = false;
    if (entry.kind === 'reopened') open = true;
  }
  return open;
}

interface EscalationFacts {
  readonly history: EscalationHistory;
  readonly opened: boolean;
  /** Minutes from opening to its (last) resolution in the month. */
  readonly resolveMinutes?: number;
  readonly response?: DeadlineOutcome;
  readonly updates: readonly DeadlineOutcome[];
  readonly acknowledge?: { readonly minutes: number; readonly business: boolean };
  readonly openAtEnd: boolean;
}

function factsOf(history: EscalationHistory, period: MonthPeriod, now: Date): EscalationFacts {
  const e = history.escalation;
  const resolvedInMonth = resolutions(history.timeline).filter((at) => inPeriod(period, at));
  const lastResolution = resolvedInMonth[resolvedInMonth.length - 1];
  const response = responseOutcome(e, now);
  const ack = timeToAcknowledge(e);
  const end = new Date(Math.min(period.end.getTime(), now.getTime()));
  return {
    history,
    opened: inPeriod(period, e.openedAt),
    ...(lastResolution ? { resolveMinutes: (lastResolution.getTime() - new Date(e.openedAt).getTime()) / minuteInMs } : {}),
    ...(response && inPeriod(period, response.dueAt) ? { response } : {}),
    updates: updateDeadlines(e, history.timeline, now).filter((o) => inPeriod(period, o.dueAt)),
    ...(ack && inPeriod(period, ack.at) ? { acknowledge: { minutes: ack.ms / minuteInMs, business: ack.clock.kind === 'business' } } : {}),
    openAtEnd: openAt(history, end),
  };
}

function figuresFor(severity: Severity | 'all', facts: readonly EscalationFacts[]): SeverityFigures {
  const acks = facts.flatMap((f) => (f.acknowledge ? [f.acknowledge] : []));
  const kinds = new Set(acks.map((a) => a.business));
  return {
    severity,
    opened: facts.filter((f) => f.opened).length,
    resolved: facts.filter((f) => f.resolveMinutes !== undefined).length,
    openAtEnd: facts.filter((f) => f.openAtEnd).length,
    response: attainment(facts.flatMap((f) => (f.response ? [f.response] : []))),
    update: attainment(facts.flatMap((f) => f.updates)),
    acknowledged: acks.length,
    meanAcknowledgeMinutes: mean(acks.map((a) => a.minutes)),
    acknowledgeClock: kinds.size === 0 ? null : kinds.size === 2 ? 'mixed' : kinds.has(true) ? 'business hours' : 'around the clock',
    meanResolveMinutes: mean(facts.flatMap((f) => (f.resolveMinutes !== undefined ? [f.resolveMinutes] : []))),
  };
}

const itemOf = (item: PlanItem, on?: string): ReviewItem => ({
  itemId: item.itemId,
  title: item.title,
  type: item.type,
  dueDate: item.dueDate,
  ...(on ? { on } : {}),
});

/**
 * Where the plan stood in the month. Items record when they were delivered or cancelled since the
 * service review; an older item finished without that instant was finished by its last change: when
 * that is before the month's end it is placed there, and when it is later the item is left out
 * (it may have been finished before, in or after the month).
 */
function deliveryOf(plan: DeliveryPlan, period: MonthPeriod): { delivery: NonNullable<ServiceReview['delivery']>; placed: number; unknown: number } {
  let placed = 0;
  let unknown = 0;
  const localDay = (iso: string): CalendarDate => localDateOf(new Date(iso), period.timeZone);
  const delivered: ReviewItem[] = [];
  const cancelled: ReviewItem[] = [];
  const late: ReviewItem[] = [];
  const next: ReviewItem[] = [];
  for (const item of plan.items) {
    let finished: string | undefined;
    if (!isActive(item)) {
      finished = item.status === 'delivered' ? item.deliveredAt : item.cancelledAt;
      if (!finished) {
        if (new Date(item.updatedAt).getTime() >= period.end.getTime()) {
          unknown += 1;
          continue;
        }
        placed += 1;
        finished = item.updatedAt;
      }
    }
    if (finished && inPeriod(period, finished)) (item.status === 'delivered' ? delivered : cancelled).push(itemOf(item, localDay(finished)));
    if (finished && new Date(finished).getTime() < period.end.getTime()) continue;
    if (item.dueDate <= period.lastDay) late.push(itemOf(item));
    else next.push(itemOf(item));
  }
  const byDue = (a: ReviewItem, b: ReviewItem): number => a.dueDate.localeCompare(b.dueDate) || a.itemId.localeCompare(b.itemId);
  return { delivery: { delivered: delivered.sort(byDue), cancelled: cancelled.sort(byDue), late: late.sort(byDue), next: next.sort(byDue).slice(0, 3) }, placed, unknown };
}

/**
 * The check-ins owed in the month: each due date done (late when more than the grace days after
 * it), missed (skipped by a later check-in, or still not done past its grace days), or pending.
 * A check-in done late moves the schedule past the periods it skipped: those are missed.
 */
function checkInsOf(plan: DeliveryPlan, records: readonly CheckIn[], period: MonthPeriod, today: CalendarDate): NonNullable<ServiceReview['checkIns']> {
  const inMonth = (d: CalendarDate): boolean => d >= period.firstDay && d <= period.lastDay;
  const recorded = new Map(records.map((r) => [r.dueDate, r]));
  const missed = new Set<CalendarDate>();
  const pending = new Set<CalendarDate>();
  for (const record of records) {
    const submitted = calendarDateOf(new Date(record.submittedAt));
    for (let d = nextDueDate(record.dueDate, plan.cadence); d <= submitted && d <= period.lastDay; d = nextDueDate(d, plan.cadence)) {
      if (inMonth(d) && !recorded.has(d)) missed.add(d);
    }
  }
  for (let d = plan.nextCheckInDue; d <= period.lastDay; d = nextDueDate(d, plan.cadence)) {
    if (!inMonth(d) || recorded.has(d)) continue;
    if (daysBetween(d, today) > checkInGraceDays) missed.add(d);
    else pending.add(d);
  }
  const done = [...recorded.values()].filter((r) => inMonth(r.dueDate));
  const late = done.filter((r) => daysBetween(r.dueDate, calendarDateOf(new Date(r.submittedAt))) > checkInGraceDays).length;
  return {
    due: done.length + missed.size + pending.size,
    done: done.length,
    late,
    missed: [...missed].sort(),
    pending: [...pending].sort(),
  };
}

function hoursOf(contract: Contract, ledger: readonly LedgerLine[], period: MonthPeriod, today: CalendarDate): NonNullable<ServiceReview['hours']> {
  const asOf = today < period.lastDay ? today : period.lastDay;
  const toDate = ledger.filter((e) => e.date <= period.lastDay);
  const status = contractStatus(contract, toDate, asOf);
  const inMonth = (bucket: string): number =>
    round2(ledger.filter((e) => e.date >= period.firstDay && e.date <= period.lastDay && e.bucket.toLowerCase() === bucket.toLowerCase()).reduce((s, e) => s + e.hours, 0));
  const buckets = status.buckets.map((b) => ({
    name: b.name,
    purchasedHours: b.purchasedHours,
    usedInMonth: inMonth(b.name),
    usedToDate: b.usedHours,
    percentUsed: b.percentUsed,
    verdict: b.verdict,
    reason: b.reason,
  }));
  return {
    buckets,
    usedInMonth: round2(buckets.reduce((s, b) => s + b.usedInMonth, 0)),
    usedToDate: status.totalUsedHours,
    purchased: status.totalPurchasedHours,
  };
}

function marginOf(contract: Contract, hours: NonNullable<ServiceReview['hours']>, period: MonthPeriod): ReviewMargin | undefined {
  const commercial = contract.commercial;
  if (!commercial) return undefined;
  const termDays = daysBetween(contract.startDate, contract.endDate) + 1;
  const from = period.firstDay > contract.startDate ? period.firstDay : contract.startDate;
  const to = period.lastDay < contract.endDate ? period.lastDay : contract.endDate;
  const daysInMonth = Math.max(0, daysBetween(from, to) + 1);
  const valueShare = round2((commercial.value * daysInMonth) / termDays);
  const base = { currency: commercial.currency, valueShare, hoursUsed: hours.usedInMonth };
  if (commercial.costRatePerHour === undefined) return base;
  const cost = round2(hours.usedInMonth * commercial.costRatePerHour);
  const margin = round2(valueShare - cost);
  return { ...base, costRatePerHour: commercial.costRatePerHour, cost, margin, percent: valueShare > 0 ? (margin / valueShare) * 100 : 0 };
}

const titles = (items: readonly ReviewItem[]): string => items.map((i) => i.title).join('; ');

/** The month's review of an account, from its records alone. */
export function computeServiceReview(input: ReviewInput): ServiceReview {
  const timeZone = input.account.timeZone ?? 'UTC';
  const period = monthPeriod(input.month, timeZone);
  const today = localDateOf(input.now, timeZone);
  const complete = input.now.getTime() >= period.end.getTime();
  const facts = input.escalations
    .filter((h) => new Date(h.escalation.openedAt).getTime() < period.end.getTime())
    .map((h) => factsOf(h, period, input.now));
  const bySeverity = severities.map((s) => figuresFor(s, facts.filter((f) => f.history.escalation.severity === s)));
  const total = figuresFor('all', facts);
  const products = new Map<Product, number>();
  for (const f of facts.filter((x) => x.opened)) products.set(f.history.escalation.product, (products.get(f.history.escalation.product) ?? 0) + 1);
  const topProducts = [...products].map(([product, count]) => ({ product, count })).sort((a, b) => b.count - a.count || a.product.localeCompare(b.product)).slice(0, 3);
  const missed = facts
    .flatMap((f) => [
      ...(f.response && !f.response.met ? [{ kind: 'response' as const, dueAt: f.response.dueAt }] : []),
      ...f.updates.filter((u) => !u.met).map((u) => ({ kind: 'update' as const, dueAt: u.dueAt })),
    ].map((m) => ({ escalationId: f.history.escalation.escalationId, severity: f.history.escalation.severity, kind: m.kind, dueAt: m.dueAt.toISOString() })))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));

  const notes: string[] = [];
  if (facts.some((f) => f.updates.some((u) => u.derived))) {
    notes.push('Some update deadlines are worked out from escalation timelines kept before deadlines were recorded: one cadence after each update, on the escalation\'s present clock.');
  }
  if (!complete) notes.push(`${monthLabel(input.month)} is not over: the figures are up to ${formatCalendarDate(today)}.`);

  const hours = input.contract ? hoursOf(input.contract, input.ledger, period, today) : undefined;
  const plan = input.plan ? deliveryOf(input.plan, period) : undefined;
  if (plan && plan.placed > 0) notes.push(`${plural(plan.placed, 'plan item')} finished before delivery and cancellation dates were recorded ${plan.placed === 1 ? 'is' : 'are'} placed by ${plan.placed === 1 ? 'its' : 'their'} last change.`);
  if (plan && plan.unknown > 0) notes.push(`${plural(plan.unknown, 'plan item')} finished before those dates were recorded and changed since the month ended ${plan.unknown === 1 ? 'is' : 'are'} left out: when ${plan.unknown === 1 ? 'it was' : 'they were'} finished is not known.`);
  const checkIns = input.plan ? checkInsOf(input.plan, input.checkIns, period, calendarDateOf(input.now)) : undefined;
  const renewal = input.contract ? { date: addDays(input.contract.endDate, 1), daysFromToday: daysBetween(today, addDays(input.contract.endDate, 1)) } : undefined;

  const highlights: string[] = [];
  const risks: string[] = [];
  if (total.response.due > 0 && total.response.met === total.response.due) highlights.push(`Every response deadline met (${plural(total.response.due, 'escalation')}).`);
  if (total.update.due > 0 && total.update.met === total.update.due) highlights.push(`Every update deadline met (${total.update.due}).`);
  if (total.resolved > 0 && total.meanResolveMinutes !== null) highlights.push(`${plural(total.resolved, 'escalation')} resolved, in ${formatMinutes(total.meanResolveMinutes)} on average.`);
  if (plan && plan.delivery.delivered.length > 0) highlights.push(`Delivered: ${titles(plan.delivery.delivered)}.`);
  if (checkIns && checkIns.due > 0 && checkIns.missed.length === 0 && checkIns.late === 0 && checkIns.pending.length === 0) highlights.push(`Every check-in done on time (${checkIns.done}).`);
  if (hours && hours.buckets.length > 0 && hours.buckets.every((b) => b.verdict === 'on-pace')) highlights.push('Hours on pace in every bucket.');
  const responseMisses = missed.filter((m) => m.kind === 'response');
  if (responseMisses.length > 0) risks.push(`Response deadline missed: ${responseMisses.map((m) => `${m.escalationId} (severity ${m.severity})`).join(', ')}.`);
  const updateMisses = total.update.due - total.update.met;
  if (updateMisses > 0) risks.push(`${plural(updateMisses, 'update deadline')} missed of ${total.update.due}.`);
  if (total.openAtEnd > 0) {
    const open = bySeverity.filter((s) => s.openAtEnd > 0).map((s) => `${s.openAtEnd} severity ${s.severity}`).join(', ');
    risks.push(`${plural(total.openAtEnd, 'escalation')} still open at the ${complete ? 'end of the month' : 'time of this review'}: ${open}.`);
  }
  if (plan && plan.delivery.late.length > 0) risks.push(`Late: ${titles(plan.delivery.late)}.`);
  if (checkIns && checkIns.missed.length > 0) risks.push(`Check-in missed: ${checkIns.missed.map(formatCalendarDate).join(', ')}.`);
  for (const b of hours?.buckets ?? []) if (b.verdict === 'over-consuming' || b.verdict === 'under-using') risks.push(`${b.name}: ${b.reason}`);
  if (renewal && renewal.daysFromToday > 0 && renewal.daysFromToday <= 90) risks.push(`Renewal in ${plural(renewal.daysFromToday, 'day')}, on ${formatCalendarDate(renewal.date)}.`);

  const internalRisks: string[] = [];
  const outside = facts.filter((f) => f.opened && f.history.escalation.outsideEntitlement).length;
  if (outside > 0) internalRisks.push(`${plural(outside, 'escalation')} opened outside entitlement: confirm coverage.`);
  const margin = input.contract && hours ? marginOf(input.contract, hours, period) : undefined;
  if (margin?.margin !== undefined && margin.margin < 0) internalRisks.push(`The month ran at a loss: ${Math.round(-margin.margin).toLocaleString('en-GB')} ${margin.currency} over its share of the contract value.`);

  return {
    accountId: input.account.accountId,
    accountName: input.account.name,
    month: input.month,
    monthLabel: monthLabel(input.month),
    timeZone,
    firstDay: period.firstDay,
    lastDay: period.lastDay,
    complete,
    asOf: input.now.toISOString(),
    escalations: { bySeverity, total, topProducts, missed },
    ...(hours ? { hours } : {}),
    ...(plan ? { delivery: plan.delivery } : {}),
    ...(checkIns ? { checkIns } : {}),
    ...(renewal ? { renewal } : {}),
    highlights,
    risks,
    notes,
    internal: { ...(margin ? { margin } : {}), risks: internalRisks },
  };
}

/** What customers (and every member of a shared conversation) see: no commercial figures, nothing internal. */
export function customerView(review: ServiceReview): ServiceReview {
  const { internal: _internal, ...rest } = review;
  return rest;
}

/** "1 h 20 min", or "–" when there is nothing to average. */
export function minutesText(minutes: number | null): string {
  return minutes === null ? '–' : formatMinutes(minutes);
}

export { formatHours };
