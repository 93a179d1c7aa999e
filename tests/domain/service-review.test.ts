import assert from 'node:assert/strict';
import type { Severity } from '../../src/domain/escalation';
import { lastCompleteMonth, monthPeriod, parseReviewArgument } from '../../src/domain/review-month';
import { computeServiceReview, customerView } from '../../src/domain/service-review';
import { updateDeadlines } from '../../src/domain/sla-attainment';
import { e1, e3, e6, februaryInput, now } from '../support/review-fixture';

/** The account's February: see tests/support/review-fixture.ts, where every figure is worked out by hand. */

const review = computeServiceReview(februaryInput);
const severity = (s: Severity) => review.escalations.bySeverity.find((f) => f.severity === s)!;

describe('service review: February of a seeded account, figures worked out by hand', () => {
  it('reads the month in the account\'s zone, and defaults to the last complete one', () => {
    assert.deepEqual(
      { ...monthPeriod('2026-02', 'Europe/Berlin'), start: monthPeriod('2026-02', 'Europe/Berlin').start.toISOString(), end: monthPeriod('2026-02', 'Europe/Berlin').end.toISOString() },
      { month: '2026-02', timeZone: 'Europe/Berlin', firstDay: '2026-02-01', lastDay: '2026-02-28', start: '2026-01-31T23:00:00.000Z', end: '2026-02-28T23:00:00.000Z' },
    );
    assert.equal(lastCompleteMonth(now, 'Europe/London'), '2026-02');
    assert.equal(lastCompleteMonth(new Date('2026-02-28T23:30:00Z'), 'Europe/Berlin'), '2026-02', 'already March in Berlin');
    assert.equal(lastCompleteMonth(new Date('2026-01-10T12:00:00Z'), 'UTC'), '2025-12');
    assert.deepEqual(parseReviewArgument('contoso 2026-01'), { account: 'contoso', month: '2026-01' });
    assert.deepEqual(parseReviewArgument('2026-13'), { account: '', monthError: '"2026-13" is not a month: write it as YYYY-MM, e.g. 2026-02.' });
  });

  it('counts opened and resolved by the month of the event, by severity', () => {
    assert.deepEqual(
      review.escalations.bySeverity.map((s) => [s.severity, s.opened, s.resolved, s.openAtEnd]),
      [['A', 2, 1, 1], ['B', 2, 1, 1], ['C', 0, 1, 0]],
    );
    assert.deepEqual([review.escalations.total.opened, review.escalations.total.resolved, review.escalations.total.openAtEnd], [4, 3, 2]);
    assert.deepEqual(review.escalations.topProducts, [{ product: 'SQL Server', count: 2 }, { product: 'Active Directory', count: 1 }, { product: 'Exchange Server', count: 1 }]);
  });

  it('response attainment: the escalations whose response deadline fell in the month that met it', () => {
    assert.deepEqual([severity('A').response, severity('B').response, severity('C').response], [
      { met: 1, due: 2, percent: 50 },
      { met: 1, due: 2, percent: 50 },
      { met: 0, due: 0, percent: null },
    ]);
    assert.deepEqual(review.escalations.total.response, { met: 2, due: 4, percent: 50 });
  });

  it('update attainment: every update deadline that fell in the month, answered in time or not', () => {
    assert.deepEqual([severity('A').update, severity('B').update, severity('C').update], [
      { met: 2, due: 3, percent: (2 / 3) * 100 },
      { met: 2, due: 4, percent: 50 },
      { met: 1, due: 1, percent: 100 },
    ]);
    assert.deepEqual(review.escalations.total.update, { met: 5, due: 8, percent: 62.5 });
    assert.deepEqual(
      review.escalations.missed.map((m) => [m.escalationId, m.kind, m.dueAt]),
      [
        ['ESC-ACME-0001', 'update', '2026-02-03T12:30:00.000Z'],
        ['ESC-ACME-0002', 'update', '2026-02-13T16:00:00.000Z'],
        ['ESC-ACME-0003', 'response', '2026-02-23T11:00:00.000Z'],
        ['ESC-ACME-0003', 'update', '2026-02-24T09:00:00.000Z'],
        ['ESC-ACME-0005', 'response', '2026-02-28T00:30:00.000Z'],
      ],
    );
  });

  it('records the deadline each provider update answered from now on, and derives those of older timelines, saying so', () => {
    assert.deepEqual(e1.timeline.map((t) => t.updateClock), [undefined, {}, { answered: { dueAt: '2026-02-03T11:40:00.000Z', met: true } }, { answered: { dueAt: '2026-02-03T12:30:00.000Z', met: false } }, { answered: { dueAt: '2026-02-03T13:45:00.000Z', met: true } }]);
    assert.deepEqual(
      updateDeadlines(e3.escalation, e3.timeline, now).map((d) => [d.dueAt.toISOString(), d.met, d.derived]),
      [['2026-02-23T15:30:00.000Z', true, true], ['2026-02-24T09:00:00.000Z', false, false]],
    );
    assert.match(review.notes.join('\n'), /worked out from escalation timelines kept before deadlines were recorded/);
  });

  it('time to acknowledge on each severity\'s clock; time to resolve in wall time', () => {
    assert.deepEqual([severity('A').meanAcknowledgeMinutes, severity('A').acknowledgeClock], [40, 'around the clock']);
    assert.deepEqual([severity('B').meanAcknowledgeMinutes, severity('B').acknowledgeClock], [120, 'business hours'], '(90 + 150) / 2 business minutes');
    assert.deepEqual([severity('C').meanAcknowledgeMinutes, severity('C').acknowledged], [null, 0], 'acknowledged in January');
    assert.equal(review.escalations.total.acknowledgeClock, 'mixed');
    assert.equal(Math.round(review.escalations.total.meanAcknowledgeMinutes! * 100) / 100, 93.33);
    assert.deepEqual([severity('A').meanResolveMinutes, severity('B').meanResolveMinutes, severity('C').meanResolveMinutes, review.escalations.total.meanResolveMinutes], [180, 5280, 4320, 3260]);
  });

  it('hours of the month by bucket and to date against purchased, with the verdict as of the month\'s end', () => {
    assert.deepEqual(
      review.hours?.buckets.map((b) => [b.name, b.usedInMonth, b.usedToDate, b.purchasedHours, b.verdict]),
      [['Proactive', 6, 46, 100, 'on-pace'], ['Reactive', 6, 6, 50, 'under-using']],
    );
    assert.deepEqual([review.hours?.usedInMonth, review.hours?.usedToDate, review.hours?.purchased], [12, 52, 150]);
  });

  it('delivery: delivered in the month, late at its end, and the next three', () => {
    assert.deepEqual(review.delivery?.delivered.map((i) => [i.itemId, i.on]), [['PI-5', '2026-02-14'], ['PI-1', '2026-02-11']]);
    assert.deepEqual(review.delivery?.late.map((i) => i.itemId), ['PI-2', 'PI-4']);
    assert.deepEqual(review.delivery?.next.map((i) => i.itemId), ['PI-3', 'PI-7', 'PI-8']);
    assert.match(review.notes.join('\n'), /1 plan item finished before delivery and cancellation dates were recorded is placed by its last change/);
    assert.match(review.notes.join('\n'), /1 plan item finished before those dates were recorded and changed since the month ended is left out/);
  });

  it('check-ins: each due date of the month done, done late, skipped or still owed', () => {
    assert.deepEqual(review.checkIns, { due: 4, done: 2, late: 1, missed: ['2026-02-16', '2026-02-23'], pending: [] });
  });

  it('renewal, highlights and risks from those figures; the margin and internal risks for the provider only', () => {
    assert.deepEqual(review.renewal, { date: '2026-07-01', daysFromToday: 121 });
    assert.deepEqual(review.highlights, ['3 escalations resolved, in 2 d 6 h on average.', 'Delivered: Old advisory; Identity workshop.']);
    assert.deepEqual(review.risks, [
      'Response deadline missed: ESC-ACME-0003 (severity B), ESC-ACME-0005 (severity A).',
      '3 update deadlines missed of 8.',
      '2 escalations still open at the end of the month: 1 severity A, 1 severity B.',
      'Late: Exchange assessment; SQL health check.',
      'Check-in missed: 16 Feb 2026, 23 Feb 2026.',
      `Reactive: ${review.hours?.buckets[1]?.reason ?? ''}`,
    ]);
    // 365,000 × 28 / 365 = 28,000 for the month, less 12 h × 100.
    assert.deepEqual(review.internal?.margin, { currency: 'GBP', valueShare: 28_000, hoursUsed: 12, costRatePerHour: 100, cost: 1200, margin: 26_800, percent: (26_800 / 28_000) * 100 });
    assert.deepEqual(review.internal?.risks, ['1 escalation opened outside entitlement: confirm coverage.']);
    const seen = customerView(review);
    assert.equal(seen.internal, undefined);
    assert.doesNotMatch(JSON.stringify(seen), /GBP|margin|outside entitlement/i);
  });

  it('says a month still running is so far', () => {
    const march = computeServiceReview({ account: { accountId: 'acme', name: 'Acme', timeZone: 'Europe/London' }, month: '2026-03', now, escalations: [e6], ledger: [], checkIns: [] });
    assert.equal(march.complete, false);
    assert.deepEqual([march.escalations.total.opened, march.escalations.total.openAtEnd, march.escalations.total.response.due], [1, 1, 0]);
    assert.match(march.notes.join('\n'), /March 2026 is not over: the figures are up to 2 Mar 2026/);
  });
});
