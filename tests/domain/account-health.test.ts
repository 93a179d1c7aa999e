import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  colourOf,
  contractHealth,
  contributionMargin,
  emptyHealthFacts,
  escalationHealth,
  healthDeductions,
  healthFactsSchema,
  healthScore,
  healthWeights,
  mergeSlaEvents,
  nextHealthCheck,
  openBySeverity,
  planHealth,
  summariseHealth,
  withEscalation,
  type ContractHealth,
  type HealthFacts,
  type SlaEvent,
} from '../../src/domain/account-health';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import type { DeliveryPlan } from '../../src/domain/delivery-plan';
import { sampleEscalation } from '../support/samples';

const now = new Date('2026-03-02T09:00:00.000Z');

function facts(overrides: Partial<HealthFacts>): HealthFacts {
  return { ...emptyHealthFacts, ...overrides };
}

/** The points one input costs, alone. */
function pointsOf(f: HealthFacts, at: Date = now): Record<string, number> {
  return Object.fromEntries(healthDeductions(f, at).map((d) => [d.input, d.points]));
}

const contractPart = (overrides: Partial<ContractHealth> = {}): ContractHealth => ({
  contractId: 'C',
  endDate: '2026-12-31',
  checkedOn: '2026-03-02',
  buckets: [{ name: 'Proactive', verdict: 'on-pace' }],
  purchasedHours: 200,
  usedHours: 40,
  hoursAtRiskUnused: 0,
  ...overrides,
});

/** Open escalations by severity, each list in id order. */
function openOf(lines: readonly { escalationId: string; severity: 'A' | 'B' | 'C' }[]): HealthFacts['openEscalations'] {
  const open: Record<'A' | 'B' | 'C', string[]> = { A: [], B: [], C: [] };
  for (const line of lines) open[line.severity].push(line.escalationId);
  for (const ids of Object.values(open)) ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return open;
}

const event = (escalationId: string, state: SlaEvent['state'], dueAt: string, clock: SlaEvent['clock'] = 'response'): SlaEvent => ({ escalationId, clock, dueAt, state });

