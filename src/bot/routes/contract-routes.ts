import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { contractCard, logHoursCard, supportHoursCard } from '../../cards/contract-card';
import { calendarDateOf, formatCalendarDate } from '../../domain/calendar-date';
import type { CommandId } from '../../domain/commands';
import { formatHours } from '../../domain/contract-forecast';
import { accountIdSchema } from '../../domain/directory';
import { contractVerbs } from '../../domain/verbs';
import { loadContractView, withoutCommercial, type ContractView } from '../../services/contract-view';
import { logHours, reverseLedgerEntry } from '../../services/log-hours';
import { setSupportHours } from '../../services/set-support-hours';
import { syncEscalationCard } from '../../services/sync-escalation-card';
import { describeWindow } from '../../domain/support-hours';
import { accountCommand } from '../account-choice';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { accountReply, privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Banner, type Shown } from '../verb-pipeline';

const modes = ['view', 'log', 'correct', 'hours'] as const;
type Mode = (typeof modes)[number];
const accountKey = z.object({ accountId: accountIdSchema });
const refreshKey = accountKey.extend({ mode: z.enum(modes).optional().catch('view') });
/** The log-hours form carries the ledger version it was made from: a resend of it logs nothing twice. */
const logKey = accountKey.extend({ ledgerVersion: z.coerce.number().int().nonnegative().optional().catch(undefined) });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

interface StatusExtra {
  readonly banner?: Banner;
  readonly correction?: { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>> };
}

/**
 * The contract card: the caller's own view (commercial fields for TAMs and managers, logging and
 * corrections), or the customer-safe one that every member of the account's channel may see.
 */
function statusReply(turn: Turn, view: ContractView, extra: StatusExtra = {}): Reply {
  return accountReply(view.account.accountId, ({ view: audience, refreshUserIds }) => {
    const own = audience === 'own';
    return contractCard(turn.deps.cards, {
      accountName: view.account.name,
      contract: own ? view.contract : withoutCommercial(view.contract),
      status: view.status,
      entries: view.entries,
      showCommercial: own && view.showCommercial,
      canLog: own && view.canLog,
      supportHours: view.supportHours,
      supportHoursDefault: view.supportHoursDefault,
      canSetSupportHours: own && view.canSetSupportHours,
      today: calendarDateOf(turn.deps.clock.now()),
      ...(own && extra.banner ? { banner: extra.banner } : {}),
      ...(own && extra.correction ? { correction: extra.correction } : {}),
      refreshUserIds,
    });
  });
}

/** The log-hours form is the TAM's alone: in a shared conversation it goes to their personal chat. */
function formReply(turn: Turn, view: ContractView, extra: { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>>; formError?: string } = {}): Reply {
  return privateReply([view.account.accountId], () =>
    logHoursCard(turn.deps.cards, {
      accountName: view.account.name,
      contract: view.contract,
      status: view.status,
      today: calendarDateOf(turn.deps.clock.now()),
      ledgerVersion: view.contract.ledgerVersion ?? 0,
      ...extra,
    }),
  );
}

/** The support-hours form is the TAM's too: in a shared conversation it is their own view only. */
function hoursFormReply(turn: Turn, view: ContractView, extra: { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>>; formError?: string } = {}): Reply {
  return privateReply([view.account.accountId], () =>
    supportHoursCard(turn.deps.cards, { accountName: view.account.name, contract: view.contract, hours: view.supportHours, ...extra }),
  );
}

async function replyForMode(turn: Turn, accountId: string, mode: Mode): Promise<Reply> {
  const view = await loadContractView(turn.deps, turn.caller, accountId);
  if (mode === 'log' && view.canLog) return formReply(turn, view);
  if (mode === 'hours' && view.canSetSupportHours) return hoursFormReply(turn, view);
  if (mode === 'correct' && view.canLog) return statusReply(turn, view, { correction: {} });
  return statusReply(turn, view);
}

export const contractCommands = {
  contract: accountCommand('contract', 'contract', (turn, accountId) => replyForMode(turn, accountId, 'view')),
  logHours: accountCommand('logHours', 'contract', (turn, accountId) => replyForMode(turn, accountId, 'log')),
} satisfies Partial<Record<CommandId, CommandHandler>>;

