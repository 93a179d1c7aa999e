import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import { contractStatus } from '../../src/domain/contract-forecast';
import { addDays } from '../../src/domain/calendar-date';
import { emptyLedgerSummary, ledgerLines, recentEntriesKept, summaryOf, withEntry } from '../../src/domain/ledger-summary';

const contract: Contract = {
  contractId: 'C-1',
  accountId: 'contoso',
  contractType: 'Unified Enterprise',
  startDate: '2026-01-01',
  endDate: '2026-12-31',
  buckets: [
    { name: 'Proactive', purchasedHours: 120 },
    { name: 'Reactive', purchasedHours: 40 },
  ],
};

let counter = 0;
function entry(date: string, bucket: string, hours: number, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  counter += 1;
  return {
    entryId: `e-${counter}`,
    accountId: 'contoso',
    contractId: 'C-1',
    date,
    bucket,
    hours,
    source: 'manual',
    loggedBy: { key: 't:alex', name: 'Alex Wilber' },
    loggedAt: new Date(Date.UTC(2026, 0, 1) + counter * 60_000).toISOString(),
    ...extra,
  };
}

const entryArbitrary = fc.record({
  day: fc.integer({ min: 0, max: 364 }),
  bucket: fc.constantFrom('Proactive', 'Reactive', 'reactive'),
  quarters: fc.integer({ min: 1, max: 96 }),
});

describe('the ledger summary a contract keeps', () => {
  it('gives the same balances, burn, exhaustion and verdicts as the whole ledger, on any day', () => {
    fc.assert(
      fc.property(fc.array(entryArbitrary, { maxLength: 80 }), fc.integer({ min: 0, max: 400 }), (drawn, todayOffset) => {
        const entries = drawn.map((d) => entry(addDays('2026-01-01', d.day), d.bucket, d.quarters / 4));
        const today = addDays('2026-01-01', todayOffset);
        const whole = contractStatus(contract, entries, today);
        const summarised = contractStatus(contract, ledgerLines(summaryOf(entries)), today);
        const round = (s: typeof whole) => JSON.parse(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))) as unknown;
        assert.deepEqual(round(summarised), round(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('counts entries one by one as the whole ledger would, keeping only the latest ones', () => {
    const entries = Array.from({ length: 45 }, (_, i) => entry(addDays('2026-02-01', i % 20), i % 3 === 0 ? 'Reactive' : 'Proactive', 1.25));
    const folded = entries.reduce(withEntry, emptyLedgerSummary);
    assert.deepEqual(folded, summaryOf(entries));
    assert.equal(folded.entries, 45);
    assert.equal(folded.recent.length, recentEntriesKept);
    assert.deepEqual(
      folded.recent.map((e) => e.entryId),
      entries.slice(-recentEntriesKept).map((e) => e.entryId),
    );
  });

  it('keeps hours delivered by plan item, a reversal of a delivery taking them back', () => {
    const delivered = entry('2026-03-02', 'Proactive', 3, { source: 'delivery', reference: 'PI-1' });
    const again = entry('2026-03-09', 'Proactive', 2, { source: 'delivery', reference: 'PI-1' });
    const other = entry('2026-03-09', 'Proactive', 4, { source: 'delivery', reference: 'PI-2' });
    const reversal = entry('2026-03-02', 'Proactive', -3, { source: 'reversal', reverses: delivered.entryId, reversedSource: 'delivery', reference: 'PI-1' });
    const manual = entry('2026-03-10', 'Proactive', 1, { reference: 'ESC-CONTOSO-0001' });
    const summary = summaryOf([delivered, again, other, reversal, manual]);
    assert.deepEqual(summary.delivered, { 'PI-1': 2, 'PI-2': 4 });
    assert.deepEqual(summary.reversed, [delivered.entryId]);
  });

  it('names what an older reversal took back when it summarises a whole ledger', () => {
    const delivered = entry('2026-03-02', 'Proactive', 3, { source: 'delivery', reference: 'PI-7' });
    const olderReversal = entry('2026-03-03', 'Proactive', -3, { source: 'reversal', reverses: delivered.entryId });
    assert.deepEqual(summaryOf([delivered, olderReversal]).delivered, { 'PI-7': 0 });
  });
});
