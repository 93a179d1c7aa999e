import type { Caller } from '../domain/caller';
import { acknowledgementOf, snoozeChoices, type Alert } from '../domain/alert';
import { defaultAlertSettings, nextDigestTime, type AlertSettings } from '../domain/alert-settings';
import { isKnownTimeZone } from '../domain/zoned-time';
import { alertRules, type AlertRule } from '../domain/alert';
import type { Clock } from '../domain/clock';
import { personKey } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { Escalation } from '../domain/escalation';
import { mayPerform } from '../domain/escalation-lifecycle';
import type { AccountRepository, AlertRepository, AlertSettingsRepository } from '../domain/ports';
import { performEscalationAction, type EscalationActionDeps, type EscalationActionOutcome } from './escalation-actions';

export interface AlertActionDeps {
  readonly alerts: AlertRepository;
  readonly clock: Clock;
}

/** Who may act on an alert: the people it went to, and the TAMs and managers of its account. */
function mayAct(caller: Caller, alert: Alert): boolean {
  if (alert.recipients.includes(personKey(caller.identity))) return true;
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(alert.accountId);
}

async function load(deps: AlertActionDeps, caller: Caller, accountId: string, alertId: string): Promise<Alert> {
  const alert = await deps.alerts.get(accountId, alertId);
  if (!alert || !mayAct(caller, alert)) throw new DomainError('not_found', 'There is no such alert that you can see.');
  return alert;
}

/** What one press of Acknowledge did: the alert, and the escalation if it acknowledged that too. */
export interface AlertAcknowledged {
  readonly alert: Alert;
  readonly escalation?: { readonly escalation: Escalation; readonly outcome: EscalationActionOutcome };
  /** The alert was about an escalation not yet acknowledged, and this caller may not acknowledge it. */
  readonly escalationLeft?: string;
}

/**
 * Acknowledging stops the reminders, for everyone the alert went to; doing it twice changes
 * nothing. On an alert of an escalation nobody has acknowledged yet, it acknowledges the
 * escalation too (through the one lifecycle path, so the response target is met at that moment
 * and the timeline says who), when the caller may.
 */
export async function acknowledgeAlert(
  deps: AlertActionDeps & EscalationActionDeps,
  caller: Caller,
  accountId: string,
  alertId: string,
  options: { teamsUserId?: string } = {},
): Promise<AlertAcknowledged> {
  const found = await load(deps, caller, accountId, alertId);
  let escalation: AlertAcknowledged['escalation'];
  let escalationLeft: string | undefined;
  if (found.status === 'open' && found.subject.kind === 'escalation') {
    const current = await deps.escalations.get(accountId, found.subject.escalationId);
    if (current && acknowledgementOf(found, current) === 'escalation') {
      if (mayPerform(caller, current, 'acknowledge')) {
        escalation = await performEscalationAction(deps, caller, {
          accountId,
          escalationId: current.escalationId,
          action: { kind: 'acknowledge' },
          fromVersion: current.version,
          ...(options.teamsUserId ? { teamsUserId: options.teamsUserId } : {}),
        });
      } else {
        escalationLeft = `${current.escalationId} itself is not acknowledged: only the TAM of the account or a manager can do that.`;
      }
    }
  }
  const now = deps.clock.now().toISOString();
  const updated = await deps.alerts.update(accountId, alertId, (a) => {
    if (a.status !== 'open') return undefined;
    const { nextReminderAt: _stop, snoozedUntil: _snooze, ...rest } = a;
    return { ...rest, status: 'acknowledged', acknowledgedBy: { key: personKey(caller.identity), name: caller.displayName }, acknowledgedAt: now };
  });
  if (!updated) throw new DomainError('not_found', 'There is no such alert that you can see.');
  return { alert: updated, ...(escalation ? { escalation } : {}), ...(escalationLeft ? { escalationLeft } : {}) };
}

/** Holds the reminders until the time has passed. */
export async function snoozeAlert(deps: AlertActionDeps, caller: Caller, accountId: string, alertId: string, minutes: number): Promise<Alert> {
  if (!snoozeChoices.some((c) => c.minutes === minutes)) throw new DomainError('invalid_input', 'Snooze for 1 hour, 4 hours or 1 day.');
  await load(deps, caller, accountId, alertId);
  const until = new Date(deps.clock.now().getTime() + minutes * 60_000).toISOString();
  const updated = await deps.alerts.update(accountId, alertId, (a) =>
    a.status !== 'open' ? undefined : { ...a, snoozedUntil: until, ...(a.nextReminderAt ? { nextReminderAt: until } : {}) },
  );
  if (!updated) throw new DomainError('not_found', 'There is no such alert that you can see.');
  return updated;
}

