import type { Escalation, EscalationStatus, Severity, TimelineEntry } from '../../src/domain/escalation';
import { initialSla, slaTargetsFor } from '../../src/domain/escalation-sla';

export interface SampleOptions {
  readonly status?: EscalationStatus;
  readonly severity?: Severity;
  readonly number?: number;
  readonly title?: string;
  readonly description?: string;
  readonly businessImpact?: string;
  readonly timelineEntries?: number;
  readonly noteLength?: number;
  readonly openedAt?: string;
}

/** A stored escalation as the domain shapes it, for tests of rendering and rules. */
export function sampleEscalation(options: SampleOptions = {}): Escalation {
  const openedAt = options.openedAt ?? '2026-03-02T09:00:00.000Z';
  const severity = options.severity ?? 'B';
  const actor = { key: 't:u', name: 'Adele Vance', role: 'customer' };
  const number = options.number ?? 42;
  const timeline: TimelineEntry[] = [{ at: openedAt, by: actor, kind: 'opened', summary: `Opened by Adele Vance as severity ${severity}` }];
  for (let i = 1; i < (options.timelineEntries ?? 3); i++) {
    timeline.push({ at: openedAt, by: actor, kind: 'note', summary: 'Adele Vance added a note', text: 'n'.repeat(options.noteLength ?? 40) });
  }
  const status = options.status ?? 'new';
  return {
    escalationId: `ESC-CONTOSO-${String(number).padStart(4, '0')}`,
    accountId: 'contoso',
    number,
    title: options.title ?? 'Exchange mail flow stopped',
    description: options.description ?? 'No mail since 08:40.',
    severity,
    product: 'Exchange Server',
    ...(options.businessImpact ? { businessImpact: options.businessImpact } : { businessImpact: 'All users' }),
    contactPhone: '+44 20 7946 0958',
    supportCaseId: '2603020010001234',
    status,
    openedBy: actor,
    openedAt,
    ...(status !== 'new' ? { owner: { key: 't:alex', name: 'Alex Wilber', role: 'tam' } } : {}),
    sla: {
      ...initialSla(new Date(openedAt), slaTargetsFor(severity)),
      ...(status !== 'new' ? { respondedAt: '2026-03-02T09:20:00.000Z' } : {}),
      ...(['acknowledged', 'investigating', 'mitigated', 'reopened'].includes(status) ? { nextUpdateDueAt: '2026-03-02T13:20:00.000Z' } : {}),
    },
    timeline,
    watchers: [],
    ...(status === 'resolved' || status === 'closed' ? { resolution: 'Restarted transport service', resolvedAt: '2026-03-02T11:00:00.000Z' } : {}),
    version: 1,
    recentActions: [],
    intakeKey: `k${number}`,
    updatedAt: openedAt,
  };
}
