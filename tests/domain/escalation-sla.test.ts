import assert from 'node:assert/strict';
import { escalationAlertPoints, escalationFindings } from '../../src/domain/alert-rules';
import type { ClockHours } from '../../src/domain/business-time';
import type { Escalation } from '../../src/domain/escalation';
import { applyEscalationAction, applySupportHoursChange } from '../../src/domain/escalation-lifecycle';
import { afterHoursChange, compareUrgency, initialSla, slaClocks, slaTargetsFor } from '../../src/domain/escalation-sla';
import { sampleEscalation } from '../support/samples';

const london: ClockHours = { kind: 'business', timeZone: 'Europe/London', days: [1, 2, 3, 4, 5], opensAt: '08:00', closesAt: '18:00', holidays: ['2026-04-03', '2026-04-06'] };
const at = (iso: string): Date => new Date(iso);
const actor = { key: 't:alex', name: 'Alex Wilber', role: 'tam' };

/** A severity B escalation opened at `openedAt` on London business hours. */
function onBusinessHours(openedAt: string, options: Parameters<typeof sampleEscalation>[0] = {}): Escalation {
  const e = sampleEscalation({ severity: 'B', status: 'new', openedAt, ...options });
  return { ...e, sla: initialSla(at(openedAt), slaTargetsFor(e.severity), london) };
}

