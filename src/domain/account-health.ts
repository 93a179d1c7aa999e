import { z } from 'zod';
import { addDays, calendarDateOf, calendarDateSchema, daysBetween, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract, LedgerLine } from './contract';
import { contractStatus, formatHours, unusedRiskPercent, unusedRiskWindowDays, type Verdict } from './contract-forecast';
import { isActive, type DeliveryPlan } from './delivery-plan';
import { checkInGraceDays, checkInState } from './delivery-schedule';
import { isOpen, severities, type Escalation, type Severity } from './escalation';
import { slaClocks } from './escalation-sla';

/**
 * An account's health: 0-100 from what the bot already knows about it (SPEC 2.6). Each input
 * deducts points, capped per input, so one bad input cannot hide the others; what is left is the
 * score. The README's "Account health" table mirrors these weights.
 */
export const healthWeights = {
  /** Per open escalation, by severity. */
  openEscalation: { A: 12, B: 5, C: 2, cap: 36 },
  /** Per SLA deadline (response or update) missed in the last 30 days. */
  slaBreach: { each: 6, cap: 30 },
  /** Per SLA deadline that came within 20% of its window in the last 30 days but was not missed. */
  slaAtRisk: { each: 2, cap: 10 },
  /** Per bucket with this verdict. */
  bucketVerdict: { 'over-consuming': 8, 'under-using': 4, cap: 16 },
  /** One point per 2% of the contract's purchased hours at risk of going unused. */
  hoursUnused: { pointsPerPercent: 0.5, cap: 15 },
  /** Per plan item past its due date and not delivered. */
  lateItem: { each: 4, cap: 20 },
  /** The check-in owed is overdue (more than 3 days past its due date). */
  overdueCheckIn: 8,
  /** By days to renewal (the day after the end date); an ended contract counts most. */
  renewal: { within90: 3, within60: 6, within30: 10, ended: 15 },
} as const;

/** Colour bands: green from 75, amber from 50, red below. */
export const healthBands = { green: 75, amber: 50 } as const;

/** SLA breaches and at-risk deadlines count for this long after their deadline. */
export const slaWindowDays = 30;

const dayInMs = 86_400_000;

export const healthInputs = ['open-escalations', 'sla-breaches', 'sla-at-risk', 'bucket-verdicts', 'hours-unused', 'late-items', 'overdue-check-in', 'renewal'] as const;
export type HealthInput = (typeof healthInputs)[number];
export const healthColours = ['green', 'amber', 'red'] as const;
export type HealthColour = (typeof healthColours)[number];
const verdicts = ['on-pace', 'over-consuming', 'under-using', 'not-started', 'ended', 'no-hours'] as const satisfies readonly Verdict[];

/** An SLA deadline of one escalation that was missed or came close, keyed by the deadline itself. */
export const slaEventSchema = z.object({
  escalationId: z.string(),
  clock: z.enum(['response', 'update']),
  dueAt: z.string(),
  state: z.enum(['breached', 'at-risk']),
});
export type SlaEvent = z.infer<typeof slaEventSchema>;

const commercialSchema = z.object({ value: z.number(), currency: z.string(), costRatePerHour: z.number().optional() });

/** What the score needs of the contract, as of the day the alert rules last looked at it. */
export const contractHealthSchema = z.object({
  contractId: z.string(),
  endDate: calendarDateSchema,
  checkedOn: calendarDateSchema,
  buckets: z.array(z.object({ name: z.string(), verdict: z.enum(verdicts) })),
  purchasedHours: z.number(),
  usedHours: z.number(),
  /** Hours the buckets within 90 days of the end and under 60% used would leave at this pace. */
  hoursAtRiskUnused: z.number(),
  commercial: commercialSchema.optional(),
});
export type ContractHealth = z.infer<typeof contractHealthSchema>;

