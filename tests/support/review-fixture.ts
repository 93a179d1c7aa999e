import type { ClockHours } from '../../src/domain/business-time';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import type { CheckIn, DeliveryPlan, PlanItem } from '../../src/domain/delivery-plan';
import type { Escalation, Product, Severity, TimelineEntry } from '../../src/domain/escalation';
import { applyEscalationAction, type EscalationAction } from '../../src/domain/escalation-lifecycle';
import { initialSla, slaTargetsFor } from '../../src/domain/escalation-sla';
import type { EscalationHistory, ReviewInput } from '../../src/domain/service-review';

/**
 * February 2026 of an account in London (GMT all month; 1 Feb is a Sunday), reviewed on Monday
 * 2 March 09:00. Every expected figure below is worked out by hand in the comments.
 */
const london: ClockHours = { kind: 'business', timeZone: 'Europe/London', days: [1, 2, 3, 4, 5], opensAt: '08:00', closesAt: '18:00', holidays: [] };
const allDay: ClockHours = { kind: '24x7' };
export const now = new Date('2026-03-02T09:00:00.000Z');
const tam = { key: 't:alex', name: 'Alex Wilber', role: 'tam' };
const customer = { key: 't:adele', name: 'Adele Vance', role: 'customer' };

function opened(number: number, severity: Severity, product: Product, at: string, clock: ClockHours): Escalation {
  return {
    escalationId: `ESC-ACME-${String(number).padStart(4, '0')}`,
    accountId: 'acme',
    number,
    title: `Escalation ${number}`,
    description: 'd',
    severity,
    product,
    status: 'new',
    openedBy: customer,
    openedAt: at,
    sla: initialSla(new Date(at), slaTargetsFor(severity), clock),
    timeline: [{ at, by: customer, kind: 'opened', summary: 'Opened' }],
    watchers: [],
    version: 1,
    recentActions: [],
    intakeKey: `k${number}`,
    updatedAt: at,
  };
}

/** Taken through its lifecycle by the same rules the buttons use: these timelines record their update deadlines. */
function lived(escalation: Escalation, steps: readonly (readonly [string, EscalationAction])[]): EscalationHistory {
  let e = escalation;
  for (const [at, action] of steps) {
    e = applyEscalationAction(e, action, { actor: tam, actorIsProvider: true, at: new Date(at), targetsFor: (s) => slaTargetsFor(s) });
  }
  return { escalation: e, timeline: e.timeline };
}

