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
