import type { ReviewMonth } from '../domain/review-month';
import { bucketLine, checkInText, deliveryLines, escalationSummary, hoursSummary, marginText, periodText, renewalText, slaRow, topProductsText } from '../domain/review-text';
import type { Attainment, ServiceReview } from '../domain/service-review';
import { commandVerbs, reviewVerbs } from '../domain/verbs';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';

export { reviewVerbs };

type Banner = { readonly text: string; readonly style: 'good' | 'attention' | 'warning' | 'accent' };

export interface ReviewCardModel {
  readonly review: ServiceReview;
  /** The provider's view: the month's margin and internal risks (the review carries them only then). */
  readonly providerView: boolean;
  /** Download links, each already signed for its viewer. */
  readonly links: readonly { readonly title: string; readonly url: string }[];
  /** Offer "Post to the account channel" (TAMs and managers, in their own view). */
  readonly canPost: boolean;
  /** Names this card for the post button, so a double click posts once. */
  readonly stamp: string;
  /** Buttons to the months either side; none on a card posted to a channel. */
  readonly previousMonth?: ReviewMonth;
  readonly nextMonth?: ReviewMonth;
  readonly banner?: Banner;
  /** On a card posted to the account's channel: who posted it. */
  readonly postedBy?: string;
}

const colorOf = (a: Attainment): string => (a.percent === null ? 'Default' : a.percent >= 100 ? 'Good' : a.percent >= 80 ? 'Warning' : 'Attention');
const verdictColor: Record<string, string> = { 'over-consuming': 'Attention', 'under-using': 'Warning', 'on-pace': 'Good' };

/** Column bars for a chart's fallback: the filled share of the largest value, in whole percent. */
function bar(label: string, value: number, largest: number, style: string): Record<string, unknown> {
  const filled = largest > 0 ? Math.max(value > 0 ? 2 : 0, Math.round((value / largest) * 100)) : 0;
  return { label, filled, empty: 100 - filled, style };
}

function openedResolved(review: ServiceReview): Record<string, unknown> {
  const rows = review.escalations.bySeverity;
  const largest = Math.max(1, ...rows.flatMap((s) => [s.opened, s.resolved]));
  return {
    series: [
      { legend: 'Opened', values: rows.map((s) => ({ x: `Severity ${s.severity}`, y: s.opened })) },
      { legend: 'Resolved', values: rows.map((s) => ({ x: `Severity ${s.severity}`, y: s.resolved })) },
    ],
    bars: rows.flatMap((s) => [bar(`${s.severity}: opened ${s.opened}`, s.opened, largest, 'accent'), bar(`${s.severity}: resolved ${s.resolved}`, s.resolved, largest, 'good')]),
  };
}

function deadlines(review: ServiceReview): Record<string, unknown> {
  const t = review.escalations.total;
  const met = t.response.met + t.update.met;
  const due = t.response.due + t.update.due;
  const metWidth = due > 0 ? Math.round((met / due) * 100) : 0;
  return {
    show: due > 0,
    title: `SLA deadlines: ${met} of ${due} met`,
    slices: [
      { legend: 'Met', value: met, color: 'good' },
      { legend: 'Missed', value: due - met, color: 'attention' },
    ],
    metWidth,
    missedWidth: due > 0 ? 100 - metWidth : 0,
  };
}

function hours(review: ServiceReview): Record<string, unknown> {
  const buckets = review.hours?.buckets ?? [];
  const largest = Math.max(0, ...buckets.map((b) => b.usedInMonth));
  return {
    title: `Hours used in ${review.monthLabel} by bucket`,
    points: buckets.map((b) => ({ x: b.name, y: b.usedInMonth })),
    bars: buckets.map((b) => bar(`${b.name}: ${b.usedInMonth} h`, b.usedInMonth, largest, 'accent')),
  };
}

/** The service review card: the customer view, or a TAM's or manager's with the month's margin. */
export function reviewCard(templates: CardTemplates, model: ReviewCardModel): AdaptiveCardJson {
  const { review } = model;
  const accountId = review.accountId;
  const internal = model.providerView ? review.internal : undefined;
  const monthButton = (title: string, month: ReviewMonth): Record<string, unknown> => ({ title, verb: commandVerbs.run, data: { command: 'review', argument: `${accountId} ${month}` } });
  const buttons = [
    ...(model.canPost ? [{ title: 'Post to the account channel', verb: reviewVerbs.post, data: { accountId, month: review.month, stamp: model.stamp } }] : []),
    ...(model.previousMonth ? [monthButton('Previous month', model.previousMonth)] : []),
    ...(model.nextMonth ? [monthButton('Next month', model.nextMonth)] : []),
  ];
  const view = model.postedBy ? `Posted by ${model.postedBy}` : model.providerView ? 'Your view: with the month\'s margin, for TAMs and managers only' : 'Customer view';
  return templates.render('review', {
    banner: model.banner ? { show: true, ...model.banner } : { show: false, text: '', style: 'default' },
    title: `Service review · ${review.monthLabel}`,
    accountName: review.accountName,
    subtitle: `${periodText(review)} · ${view}`,
    escalationSummary: escalationSummary(review),
    openedResolved: openedResolved(review),
    slaRows: [...review.escalations.bySeverity, review.escalations.total].map((f) => {
      const [severity, response, update, acknowledge, resolve] = slaRow(f);
      return { severity, response, update, acknowledge, resolve, responseColor: colorOf(f.response), updateColor: colorOf(f.update) };
    }),
    deadlines: deadlines(review),
    topProducts: topProductsText(review),
    hoursSummary: hoursSummary(review),
    hours: hours(review),
    bucketLines: (review.hours?.buckets ?? []).map((b) => ({ text: bucketLine(b), color: verdictColor[b.verdict] ?? 'Default' })),
    deliveryLines: deliveryLines(review),
    checkIns: checkInText(review),
    renewal: renewalText(review),
    highlights: review.highlights.map((text) => ({ text: `• ${text}` })),
    risks: review.risks.map((text) => ({ text: `• ${text}` })),
    internal: internal ? { show: true, margin: marginText(internal.margin), risks: internal.risks.map((text) => ({ text: `• ${text}` })) } : { show: false, margin: '', risks: [] },
    notes: review.notes.map((text) => ({ text })),
    footer: model.links.length > 0 ? 'The PDF link works for 24 hours: ask for the review again for a new one.' : '',
    links: model.links.map((l) => ({ title: l.title, url: l.url })),
    buttons,
    // New on every card: the card is otherwise the same while the month's figures are.
  }, [model.stamp, ...model.links.map((l) => l.url)]);
}