/** What the score needs of the delivery plan: dates only, so time alone can be judged without reading it. */
export const planHealthSchema = z.object({
  nextCheckInDue: calendarDateSchema,
  /** Due dates of the items neither delivered nor cancelled, earliest first. */
  openDueDates: z.array(calendarDateSchema),
});
export type PlanHealth = z.infer<typeof planHealthSchema>;

const openLineSchema = z.object({ escalationId: z.string(), severity: z.enum(severities) });

/**
 * Open escalations by severity, their ids alone: a busy account's summary stays a few bytes an
 * escalation (it is read and written on every opening, resolution and change of severity).
 * Summaries written before kept one `{ escalationId, severity }` line each: they read as this.
 */
const openEscalationsSchema = z.preprocess(
  (value) => {
    if (!Array.isArray(value)) return value;
    const lines = z.array(openLineSchema).safeParse(value);
    return lines.success ? openFromLines(lines.data) : value;
  },
  z.object({ A: z.array(z.string()), B: z.array(z.string()), C: z.array(z.string()) }),
);

function openFromLines(lines: readonly { escalationId: string; severity: Severity }[]): Record<Severity, string[]> {
  const open: Record<Severity, string[]> = { A: [], B: [], C: [] };
  for (const line of lines) open[line.severity].push(line.escalationId);
  for (const severity of severities) open[severity].sort(byId);
  return open;
}

/** Id order: by code unit, the same on every instance whatever its locale. */
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where `id` is, or would go, in a list in id order. */
function placeOf(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ids[middle] ?? '') < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The inputs of one account's score, each kept from the record it comes from. */
export const healthFactsSchema = z.object({
  openEscalations: openEscalationsSchema,
  slaEvents: z.array(slaEventSchema),
  contract: contractHealthSchema.optional(),
  plan: planHealthSchema.optional(),
});
export type HealthFacts = z.infer<typeof healthFactsSchema>;

export const deductionSchema = z.object({ input: z.enum(healthInputs), points: z.number(), reason: z.string() });
export type Deduction = z.infer<typeof deductionSchema>;

/** What the portfolio shows of an account, so its card needs no other read. */
export const healthViewSchema = z.object({
  accountName: z.string(),
  score: z.number().int().min(0).max(100),
  colour: z.enum(healthColours),
  /** Every input that cost points, the costliest first. */
  deductions: z.array(deductionSchema),
  openBySeverity: z.object({ A: z.number().int(), B: z.number().int(), C: z.number().int() }),
  worstVerdict: z.enum(verdicts).optional(),
  /** The day after the contract's end date; days to renewal are counted to it when shown. */
  renewalDate: calendarDateSchema.optional(),
  /** Contract value, currency, cost rate and hours used: the contribution margin's inputs. */
  commercial: commercialSchema.extend({ hoursUsed: z.number() }).optional(),
});
export type HealthView = z.infer<typeof healthViewSchema>;

export const healthSummarySchema = z.object({
  accountId: z.string(),
  /** False until the inputs were read from every record of the account (a summary started from one change). */
  complete: z.boolean(),
  facts: healthFactsSchema,
  view: healthViewSchema,
  computedAt: z.string(),
  /** The next instant at which time alone changes the score; null when nothing will. */
  healthCheckAt: z.string().nullable(),
});
export type HealthSummary = z.infer<typeof healthSummarySchema>;

export const emptyHealthFacts: HealthFacts = { openEscalations: { A: [], B: [], C: [] }, slaEvents: [] };

const dayStart = (date: CalendarDate): Date => new Date(`${date}T00:00:00.000Z`);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function capped(points: number, cap: number): number {
  return Math.min(cap, Math.round(points));
}

/** The SLA events still inside the 30-day window at `now`. */
export function eventsInWindow(events: readonly SlaEvent[], now: Date): SlaEvent[] {
  return events.filter((e) => new Date(e.dueAt).getTime() + slaWindowDays * dayInMs > now.getTime());
}

