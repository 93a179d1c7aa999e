import { acknowledgementOf, alertRuleLabels, alertRules, isUpdateCadenceAlert, snoozeChoices, type Alert, type AlertRule } from '../domain/alert';
import type { AlertSettings } from '../domain/alert-settings';
import { isOpen, type Escalation } from '../domain/escalation';
import { slaClocks } from '../domain/escalation-sla';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';
import { formatAt } from './time-text';
import { alertVerbs, commandVerbs, escalationVerbs } from '../domain/verbs';

export { alertVerbs };

/** Rules a person may switch off: critical alerts are always sent. */
export const mutableRules: readonly AlertRule[] = alertRules.filter((r) => r !== 'severity-a-opened' && r !== 'sla-breached');

export interface AlertCardModel {
  readonly alert: Alert;
  readonly accountName: string;
  readonly escalation?: Escalation;
  readonly now: Date;
  readonly reminder?: boolean;
  readonly banner?: string;
  /** The reader's zone, named beside each time (default UTC). */
  readonly timeZone?: string;
}

function stateOf(alert: Alert, now: Date, zone: string): { text: string; color: string } {
  if (alert.status === 'acknowledged') return { text: `Acknowledged by ${alert.acknowledgedBy?.name ?? 'someone'}, ${formatAt(alert.acknowledgedAt ?? alert.raisedAt, zone)}`, color: 'Good' };
  if (alert.status === 'resolved') {
    // Who saw it, except on an escalation's alert, whose own card names who acknowledged it.
    const seen = alert.acknowledgedBy && alert.subject.kind !== 'escalation' ? ` Seen by ${alert.acknowledgedBy.name}.` : '';
    return { text: `Resolved ${formatAt(alert.resolvedAt ?? alert.raisedAt, zone)}: ${alert.resolvedReason ?? 'the condition has cleared.'}${seen}`, color: 'Good' };
  }
  if (alert.snoozedUntil && new Date(alert.snoozedUntil).getTime() > now.getTime()) return { text: `Snoozed until ${formatAt(alert.snoozedUntil, zone)}`, color: 'Warning' };
  // "Acknowledged" belongs to an escalation nobody has taken on yet; any other alert is only "seen".
  const until = alert.subject.kind === 'escalation' && /^sev-a:|:response:/.test(alert.findingKey ?? alert.alertId) ? 'acknowledged' : 'someone has seen it';
  return { text: alert.severity === 'critical' ? `Open: reminders every hour until ${until}` : 'Open', color: alert.severity === 'critical' ? 'Attention' : 'Default' };
}

/** Where "Open" leads: the escalation's card, or the contract or plan of the account. */
function openAction(alert: Alert): { title: string; verb: string; data: Record<string, string>; style: string } {
  switch (alert.subject.kind) {
    case 'escalation':
      return { title: 'Open escalation', verb: escalationVerbs.show, data: { escalationId: alert.subject.escalationId, accountId: alert.accountId }, style: 'default' };
    case 'contract':
      return { title: 'Open contract', verb: commandVerbs.run, data: { command: 'contract', argument: alert.accountId }, style: 'default' };
    case 'plan':
      return { title: 'Open plan', verb: commandVerbs.run, data: { command: 'plan', argument: alert.accountId }, style: 'default' };
  }
}

export function alertCard(templates: CardTemplates, model: AlertCardModel): AdaptiveCardJson {
  const { alert } = model;
  const key = { accountId: alert.accountId, alertId: alert.alertId };
  const zone = model.timeZone ?? 'UTC';
  const state = stateOf(alert, model.now, zone);
  const facts = [
    { label: 'Account', value: model.accountName },
    { label: 'Raised', value: formatAt(alert.raisedAt, zone) },
  ];
  const e = model.escalation;
  if (e) {
    const clocks = slaClocks(e, model.now, { timeZone: zone });
    facts.push({ label: 'Escalation', value: `${e.escalationId} · severity ${e.severity} · ${e.status}` });
    facts.push({ label: 'SLA', value: [clocks.response.text, clocks.update?.text].filter(Boolean).join(' · ') });
    if (e.owner) facts.push({ label: 'Owner', value: e.owner.name });
    if (e.contactPhone) facts.push({ label: 'Phone (24x7)', value: e.contactPhone });
  }
  const open = alert.status === 'open';
  return templates.render('alert', {
    style: alert.severity === 'critical' ? 'attention' : 'warning',
    label: `${model.banner ? `${model.banner} · ` : ''}${model.reminder ? 'Reminder · ' : ''}${alert.severity === 'critical' ? 'Critical' : 'Alert'} · ${alertRuleLabels[alert.rule]}`,
    title: alert.title,
    detail: alert.detail,
    facts,
    state: state.text,
    stateColor: state.color,
    primary: primaryActions(alert, e, key),
    snoozes: open ? snoozeChoices.map((c) => ({ title: `Snooze ${c.label}`, verb: alertVerbs.snooze, data: { ...key, minutes: String(c.minutes) }, style: 'default' })) : [],
    secondary: [openAction(alert)],
  });
}

type CardAction = { title: string; verb: string; data: Record<string, string>; style: string };