describe('SLA clocks on business hours', () => {
  it('stands still outside hours and says so: a severity B opened on Friday evening is due Monday', () => {
    const e = onBusinessHours('2026-03-06T19:00:00.000Z'); // Friday 19:00 in London (GMT)
    assert.equal(e.sla.responseDueAt, '2026-03-09T10:00:00.000Z');
    const saturday = slaClocks(e, at('2026-03-07T12:00:00Z'), { timeZone: 'Europe/London' }).response;
    assert.equal(saturday.state, 'running');
    assert.equal(saturday.text, 'Response due Mon 9 Mar 10:00, business hours, Europe/London');
    assert.equal(saturday.detail, '2 h of business hours left; the clock is stopped until Mon 9 Mar 08:00 Europe/London');
    assert.equal(saturday.fractionUsed, 0);
    const inNewYork = slaClocks(e, at('2026-03-07T12:00:00Z'), { timeZone: 'America/New_York' }).response;
    assert.equal(inNewYork.text, 'Response due Mon 9 Mar 06:00 America/New_York, business hours, Europe/London', "the reader's zone, and the clock's");
    assert.equal(slaClocks(e, at('2026-03-09T09:36:00Z')).response.state, 'at-risk');
    const late = slaClocks(e, at('2026-03-09T10:30:00Z'), { timeZone: 'Europe/London' }).response;
    assert.equal(late.text, 'Response overdue by 30 min of business hours');
    assert.equal(late.detail, 'Was due Mon 9 Mar 10:00, business hours, Europe/London');
  });

  it('raises no at-risk alert until 80% of the business window is used, and looks again exactly then', () => {
    const e = onBusinessHours('2026-03-06T19:00:00.000Z');
    assert.deepEqual(escalationAlertPoints(e).map((p) => p.toISOString()), ['2026-03-09T09:36:00.000Z', '2026-03-09T10:00:00.000Z']);
    assert.deepEqual(escalationFindings(e, at('2026-03-08T23:00:00Z')), [], 'a whole weekend later: nothing');
    assert.deepEqual(escalationFindings(e, at('2026-03-09T09:35:00Z')), []);
    const risk = escalationFindings(e, at('2026-03-09T09:36:00Z'));
    assert.deepEqual(risk.map((f) => f.rule), ['sla-at-risk']);
    assert.match(risk[0]?.detail ?? '', /due Mon 9 Mar 10:00 Europe\/London, business hours: 80% of the window/);
  });

  it('turns at risk at the closing time when 80% is used by then, not at the next opening', () => {
    const e = onBusinessHours('2026-03-06T16:24:00.000Z'); // 96 of 120 minutes by Friday 18:00
    assert.equal(e.sla.responseDueAt, '2026-03-09T08:24:00.000Z');
    assert.equal(escalationAlertPoints(e)[0]?.toISOString(), '2026-03-06T18:00:00.000Z');
    assert.equal(slaClocks(e, at('2026-03-06T18:00:00Z')).response.state, 'at-risk');
    assert.equal(slaClocks(e, at('2026-03-06T17:59:00Z')).response.state, 'running');
  });

  it('skips holidays: opened the evening before Good Friday, due on the Tuesday after Easter Monday', () => {
    const e = onBusinessHours('2026-04-02T16:30:00.000Z'); // Thursday 17:30 BST: 30 min that day
    assert.equal(e.sla.responseDueAt, '2026-04-07T08:30:00.000Z'); // Tuesday 09:30 BST
    assert.match(slaClocks(e, at('2026-04-03T12:00:00Z'), { timeZone: 'Europe/London' }).response.detail, /1 h 30 min of business hours left; the clock is stopped until Tue 7 Apr 08:00 Europe\/London/);
  });

  it('counts the update cadence on the clock from the provider\'s update', () => {
    const e = onBusinessHours('2026-03-09T09:00:00.000Z');
    const acknowledged = applyEscalationAction(e, { kind: 'acknowledge' }, { actor, actorIsProvider: true, at: at('2026-03-09T16:00:00Z'), targetsFor: slaTargetsFor });
    // 4 h cadence: 2 h on Monday, 2 h from Tuesday 08:00.
    assert.equal(acknowledged.sla.nextUpdateDueAt, '2026-03-10T10:00:00.000Z');
    assert.equal(acknowledged.sla.cadenceFrom, '2026-03-09T16:00:00.000Z');
    assert.equal(slaClocks(acknowledged, at('2026-03-09T16:00:00Z')).response.text, 'Responded in 7 h of business hours, 5 h late');
  });

  it('recomputes deadlines from the opening under the new severity\'s targets and clock', () => {
    const b = onBusinessHours('2026-03-06T19:00:00.000Z');
    const raise = (e: Escalation, severity: 'A' | 'B', when: string, clock: ClockHours): Escalation =>
      applyEscalationAction(e, { kind: 'changeSeverity', severity, reason: 'r' }, { actor, actorIsProvider: true, at: at(when), targetsFor: slaTargetsFor, clockFor: () => clock });
    // To A, around the clock: an hour from Friday 19:00 has passed, so an hour from the change.
    const a = raise(b, 'A', '2026-03-07T10:00:00Z', { kind: '24x7' });
    assert.equal(a.sla.responseDueAt, '2026-03-07T11:00:00.000Z');
    assert.deepEqual(a.sla.clock, { kind: '24x7' });
    // A severity A opened on Saturday, lowered to B on business hours: two business hours from the opening.
    const sevA = sampleEscalation({ severity: 'A', status: 'new', openedAt: '2026-03-07T10:00:00.000Z' });
    const lowered = raise(sevA, 'B', '2026-03-07T10:30:00Z', london);
    assert.equal(lowered.sla.responseDueAt, '2026-03-09T10:00:00.000Z');
  });

  it('re-times a running clock when the hours change, keeping what it had counted', () => {
    const e = onBusinessHours('2026-03-09T09:00:00.000Z'); // due 11:00
    const change = at('2026-03-09T10:00:00Z');
    assert.equal(slaClocks(e, change).response.fractionUsed, 0.5);
    const aroundTheClock = afterHoursChange(e.sla, change, { kind: '24x7' });
    assert.equal(aroundTheClock.responseDueAt, '2026-03-09T11:00:00.000Z');
    const shorter: ClockHours = { ...london, opensAt: '09:00', closesAt: '10:30' };
    const retimed = { ...e, sla: afterHoursChange(e.sla, change, shorter) };
    assert.equal(retimed.sla.responseDueAt, '2026-03-10T09:30:00.000Z', 'half an hour today, half an hour tomorrow');
    assert.equal(slaClocks(retimed, change).response.fractionUsed, 0.5, 'the hour counted before the change stays counted');
    // A deadline already passed stays where it was.
    const overdue = afterHoursChange(e.sla, at('2026-03-09T12:00:00Z'), shorter);
    assert.equal(overdue.responseDueAt, '2026-03-09T11:00:00.000Z');
  });

  it('puts a timeline entry on a re-timed escalation, and leaves alone one whose clock is the same', () => {
    const e = onBusinessHours('2026-03-09T09:00:00.000Z');
    const changed = applySupportHoursChange(e, { kind: '24x7' }, { actor, at: at('2026-03-09T10:00:00Z'), hoursText: 'Mon-Fri 08:00-18:00 Europe/London' });
    assert.equal(changed?.version, e.version + 1);
    assert.equal(changed?.timeline.at(-1)?.kind, 'support-hours');
    assert.equal(changed?.timeline.at(-1)?.summary, 'Alex Wilber changed the support hours: the SLA of severity B now runs around the clock');
    assert.equal(applySupportHoursChange(e, { ...london, days: [5, 4, 3, 2, 1] }, { actor, at: at('2026-03-09T10:00:00Z'), hoursText: '' }), undefined);
    assert.equal(applySupportHoursChange({ ...e, status: 'resolved' }, { kind: '24x7' }, { actor, at: at('2026-03-09T10:00:00Z'), hoursText: '' }), undefined);
  });

  it('orders by the deadline instant, whatever clock each runs on', () => {
    const now = at('2026-03-07T10:30:00Z'); // Saturday
    const b = onBusinessHours('2026-03-06T17:30:00.000Z', { number: 1 }); // due Monday 09:30
    const a = sampleEscalation({ number: 2, severity: 'A', status: 'new', openedAt: '2026-03-07T10:00:00.000Z' }); // due 11:00 today
    assert.deepEqual([b, a].sort((x, y) => compareUrgency(x, y, now)).map((e) => e.number), [2, 1]);
  });
});
