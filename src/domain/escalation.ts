import { z } from 'zod';
import { clockHoursSchema } from './business-time';
import { entitlementGaps } from './entitlement';

export const severities = ['A', 'B', 'C'] as const;
export type Severity = (typeof severities)[number];

export const products = [
  'Windows Server',
  'Active Directory',
  'Azure',
  'SharePoint Server',
  'SQL Server',
  'Exchange Server',
  'Hyper-V',
  'System Center',
  'Other',
] as const;
export type Product = (typeof products)[number];

export const escalationStatuses = ['new', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed', 'reopened'] as const;
export type EscalationStatus = (typeof escalationStatuses)[number];

/** Statuses in which the escalation is still being worked and its SLA clocks run. */
export const openStatuses: readonly EscalationStatus[] = ['new', 'acknowledged', 'investigating', 'mitigated', 'reopened'];

export function isOpen(status: EscalationStatus): boolean {
  return openStatuses.includes(status);
}

export const limits = {
  title: 120,
  description: 4000,
  businessImpact: 2000,
  note: 2000,
  supportCaseId: 40,
  contactPhone: 30,
  reason: 500,
  resolution: 2000,
} as const;

/** Someone who did something to an escalation, as shown on its timeline. */
export const actorSchema = z.object({
  key: z.string(),
  name: z.string(),
  role: z.string(),
});
export type Actor = z.infer<typeof actorSchema>;

export const timelineKinds = ['opened', 'acknowledged', 'note', 'status', 'severity', 'resolved', 'closed', 'reopened', 'assigned', 'support-hours'] as const;

export const timelineEntrySchema = z.object({
  at: z.string(),
  by: actorSchema,
  kind: z.enum(timelineKinds),
  /** What happened, in words we wrote. */
  summary: z.string(),
  /** What a person typed (note, reason, resolution); shown as plain text. */
  text: z.string().optional(),
  /**
   * On an entry that restarted or stopped the update clock (a provider's acknowledgement, update or
   * resolution): the update deadline it answered, if one was running, and whether it met it.
   * Recorded from the service review on; older entries have none, and their deadlines are derived.
   */
  updateClock: z.object({ answered: z.object({ dueAt: z.string(), met: z.boolean() }).optional() }).optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const slaTargetsSchema = z.object({
  responseMinutes: z.number().int().positive(),
  updateCadenceMinutes: z.number().int().positive(),
});
export type SlaTargets = z.infer<typeof slaTargetsSchema>;

export const slaStateSchema = z.object({
  responseDueAt: z.string(),
  respondedAt: z.string().optional(),
  /** When the next customer update is due; absent until the first response and when not open. */
  nextUpdateDueAt: z.string().optional(),
  targets: slaTargetsSchema,
  /** What the clocks run on: the support hours of the severity; absent (older escalations): around the clock. */
  clock: clockHoursSchema.optional(),
  /** When the running update window began: the last provider update, or the reopening. */
  cadenceFrom: z.string().optional(),
});
export type SlaState = z.infer<typeof slaStateSchema>;

/** A person to keep the card current for: their Teams user id goes into the card's refresh list. */
export const watcherSchema = z.object({ key: z.string(), teamsUserId: z.string() });
export type Watcher = z.infer<typeof watcherSchema>;

export const channelCardSchema = z.object({
  conversationId: z.string(),
  /** The posted message; absent until the card has been posted. */
  activityId: z.string().optional(),
  syncedVersion: z.number().int(),
});

export const escalationSchema = z.object({
  escalationId: z.string(),
  accountId: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(severities),
  product: z.enum(products),
  businessImpact: z.string().optional(),
  supportCaseId: z.string().optional(),
  contactPhone: z.string().optional(),
  sourceMessage: z.object({ link: z.string().optional(), author: z.string().optional() }).optional(),
  status: z.enum(escalationStatuses),
  openedBy: actorSchema,
  openedAt: z.string(),
  owner: actorSchema.optional(),
  /** Set when it was opened without cover from the support contract: the TAM confirms coverage. */
  outsideEntitlement: z.object({ gap: z.enum(entitlementGaps) }).optional(),
  sla: slaStateSchema,
  /** The latest entries; older ones live in their own items of the partition (see timelineMoved). */
  timeline: z.array(timelineEntrySchema),
  /** How many of the oldest entries were moved out of the item into timeline items (1-based ordinals). */
  timelineMoved: z.number().int().nonnegative().optional(),
  watchers: z.array(watcherSchema),
  resolution: z.string().optional(),
  resolvedAt: z.string().optional(),
  closedAt: z.string().optional(),
  /** Increases with every change; the channel card is in sync when its syncedVersion matches. */
  version: z.number().int(),
  channelCard: channelCardSchema.optional(),
  /** Recent action fingerprints, so a double click or a Teams retry applies a change once. */
  recentActions: z.array(
    z.object({
      key: z.string(),
      at: z.string(),
      /** The version of the record the action was taken from (absent for older entries). */
      fromVersion: z.number().int().optional(),
      /** The state change it made (`resolve`, `severity:A` ...); absent for notes. */
      transition: z.string().optional(),
      byName: z.string().optional(),
    }),
  ),
  intakeKey: z.string(),
  updatedAt: z.string(),
  /** The alert rules have seen this escalation up to this instant, at this version. */
  alertCursor: z.string().optional(),
  alertSeenVersion: z.number().int().optional(),
});
export type Escalation = z.infer<typeof escalationSchema>;

/** `ESC-CONTOSO-0042`. */
export function escalationIdFor(accountCode: string, number: number): string {
  return `ESC-${accountCode}-${String(number).padStart(4, '0')}`;
}

export const escalationIdPattern = /^ESC-[A-Z0-9]+-\d{4,}$/;

const severityRank: Record<Severity, number> = { A: 0, B: 1, C: 2 };

export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank[a] - severityRank[b];
}