/** Every input's deduction as of `now`, the costliest first; inputs that cost nothing are left out. */
export function healthDeductions(facts: HealthFacts, now: Date): Deduction[] {
  const today = calendarDateOf(now);
  const w = healthWeights;
  const out: Deduction[] = [];
  const add = (input: HealthInput, points: number, reason: string): void => {
    if (points > 0) out.push({ input, points, reason });
  };

  const bySeverity = openBySeverity(facts);
  const openPoints = severities.reduce((sum, s) => sum + bySeverity[s] * w.openEscalation[s], 0);
  const openText = severities.filter((s) => bySeverity[s] > 0).map((s) => `${bySeverity[s]} ${s}`).join(', ');
  add('open-escalations', capped(openPoints, w.openEscalation.cap), `Open escalations: ${openText}`);

  const events = eventsInWindow(facts.slaEvents, now);
  const breaches = events.filter((e) => e.state === 'breached').length;
  const atRisk = events.filter((e) => e.state === 'at-risk').length;
  add('sla-breaches', capped(breaches * w.slaBreach.each, w.slaBreach.cap), `${plural(breaches, 'SLA breach', 'SLA breaches')} in the last ${slaWindowDays} days`);
  add('sla-at-risk', capped(atRisk * w.slaAtRisk.each, w.slaAtRisk.cap), `${plural(atRisk, 'SLA deadline')} at risk in the last ${slaWindowDays} days`);

  const contract = facts.contract;
  if (contract) {
    const judged = contract.buckets.filter((b) => b.verdict === 'over-consuming' || b.verdict === 'under-using');
    const verdictPoints = judged.reduce((sum, b) => sum + (b.verdict === 'over-consuming' ? w.bucketVerdict['over-consuming'] : w.bucketVerdict['under-using']), 0);
    add('bucket-verdicts', capped(verdictPoints, w.bucketVerdict.cap), judged.map((b) => `${b.name} ${b.verdict === 'over-consuming' ? 'over-consuming' : 'under-using'}`).join('; '));
    const unusedPercent = contract.purchasedHours > 0 ? (contract.hoursAtRiskUnused / contract.purchasedHours) * 100 : 0;
    // At least a point for any hours at risk: a small share is still a conversation to have.
    const unusedPoints = contract.hoursAtRiskUnused > 0 ? Math.max(1, unusedPercent * w.hoursUnused.pointsPerPercent) : 0;
    add('hours-unused', capped(unusedPoints, w.hoursUnused.cap), `${formatHours(contract.hoursAtRiskUnused)} (${Math.round(unusedPercent)}% of the contract) at risk of going unused`);
    const days = daysBetween(today, addDays(contract.endDate, 1));
    if (days <= 0) add('renewal', w.renewal.ended, `Contract ended on ${formatCalendarDate(contract.endDate)}`);
    else if (days <= 30) add('renewal', w.renewal.within30, `Renewal in ${plural(days, 'day')}`);
    else if (days <= 60) add('renewal', w.renewal.within60, `Renewal in ${plural(days, 'day')}`);
    else if (days <= 90) add('renewal', w.renewal.within90, `Renewal in ${plural(days, 'day')}`);
  }

  const plan = facts.plan;
  if (plan) {
    const late = plan.openDueDates.filter((d) => d < today).length;
    add('late-items', capped(late * w.lateItem.each, w.lateItem.cap), `${plural(late, 'plan item')} late`);
    if (checkInState(plan, today) === 'overdue') add('overdue-check-in', w.overdueCheckIn, `Check-in due ${formatCalendarDate(plan.nextCheckInDue)} is overdue`);
  }
  return out.sort((a, b) => b.points - a.points || healthInputs.indexOf(a.input) - healthInputs.indexOf(b.input));
}

export function colourOf(score: number): HealthColour {
  return score >= healthBands.green ? 'green' : score >= healthBands.amber ? 'amber' : 'red';
}