// E1, A around the clock (response 60 min, updates every 60): opened Tue 3 Feb 10:00, acknowledged
// 10:40 (met, 40 min); update 11:30 answers 11:40 (met); update 12:45 answers 12:30 (missed);
// resolved 13:00 answers 13:45 (met). Resolved after 3 h.
export const e1 = lived(opened(1, 'A', 'Exchange Server', '2026-02-03T10:00:00.000Z', allDay), [
  ['2026-02-03T10:40:00.000Z', { kind: 'acknowledge' }],
  ['2026-02-03T11:30:00.000Z', { kind: 'update', note: 'Mail flows again for some.' }],
  ['2026-02-03T12:45:00.000Z', { kind: 'update', note: 'Still some queues.' }],
  ['2026-02-03T13:00:00.000Z', { kind: 'resolve', resolution: 'Queues drained.' }],
]);
// E2, B on business hours (response 120, updates every 240 business minutes): opened Thu 12 Feb
// 17:00; response due Fri 09:00 (60 min on Thursday, 60 on Friday); acknowledged Fri 08:30 (met,
// 90 business minutes); next update due 12:30, met by the 12:00 update; then due 16:00, missed by
// the resolution on Mon 16 Feb 09:00, 3 d 16 h (5,280 min) after it opened.
const e2 = lived(opened(2, 'B', 'SQL Server', '2026-02-12T17:00:00.000Z', london), [
  ['2026-02-13T08:30:00.000Z', { kind: 'acknowledge' }],
  ['2026-02-13T12:00:00.000Z', { kind: 'update', note: 'Found the blocking query.', status: 'investigating' }],
  ['2026-02-16T09:00:00.000Z', { kind: 'resolve', resolution: 'Index rebuilt.' }],
]);
// E3, B, from before deadlines were recorded (no updateClock on its entries): opened Mon 23 Feb
// 09:00, acknowledged 11:30 (response due 11:00: missed; 150 business minutes); the TAM's note at
// 15:00 answers the derived deadline 15:30 (met, derived); the customer's note at 16:00 answers
// nothing. Its running deadline, Tue 24 Feb 09:00 (15:00 + 180 + 60 business minutes), passed
// unanswered: missed. Still open.
const e3open = opened(3, 'B', 'SQL Server', '2026-02-23T09:00:00.000Z', london);
const e3timeline: TimelineEntry[] = [
  ...e3open.timeline,
  { at: '2026-02-23T11:30:00.000Z', by: tam, kind: 'acknowledged', summary: 'Acknowledged by Alex Wilber' },
  { at: '2026-02-23T15:00:00.000Z', by: tam, kind: 'note', summary: 'Alex Wilber added a note', text: 'Looking at the plan cache.' },
  { at: '2026-02-23T16:00:00.000Z', by: customer, kind: 'note', summary: 'Adele Vance added a note', text: 'Still slow.' },
];
export const e3: EscalationHistory = {
  escalation: {
    ...e3open,
    status: 'acknowledged',
    owner: tam,
    sla: { ...e3open.sla, respondedAt: '2026-02-23T11:30:00.000Z', nextUpdateDueAt: '2026-02-24T09:00:00.000Z', cadenceFrom: '2026-02-23T15:00:00.000Z' },
    timeline: e3timeline,
  },
  timeline: e3timeline,
};
// E4, C on business hours, opened and acknowledged in January (Fri 30 Jan 10:00 and 11:00: not
// this month's); its update deadline Tue 3 Feb 15:00 (1,440 business minutes on) is met by the
// resolution on Mon 2 Feb 10:00, 3 days (4,320 min) after it opened.
const e4 = lived(opened(4, 'C', 'Windows Server', '2026-01-30T10:00:00.000Z', london), [
  ['2026-01-30T11:00:00.000Z', { kind: 'acknowledge' }],
  ['2026-02-02T10:00:00.000Z', { kind: 'resolve', resolution: 'Advice given.' }],
]);
// E5, A opened Fri 27 Feb 23:30, outside entitlement, never acknowledged: response due 28 Feb 00:30, missed.
const e5open = opened(5, 'A', 'Active Directory', '2026-02-27T23:30:00.000Z', allDay);
const e5: EscalationHistory = { escalation: { ...e5open, outsideEntitlement: { gap: 'reactive-used-up' } }, timeline: e5open.timeline };
// Opened in March: nothing of February.
export const e6 = lived(opened(6, 'B', 'Azure', '2026-03-02T08:10:00.000Z', london), []);

// A year from 1 Jul 2025 (365 days); February is 28 of them.
const contract: Contract = {
  contractId: 'ACME-2025',
  accountId: 'acme',
  contractType: 'Premier',
  startDate: '2025-07-01',
  endDate: '2026-06-30',
  buckets: [
    { name: 'Proactive', purchasedHours: 100 },
    { name: 'Reactive', purchasedHours: 50 },
  ],
  commercial: { value: 365_000, currency: 'GBP', costRatePerHour: 100 },
};
const entry = (id: string, date: string, bucket: string, hours: number): LedgerEntry => ({
  entryId: id,
  accountId: 'acme',
  contractId: 'ACME-2025',
  date,
  bucket,
  hours,
  source: hours < 0 ? 'reversal' : 'manual',
  loggedBy: { key: tam.key, name: tam.name },
  loggedAt: `${date}T17:00:00.000Z`,
});
// February: Proactive 6 h, Reactive 8 − 2 = 6 h. To 28 Feb: Proactive 46, Reactive 6. March's 5 h are not counted.
export const februaryLedger: LedgerEntry[] = [entry('l1', '2026-01-20', 'Proactive', 40), entry('l2', '2026-02-05', 'Proactive', 6), entry('l3', '2026-02-16', 'Reactive', 8), entry('l4', '2026-02-20', 'Reactive', -2), entry('l5', '2026-03-01', 'Proactive', 5)];