describe('account health score', () => {
  it('is 100 and green with nothing against it, and deducts nothing for an on-pace contract far from renewal', () => {
    assert.deepEqual(healthScore(emptyHealthFacts, now), { score: 100, colour: 'green', deductions: [] });
    assert.deepEqual(healthScore(facts({ contract: contractPart(), plan: { nextCheckInDue: '2026-03-10', openDueDates: ['2026-04-01'] } }), now).deductions, []);
  });

  it('open escalations: 12 per A, 5 per B, 2 per C, at most 36', () => {
    const open = (severities: ('A' | 'B' | 'C')[]): HealthFacts => facts({ openEscalations: openOf(severities.map((severity, i) => ({ escalationId: `E${i}`, severity }))) });
    assert.deepEqual(pointsOf(open(['A'])), { 'open-escalations': 12 });
    assert.deepEqual(pointsOf(open(['B', 'C'])), { 'open-escalations': 7 });
    assert.deepEqual(pointsOf(open(['A', 'A', 'A', 'B'])), { 'open-escalations': healthWeights.openEscalation.cap });
    assert.equal(healthDeductions(open(['A', 'B', 'B']), now)[0]?.reason, 'Open escalations: 1 A, 2 B');
  });

  it('SLA breaches: 6 each within the last 30 days, at most 30; a deadline older than 30 days counts no more', () => {
    const breaches = facts({ slaEvents: [event('E1', 'breached', '2026-02-28T10:00:00.000Z'), event('E2', 'breached', '2026-02-01T10:00:00.000Z')] });
    assert.deepEqual(pointsOf(breaches), { 'sla-breaches': 12 });
    assert.deepEqual(pointsOf(breaches, new Date('2026-03-03T10:00:01.000Z')), { 'sla-breaches': 6 });
    const many = facts({ slaEvents: Array.from({ length: 7 }, (_, i) => event(`E${i}`, 'breached', '2026-03-01T10:00:00.000Z')) });
    assert.deepEqual(pointsOf(many), { 'sla-breaches': healthWeights.slaBreach.cap });
  });

  it('SLA at risk: 2 each within the last 30 days, at most 10', () => {
    assert.deepEqual(pointsOf(facts({ slaEvents: [event('E1', 'at-risk', '2026-03-01T10:00:00.000Z')] })), { 'sla-at-risk': 2 });
    const many = facts({ slaEvents: Array.from({ length: 9 }, (_, i) => event(`E${i}`, 'at-risk', '2026-03-01T10:00:00.000Z')) });
    assert.deepEqual(pointsOf(many), { 'sla-at-risk': healthWeights.slaAtRisk.cap });
  });

  it('bucket verdicts: 8 per bucket over-consuming, 4 per bucket under-using, at most 16', () => {
    const verdicts = (...v: ContractHealth['buckets'][number]['verdict'][]): HealthFacts => facts({ contract: contractPart({ buckets: v.map((verdict, i) => ({ name: `B${i}`, verdict })) }) });
    assert.deepEqual(pointsOf(verdicts('over-consuming', 'on-pace')), { 'bucket-verdicts': 8 });
    assert.deepEqual(pointsOf(verdicts('under-using', 'no-hours', 'ended')), { 'bucket-verdicts': 4 });
    assert.deepEqual(pointsOf(verdicts('over-consuming', 'over-consuming', 'under-using')), { 'bucket-verdicts': healthWeights.bucketVerdict.cap });
    assert.equal(healthDeductions(verdicts('over-consuming', 'under-using'), now)[0]?.reason, 'B0 over-consuming; B1 under-using');
  });

  it('hours at risk of going unused: a point per 2% of the purchased hours, at least 1, at most 15', () => {
    assert.deepEqual(pointsOf(facts({ contract: contractPart({ hoursAtRiskUnused: 40 }) })), { 'hours-unused': 10 });
    assert.deepEqual(pointsOf(facts({ contract: contractPart({ hoursAtRiskUnused: 1 }) })), { 'hours-unused': 1 });
    assert.deepEqual(pointsOf(facts({ contract: contractPart({ hoursAtRiskUnused: 150 }) })), { 'hours-unused': healthWeights.hoursUnused.cap });
  });

  it('late plan items: 4 each, at most 20; an item due today is not late yet', () => {
    const plan = (openDueDates: string[]): HealthFacts => facts({ plan: { nextCheckInDue: '2026-03-10', openDueDates } });
    assert.deepEqual(pointsOf(plan(['2026-02-20', '2026-03-01', '2026-03-02'])), { 'late-items': 8 });
    assert.deepEqual(pointsOf(plan(Array.from({ length: 8 }, () => '2026-02-01'))), { 'late-items': healthWeights.lateItem.cap });
  });

  it('an overdue check-in: 8, from the fourth day after its due date', () => {
    const plan = (nextCheckInDue: string): HealthFacts => facts({ plan: { nextCheckInDue, openDueDates: [] } });
    assert.deepEqual(pointsOf(plan('2026-02-27')), {});
    assert.deepEqual(pointsOf(plan('2026-02-26')), { 'overdue-check-in': 8 });
  });

  it('days to renewal: 3 within 90 days, 6 within 60, 10 within 30, 15 once the contract has ended', () => {
    const ending = (endDate: string): HealthFacts => facts({ contract: contractPart({ endDate }) });
    // Renewal is the day after the end date: ending 2026-05-30 renews in 90 days from 2 March.
    assert.deepEqual(pointsOf(ending('2026-05-31')), {});
    assert.deepEqual(pointsOf(ending('2026-05-30')), { renewal: 3 });
    assert.deepEqual(pointsOf(ending('2026-04-30')), { renewal: 6 });
    assert.deepEqual(pointsOf(ending('2026-03-31')), { renewal: 10 });
    assert.deepEqual(pointsOf(ending('2026-03-01')), { renewal: 15 });
    assert.equal(healthDeductions(ending('2026-03-31'), now)[0]?.reason, 'Renewal in 30 days');
  });

  it('sums the deductions, costliest first, never below 0; colour bands at 75 and 50', () => {
    const all = facts({
      openEscalations: { A: ['E1'], B: ['E2'], C: [] },
      slaEvents: [event('E1', 'breached', '2026-03-01T10:00:00.000Z')],
      plan: { nextCheckInDue: '2026-03-10', openDueDates: ['2026-02-01'] },
    });
    const { score, colour, deductions } = healthScore(all, now);
    assert.equal(score, 100 - 17 - 6 - 4);
    assert.equal(colour, 'amber');
    assert.deepEqual(deductions.map((d) => d.input), ['open-escalations', 'sla-breaches', 'late-items']);
    assert.deepEqual([colourOf(75), colourOf(74), colourOf(50), colourOf(49)], ['green', 'amber', 'amber', 'red']);
    const worst = facts({ openEscalations: { A: Array.from({ length: 5 }, (_, i) => `E${i}`), B: [], C: [] }, slaEvents: Array.from({ length: 9 }, (_, i) => event(`E${i}`, 'breached', '2026-03-01T10:00:00.000Z')), contract: contractPart({ endDate: '2026-01-01', buckets: [{ name: 'R', verdict: 'over-consuming' }, { name: 'P', verdict: 'over-consuming' }], hoursAtRiskUnused: 200 }), plan: { nextCheckInDue: '2026-01-01', openDueDates: Array.from({ length: 9 }, () => '2026-01-01') } });
    assert.equal(healthScore(worst, now).score, 0);
  });
});