const logged = (what: string, kind: 'logged' | 'duplicate'): Banner => (kind === 'logged' ? { text: `Logged ${what}.`, style: 'good' } : { text: `Already logged: ${what}.`, style: 'accent' });

const retimedText = (ids: readonly string[]): string =>
  ids.length === 0 ? 'No open escalation changes its clock.' : `Re-timed from now: ${ids.length === 1 ? ids[0] : `${ids.length} open escalations (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`}.`;

const definitions = [
  defineVerb({
    verb: contractVerbs.refresh,
    key: refreshKey,
    handle: (turn, key) => replyForMode(turn, key.accountId, key.mode ?? 'view'),
  }),
  defineVerb({
    verb: contractVerbs.logHours,
    key: logKey,
    handle: async (turn, key, data) => {
      const result = await logHours(turn.deps, turn.caller, key.accountId, data, key.ledgerVersion !== undefined ? { fromLedgerVersion: key.ledgerVersion } : {});
      if (result.kind === 'invalid') return { kind: 'invalid', errors: { ...result.errors } };
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      const entry = result.entry;
      return statusReply(turn, view, { banner: logged(`${formatHours(entry.hours)} to ${entry.bucket} on ${formatCalendarDate(entry.date)}`, result.kind) });
    },
    show: async (turn, key, shown: Shown) => {
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      if (!view.canLog) return statusReply(turn, view, shown.banner ? { banner: shown.banner } : {});
      const formError = shown.formError ?? shown.banner?.text;
      return formReply(turn, view, { ...(shown.values ? { values: shown.values } : {}), ...(shown.errors ? { errors: shown.errors } : {}), ...(formError ? { formError } : {}) });
    },
  }),
  defineVerb({
    verb: contractVerbs.reverseEntry,
    key: accountKey,
    handle: async (turn, key, data) => {
      const result = await reverseLedgerEntry(turn.deps, turn.caller, key.accountId, { entryId: text(data.entryId), reason: text(data.reason) });
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      const what = `${formatHours(-result.entry.hours)} of ${result.entry.bucket} on ${formatCalendarDate(result.entry.date)}`;
      return statusReply(turn, view, { banner: result.kind === 'reversed' ? { text: `Reversed ${what}.`, style: 'good' } : { text: 'That entry was reversed already.', style: 'accent' } });
    },
    show: async (turn, key, shown) => {
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      if (shown.errors) return statusReply(turn, view, { correction: { values: { entryId: shown.values?.entryId ?? '', reason: shown.values?.reason ?? '' }, errors: shown.errors } });
      return statusReply(turn, view, shown.banner ? { banner: shown.banner } : {});
    },
  }),
  defineVerb({
    verb: contractVerbs.setSupportHours,
    key: accountKey,
    handle: async (turn, key, data) => {
      const result = await setSupportHours(turn.deps, turn.caller, key.accountId, data);
      if (result.kind === 'invalid') return { kind: 'invalid', errors: { ...result.errors } };
      // Re-timed escalations show their new deadlines in the account's channel too.
      for (const escalationId of result.retimed) turn.deps.background.run('escalation.card_sync', (detached) => syncEscalationCard(detached, key.accountId, escalationId));
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      const what = `${describeWindow(result.hours)}.`;
      return statusReply(turn, view, {
        banner:
          result.kind === 'saved'
            ? { text: `Support hours saved: ${what} ${retimedText(result.retimed)}`, style: 'good' }
            : { text: `These support hours were in force already: ${what}${result.retimed.length > 0 ? ` ${retimedText(result.retimed)}` : ''}`, style: 'accent' },
      });
    },
    show: async (turn, key, shown: Shown) => {
      const view = await loadContractView(turn.deps, turn.caller, key.accountId);
      if (!view.canSetSupportHours) return statusReply(turn, view, shown.banner ? { banner: shown.banner } : {});
      const formError = shown.errors ? 'Nothing was saved: correct the fields marked below.' : shown.banner?.text;
      return hoursFormReply(turn, view, { ...(shown.values ? { values: shown.values } : {}), ...(shown.errors ? { errors: shown.errors } : {}), ...(formError ? { formError } : {}) });
    },
  }),
];

/** Contract card, log hours, corrections, support hours. */
export function registerContractRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);
}