export interface AlertsOverview {
  readonly settings: AlertSettings;
  /** With the escalation of each open escalation alert: what its Acknowledge does depends on it. */
  readonly recent: readonly { readonly alert: Alert; readonly accountName: string; readonly escalation?: Escalation }[];
  /** How many more there were than the list holds. */
  readonly hidden: number;
}

/** A person's settings and the alerts of their accounts (all, or those not resolved), the most pressing first. */
export async function alertsOverview(
  deps: AlertActionDeps & { alertSettings: AlertSettingsRepository; accounts: AccountRepository; escalations: EscalationActionDeps['escalations'] },
  caller: Caller,
  options: { unresolvedOnly?: boolean; limit?: number } = {},
): Promise<AlertsOverview> {
  const limit = options.limit ?? 10;
  const key = personKey(caller.identity);
  const settings = (await deps.alertSettings.get(key)) ?? defaultAlertSettings(key, caller.person?.timeZone);
  const perAccount = await Promise.all(
    caller.accountIds.map(async (accountId) => {
      const [account, alerts] = await Promise.all([deps.accounts.getAccount(accountId), deps.alerts.listRecent(accountId, limit * 5, { unresolvedOnly: !!options.unresolvedOnly })]);
      return alerts.map((alert) => ({ alert, accountName: account?.name ?? accountId }));
    }),
  );
  // The most pressing first: open critical ones, open escalation ones, other open ones, then the rest; newest first within.
  // Each account's newest few times the list are read, so an older critical one is not missed.
  // An escalation's SLA at risk is about minutes, a renewal about weeks: it comes before the other normal ones.
  const rank = (alert: Alert): number => (alert.status !== 'open' ? 3 : alert.severity === 'critical' ? 0 : alert.subject.kind === 'escalation' ? 1 : 2);
  const all = perAccount.flat().sort((a, b) => rank(a.alert) - rank(b.alert) || b.alert.raisedAt.localeCompare(a.alert.raisedAt));
  const recent = all.slice(0, limit);
  const escalationIds = [...new Set(recent.flatMap(({ alert }) => (alert.status === 'open' && alert.subject.kind === 'escalation' ? [`${alert.accountId}|${alert.subject.escalationId}`] : [])))];
  const escalations = new Map(
    await Promise.all(escalationIds.map(async (id) => [id, await deps.escalations.get(id.split('|')[0] ?? '', id.split('|')[1] ?? '')] as const)),
  );
  return {
    settings,
    hidden: all.length - recent.length,
    recent: recent.map((r) => {
      const escalation = r.alert.subject.kind === 'escalation' ? escalations.get(`${r.alert.accountId}|${r.alert.subject.escalationId}`) : undefined;
      return escalation ? { ...r, escalation } : r;
    }),
  };
}

/** Validates and saves a person's alert settings; a digest person gets their next digest time. */
export async function saveAlertSettings(
  deps: { alertSettings: AlertSettingsRepository; clock: Clock },
  caller: Caller,
  data: Readonly<Record<string, unknown>>,
): Promise<{ kind: 'saved'; settings: AlertSettings } | { kind: 'invalid'; errors: Record<string, string> }> {
  if (caller.role !== 'tam' && caller.role !== 'manager') throw new DomainError('forbidden', 'Alert settings are for TAMs and managers.');
  const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
  const errors: Record<string, string> = {};
  const mode = text(data.mode) === 'digest' ? 'digest' : text(data.mode) === 'immediate' ? 'immediate' : undefined;
  if (!mode) errors.mode = 'Choose at once or daily digest.';
  const hour = /^\d{1,2}$/.test(text(data.digestHour)) ? Number(text(data.digestHour)) : Number.NaN;
  if (!(hour >= 0 && hour <= 23)) errors.digestHour = 'Choose an hour from 00:00 to 23:00.';
  const timeZone = text(data.timeZone);
  if (!isKnownTimeZone(timeZone)) errors.timeZone = 'Give a time zone such as Europe/London or America/New_York.';
  if (Object.keys(errors).length > 0 || !mode) return { kind: 'invalid', errors };
  const mutedRules = alertRules.filter((rule: AlertRule) => text(data[`rule_${rule}`]) === 'false');
  const key = personKey(caller.identity);
  const existing = await deps.alertSettings.get(key);
  const now = deps.clock.now();
  const settings: AlertSettings = {
    personKey: key,
    mode,
    digestHour: hour,
    timeZone,
    mutedRules: mutedRules.filter((r) => r !== 'severity-a-opened' && r !== 'sla-breached'),
    ...(existing?.lastDigestAt ? { lastDigestAt: existing.lastDigestAt } : {}),
    ...(mode === 'digest' ? { nextDigestAt: nextDigestTime(now, hour, timeZone).toISOString() } : {}),
  };
  await deps.alertSettings.upsert(settings);
  return { kind: 'saved', settings };
}