/**
 * Acknowledge means what it says: on an alert of an escalation nobody has acknowledged yet, it
 * acknowledges the escalation too; elsewhere it only stops the reminders, and says so. An
 * update-cadence alert offers the update form beside it.
 */
function primaryActions(alert: Alert, escalation: Escalation | undefined, data: Record<string, string>): CardAction[] {
  if (alert.status !== 'open') return [];
  const acknowledgesEscalation = acknowledgementOf(alert, escalation) === 'escalation';
  const actions: CardAction[] = [{ title: acknowledgesEscalation ? 'Acknowledge' : 'Seen, stop reminders', verb: alertVerbs.acknowledge, data, style: 'positive' }];
  if (escalation && isOpen(escalation.status) && !acknowledgesEscalation && isUpdateCadenceAlert(alert)) {
    actions.push({ title: 'Update', verb: escalationVerbs.refresh, data: { escalationId: escalation.escalationId, accountId: escalation.accountId, mode: 'update' }, style: 'default' });
  }
  return actions;
}

export const digestShown = 25;

export function digestCard(templates: CardTemplates, model: { groups: readonly { accountName: string; alerts: readonly Alert[] }[]; localDate: string }): AdaptiveCardJson {
  let budget = digestShown;
  const total = model.groups.reduce((s, g) => s + g.alerts.length, 0);
  const groups = model.groups
    .map((g) => {
      const alerts = g.alerts.slice(0, Math.max(0, budget));
      budget -= alerts.length;
      return { accountName: g.accountName, alerts: alerts.map((a) => ({ title: a.title, detail: a.detail.slice(0, 200) })) };
    })
    .filter((g) => g.alerts.length > 0);
  return templates.render('alert-digest', {
    summary: `${total} open alert${total === 1 ? '' : 's'} across ${model.groups.length} account${model.groups.length === 1 ? '' : 's'}, ${model.localDate}`,
    groups,
    hidden: Math.max(0, total - digestShown),
  });
}

/** Which alerts the list shows: those not resolved yet, or all recent ones. */
export type AlertsShown = 'open' | 'all';

export interface AlertsCardModel {
  readonly settings: AlertSettings;
  readonly recent: readonly { readonly alert: Alert; readonly accountName: string; readonly escalation?: Escalation }[];
  /** Alerts the list leaves out, to say so. */
  readonly hidden?: number;
  readonly now: Date;
  readonly scope: string;
  /** Default: open ones. */
  readonly show?: AlertsShown;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly banner?: string;
  /** The reader's zone, named beside each time (default UTC). */
  readonly timeZone?: string;
}

/** The list's own buttons on a row: they answer with the list again, as it was shown. */
function rowActions(alert: Alert, escalation: Escalation | undefined, show: AlertsShown): CardAction[] {
  const back = { accountId: alert.accountId, alertId: alert.alertId, from: 'list', show };
  const open = alert.status === 'open';
  return [
    openAction(alert),
    ...(open ? [{ title: acknowledgementOf(alert, escalation) === 'escalation' ? 'Acknowledge' : 'Seen, stop reminders', verb: alertVerbs.acknowledge, data: back, style: 'positive' }] : []),
    ...(open ? [{ title: `Snooze ${snoozeChoices[0].label}`, verb: alertVerbs.snooze, data: { ...back, minutes: String(snoozeChoices[0].minutes) }, style: 'default' }] : []),
  ];
}

export function alertsCard(templates: CardTemplates, model: AlertsCardModel): AdaptiveCardJson {
  const values = model.values ?? {};
  const show = model.show ?? 'open';
  return templates.render('alerts', {
    banner: model.banner ?? '',
    scope: model.scope,
    show,
    empty: show === 'open' ? 'No open alerts.' : 'No alerts yet.',
    toggle: show === 'open' ? { title: 'Show all, resolved too', show: 'all' } : { title: 'Show open only', show: 'open' },
    hidden: model.hidden ?? 0,
    hiddenText: `${model.hidden ?? 0} more not shown: the most pressing are listed first; each one's card has its buttons too.`,
    recent: model.recent.map(({ alert, accountName, escalation }) => {
      const state = stateOf(alert, model.now, model.timeZone ?? 'UTC');
      return {
        title: alert.title,
        line: `${accountName} · ${formatAt(alert.raisedAt, model.timeZone ?? 'UTC')} · ${state.text}`,
        stateLabel: alert.status === 'open' ? (alert.severity === 'critical' ? 'Critical' : 'Open') : alert.status === 'acknowledged' ? 'Acked' : 'Resolved',
        style: alert.status !== 'open' ? 'good' : alert.severity === 'critical' ? 'attention' : 'warning',
        actions: rowActions(alert, escalation, show),
      };
    }),
    mode: values.mode ?? model.settings.mode,
    digestHour: values.digestHour ?? String(model.settings.digestHour),
    timeZone: values.timeZone ?? model.settings.timeZone,
    hours: Array.from({ length: 24 }, (_, h) => ({ title: `${String(h).padStart(2, '0')}:00`, value: String(h) })),
    rules: mutableRules.map((rule) => ({ rule, label: alertRuleLabels[rule], on: String(!model.settings.mutedRules.includes(rule)) })),
    errors: { digestHour: model.errors?.digestHour ?? '', timeZone: model.errors?.timeZone ?? '' },
  });
}