describe('account health inputs from the records', () => {
  it('an escalation counts while open at its severity; its SLA deadlines missed or at risk are kept after it closes', () => {
    const e = sampleEscalation({ severity: 'B', status: 'new' }); // opened 09:00, response due 11:00
    assert.deepEqual(escalationHealth(e, new Date('2026-03-02T10:00:00Z')), { open: { escalationId: 'ESC-CONTOSO-0042', severity: 'B' }, events: [] });
    const atRisk = withEscalation(emptyHealthFacts, e, new Date('2026-03-02T10:40:00Z'));
    assert.deepEqual(atRisk.slaEvents, [event('ESC-CONTOSO-0042', 'at-risk', '2026-03-02T11:00:00.000Z')]);
    const breached = withEscalation(atRisk, e, new Date('2026-03-02T11:05:00Z'));
    assert.deepEqual(breached.slaEvents, [event('ESC-CONTOSO-0042', 'breached', '2026-03-02T11:00:00.000Z')]);
    const closed = withEscalation(breached, { ...e, status: 'resolved', sla: { ...e.sla, respondedAt: '2026-03-02T11:30:00.000Z' } }, new Date('2026-03-02T12:00:00Z'));
    assert.deepEqual(closed.openEscalations, { A: [], B: [], C: [] });
    assert.equal(closed.slaEvents.length, 1, 'the missed response still counts');
  });

  it('a deadline once at risk and then missed counts once, as missed', () => {
    const merged = mergeSlaEvents([event('E1', 'at-risk', '2026-03-01T10:00:00.000Z')], [event('E1', 'breached', '2026-03-01T10:00:00.000Z'), event('E1', 'at-risk', '2026-03-01T10:00:00.000Z')]);
    assert.deepEqual(merged, [event('E1', 'breached', '2026-03-01T10:00:00.000Z')]);
  });

  it('the contract gives its verdicts, hours used, and hours at risk only within 90 days of the end and under 60% used', () => {
    const contract: Contract = {
      contractId: 'C',
      accountId: 'contoso',
      contractType: 'Premier',
      startDate: '2025-06-01',
      endDate: '2026-05-31',
      buckets: [{ name: 'Proactive', purchasedHours: 100 }, { name: 'Reactive', purchasedHours: 100 }],
      commercial: { value: 100_000, currency: 'GBP', costRatePerHour: 200 },
    };
    const entry = (bucket: string, hours: number, date: string): LedgerEntry => ({ entryId: `${bucket}${date}`, accountId: 'contoso', contractId: 'C', date, bucket, hours, source: 'manual', loggedBy: { key: 'k', name: 'A' }, loggedAt: `${date}T10:00:00Z` });
    const entries = [entry('Proactive', 20, '2026-02-20'), entry('Reactive', 95, '2026-02-25')];
    const part = contractHealth(contract, entries, '2026-03-05');
    assert.deepEqual(part.buckets.map((b) => b.verdict), ['under-using', 'over-consuming']);
    assert.equal(part.usedHours, 115);
    assert.ok(part.hoursAtRiskUnused > 0 && part.hoursAtRiskUnused <= 80, `Proactive's unused hours at this pace: ${part.hoursAtRiskUnused}`);
    assert.equal(contractHealth(contract, entries, '2026-02-20').hoursAtRiskUnused, 0, 'more than 90 days from the end');
    assert.deepEqual(contributionMargin({ ...contract.commercial!, hoursUsed: 115 }), { value: 100_000, cost: 23_000, margin: 77_000, percent: 77, currency: 'GBP' });
    assert.equal(contributionMargin({ value: 1, currency: 'GBP', hoursUsed: 3 }), undefined, 'no cost rate, no margin');
  });

  it('the plan gives the check-in owed and the due dates of items still to deliver', () => {
    const item = (itemId: string, dueDate: string, status: DeliveryPlan['items'][number]['status']): DeliveryPlan['items'][number] => ({ itemId, type: 'Workshop', title: itemId, plannedHours: 8, dueDate, owner: { key: 'k', name: 'A' }, status, health: 'green', createdAt: 'x', updatedAt: 'x' });
    const plan: DeliveryPlan = { accountId: 'contoso', contractId: 'C', cadence: 'weekly', nextCheckInDue: '2026-03-04', nextItemNumber: 4, updatedAt: 'x', items: [item('PI-1', '2026-03-09', 'planned'), item('PI-2', '2026-02-01', 'delivered'), item('PI-3', '2026-02-20', 'in-delivery')] };
    assert.deepEqual(planHealth(plan), { nextCheckInDue: '2026-03-04', openDueDates: ['2026-02-20', '2026-03-09'] });
  });
});

