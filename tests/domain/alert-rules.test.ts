import assert from 'node:assert/strict';
import { clearedReason, contractFindings, escalationAlertPoints, escalationFindings, holdingKeys, nextAlertCheck, planAlertPoints, planFindings } from '../../src/domain/alert-rules';
import { acknowledgementOf, alertIdFor, isUpdateCadenceAlert, type Alert } from '../../src/domain/alert';
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

describe('alert resolution rules', () => {
  const alertFrom = (finding: { key: string; rule: Alert['rule']; subject: Alert['subject']; accountId: string }): Alert => ({
    alertId: finding.key,
    findingKey: finding.key,
    accountId: finding.accountId,
    rule: finding.rule,
    subject: finding.subject,
    severity: 'normal',
    title: 't',
    detail: 'd',
    raisedAt: '2026-03-02T09:00:00.000Z',
    recipients: [],
    status: 'open',
    reminders: 0,
  });
  const contract: Contract = { contractId: 'C', accountId: 'contoso', contractType: 'Premier', startDate: '2026-01-01', endDate: '2026-12-31', buckets: [{ name: 'Reactive', purchasedHours: 40 }] };
  const entry = (hours: number) => ({ entryId: `e${hours}`, accountId: 'contoso', contractId: 'C', date: '2026-01-10', bucket: 'Reactive', hours, source: 'manual' as const, loggedBy: { key: 'k', name: 'n' }, loggedAt: '2026-01-10T00:00:00Z' });

  it('keeps a lower bucket threshold holding while a higher one is crossed, and lets it go below it', () => {
    const at92 = holdingKeys(contractFindings(contract, [entry(37)], '2026-03-15'));
    assert.ok(at92.has('bucket:C:Reactive:90') && at92.has('bucket:C:Reactive:75'));
    const at80 = holdingKeys(contractFindings(contract, [entry(32)], '2026-03-15'));
    assert.ok(!at80.has('bucket:C:Reactive:90') && at80.has('bucket:C:Reactive:75'));
    const ninety = alertFrom({ key: 'bucket:C:Reactive:90', rule: 'bucket-threshold', subject: { kind: 'contract', contractId: 'C', bucket: 'Reactive' }, accountId: 'contoso' });
    assert.equal(clearedReason(ninety, { kind: 'contract', contract, entries: [entry(32)], today: '2026-03-15' }), 'Corrected: Reactive is 80% used, below 90%.');
  });

  it('stops calling a severity A escalation new once someone has responded, and says why', () => {
    const fresh = sampleEscalation({ severity: 'A', status: 'new' });
    assert.deepEqual(escalationFindings(fresh, new Date('2026-03-02T09:10:00Z')).map((f) => f.rule), ['severity-a-opened']);
    const acknowledged = sampleEscalation({ severity: 'A', status: 'acknowledged' });
    assert.deepEqual(escalationFindings(acknowledged, new Date('2026-03-02T09:30:00Z')).map((f) => f.rule), []);
    const alert = alertFrom({ key: 'sev-a:ESC-CONTOSO-0042', rule: 'severity-a-opened', subject: { kind: 'escalation', escalationId: 'ESC-CONTOSO-0042' }, accountId: 'contoso' });
    assert.equal(clearedReason(alert, { kind: 'escalation', escalation: acknowledged, now: new Date('2026-03-02T09:30:00Z') }), 'The escalation was acknowledged.');
    assert.equal(clearedReason(alert, { kind: 'escalation', escalation: sampleEscalation({ status: 'resolved' }), now: new Date() }), 'The escalation is resolved.');
  });

  it('names what cleared a plan alert: recorded, delivered, cancelled or re-dated', () => {
    const item = { itemId: 'PI-1', type: 'Workshop' as const, title: 'W', plannedHours: 4, dueDate: '2026-03-03', owner: { key: 'k', name: 'n' }, status: 'planned' as const, health: 'green' as const, createdAt: 'x', updatedAt: 'x' };
    const plan = { accountId: 'contoso', contractId: 'C', cadence: 'weekly' as const, nextCheckInDue: '2026-03-08', lastCheckIn: { dueDate: '2026-03-01', at: 'x', by: 'k' }, nextItemNumber: 2, updatedAt: '2026-03-05T10:00:00.000Z', items: [item] };
    const late = alertFrom({ key: 'item-late:contoso:PI-1:2026-03-03', rule: 'plan-item-late', subject: { kind: 'plan', itemId: 'PI-1' }, accountId: 'contoso' });
    const facts = (items: (typeof item)[]) => ({ kind: 'plan' as const, plan: { ...plan, items }, today: '2026-03-05' });
    assert.equal(clearedReason(late, facts([{ ...item, status: 'delivered' as never }])), 'Item delivered.');
    assert.equal(clearedReason(late, facts([{ ...item, status: 'cancelled' as never }])), 'Item cancelled.');
    assert.equal(clearedReason(late, facts([{ ...item, dueDate: '2026-03-20' }])), 'Re-dated to 20 Mar 2026.');
    const overdue = alertFrom({ key: 'check-in-overdue:contoso:2026-03-01', rule: 'check-in-overdue', subject: { kind: 'plan' }, accountId: 'contoso' });
    assert.equal(clearedReason(overdue, facts([item])), 'Check-in recorded.');
    assert.ok(planAlertPoints(plan).some((p) => p.toISOString() === plan.updatedAt), 'a change to the plan brings it back to the rules');
  });

  it('numbers a returning condition, keeping the bare key for the first time', () => {
    assert.equal(alertIdFor('bucket:C:Reactive:90', 1), 'bucket:C:Reactive:90');
    assert.equal(alertIdFor('bucket:C:Reactive:90', 2), 'bucket:C:Reactive:90#2');
  });

  it('lets Acknowledge acknowledge the escalation only while nobody has', () => {
    const alert = alertFrom({ key: 'sla-breached:update:ESC-CONTOSO-0042:2026-03-02T13:20:00.000Z', rule: 'sla-breached', subject: { kind: 'escalation', escalationId: 'ESC-CONTOSO-0042' }, accountId: 'contoso' });
    assert.equal(acknowledgementOf(alert, sampleEscalation({ status: 'new' })), 'escalation');
    assert.equal(acknowledgementOf(alert, sampleEscalation({ status: 'reopened' })), 'escalation');
    assert.equal(acknowledgementOf(alert, sampleEscalation({ status: 'investigating' })), 'seen');
    assert.equal(acknowledgementOf({ subject: { kind: 'plan' } }, undefined), 'seen');
    assert.equal(isUpdateCadenceAlert(alert), true);
    assert.equal(isUpdateCadenceAlert({ ...alert, findingKey: 'sla-breached:response:ESC-CONTOSO-0042:x' }), false);
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
