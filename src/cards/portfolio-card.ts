import { contributionMargin, healthBands, type HealthColour, type HealthView } from '../domain/account-health';
import { daysBetween, type CalendarDate } from '../domain/calendar-date';
import { commandIds } from '../domain/commands';
import { formatHours, type Verdict } from '../domain/contract-forecast';
import { RecentlyUsed } from '../domain/recently-used';
import { CardRenderError, type AdaptiveCardJson, type CardTemplates } from './card-templates';

/** One account of a portfolio as the card shows it. */
export interface PortfolioCardRow {
  readonly accountId: string;
  readonly name: string;
  /** Where the next page starts after this row. */
  readonly cursor: string;
  /** Absent: not scored yet. */
  readonly health?: HealthView;
  /** Contract value and margin: TAMs and managers of the account only. */
  readonly showCommercial: boolean;
}

export interface PortfolioCardModel {
  readonly title: string;
  readonly subtitle: string;
  /** The rows from this page's first on; the page holds as many as fit. */
  readonly rows: readonly PortfolioCardRow[];
  /** Rows before this page, and in all. */
  readonly before: number;
  readonly total: number;
  readonly today: CalendarDate;
}

/** Most rows a page tries; fewer when they would not fit in 28 KB. */
export const portfolioRowsPerPage = 20;
/** Reasons shown per account: the one or two that cost it most. */
const reasonsShown = 2;

const colours: Record<HealthColour, { label: string; color: string; style: string }> = {
  green: { label: 'Green', color: 'Good', style: 'good' },
  amber: { label: 'Amber', color: 'Warning', style: 'warning' },
  red: { label: 'Red', color: 'Attention', style: 'attention' },
};

const verdictLabels: Record<Verdict, string> = {
  'over-consuming': 'over-consuming',
  'under-using': 'under-using',
  'on-pace': 'on pace',
  'not-started': 'not started',
  ended: 'ended',
  'no-hours': 'no hours purchased',
};

const money = (n: number, currency: string): string => `${Math.round(n).toLocaleString('en-GB')} ${currency}`;

function renewalText(view: HealthView, today: CalendarDate): string {
  if (!view.renewalDate) return 'No contract';
  const days = daysBetween(today, view.renewalDate);
  return days <= 0 ? 'Contract ended' : `Renewal in ${days} day${days === 1 ? '' : 's'}`;
}

function marginText(view: HealthView): string {
  const commercial = view.commercial;
  if (!commercial) return 'Margin: no contract value recorded';
  const margin = contributionMargin(commercial);
  if (!margin) return `Margin: no cost rate on the contract (value ${money(commercial.value, commercial.currency)})`;
  return `Margin ${Math.round(margin.percent)}% · ${money(margin.margin, margin.currency)} of ${money(margin.value, margin.currency)} after ${formatHours(commercial.hoursUsed)} at ${commercial.costRatePerHour} ${margin.currency}/h`;
}

/** The review button appears once the app has the `review` command. */
const hasReview = (commandIds as readonly string[]).includes('review');

function rowModel(row: PortfolioCardRow, today: CalendarDate): Record<string, unknown> {
  const buttons = [
    { title: 'Escalations', data: { command: 'escalations', argument: row.accountId } },
    { title: 'Contract', data: { command: 'contract', argument: row.accountId } },
    { title: 'Plan', data: { command: 'plan', argument: row.accountId } },
    ...(hasReview ? [{ title: 'Review', data: { command: 'review', argument: row.accountId } }] : []),
  ];
  const view = row.health;
  if (!view) {
    return { name: row.name, scoreText: '–', scoreColor: 'Default', bandLabel: 'Not scored', bandStyle: 'emphasis', reasons: [], facts: 'Not scored yet: the next sweep scores it.', margin: '', buttons };
  }
  const band = colours[view.colour];
  const open = view.openBySeverity;
  const reasons = view.deductions.slice(0, reasonsShown).map((d) => ({ points: `−${d.points}`, text: d.reason, color: band.color }));
  const facts = [
    `Open escalations A ${open.A} · B ${open.B} · C ${open.C}`,
    view.worstVerdict ? `Hours ${verdictLabels[view.worstVerdict]}` : undefined,
    renewalText(view, today),
  ].filter(Boolean).join(' · ');
  return {
    name: row.name,
    scoreText: String(view.score),
    scoreColor: band.color,
    bandLabel: band.label,
    bandStyle: band.style,
    reasons: reasons.length > 0 ? reasons : [{ points: '', text: 'Nothing costs it points.', color: band.color }],
    facts,
    margin: row.showCommercial ? marginText(view) : '',
    buttons,
  };
}

function render(templates: CardTemplates, model: PortfolioCardModel, shown: number): AdaptiveCardJson {
  const rows = model.rows.slice(0, shown);
  const last = rows[rows.length - 1];
  const more = model.before + shown < model.total && last;
  const range = model.total === 0 ? '' : ` · ${model.before + 1}–${model.before + shown} of ${model.total}`;
  return templates.render('portfolio', {
    title: model.title,
    subtitle: `${model.subtitle}${range}`,
    legend: `Worst first. Green ${healthBands.green}–100 · amber ${healthBands.amber}–${healthBands.green - 1} · red below ${healthBands.amber}.`,
    rows: rows.map((r) => rowModel(r, model.today)),
    empty: 'No accounts to show.',
    more: more ? [{ title: `More (${model.total - model.before - shown} left)`, data: { after: last.cursor } }] : [],
  });
}

const isTooLarge = (error: unknown): boolean => error instanceof CardRenderError && /byte limit/.test(error.message);

/**
 * A page of the portfolio: as many rows as fit in one card of at most 28 KB (up to
 * `portfolioRowsPerPage`), with "More" to the rest. Returns the card and how many rows it shows.
 */
export function portfolioCard(templates: CardTemplates, model: PortfolioCardModel): { card: AdaptiveCardJson; shown: number } {
  // The same page asked for again (a manager's portfolio while nothing changed): the rows that
  // fit are known, so it is rendered once instead of searched for again.
  const key = JSON.stringify(model);
  const known = pagesFound.get(key);
  if (known !== undefined) return { card: render(templates, model, known), shown: known };
  const page = searchPage(templates, model);
  pagesFound.set(key, page.shown);
  return page;
}

/** How many rows fit, by page model. */
const pagesFound = new RecentlyUsed<string, number>(100);

function searchPage(templates: CardTemplates, model: PortfolioCardModel): { card: AdaptiveCardJson; shown: number } {
  let fits = Math.min(model.rows.length, portfolioRowsPerPage);
  try {
    return { card: render(templates, model, fits), shown: fits };
  } catch (error) {
    if (!isTooLarge(error) || fits <= 1) throw error;
  }
  // The largest number of rows that fits, found in a few renders.
  let tooMany = fits;
  fits = 1;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    try {
      render(templates, model, middle);
      fits = middle;
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      tooMany = middle;
    }
  }
  return { card: render(templates, model, fits), shown: fits };
}
