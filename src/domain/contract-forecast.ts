import { addDays, daysBetween, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract, LedgerLine } from './contract';

export type Verdict = 'on-pace' | 'over-consuming' | 'under-using' | 'not-started' | 'ended' | 'no-hours';
export type ContractPhase = 'not-started' | 'active' | 'ended';

export interface BucketStatus {
  readonly name: string;
  readonly purchasedHours: number;
  readonly usedHours: number;
  /** Negative when more was used than purchased. */
  readonly remainingHours: number;
  /** Share used, 0..100 and beyond; null when nothing was purchased. */
  readonly percentUsed: number | null;
  readonly last30DaysHours: number;
  readonly last90DaysHours: number;
  /** Hours per day over the last 30 / 90 days of the term (shorter early in the term). */
  readonly burnPerDay30: number;
  readonly burnPerDay90: number;
  /** When the hours run out at the current pace; null when they last (or nothing is being used). */
  readonly projectedExhaustion: CalendarDate | null;
  /** The day the ledger first reached the purchased hours, when it has. */
  readonly exhaustedOn: CalendarDate | null;
  /** Hours left over at the end of the term at the current pace. */
  readonly projectedUnusedHours: number;
  readonly verdict: Verdict;
  readonly reason: string;
}

export interface ContractStatus {
  readonly phase: ContractPhase;
  readonly termDays: number;
  readonly elapsedDays: number;
  readonly termElapsedPercent: number;
  /** Days until the day after the end date (negative once it has passed). */
  readonly daysToRenewal: number;
  readonly buckets: readonly BucketStatus[];
  readonly totalPurchasedHours: number;
  readonly totalUsedHours: number;
}

/** Within this many days of the end, a bucket under 60% used has hours at risk of going unused. */
export const unusedRiskWindowDays = 90;
export const unusedRiskPercent = 60;
/** Running out this close to the end date is still on pace: monthly work is lumpy. */
export const exhaustionToleranceDays = 14;

const round2 = (n: number): number => Math.round(n * 100) / 100;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
export const formatHours = (h: number): string => `${round2(h)} h`;

/** Everything the contract card and the alert rules need, derived from the ledger as of `today`. */
export function contractStatus(contract: Contract, entries: readonly LedgerLine[], today: CalendarDate): ContractStatus {
  const termDays = daysBetween(contract.startDate, contract.endDate) + 1;
  const sinceStart = daysBetween(contract.startDate, today) + 1;
  const elapsedDays = Math.max(0, Math.min(termDays, sinceStart));
  const phase: ContractPhase = sinceStart <= 0 ? 'not-started' : today > contract.endDate ? 'ended' : 'active';
  const termElapsedPercent = (elapsedDays / termDays) * 100;
  const daysToRenewal = daysBetween(today, addDays(contract.endDate, 1));
  const buckets = contract.buckets.map((bucket) =>
    bucketStatus(
      bucket.name,
      bucket.purchasedHours,
      entries.filter((e) => e.bucket.toLowerCase() === bucket.name.toLowerCase()),
      { contract, today, phase, elapsedDays, termElapsedPercent },
    ),
  );
  return {
    phase,
    termDays,
    elapsedDays,
    termElapsedPercent,
    daysToRenewal,
    buckets,
    totalPurchasedHours: round2(buckets.reduce((s, b) => s + b.purchasedHours, 0)),
    totalUsedHours: round2(buckets.reduce((s, b) => s + b.usedHours, 0)),
  };
}

interface Term {
  readonly contract: Contract;
  readonly today: CalendarDate;
  readonly phase: ContractPhase;
  readonly elapsedDays: number;
  readonly termElapsedPercent: number;
}

function hoursInWindow(entries: readonly LedgerLine[], term: Term, days: number): { hours: number; windowDays: number } {
  const windowDays = Math.max(1, Math.min(days, term.elapsedDays));
  const end = term.phase === 'ended' ? term.contract.endDate : term.today;
  const from = addDays(end, -windowDays);
  const hours = entries.filter((e) => e.date > from && e.date <= end).reduce((s, e) => s + e.hours, 0);
  return { hours: Math.max(0, hours), windowDays };
}