const item = (itemId: string, title: string, type: PlanItem['type'], dueDate: string, status: PlanItem['status'], extra: Partial<PlanItem> = {}): PlanItem => ({
  itemId,
  type,
  title,
  plannedHours: 4,
  dueDate,
  owner: { key: tam.key, name: tam.name },
  status,
  health: 'green',
  createdAt: '2025-07-01T09:00:00.000Z',
  updatedAt: '2025-07-01T09:00:00.000Z',
  ...extra,
});
const plan: DeliveryPlan = {
  accountId: 'acme',
  contractId: 'ACME-2025',
  cadence: 'weekly',
  // 23 Feb is owed and more than 3 days past: missed.
  nextCheckInDue: '2026-02-23',
  items: [
    item('PI-1', 'Identity workshop', 'Workshop', '2026-02-10', 'delivered', { deliveredAt: '2026-02-11T15:00:00.000Z' }),
    item('PI-2', 'Exchange assessment', 'Assessment', '2026-02-20', 'in-delivery'),
    item('PI-3', 'Azure training', 'Training', '2026-03-10', 'planned'),
    // Delivered on 1 March: still late at the end of February.
    item('PI-4', 'SQL health check', 'Health check', '2026-02-25', 'delivered', { deliveredAt: '2026-03-01T10:00:00.000Z' }),
    // Delivered before delivery dates were recorded, last changed in February: placed there, and said so.
    item('PI-5', 'Old advisory', 'Advisory', '2025-12-01', 'delivered', { updatedAt: '2026-02-14T09:00:00.000Z' }),
    item('PI-6', 'Onboarding', 'Onboarding', '2025-08-01', 'cancelled', { cancelledAt: '2025-08-02T09:00:00.000Z' }),
    item('PI-7', 'Security workshop', 'Workshop', '2026-04-15', 'scheduled'),
    item('PI-8', 'Later training', 'Training', '2026-05-01', 'planned'),
    item('PI-9', 'Much later', 'Training', '2026-06-01', 'planned'),
    // Delivered before those dates were recorded and changed since: when is not known, so left out.
    item('PI-10', 'Unknown delivery', 'Workshop', '2026-01-15', 'delivered', { updatedAt: '2026-03-01T09:00:00.000Z' }),
  ],
  nextItemNumber: 11,
  updatedAt: '2026-02-16T10:00:00.000Z',
};
const checkIn = (dueDate: string, submittedAt: string): CheckIn => ({ accountId: 'acme', dueDate, submittedAt, by: { key: tam.key, name: tam.name }, items: [] });
// Weekly: 2 Feb done on the day; 9 Feb done on 16 Feb (late), which skipped 16 Feb (missed).
const checkIns = [checkIn('2026-01-26', '2026-01-26T10:00:00.000Z'), checkIn('2026-02-02', '2026-02-02T10:00:00.000Z'), checkIn('2026-02-09', '2026-02-16T10:00:00.000Z')];

/** The whole of it, as the review reads it. */
export const februaryInput: ReviewInput = {
  account: { accountId: 'acme', name: 'Acme', timeZone: 'Europe/London' },
  month: '2026-02',
  now,
  escalations: [e1, e2, e3, e4, e5, e6],
  contract,
  ledger: februaryLedger,
  plan,
  checkIns,
};
