import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { alertCard, alertsCard, alertVerbs } from '../../cards/alert-cards';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import type { CommandId } from '../../domain/commands';
import { accountIdSchema } from '../../domain/directory';
import { isDomainError } from '../../domain/errors';
import { acknowledgeAlert, alertsOverview, saveAlertSettings, snoozeAlert } from '../../services/alert-actions';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { cardAction } from '../invoke-response';
import type { CommandHandler, Turn } from '../turn';

const alertKey = z.object({ accountId: accountIdSchema, alertId: z.string().min(1).max(300) });
const snoozeData = alertKey.extend({ minutes: z.coerce.number().int() });


async function overviewCard(turn: Turn, extra: { values?: Record<string, string>; errors?: Record<string, string>; banner?: string } = {}): Promise<AdaptiveCardJson> {
  const overview = await alertsOverview(turn.deps, turn.caller);
  return alertsCard(turn.deps.cards, {
    settings: overview.settings,
    recent: overview.recent,
    now: turn.deps.clock.now(),
    scope: turn.caller.role === 'manager' ? 'The accounts of your TAMs, newest first.' : 'Your accounts, newest first.',
    ...extra,
  });
}

export const alertCommands = {
  alerts: (turn: Turn) => overviewCard(turn),
} satisfies Partial<Record<CommandId, CommandHandler>>;

/** Acknowledge and snooze from the alert card; the alerts settings card. */
export function registerAlertRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  const handle = (verb: string, work: (turn: Turn, data: Record<string, unknown>) => Promise<AdaptiveCardJson>): void => cardAction(app, deps, verb, work);

  const cardOf = async (turn: Turn, alert: Awaited<ReturnType<typeof acknowledgeAlert>>, banner: string): Promise<AdaptiveCardJson> => {
    const [account, escalation] = await Promise.all([
      deps.accounts.getAccount(alert.accountId),
      alert.subject.kind === 'escalation' ? deps.escalations.get(alert.accountId, alert.subject.escalationId) : Promise.resolve(undefined),
    ]);
    return alertCard(deps.cards, { alert, accountName: account?.name ?? alert.accountId, ...(escalation ? { escalation } : {}), now: deps.clock.now(), banner });
  };

  handle(alertVerbs.acknowledge, async (turn, data) => {
    const key = alertKey.safeParse(data);
    if (!key.success) throw new Error('malformed alert data');
    return cardOf(turn, await acknowledgeAlert(deps, turn.caller, key.data.accountId, key.data.alertId), 'Acknowledged');
  });

  handle(alertVerbs.snooze, async (turn, data) => {
    const parsed = snoozeData.safeParse(data);
    if (!parsed.success) throw new Error('malformed snooze data');
    return cardOf(turn, await snoozeAlert(deps, turn.caller, parsed.data.accountId, parsed.data.alertId, parsed.data.minutes), 'Snoozed');
  });

  handle(alertVerbs.saveSettings, async (turn, data) => {
    const values = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v)]));
    try {
      const result = await saveAlertSettings(deps, turn.caller, data);
      if (result.kind === 'invalid') return await overviewCard(turn, { values, errors: result.errors });
      return await overviewCard(turn, {
        banner: result.settings.mode === 'digest' ? `Saved. Your digest comes every day at ${String(result.settings.digestHour).padStart(2, '0')}:00 ${result.settings.timeZone}.` : 'Saved. Alerts come at once.',
      });
    } catch (error) {
      if (isDomainError(error) && error.code === 'forbidden') return overviewCard(turn, { banner: error.message });
      throw error;
    }
  });
}