/** The score: 100 less every deduction, never below 0. */
export function healthScore(facts: HealthFacts, now: Date): { score: number; colour: HealthColour; deductions: Deduction[] } {
  const deductions = healthDeductions(facts, now);
  const score = Math.max(0, 100 - deductions.reduce((sum, d) => sum + d.points, 0));
  return { score, colour: colourOf(score), deductions };
}

export function openBySeverity(facts: Pick<HealthFacts, 'openEscalations'>): Record<Severity, number> {
  const open = facts.openEscalations;
  return { A: open.A.length, B: open.B.length, C: open.C.length };
}

const verdictRank: Record<Verdict, number> = { 'over-consuming': 0, 'under-using': 1, 'on-pace': 2, 'not-started': 3, 'no-hours': 4, ended: 5 };

/** The bucket verdict that needs most attention. */
export function worstVerdict(contract: ContractHealth | undefined): Verdict | undefined {
  return contract?.buckets.map((b) => b.verdict).sort((a, b) => verdictRank[a] - verdictRank[b])[0];
}

/**
 * The next instant after `now` at which time alone changes the score: an SLA event leaving the
 * 30-day window, an item becoming late, the check-in becoming overdue, a renewal threshold or
 * the end of the term. Changes to the records themselves are written as they happen.
 */
export function nextHealthCheck(facts: HealthFacts, now: Date): Date | undefined {
  const today = calendarDateOf(now);
  const points: Date[] = facts.slaEvents.map((e) => new Date(new Date(e.dueAt).getTime() + slaWindowDays * dayInMs));
  if (facts.plan) {
    for (const due of facts.plan.openDueDates) if (due >= today) points.push(dayStart(addDays(due, 1)));
    points.push(dayStart(addDays(facts.plan.nextCheckInDue, checkInGraceDays + 1)));
  }
  if (facts.contract) {
    const renewal = addDays(facts.contract.endDate, 1);
    for (const days of [90, 60, 30, 0]) points.push(dayStart(addDays(renewal, -days)));
  }
  return points.filter((p) => p.getTime() > now.getTime()).sort((a, b) => a.getTime() - b.getTime())[0];
}

/**
 * The summary as of `now`. An incomplete one (started from a single change, the other records
 * not read yet) is due at once: the sweep reads the rest.
 */
export function summariseHealth(input: { accountId: string; accountName: string; facts: HealthFacts; complete: boolean }, now: Date): HealthSummary {
  const facts: HealthFacts = { ...input.facts, slaEvents: eventsInWindow(input.facts.slaEvents, now) };
  const { score, colour, deductions } = healthScore(facts, now);
  const contract = facts.contract;
  const verdict = worstVerdict(contract);
  const view: HealthView = {
    accountName: input.accountName,
    score,
    colour,
    deductions,
    openBySeverity: openBySeverity(facts),
    ...(verdict ? { worstVerdict: verdict } : {}),
    ...(contract ? { renewalDate: addDays(contract.endDate, 1) } : {}),
    ...(contract?.commercial ? { commercial: { ...contract.commercial, hoursUsed: contract.usedHours } } : {}),
  };
  const check = input.complete ? nextHealthCheck(facts, now) : new Date(0);
  return { accountId: input.accountId, complete: input.complete, facts, view, computedAt: now.toISOString(), healthCheckAt: check ? check.toISOString() : null };
}

// --- Inputs from each record ----------------------------------------------------------------

/** What one escalation contributes: whether it is open (and at which severity), and its SLA deadlines missed or at risk. */
export function escalationHealth(e: Escalation, now: Date): { open?: { escalationId: string; severity: Severity }; events: SlaEvent[] } {
  const clocks = slaClocks(e, now);
  const events: SlaEvent[] = [];
  for (const clock of [clocks.response, clocks.update]) {
    if (!clock) continue;
    const state = clock.state === 'overdue' || clock.state === 'missed' ? 'breached' : clock.state === 'at-risk' ? 'at-risk' : undefined;
    if (state) events.push({ escalationId: e.escalationId, clock: clock.kind, dueAt: clock.dueAt.toISOString(), state });
  }
  return { ...(isOpen(e.status) ? { open: { escalationId: e.escalationId, severity: e.severity } } : {}), events };
}