function bucketStatus(name: string, purchasedHours: number, entries: readonly LedgerLine[], term: Term): BucketStatus {
  const usedHours = round2(entries.reduce((s, e) => s + e.hours, 0));
  const remainingHours = round2(purchasedHours - usedHours);
  const percentUsed = purchasedHours > 0 ? (usedHours / purchasedHours) * 100 : null;
  const w30 = hoursInWindow(entries, term, 30);
  const w90 = hoursInWindow(entries, term, 90);
  const burnPerDay30 = w30.hours / w30.windowDays;
  const burnPerDay90 = w90.hours / w90.windowDays;
  const rate = burnPerDay30 > 0 ? burnPerDay30 : burnPerDay90;
  const exhaustedOn = purchasedHours > 0 && usedHours >= purchasedHours ? crossingDate(entries, purchasedHours) : null;
  const daysLeft = term.phase === 'ended' ? 0 : daysBetween(term.today, term.contract.endDate);
  const projectedExhaustion =
    term.phase === 'active' && remainingHours > 0 && rate > 0 ? addDays(term.today, Math.ceil(remainingHours / rate)) : null;
  const projectedUnusedHours = round2(Math.max(0, remainingHours - rate * Math.max(0, daysLeft)));
  const base = {
    name,
    purchasedHours,
    usedHours,
    remainingHours,
    percentUsed,
    last30DaysHours: round2(w30.hours),
    last90DaysHours: round2(w90.hours),
    burnPerDay30,
    burnPerDay90,
    projectedExhaustion,
    exhaustedOn,
    projectedUnusedHours,
  };
  return { ...base, ...judge(base, term, daysLeft) };
}

/** The day cumulative consumption first reached the purchased hours. */
function crossingDate(entries: readonly LedgerLine[], purchasedHours: number): CalendarDate | null {
  let total = 0;
  for (const entry of [...entries].sort((a, b) => a.date.localeCompare(b.date) || (a.loggedAt ?? '').localeCompare(b.loggedAt ?? ''))) {
    total += entry.hours;
    if (total >= purchasedHours) return entry.date;
  }
  return null;
}

function judge(
  b: Omit<BucketStatus, 'verdict' | 'reason'>,
  term: Term,
  daysLeft: number,
): { verdict: Verdict; reason: string } {
  const end = term.contract.endDate;
  const used = `${Math.round(b.percentUsed ?? 0)}% used with ${Math.round(term.termElapsedPercent)}% of the term gone`;
  if (b.purchasedHours === 0) {
    return { verdict: 'no-hours', reason: b.usedHours > 0 ? `No hours purchased, yet ${formatHours(b.usedHours)} logged.` : 'No hours purchased in this bucket.' };
  }
  if (term.phase === 'not-started') {
    return { verdict: 'not-started', reason: `Starts on ${formatCalendarDate(term.contract.startDate)}.` };
  }
  if (term.phase === 'ended') {
    const outcome =
      b.remainingHours > 0
        ? `${formatHours(b.remainingHours)} went unused`
        : b.remainingHours < 0
          ? `${formatHours(-b.remainingHours)} over the purchased hours`
          : 'every hour used';
    return { verdict: 'ended', reason: `Ended on ${formatCalendarDate(end)}: ${outcome}.` };
  }
  if (b.remainingHours <= 0) {
    const when = b.exhaustedOn ? ` on ${formatCalendarDate(b.exhaustedOn)}` : '';
    const early = b.exhaustedOn ? daysBetween(b.exhaustedOn, end) : 0;
    return {
      verdict: 'over-consuming',
      reason: `All ${formatHours(b.purchasedHours)} used${when}${early > 0 ? `, ${plural(early, 'day')} before the end` : ''}${b.remainingHours < 0 ? `; ${formatHours(-b.remainingHours)} over` : ''}.`,
    };
  }
  if (b.projectedExhaustion && daysBetween(b.projectedExhaustion, end) > exhaustionToleranceDays) {
    return {
      verdict: 'over-consuming',
      reason: `${used}; at this pace it runs out on ${formatCalendarDate(b.projectedExhaustion)}, ${plural(daysBetween(b.projectedExhaustion, end), 'day')} before the end.`,
    };
  }
  const percent = b.percentUsed ?? 0;
  const nearEnd = daysLeft <= unusedRiskWindowDays && percent < unusedRiskPercent;
  const farBehind = term.termElapsedPercent >= 25 && percent < term.termElapsedPercent - 25;
  if ((nearEnd || farBehind) && b.projectedUnusedHours > 0) {
    return { verdict: 'under-using', reason: `${used}: ${formatHours(b.projectedUnusedHours)} at risk of going unused at this pace.` };
  }
  return { verdict: 'on-pace', reason: `${used}: on pace.` };
}
