import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import { contractCard, contractVerbs, logHoursCard } from '../../cards/contract-card';
import { calendarDateOf, formatCalendarDate } from '../../domain/calendar-date';
import type { CommandId } from '../../domain/commands';
import { formatHours } from '../../domain/contract-forecast';
import { accountIdSchema } from '../../domain/directory';
import { isDomainError } from '../../domain/errors';
import { readLogHoursForm } from '../../domain/log-hours-input';
import { loadContractView, type ContractView } from '../../services/contract-view';
import { logHours, reverseLedgerEntry } from '../../services/log-hours';
import { accountCommand } from '../account-choice';
import { readActivityFacts } from '../activity-facts';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { respondWithCard } from '../invoke-response';
import { startTurn, type CommandHandler, type Turn } from '../turn';
import { errorCard } from '../turn-errors';

const modes = ['view', 'log', 'correct'] as const;
type Mode = (typeof modes)[number];
const refreshData = z.object({ accountId: accountIdSchema, mode: z.enum(modes).optional().catch('view') });
const accountKey = z.object({ accountId: accountIdSchema });

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

type Banner = { text: string; style: 'good' | 'attention' | 'warning' | 'accent' };

function statusCard(turn: Turn, view: ContractView, extra: { banner?: Banner; correction?: { values?: Record<string, string>; errors?: Record<string, string> } } = {}): AdaptiveCardJson {
  return contractCard(turn.deps.cards, {
    accountName: view.account.name,
    contract: view.contract,
    status: view.status,
    entries: view.entries,
    showCommercial: view.showCommercial,
    canLog: view.canLog,
    ...(extra.banner ? { banner: extra.banner } : {}),
    ...(extra.correction ? { correction: extra.correction } : {}),
  });
}

function formCard(turn: Turn, view: ContractView, extra: { values?: Record<string, string>; errors?: Record<string, string>; formError?: string } = {}): AdaptiveCardJson {
  return logHoursCard(turn.deps.cards, {
    accountName: view.account.name,
    contract: view.contract,
    status: view.status,
    today: calendarDateOf(turn.deps.clock.now()),
    ...extra,
  });
}

async function cardForMode(turn: Turn, accountId: string, mode: Mode): Promise<AdaptiveCardJson> {
  const view = await loadContractView(turn.deps, turn.caller, accountId);
  if (mode === 'log' && view.canLog) return formCard(turn, view);
  if (mode === 'correct' && view.canLog) return statusCard(turn, view, { correction: {} });
  return statusCard(turn, view);
}

export const contractCommands = {
  contract: accountCommand('contract', 'contract', (turn, accountId) => cardForMode(turn, accountId, 'view')),
  logHours: accountCommand('logHours', 'contract', (turn, accountId) => cardForMode(turn, accountId, 'log')),
} satisfies Partial<Record<CommandId, CommandHandler>>;

/** Contract card, log hours, corrections. */
export function registerContractRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  app.adaptiveCards.actionExecute(contractVerbs.refresh, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    try {
      const parsed = refreshData.safeParse(data);
      if (!parsed.success) throw new Error('malformed contract refresh data');
      return await respondWithCard(context, await cardForMode(turn, parsed.data.accountId, parsed.data.mode ?? 'view'));
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });

  app.adaptiveCards.actionExecute(contractVerbs.logHours, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    try {
      const key = accountKey.safeParse(data);
      if (!key.success) throw new Error('malformed log hours data');
      const fields = record(data);
      const values = { ...readLogHoursForm(fields) };
      let result;
      try {
        result = await logHours(deps, turn.caller, key.data.accountId, fields);
      } catch (error) {
        if (!isDomainError(error) || error.code === 'not_found') throw error;
        const view = await loadContractView(deps, turn.caller, key.data.accountId);
        return await respondWithCard(context, view.canLog ? formCard(turn, view, { values, formError: error.message }) : statusCard(turn, view, { banner: { text: error.message, style: 'attention' } }));
      }
      const view = await loadContractView(deps, turn.caller, key.data.accountId);
      if (result.kind === 'invalid') return await respondWithCard(context, formCard(turn, view, { values, errors: { ...result.errors } }));
      const entry = result.entry;
      const what = `${formatHours(entry.hours)} to ${entry.bucket} on ${formatCalendarDate(entry.date)}`;
      return await respondWithCard(
        context,
        statusCard(turn, view, { banner: result.kind === 'logged' ? { text: `Logged ${what}.`, style: 'good' } : { text: `Already logged: ${what}.`, style: 'accent' } }),
      );
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });

  app.adaptiveCards.actionExecute(contractVerbs.reverseEntry, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    try {
      const key = accountKey.safeParse(data);
      if (!key.success) throw new Error('malformed reverse entry data');
      const fields = record(data);
      const values = { entryId: text(fields.entryId), reason: text(fields.reason) };
      try {
        const result = await reverseLedgerEntry(deps, turn.caller, key.data.accountId, values);
        const view = await loadContractView(deps, turn.caller, key.data.accountId);
        const what = `${formatHours(-result.entry.hours)} of ${result.entry.bucket} on ${formatCalendarDate(result.entry.date)}`;
        return await respondWithCard(
          context,
          statusCard(turn, view, { banner: result.kind === 'reversed' ? { text: `Reversed ${what}.`, style: 'good' } : { text: `That entry was reversed already.`, style: 'accent' } }),
        );
      } catch (error) {
        if (!isDomainError(error) || error.code === 'not_found') throw error;
        const view = await loadContractView(deps, turn.caller, key.data.accountId);
        return await respondWithCard(
          context,
          Object.keys(error.fieldErrors).length > 0
            ? statusCard(turn, view, { correction: { values, errors: { ...error.fieldErrors } } })
            : statusCard(turn, view, { banner: { text: error.message, style: 'attention' } }),
        );
      }
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });
}
