import { z } from 'zod';

export const alertRules = [
  'severity-a-opened',
  'sla-at-risk',
  'sla-breached',
  'bucket-threshold',
  'projected-exhaustion',
  'hours-at-risk-unused',
  'renewal-approaching',
  'check-in-overdue',
  'plan-item-late',
  'outside-entitlement',
] as const;
export type AlertRule = (typeof alertRules)[number];

export const alertRuleLabels: Record<AlertRule, string> = {
  'severity-a-opened': 'New severity A escalation',
  'sla-at-risk': 'SLA at risk (80% of the window used)',
  'sla-breached': 'SLA breached',
  'bucket-threshold': 'Contract bucket at 75%, 90%, 100% used',
  'projected-exhaustion': 'Hours projected to run out before the end date',
  'hours-at-risk-unused': 'Hours at risk of going unused',
  'renewal-approaching': 'Renewal in 90, 60, 30 days',
  'check-in-overdue': 'Delivery check-in overdue',
  'plan-item-late': 'Plan item past its due date',
  'outside-entitlement': 'Escalation opened outside the support entitlement',
};

/** Critical alerts are always sent at once and repeat until acknowledged; normal ones may wait for the digest. */
export type AlertSeverity = 'critical' | 'normal';

export const alertSubjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('escalation'), escalationId: z.string() }),
  z.object({ kind: z.literal('contract'), contractId: z.string(), bucket: z.string().optional() }),
  z.object({ kind: z.literal('plan'), itemId: z.string().optional() }),
]);
export type AlertSubject = z.infer<typeof alertSubjectSchema>;

/** What a rule found, before it is stored: the dedupe key makes it once per subject and threshold. */
export interface AlertFinding {
  readonly key: string;
  readonly rule: AlertRule;
  readonly accountId: string;
  readonly subject: AlertSubject;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly detail: string;
  /**
   * Keys of lower thresholds of the same subject that still hold (a bucket at 92% is past 75% too):
   * their alerts stay open, but they are not news, so nothing new is raised for them.
   */
  readonly alsoHolds?: readonly string[];
  /** What the subject looks like on the alert card, short of a countdown (escalations: status, owner, SLA states). */
  readonly subjectState?: string;
  /** personKey of the escalation's owner: its alerts go to them and their manager. */
  readonly owner?: string;
  /** `managers`: the account's managers only (the managers of its TAMs), whoever owns the subject. */
  readonly audience?: 'managers';
}

export const alertStatuses = ['open', 'acknowledged', 'resolved'] as const;

export const alertSchema = z.object({
  alertId: z.string(),
  accountId: z.string(),
  rule: z.enum(alertRules),
  subject: alertSubjectSchema,
  severity: z.enum(['critical', 'normal']),
  title: z.string(),
  detail: z.string(),
  raisedAt: z.string(),
  /** personKeys of the TAMs and managers told. */
  recipients: z.array(z.string()),
  status: z.enum(alertStatuses),
  acknowledgedBy: z.object({ key: z.string(), name: z.string() }).optional(),
  acknowledgedAt: z.string().optional(),
  snoozedUntil: z.string().optional(),
  resolvedAt: z.string().optional(),
  /** Why it resolved itself: what cleared the condition ("Check-in recorded"). */
  resolvedReason: z.string().optional(),
  /** The rule's key for the condition; absent on alerts stored before occurrences (then it is the alertId). */
  findingKey: z.string().optional(),
  /** 1 for the first time the condition held, 2 when it returned after resolving, and so on. */
  occurrence: z.number().int().positive().optional(),
  /** The subject as the alert card shows it, short of a countdown, as the rules last saw it. */
  subjectState: z.string().optional(),
  /** cardStateOf the alert when its cards were last sent or queued for an update; absent: cards not kept current (older alerts). */
  cardsShowState: z.string().optional(),
  /** How many times its cards have been brought up to date: each round of updates has its own ids. */
  cardSyncs: z.number().int().nonnegative().optional(),
  /** Critical alerts: when the next reminder goes out, and how many were sent. */
  nextReminderAt: z.string().optional(),
  reminders: z.number().int(),
});
export type Alert = z.infer<typeof alertSchema>;

/** Reminders of an unacknowledged critical alert. */
export const reminderIntervalInMs = 60 * 60_000;

export const snoozeChoices = [
  { minutes: 60, label: '1 h' },
  { minutes: 240, label: '4 h' },
  { minutes: 1440, label: '1 day' },
] as const;

/** The condition an alert is about, across its occurrences. */
export function findingKeyOf(alert: Pick<Alert, 'alertId' | 'findingKey'>): string {
  return alert.findingKey ?? alert.alertId;
}

export function occurrenceOf(alert: Pick<Alert, 'occurrence'>): number {
  return alert.occurrence ?? 1;
}

/**
 * The once-only id of one occurrence of a condition. The first keeps the bare key, so alerts
 * stored before occurrences existed are still found (and not sent again after an upgrade).
 */
export function alertIdFor(findingKey: string, occurrence: number): string {
  return occurrence <= 1 ? findingKey : `${findingKey}#${occurrence}`;
}

/** What Acknowledge means on an alert, given the escalation it is about (if any). */
export type AlertAcknowledgement =
  /** The escalation is not yet acknowledged: pressing acknowledges it too (it meets the response target). */
  | 'escalation'
  /** Only the alert: it stops reminding. */
  | 'seen';

export function acknowledgementOf(alert: Pick<Alert, 'subject'>, escalation: { readonly status: string } | undefined): AlertAcknowledgement {
  if (alert.subject.kind !== 'escalation' || !escalation) return 'seen';
  return escalation.status === 'new' || escalation.status === 'reopened' ? 'escalation' : 'seen';
}

/** An update-cadence alert (at risk or breached) of an escalation: its card offers the update form. */
export function isUpdateCadenceAlert(alert: Pick<Alert, 'rule' | 'alertId' | 'findingKey'>): boolean {
  return (alert.rule === 'sla-at-risk' || alert.rule === 'sla-breached') && findingKeyOf(alert).split(':')[1] === 'update';
}

/**
 * Everything an alert card shows that can change, and nothing that changes by the minute: the
 * alert's state (acknowledged by whom, snoozed until, resolved and why) and its subject's. When
 * it differs from what the cards show, every card already sent is updated in place.
 */
export function cardStateOf(alert: Alert): string {
  return [alert.status, alert.acknowledgedBy?.key ?? '', alert.snoozedUntil ?? '', alert.resolvedAt ?? '', alert.resolvedReason ?? '', alert.subjectState ?? ''].join('|');
}

/** The alert's cards are behind the alert (only for alerts whose cards are kept current). */
export function cardsBehind(alert: Alert): boolean {
  return alert.cardsShowState !== undefined && alert.cardsShowState !== cardStateOf(alert);
}
