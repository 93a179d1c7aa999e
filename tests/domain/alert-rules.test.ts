import assert from 'node:assert/strict';
import { contractFindings, escalationAlertPoints, escalationFindings, nextAlertCheck, planFindings } from '../../src/domain/alert-rules';
import { nextDigestTime, sendsAtOnce, defaultAlertSettings, localDate } from '../../src/domain/alert-settings';
import type { Contract } from '../../src/domain/contract';
import { sampleEscalation } from '../support/samples';

describe('alert rules', () => {
  it('finds an escalation SLA at risk from 80% of the window, and only the breach once it is overdue', () => {
    const e = sampleEscalation({ severity: 'B', status: 'new' }); // opened 09:00, response due 11:00
    assert.deepEqual(escalationFindings(e, new Date('2026-03-02T10:30:00Z')).map((f) => f.rule), []);
    assert.deepEqual(escalationFindings(e, new Date('2026-03-02T10:36:00Z')).map((f) => f.key), ['sla-at-risk:response:ESC-CONTOSO-0042:2026-03-02T11:00:00.000Z']);
    const late = escalationFindings(e, new Date('2026-03-02T11:01:00Z'));
    assert.deepEqual(late.map((f) => [f.rule, f.severity]), [['sla-breached', 'critical']]);
  });

  it('marks the instants an escalation needs the rules, and skips the ones already seen', () => {
    const e = sampleEscalation({ severity: 'A', status: 'new' }); // response due 10:00
    const points = escalationAlertPoints(e).map((p) => p.toISOString());
    assert.deepEqual(points, ['2026-03-02T09:00:00.000Z', '2026-03-02T09:48:00.000Z', '2026-03-02T10:00:00.000Z']);
    assert.equal(nextAlertCheck(escalationAlertPoints(e), new Date('2026-03-02T09:00:00Z'))?.toISOString(), '2026-03-02T09:48:00.000Z');
    assert.equal(nextAlertCheck(escalationAlertPoints(e), new Date('2026-03-02T10:00:00Z')), undefined);
    assert.deepEqual(escalationAlertPoints(sampleEscalation({ status: 'resolved' })), []);
  });

  it('names only the highest bucket threshold crossed, and the latest renewal step', () => {
    const contract: Contract = {
      contractId: 'C',
      accountId: 'contoso',
      contractType: 'Premier',
      startDate: '2026-01-01',
      endDate: '2026-04-30',
      buckets: [{ name: 'Reactive', purchasedHours: 40 }],
    };
    const entry = { entryId: 'e', accountId: 'contoso', contractId: 'C', date: '2026-01-10', bucket: 'Reactive', hours: 37, source: 'manual' as const, loggedBy: { key: 'k', name: 'n' }, loggedAt: '2026-01-10T00:00:00Z' };
    const keys = contractFindings(contract, [entry], '2026-03-15').map((f) => f.key);
    assert.ok(keys.includes('bucket:C:Reactive:90'));
    assert.ok(!keys.includes('bucket:C:Reactive:75'));
    assert.ok(keys.includes('renewal:C:60'), `${keys.join(', ')}`);
    assert.ok(!keys.includes('renewal:C:90'));
  });

  it('finds an overdue check-in and late items of a plan', () => {
    const plan = {
      accountId: 'contoso',
      contractId: 'C',
      cadence: 'weekly' as const,
      nextCheckInDue: '2026-03-01',
      nextItemNumber: 2,
      updatedAt: 'x',
      items: [{ itemId: 'PI-1', type: 'Workshop' as const, title: 'W', plannedHours: 4, dueDate: '2026-03-03', owner: { key: 'k', name: 'n' }, status: 'planned' as const, health: 'green' as const, createdAt: 'x', updatedAt: 'x' }],
    };
    assert.deepEqual(planFindings(plan, '2026-03-04').map((f) => f.rule), ['plan-item-late']);
    assert.deepEqual(planFindings(plan, '2026-03-05').map((f) => f.rule), ['check-in-overdue', 'plan-item-late']);
  });
});

describe('alert settings', () => {
  it('sends critical alerts at once whatever the settings, normal ones as chosen', () => {
    const digest = { ...defaultAlertSettings('t:u'), mode: 'digest' as const };
    assert.equal(sendsAtOnce(digest, { severity: 'critical', rule: 'sla-breached' }), true);
    assert.equal(sendsAtOnce(digest, { severity: 'normal', rule: 'renewal-approaching' }), false);
    const muted = { ...defaultAlertSettings('t:u'), mutedRules: ['renewal-approaching' as const] };
    assert.equal(sendsAtOnce(muted, { severity: 'normal', rule: 'renewal-approaching' }), false);
  });

  it('finds the next digest hour in the person\'s time zone, across daylight saving', () => {
    assert.equal(nextDigestTime(new Date('2026-03-02T09:00:00Z'), 10, 'Europe/London').toISOString(), '2026-03-02T10:00:00.000Z');
    assert.equal(nextDigestTime(new Date('2026-03-02T10:00:00Z'), 10, 'Europe/London').toISOString(), '2026-03-03T10:00:00.000Z');
    // London is on summer time (UTC+1) from 29 Mar 2026.
    assert.equal(nextDigestTime(new Date('2026-03-29T12:00:00Z'), 8, 'Europe/London').toISOString(), '2026-03-30T07:00:00.000Z');
    assert.equal(nextDigestTime(new Date('2026-03-02T20:00:00Z'), 8, 'America/New_York').toISOString(), '2026-03-03T13:00:00.000Z');
    assert.equal(localDate(new Date('2026-03-02T23:30:00Z'), 'Asia/Tokyo'), '2026-03-03');
  });
});
