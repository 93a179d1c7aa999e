import assert from 'node:assert/strict';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import { contractStatus } from '../../src/domain/contract-forecast';

function contract(overrides: Partial<Contract> = {}): Contract {
  return {
    contractId: 'C-1',
    accountId: 'contoso',
    contractType: 'Unified Enterprise',
    startDate: '2026-01-01',
    endDate: '2026-12-31',
    buckets: [{ name: 'Proactive', purchasedHours: 100 }],
    ...overrides,
  };
}

let sequence = 0;
function entry(date: string, hours: number, bucket = 'Proactive'): LedgerEntry {
  sequence += 1;
  return {
    entryId: `e${sequence}`,
    accountId: 'contoso',
    contractId: 'C-1',
    date,
    bucket,
    hours,
    source: 'manual',
    note: 'n',
    loggedBy: { key: 't:u', name: 'Alex' },
    loggedAt: `${date}T10:00:${String(sequence % 60).padStart(2, '0')}.000Z`,
  };
}

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

describe('contractStatus', () => {
  it('computes used, remaining, burn rates and the exhaustion date by hand-checked figures', () => {
    // 365-day term; 31 Mar is day 90 (31 + 28 + 31), so 90/365 = 24.66% elapsed.
    const entries = [entry('2026-01-15', 30), entry('2026-03-10', 20), entry('2026-03-25', 10)];
    const status = contractStatus(contract(), entries, '2026-03-31');
    assert.equal(status.termDays, 365);
    assert.equal(status.elapsedDays, 90);
    close(status.termElapsedPercent, (90 / 365) * 100);
    assert.equal(status.daysToRenewal, 276); // 31 Mar -> 1 Jan 2027
    const b = status.buckets[0]!;
    assert.equal(b.usedHours, 60);
    assert.equal(b.remainingHours, 40);
    close(b.percentUsed!, 60);
    // Last 30 days = 2 Mar..31 Mar: 20 + 10 = 30 h -> 1 h/day.
    assert.equal(b.last30DaysHours, 30);
    close(b.burnPerDay30, 1);
    // Last 90 days = 1 Jan..31 Mar: all 60 h -> 0.6667 h/day.
    assert.equal(b.last90DaysHours, 60);
    close(b.burnPerDay90, 60 / 90);
    // 40 h left at 1 h/day -> 40 days after 31 Mar = 10 May, 235 days before 31 Dec.
    assert.equal(b.projectedExhaustion, '2026-05-10');
    assert.equal(b.verdict, 'over-consuming');
    assert.equal(b.reason, '60% used with 25% of the term gone; at this pace it runs out on 10 May 2026, 235 days before the end.');
  });

  it('treats a contract that has not started as not started, whatever is in the ledger', () => {
    const status = contractStatus(contract(), [], '2025-12-15');
    assert.equal(status.phase, 'not-started');
    assert.equal(status.elapsedDays, 0);
    assert.equal(status.termElapsedPercent, 0);
    assert.equal(status.daysToRenewal, 382);
    assert.equal(status.buckets[0]!.verdict, 'not-started');
    assert.equal(status.buckets[0]!.reason, 'Starts on 1 Jan 2026.');
    assert.equal(status.buckets[0]!.projectedExhaustion, null);
  });

  it('reports an ended contract with the hours that went unused, and burn measured up to the end', () => {
    const status = contractStatus(contract(), [entry('2026-12-20', 15), entry('2026-06-01', 25)], '2027-02-01');
    assert.equal(status.phase, 'ended');
    assert.equal(status.elapsedDays, 365);
    assert.equal(status.termElapsedPercent, 100);
    assert.equal(status.daysToRenewal, -31);
    const b = status.buckets[0]!;
    assert.equal(b.verdict, 'ended');
    assert.equal(b.reason, 'Ended on 31 Dec 2026: 60 h went unused.');
    assert.equal(b.last30DaysHours, 15, 'the window ends on the last day of the term');
    assert.equal(b.projectedExhaustion, null);
  });

  it('handles a bucket with no hours purchased without dividing by zero', () => {
    const c = contract({ buckets: [{ name: 'Advisory', purchasedHours: 0 }] });
    const empty = contractStatus(c, [], '2026-06-01').buckets[0]!;
    assert.equal(empty.percentUsed, null);
    assert.equal(empty.verdict, 'no-hours');
    assert.equal(empty.reason, 'No hours purchased in this bucket.');
    const used = contractStatus(c, [entry('2026-05-01', 2, 'Advisory')], '2026-06-01').buckets[0]!;
    assert.equal(used.reason, 'No hours purchased, yet 2 h logged.');
  });

  it('projects nothing when nothing has been used yet, and flags the hours at risk late in the term', () => {
    const early = contractStatus(contract(), [], '2026-02-01').buckets[0]!;
    assert.equal(early.usedHours, 0);
    assert.equal(early.burnPerDay30, 0);
    assert.equal(early.projectedExhaustion, null);
    assert.equal(early.verdict, 'on-pace', 'a month in, nothing used is not yet a problem');
    // 2 Oct: 274 of 365 days gone, 90 days left, nothing used -> all 100 h at risk.
    const late = contractStatus(contract(), [], '2026-10-02').buckets[0]!;
    assert.equal(late.verdict, 'under-using');
    assert.equal(late.projectedUnusedHours, 100);
    assert.equal(late.reason, '0% used with 75% of the term gone: 100 h at risk of going unused at this pace.');
  });

  it('dates the exhaustion of a single big entry and reports the overrun', () => {
    const b = contractStatus(contract(), [entry('2026-02-10', 24), entry('2026-02-11', 24), entry('2026-02-12', 24), entry('2026-02-13', 24), entry('2026-02-14', 10)], '2026-03-01').buckets[0]!;
    assert.equal(b.usedHours, 106);
    assert.equal(b.remainingHours, -6);
    assert.equal(b.exhaustedOn, '2026-02-14');
    assert.equal(b.verdict, 'over-consuming');
    assert.equal(b.reason, 'All 100 h used on 14 Feb 2026, 320 days before the end; 6 h over.');
    const single = contractStatus(contract(), [entry('2026-01-02', 24)], '2026-01-02').buckets[0]!;
    // Day 2 of the term: 24 h over 2 days = 12 h/day; 76 h left -> 7 days -> 9 Jan.
    close(single.burnPerDay30, 12);
    assert.equal(single.projectedExhaustion, '2026-01-09');
  });

  it('counts 366 days in a leap-year term and 29 February as a day of it', () => {
    const leap = contract({ startDate: '2028-01-01', endDate: '2028-12-31' });
    const status = contractStatus(leap, [entry('2028-02-29', 8)], '2028-03-01');
    assert.equal(status.termDays, 366);
    assert.equal(status.elapsedDays, 61); // 31 + 29 + 1
    assert.equal(status.buckets[0]!.last30DaysHours, 8);
    assert.equal(status.daysToRenewal, 306); // 1 Mar 2028 -> 1 Jan 2029
  });

  it('still counts entries dated after the end date as used, but not in the burn of the term', () => {
    const status = contractStatus(contract(), [entry('2026-06-01', 10), entry('2027-01-05', 5)], '2027-01-10');
    const b = status.buckets[0]!;
    assert.equal(b.usedHours, 15);
    assert.equal(b.last30DaysHours, 0, 'nothing in the last 30 days of the term');
    assert.equal(b.reason, 'Ended on 31 Dec 2026: 85 h went unused.');
  });

  it('lets a reversal cancel its entry in every figure', () => {
    const original = entry('2026-03-20', 8);
    const reversal: LedgerEntry = { ...entry('2026-03-20', -8), source: 'reversal', reverses: original.entryId, reason: 'wrong account' };
    const b = contractStatus(contract(), [entry('2026-03-05', 4), original, reversal], '2026-03-31').buckets[0]!;
    assert.equal(b.usedHours, 4);
    assert.equal(b.last30DaysHours, 4);
  });

  it('calls a bucket on pace when use follows the term', () => {
    // Half the term gone (day 182 of 365 = 1 Jul), half the hours used, steadily.
    const entries = Array.from({ length: 6 }, (_, i) => entry(`2026-0${i + 1}-15`, 50 / 6));
    const b = contractStatus(contract(), entries, '2026-07-01').buckets[0]!;
    // Last 30 days: 8.33 h -> 0.278 h/day; 50 h left lasts 180 days -> 28 Dec, within the 14-day tolerance.
    assert.equal(b.projectedExhaustion, '2026-12-28');
    assert.equal(b.verdict, 'on-pace');
    assert.match(b.reason, /^50% used with 50% of the term gone: on pace\.$/);
  });
});
