import type { LedgerEntry, LedgerLine, LedgerSummary } from './contract';

/** How many of the latest entries the summary keeps, for the contract card and its corrections. */
export const recentEntriesKept = 30;

export const emptyLedgerSummary: LedgerSummary = { days: {}, recent: [], reversed: [], delivered: {}, entries: 0 };

const round = (hours: number): number => Math.round(hours * 1000) / 1000;

/** The summary with one more entry counted. */
export function withEntry(summary: LedgerSummary, entry: LedgerEntry): LedgerSummary {
  const bucket = entry.bucket.toLowerCase();
  const days = { ...summary.days, [bucket]: { ...(summary.days[bucket] ?? {}) } };
  const byDay = days[bucket] ?? {};
  byDay[entry.date] = round((byDay[entry.date] ?? 0) + entry.hours);
  const recent = [...summary.recent, entry].sort((a, b) => a.loggedAt.localeCompare(b.loggedAt)).slice(-recentEntriesKept);
  const kept = new Set(recent.map((e) => e.entryId));
  const reversed = [...new Set([...summary.reversed, ...(entry.reverses ? [entry.reverses] : [])])].filter((id) => kept.has(id));
  const item = deliveredItemOf(entry);
  const delivered = item ? { ...summary.delivered, [item]: round((summary.delivered[item] ?? 0) + entry.hours) } : summary.delivered;
  return { days, recent, reversed, delivered, entries: summary.entries + 1 };
}

/** The plan item a delivery entry, or the reversal of one, counts for. */
function deliveredItemOf(entry: LedgerEntry): string | undefined {
  if (entry.source === 'delivery') return entry.reference;
  return entry.source === 'reversal' && entry.reversedSource === 'delivery' ? entry.reference : undefined;
}

/** The summary of a whole ledger (reversals written before they named what they reverse included). */
export function summaryOf(entries: readonly LedgerEntry[]): LedgerSummary {
  const sources = new Map(entries.map((e) => [e.entryId, e]));
  const named = entries.map((e): LedgerEntry => {
    const original = e.source === 'reversal' && e.reverses && !e.reversedSource ? sources.get(e.reverses) : undefined;
    return original ? { ...e, reversedSource: original.source, ...(original.reference ? { reference: original.reference } : {}) } : e;
  });
  return named.sort((a, b) => a.loggedAt.localeCompare(b.loggedAt)).reduce(withEntry, emptyLedgerSummary);
}

/** The contract's ledger as lines for the forecast: one a bucket and day. */
export function ledgerLinesOf(contract: { readonly ledgerSummary?: LedgerSummary }): LedgerLine[] {
  return ledgerLines(contract.ledgerSummary ?? emptyLedgerSummary);
}

/** The summary as ledger lines: one a bucket and day. */
export function ledgerLines(summary: LedgerSummary): LedgerLine[] {
  const lines: LedgerLine[] = [];
  for (const [bucket, byDay] of Object.entries(summary.days)) {
    for (const [date, hours] of Object.entries(byDay)) lines.push({ date, bucket, hours });
  }
  return lines.sort((a, b) => a.date.localeCompare(b.date));
}
