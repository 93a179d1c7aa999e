import type * as AdaptiveCardsModule from 'adaptivecards';
import { maxCardBytes } from '../../src/cards/card-templates';

// The package's ES module build has extensionless imports Node cannot resolve; its UMD bundle loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsModule;

/**
 * The chart elements Teams renders in 1.5 cards, which the `adaptivecards` parser does not know.
 * Allowed explicitly: each must have the data its type needs and a `fallback` element (what Teams
 * mobile, older clients and the Playground show), and that fallback is what the parser checks.
 */
export const teamsChartTypes = ['Chart.Donut', 'Chart.Pie', 'Chart.Gauge', 'Chart.VerticalBar', 'Chart.VerticalBar.Grouped', 'Chart.HorizontalBar', 'Chart.HorizontalBar.Stacked', 'Chart.Line'] as const;

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

function chartProblems(chart: Record<string, unknown>): string[] {
  const type = String(chart.type);
  const problems: string[] = [];
  const data = chart.data;
  const point = (p: unknown): boolean => !!p && typeof p === 'object' && isNumber((p as Record<string, unknown>).y) && (p as Record<string, unknown>).x !== undefined;
  const series = (s: unknown): boolean => !!s && typeof s === 'object' && typeof (s as Record<string, unknown>).legend === 'string' && Array.isArray((s as Record<string, unknown>).values) && ((s as Record<string, unknown>).values as unknown[]).every(point);
  const slice = (s: unknown): boolean => !!s && typeof s === 'object' && typeof (s as Record<string, unknown>).legend === 'string' && isNumber((s as Record<string, unknown>).value);
  if (type !== 'Chart.Gauge') {
    const shape = ['Chart.Donut', 'Chart.Pie'].includes(type) ? slice : ['Chart.VerticalBar.Grouped', 'Chart.HorizontalBar.Stacked', 'Chart.Line'].includes(type) ? series : point;
    if (!Array.isArray(data) || !data.every(shape)) problems.push(`${type}: data is not the shape its type needs`);
  }
  const fallback = chart.fallback;
  if (!fallback || typeof fallback !== 'object') problems.push(`${type}: no fallback element (Teams mobile and older clients show it)`);
  return problems;
}

/** The card with every allowed chart replaced by its fallback, and what was wrong with the charts. */
function withChartFallbacks(node: unknown, problems: string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => withChartFallbacks(n, problems));
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string' && (teamsChartTypes as readonly string[]).includes(record.type)) {
    problems.push(...chartProblems(record));
    return withChartFallbacks(record.fallback ?? { type: 'TextBlock', text: '' }, problems);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withChartFallbacks(v, problems)]));
}

/**
 * Problems the `adaptivecards` parser finds in a card at schema 1.5 (parse warnings and
 * validation failures), plus the Teams size limit. An empty list means the card is fine.
 */
export function adaptiveCardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes > maxCardBytes) problems.push(`card is ${bytes} bytes (limit ${maxCardBytes})`);
  const version = (card as { version?: unknown }).version;
  if (version !== '1.5') problems.push(`version is ${String(version)}, expected 1.5`);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(withChartFallbacks(card, problems), context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${event.message}`);
  }
  for (const event of parsed.validateProperties().validationEvents) {
    problems.push(`validation: ${event.message}`);
  }
  return problems;
}

/** Cards in a bot activity's attachments. */
export function cardsIn(activity: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const attachments = (activity?.attachments ?? []) as { contentType?: string; content?: Record<string, unknown> }[];
  return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content ?? {});
}

/** All visible text of a card, joined, for assertions on what a person reads. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const key of ['text', 'title', 'label', 'value']) if (typeof record[key] === 'string') out.push(record[key]);
      for (const [key, value] of Object.entries(record)) if (key !== 'data') walk(value);
    }
  };
  walk(card);
  return out.join('\n');
}

/** Action.Execute actions a person can press, anywhere in a card (not the automatic refresh). */
export function executeActions(card: unknown): { title: string; verb: string; data: unknown }[] {
  const out: { title: string; verb: string; data: unknown }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute') out.push({ title: String(record.title), verb: String(record.verb), data: record.data });
      for (const [key, value] of Object.entries(record)) if (key !== 'refresh') walk(value);
    }
  };
  walk(card);
  return out;
}
