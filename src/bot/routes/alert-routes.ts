import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { alertCard, alertsCard, type AlertsShown } from '../../cards/alert-cards';
import type { Alert } from '../../domain/alert';
import type { CommandId } from '../../domain/commands';
import { accountIdSchema } from '../../domain/directory';
import { DomainError } from '../../domain/errors';
import { alertVerbs } from '../../domain/verbs';
import { acknowledgeAlert, alertsOverview, saveAlertSettings, snoozeAlert, type AlertAcknowledged } from '../../services/alert-actions';
import { formatAt } from '../../cards/time-text';
import { viewerTimeZone } from '../viewer-time-zone';
import { syncAlertCards } from '../../services/alerts';
import { deliverOutboxItem } from '../../services/deliver-outbox';
import { syncEscalationCard } from '../../services/sync-escalation-card';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Shown } from '../verb-pipeline';

const shownSchema = z.enum(['open', 'all']).optional().catch(undefined);
/** `from: 'list'`: pressed on a row of the alerts list, which answers with the list as it was shown. */
const alertKey = z.object({ accountId: accountIdSchema, alertId: z.string().min(1).max(300), from: z.enum(['list']).optional().catch(undefined), show: shownSchema });
const snoozeKey = alertKey.extend({ minutes: z.coerce.number().int() });
const anyData = z.object({}).passthrough();
const showKey = z.object({ show: z.enum(['open', 'all']).catch('open') });
type AlertKey = z.infer<typeof alertKey>;

const showOf = (argument: string | undefined): AlertsShown => (argument?.trim().toLowerCase() === 'all' ? 'all' : 'open');

interface OverviewExtra {
  readonly show?: AlertsShown;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly banner?: string;
}

/** The alerts list and settings: internal, the reader's alone. */
async function overviewReply(turn: Turn, extra: OverviewExtra = {}): Promise<Reply> {
  const show = extra.show ?? 'open';
  const overview = await alertsOverview(turn.deps, turn.caller, { unresolvedOnly: show === 'open' });
  const accounts = [...new Set(overview.recent.map((r) => r.alert.accountId))];
  const whose = turn.caller.role === 'manager' ? 'The accounts of your TAMs' : 'Your accounts';
  const timeZone = await viewerTimeZone(turn);
  return privateReply(accounts, () =>
    alertsCard(turn.deps.cards, {
      timeZone,
      settings: overview.settings,
      recent: overview.recent,
      hidden: overview.hidden,
      now: turn.deps.clock.now(),
      scope: show === 'open' ? `${whose}: alerts not resolved yet, the most pressing first.` : `${whose}: all recent alerts, the most pressing first.`,
      ...extra,
      show,
    }),
  );
}

export const alertCommands = {
  alerts: (turn: Turn, argument: string) => overviewReply(turn, { show: showOf(argument) }),
} satisfies Partial<Record<CommandId, CommandHandler>>;

async function alertReply(turn: Turn, alert: Alert, banner: string): Promise<Reply> {
  const { deps } = turn;
  const [account, escalation] = await Promise.all([
    deps.accounts.getAccount(alert.accountId),
    alert.subject.kind === 'escalation' ? deps.escalations.get(alert.accountId, alert.subject.escalationId) : Promise.resolve(undefined),
  ]);
  const timeZone = await viewerTimeZone(turn);
  return privateReply([alert.accountId], () => alertCard(deps.cards, { alert, accountName: account?.name ?? alert.accountId, ...(escalation ? { escalation } : {}), now: deps.clock.now(), banner, timeZone }));
}

/**
 * The answer to a press: the alert card, or the list the row was on, with what happened on top.
 * Every card of the alert already sent (to everyone it went to) is brought up to date too.
 */
async function answerFor(turn: Turn, key: AlertKey, alert: Alert, banner: string): Promise<Reply> {
  const { deps } = turn;
  for (const id of await syncAlertCards(deps, alert)) deps.background.run('outbox.deliver', (detached) => deliverOutboxItem(detached, id));
  return key.from === 'list' ? overviewReply(turn, { show: key.show ?? 'open', banner: `${banner}: ${alert.title}` }) : alertReply(turn, alert, banner);
}

function acknowledgedBanner(result: AlertAcknowledged, now: Date, timeZone: string): string {
  const e = result.escalation;
  if (e?.outcome.kind === 'already') return `${e.escalation.escalationId} was acknowledged already by ${e.outcome.by}; alert acknowledged`;
  if (e) return `${e.escalation.escalationId} acknowledged ${formatAt(e.escalation.sla.respondedAt ?? now.toISOString(), timeZone)}, the response target is met; alert acknowledged`;
  if (result.escalationLeft) return `Alert acknowledged. ${result.escalationLeft}`;
  return result.alert.status === 'resolved' ? 'Already resolved' : 'Seen, reminders stopped';
}

const settingsShown = (turn: Turn, _key: unknown, shown: Shown): Promise<Reply> =>
  overviewReply(turn, { ...(shown.values ? { values: shown.values } : {}), ...(shown.errors ? { errors: shown.errors } : {}), ...(shown.banner ? { banner: shown.banner.text } : {}) });

const definitions = [
  defineVerb({
    verb: alertVerbs.acknowledge,
    key: alertKey,
    handle: async (turn, key) => {
      const { deps } = turn;
      const fromId = turn.context.activity.from?.id;
      const result = await acknowledgeAlert(deps, turn.caller, key.accountId, key.alertId, fromId ? { teamsUserId: fromId } : {});
      const changed = result.escalation;
      if (changed && changed.outcome.kind !== 'repeat') {
        // The escalation's message in the account channel shows the acknowledgement too.
        turn.deps.background.run('escalation.card_sync', (detached) => syncEscalationCard(detached, changed.escalation.accountId, changed.escalation.escalationId));
      }
      return answerFor(turn, key, result.alert, acknowledgedBanner(result, turn.deps.clock.now(), await viewerTimeZone(turn)));
    },
  }),
  defineVerb({
    verb: alertVerbs.snooze,
    key: snoozeKey,
    handle: async (turn, key) => answerFor(turn, key, await snoozeAlert(turn.deps, turn.caller, key.accountId, key.alertId, key.minutes), 'Snoozed'),
  }),
  defineVerb({
    verb: alertVerbs.show,
    key: showKey,
    handle: async (turn, key) => {
      if (turn.caller.role !== 'tam' && turn.caller.role !== 'manager') throw new DomainError('forbidden', 'Alert settings are for TAMs and managers.');
      return overviewReply(turn, { show: key.show });
    },
  }),
  defineVerb({
    verb: alertVerbs.saveSettings,
    key: anyData,
    handle: async (turn, _key, data) => {
      const result = await saveAlertSettings(turn.deps, turn.caller, data);
      if (result.kind === 'invalid') return { kind: 'invalid', errors: result.errors };
      return overviewReply(turn, {
        banner: result.settings.mode === 'digest' ? `Saved. Your digest comes every day at ${String(result.settings.digestHour).padStart(2, '0')}:00 ${result.settings.timeZone}.` : 'Saved. Alerts come at once.',
      });
    },
    show: settingsShown,
  }),
];

/** Acknowledge and snooze from the alert card and the alerts list; the alerts settings card. */
export function registerAlertRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);
}