describe('when time alone changes the score', () => {
  it('is the earliest of: an SLA event leaving the window, an item becoming late, the check-in becoming overdue, a renewal threshold', () => {
    const f = facts({
      slaEvents: [event('E1', 'breached', '2026-02-20T10:00:00.000Z')],
      plan: { nextCheckInDue: '2026-03-04', openDueDates: ['2026-02-01', '2026-03-09'] },
      contract: contractPart({ endDate: '2026-06-30' }),
    });
    assert.equal(nextHealthCheck(f, now)?.toISOString(), '2026-03-08T00:00:00.000Z', 'the check-in due 4 March is overdue from the 8th');
    assert.equal(nextHealthCheck(f, new Date('2026-03-08T00:00:00Z'))?.toISOString(), '2026-03-10T00:00:00.000Z', 'the item due 9 March is late from the 10th');
    assert.equal(nextHealthCheck(f, new Date('2026-03-10T00:00:00Z'))?.toISOString(), '2026-03-22T10:00:00.000Z', 'the breach of 20 February leaves the window');
    assert.equal(nextHealthCheck(f, new Date('2026-03-23T00:00:00Z'))?.toISOString(), '2026-04-02T00:00:00.000Z', 'renewal on 1 July is 90 days away from 2 April');
    assert.equal(nextHealthCheck(emptyHealthFacts, now), undefined);
  });

  it('puts it in the summary; one started from a single change is due at once, to be read in full', () => {
    const f = facts({ plan: { nextCheckInDue: '2026-03-04', openDueDates: [] } });
    const complete = summariseHealth({ accountId: 'contoso', accountName: 'Contoso Ltd', facts: f, complete: true }, now);
    assert.equal(complete.healthCheckAt, '2026-03-08T00:00:00.000Z');
    assert.equal(complete.view.score, 100);
    const started = summariseHealth({ accountId: 'contoso', accountName: 'contoso', facts: f, complete: false }, now);
    assert.equal(started.healthCheckAt, new Date(0).toISOString());
  });
});

describe('open escalations in the health facts', () => {
  it('are kept as ids by severity; a summary written with one line per escalation reads the same', () => {
    const older = healthFactsSchema.parse({
      openEscalations: [{ escalationId: 'ESC-CONTOSO-0009', severity: 'B' }, { escalationId: 'ESC-CONTOSO-0002', severity: 'A' }, { escalationId: 'ESC-CONTOSO-0003', severity: 'B' }],
      slaEvents: [],
    });
    assert.deepEqual(older.openEscalations, { A: ['ESC-CONTOSO-0002'], B: ['ESC-CONTOSO-0003', 'ESC-CONTOSO-0009'], C: [] });
    assert.deepEqual(openBySeverity(older), { A: 1, B: 2, C: 0 });
    assert.throws(() => healthFactsSchema.parse({ openEscalations: [{ escalationId: 'E1', severity: 'D' }], slaEvents: [] }), 'a line of no known severity is refused, not dropped');
  });

  it('leaves the lists an escalation is not in as they were: the same arrays', () => {
    const now = new Date('2026-03-02T12:00:00Z');
    const start = withEscalation(withEscalation(emptyHealthFacts, sampleEscalation({ number: 1, severity: 'A', status: 'new' }), now), sampleEscalation({ number: 2, severity: 'C', status: 'new' }), now);
    const next = withEscalation(start, sampleEscalation({ number: 3, severity: 'B', status: 'new' }), now);
    assert.equal(next.openEscalations.A, start.openEscalations.A);
    assert.equal(next.openEscalations.C, start.openEscalations.C);
    assert.deepEqual(next.openEscalations.B, ['ESC-CONTOSO-0003']);
  });

  it('keeps them in id order, each once, whatever order they open, change and close in', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ number: fc.integer({ min: 1, max: 60 }), status: fc.constantFrom('new', 'acknowledged', 'resolved', 'closed'), severity: fc.constantFrom('A', 'B', 'C') }), { maxLength: 80 }), (changes) => {
        const now = new Date('2026-03-02T12:00:00Z');
        let facts = emptyHealthFacts;
        const open = new Map<string, string>();
        for (const change of changes) {
          const escalation = { ...sampleEscalation({ number: change.number, severity: change.severity }), status: change.status as 'new' };
          facts = withEscalation(facts, escalation, now);
          if (change.status === 'new' || change.status === 'acknowledged') open.set(escalation.escalationId, change.severity);
          else open.delete(escalation.escalationId);
        }
        assert.deepEqual(facts.openEscalations, openOf([...open].map(([escalationId, severity]) => ({ escalationId, severity: severity as 'A' }))));
      }),
      { numRuns: 200 },
    );
  });
});