const eventKey = (e: SlaEvent): string => `${e.escalationId}|${e.clock}|${e.dueAt}`;

/** SLA events merged by deadline: a deadline once at risk and then missed counts as missed. */
export function mergeSlaEvents(current: readonly SlaEvent[], seen: readonly SlaEvent[]): SlaEvent[] {
  const byKey = new Map(current.map((e) => [eventKey(e), e]));
  for (const event of seen) {
    const known = byKey.get(eventKey(event));
    if (!known || (known.state === 'at-risk' && event.state === 'breached')) byKey.set(eventKey(event), event);
  }
  return [...byKey.values()].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || eventKey(a).localeCompare(eventKey(b)));
}

/** The facts with one escalation as it is now. */
export function withEscalation(facts: HealthFacts, e: Escalation, now: Date): HealthFacts {
  const seen = escalationHealth(e, now);
  // Out of the list it was in, into the one of its severity while open, each kept in id order;
  // the lists it is not in are kept as they are.
  const openEscalations = { ...facts.openEscalations };
  for (const severity of severities) {
    const ids = facts.openEscalations[severity];
    const at = placeOf(ids, e.escalationId);
    const isHere = ids[at] === e.escalationId;
    const belongs = seen.open?.severity === severity;
    if (isHere === belongs) continue;
    openEscalations[severity] = isHere ? [...ids.slice(0, at), ...ids.slice(at + 1)] : [...ids.slice(0, at), e.escalationId, ...ids.slice(at)];
  }
  return {
    ...facts,
    openEscalations,
    slaEvents: eventsInWindow(mergeSlaEvents(facts.slaEvents, seen.events), now),
  };
}

/** What the contract contributes, derived from its ledger as of `today`. */
export function contractHealth(contract: Contract, entries: readonly LedgerLine[], today: CalendarDate): ContractHealth {
  const status = contractStatus(contract, entries, today);
  const daysLeft = daysBetween(today, contract.endDate);
  const atRisk =
    status.phase === 'active' && daysLeft <= unusedRiskWindowDays
      ? status.buckets.filter((b) => b.percentUsed !== null && b.percentUsed < unusedRiskPercent).reduce((sum, b) => sum + b.projectedUnusedHours, 0)
      : 0;
  return {
    contractId: contract.contractId,
    endDate: contract.endDate,
    checkedOn: today,
    buckets: status.buckets.map((b) => ({ name: b.name, verdict: b.verdict })),
    purchasedHours: status.totalPurchasedHours,
    usedHours: status.totalUsedHours,
    hoursAtRiskUnused: Math.round(atRisk * 100) / 100,
    ...(contract.commercial ? { commercial: { ...contract.commercial } } : {}),
  };
}

/** What the delivery plan contributes: the check-in owed and the due dates of what is still to deliver. */
export function planHealth(plan: DeliveryPlan): PlanHealth {
  return {
    nextCheckInDue: plan.nextCheckInDue,
    openDueDates: plan.items.filter(isActive).map((i) => i.dueDate).sort(),
  };
}

/** Contract value against the cost of the hours used (hours used × cost rate), when the rate is known. */
export function contributionMargin(commercial: HealthView['commercial']): { value: number; cost: number; margin: number; percent: number; currency: string } | undefined {
  if (!commercial || commercial.costRatePerHour === undefined) return undefined;
  const cost = Math.round(commercial.hoursUsed * commercial.costRatePerHour * 100) / 100;
  const margin = Math.round((commercial.value - cost) * 100) / 100;
  return { value: commercial.value, cost, margin, percent: commercial.value > 0 ? (margin / commercial.value) * 100 : 0, currency: commercial.currency };
}
