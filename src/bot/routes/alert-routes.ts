import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { alertCard, alertsCard } from '../../cards/alert-cards';
import type { Alert } from '../../domain/alert';
import type { CommandId } from '../../domain/commands';
import { accountIdSchema } from '../../domain/directory';
import { alertVerbs } from '../../domain/verbs';
import { acknowledgeAlert, alertsOverview, saveAlertSettings, snoozeAlert } from '../../services/alert-actions';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Shown } from '../verb-pipeline';

const alertKey = z.object({ accountId: accountIdSchema, alertId: z.string().min(1).max(300) });
const snoozeKey = alertKey.extend({ minutes: z.coerce.number().int() });
const anyData = z.object({}).passthrough();

/** The alerts list and settings: internal, the reader's alone. */
async function overviewReply(turn: Turn, extra: { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>>; banner?: string } = {}): Promise<Reply> {
  const overview = await alertsOverview(turn.deps, turn.caller);
  const accounts = [...new Set(overview.recent.map((r) => r.alert.accountId))];
  return privateReply(accounts, () =>
    alertsCard(turn.deps.cards, {
      settings: overview.settings,
      recent: overview.recent,
      now: turn.deps.clock.now(),
      scope: turn.caller.role === 'manager' ? 'The accounts of your TAMs, newest first.' : 'Your accounts, newest first.',
      ...extra,
    }),
  );
}

export const alertCommands = {
  alerts: (turn: Turn) => overviewReply(turn),
} satisfies Partial<Record<CommandId, CommandHandler>>;

async function alertReply(turn: Turn, alert: Alert, banner: string): Promise<Reply> {
  const { deps } = turn;
  const [account, escalation] = await Promise.all([
    deps.accounts.getAccount(alert.accountId),
    alert.subject.kind === 'escalation' ? deps.escalations.get(alert.accountId, alert.subject.escalationId) : Promise.resolve(undefined),
  ]);
  return privateReply([alert.accountId], () => alertCard(deps.cards, { alert, accountName: account?.name ?? alert.accountId, ...(escalation ? { escalation } : {}), now: deps.clock.now(), banner }));
}

const settingsShown = (turn: Turn, _key: unknown, shown: Shown): Promise<Reply> =>
  overviewReply(turn, { ...(shown.values ? { values: shown.values } : {}), ...(shown.errors ? { errors: shown.errors } : {}), ...(shown.banner ? { banner: shown.banner.text } : {}) });

const definitions = [
  defineVerb({
    verb: alertVerbs.acknowledge,
    key: alertKey,
    handle: async (turn, key) => alertReply(turn, await acknowledgeAlert(turn.deps, turn.caller, key.accountId, key.alertId), 'Acknowledged'),
  }),
  defineVerb({
    verb: alertVerbs.snooze,
    key: snoozeKey,
    handle: async (turn, key) => alertReply(turn, await snoozeAlert(turn.deps, turn.caller, key.accountId, key.alertId, key.minutes), 'Snoozed'),
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

/** Acknowledge and snooze from the alert card; the alerts settings card. */
export function registerAlertRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);
}
