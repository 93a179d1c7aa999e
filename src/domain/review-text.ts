import { formatCalendarDate } from './calendar-date';
import { formatHours, type Verdict } from './contract-forecast';
import { attainmentText, minutesText, type ReviewItem, type ReviewMargin, type ServiceReview, type SeverityFigures } from './service-review';

/**
 * The words of a service review, one definition for the card and the PDF, so both say the same.
 */

export const verdictLabels: Readonly<Record<Verdict, string>> = {
  'on-pace': 'On pace',
  'over-consuming': 'Over-consuming',
  'under-using': 'Under-using',
  'not-started': 'Not started',
  ended: 'Ended',
  'no-hours': 'No hours',
};

const money = (n: number, currency: string): string => `${Math.round(n).toLocaleString('en-GB')} ${currency}`;

/** "1 – 28 Feb 2026, Europe/London". */
export function periodText(review: ServiceReview): string {
  const first = formatCalendarDate(review.firstDay).replace(/ \d{4}$/, '');
  return `${first} – ${formatCalendarDate(review.lastDay)}, ${review.timeZone}${review.complete ? '' : ' (so far)'}`;
}

export function escalationSummary(review: ServiceReview): string {
  const t = review.escalations.total;
  const by = (pick: (f: SeverityFigures) => number): string =>
    review.escalations.bySeverity.map((s) => `${s.severity} ${pick(s)}`).join(' · ');
  return `Opened ${t.opened} (${by((f) => f.opened)}) · resolved ${t.resolved} (${by((f) => f.resolved)}) · open at the end ${t.openAtEnd}`;
}

/** One row of the SLA table: severity, response met, update met, mean time to acknowledge, to resolve. */
export function slaRow(f: SeverityFigures): readonly [string, string, string, string, string] {
  const clock = f.acknowledgeClock === 'business hours' ? ' (business hours)' : f.acknowledgeClock === 'mixed' ? ' (on each clock)' : '';
  return [
    f.severity === 'all' ? 'All' : f.severity,
    attainmentText(f.response),
    attainmentText(f.update),
    f.meanAcknowledgeMinutes === null ? '–' : `${minutesText(f.meanAcknowledgeMinutes)}${clock}`,
    minutesText(f.meanResolveMinutes),
  ];
}

export const slaHeader = ['Severity', 'Response met', 'Update met', 'To acknowledge', 'To resolve'] as const;

export function topProductsText(review: ServiceReview): string {
  const top = review.escalations.topProducts;
  return top.length === 0 ? 'Top products: none (no escalation opened)' : `Top products: ${top.map((p) => `${p.product} ${p.count}`).join(' · ')}`;
}

export function bucketLine(b: NonNullable<ServiceReview['hours']>['buckets'][number]): string {
  const percent = b.percentUsed === null ? '' : ` (${Math.round(b.percentUsed)}%)`;
  return `${b.name}: ${formatHours(b.usedInMonth)} this month · ${formatHours(b.usedToDate)} of ${formatHours(b.purchasedHours)} to date${percent} · ${verdictLabels[b.verdict]}`;
}

export function hoursSummary(review: ServiceReview): string {
  const h = review.hours;
  if (!h) return 'No contract: no hours to show.';
  return `${formatHours(h.usedInMonth)} used this month · ${formatHours(h.usedToDate)} of ${formatHours(h.purchased)} to date`;
}

const itemText = (i: ReviewItem): string => `${i.title} (${i.type}, due ${formatCalendarDate(i.dueDate)}${i.on ? `, ${formatCalendarDate(i.on)}` : ''})`;

export function deliveryLines(review: ServiceReview): { readonly label: string; readonly text: string }[] {
  const d = review.delivery;
  if (!d) return [{ label: 'Plan', text: 'No delivery plan.' }];
  const list = (items: readonly ReviewItem[], none: string): string => (items.length === 0 ? none : items.map(itemText).join('; '));
  return [
    { label: 'Delivered', text: list(d.delivered, 'Nothing delivered this month.') },
    ...(d.cancelled.length > 0 ? [{ label: 'Cancelled', text: list(d.cancelled, '') }] : []),
    { label: 'Late', text: list(d.late, 'Nothing late.') },
    { label: 'Next', text: list(d.next, 'Nothing planned after this month.') },
  ];
}

export function checkInText(review: ServiceReview): string {
  const c = review.checkIns;
  if (!c) return 'No delivery plan: no check-ins.';
  if (c.due === 0) return 'No check-in was due this month.';
  const parts = [`${c.due} due`, `${c.done} done${c.late > 0 ? ` (${c.late} late)` : ''}`, `${c.missed.length} missed${c.missed.length > 0 ? ` (${c.missed.map(formatCalendarDate).join(', ')})` : ''}`];
  if (c.pending.length > 0) parts.push(`${c.pending.length} not yet due`);
  return `Check-ins: ${parts.join(' · ')}`;
}

export function renewalText(review: ServiceReview): string {
  const r = review.renewal;
  if (!r) return 'No contract.';
  if (r.daysFromToday <= 0) return `The contract ended; its renewal date was ${formatCalendarDate(r.date)}.`;
  return `Renewal on ${formatCalendarDate(r.date)}, in ${r.daysFromToday} day${r.daysFromToday === 1 ? '' : 's'}.`;
}

/** The month's contribution margin, for TAMs and managers. */
export function marginText(margin: ReviewMargin | undefined): string {
  if (!margin) return 'Margin: no contract value recorded.';
  const share = `${money(margin.valueShare, margin.currency)} (the month's share of the contract value)`;
  if (margin.margin === undefined || margin.cost === undefined || margin.costRatePerHour === undefined) return `Margin: no cost rate on the contract; value ${share}.`;
  return `Margin ${Math.round(margin.percent ?? 0)}% · ${money(margin.margin, margin.currency)}: ${share} less ${formatHours(margin.hoursUsed)} at ${margin.costRatePerHour} ${margin.currency}/h (${money(margin.cost, margin.currency)}).`;
}
