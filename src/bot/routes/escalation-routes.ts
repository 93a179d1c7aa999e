import { CardFactory, type TaskModuleTaskInfo } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import { noticeCard } from '../../cards/conversation-cards';
import {
  escalationCard,
  escalationIntakeCard,
  escalationListCard,
  escalationModes,
  type EscalationMode,
  type EscalationPermissions,
  type EscalationView,
} from '../../cards/escalation-card';
import type { Caller } from '../../domain/caller';
import type { CommandId } from '../../domain/commands';
import type { Account } from '../../domain/directory';
import { accountIdSchema } from '../../domain/directory';
import { isDomainError } from '../../domain/errors';
import { escalationIdPattern, severities, type Escalation } from '../../domain/escalation';
import { readIntakeForm, type IntakeForm } from '../../domain/escalation-intake';
import { mayPerform, type EscalationAction } from '../../domain/escalation-lifecycle';
import { deliverOutboxItem } from '../../services/deliver-outbox';
import { loadVisibleEscalation } from '../../services/escalation-access';
import { performEscalationAction } from '../../services/escalation-actions';
import { listOpenEscalations } from '../../services/list-escalations';
import { mayOpenEscalation, openEscalation, type OpenEscalationInput } from '../../services/open-escalation';
import { syncEscalationCard } from '../../services/sync-escalation-card';
import { readActivityFacts } from '../activity-facts';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { cardActivity } from '../card-reply';
import { respondWithCard } from '../invoke-response';
import { startTurn, type CommandHandler, type Turn } from '../turn';
import { errorCard } from '../turn-errors';
import { escalationVerbs, messageExtensionCommands } from '../verbs';

const escalationKey = z.object({
  escalationId: z.string().regex(escalationIdPattern),
  accountId: accountIdSchema,
});
const refreshData = escalationKey.extend({ mode: z.enum(escalationModes).optional().catch('view') });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const listShown = 15;

/** The escalation commands: open one, list open ones, show one. */
export const escalationCommands = {
  escalate: (turn: Turn) => intakeCardFor(turn),
  escalations: (turn: Turn) => listCard(turn),
  escalation: (turn: Turn, argument: string) => showCard(turn, argument),
} satisfies Partial<Record<CommandId, CommandHandler>>;

export function viewOf(caller: Caller): EscalationView {
  if (caller.role === 'manager') return 'manager';
  if (caller.role === 'tam') return 'provider';
  if (caller.role === 'admin') return 'readonly';
  return 'customer';
}

export function permissionsOf(caller: Caller, escalation: Escalation): EscalationPermissions {
  return {
    acknowledge: mayPerform(caller, escalation, 'acknowledge'),
    update: mayPerform(caller, escalation, 'update'),
    note: mayPerform(caller, escalation, 'note'),
    changeSeverity: mayPerform(caller, escalation, 'changeSeverity'),
    resolve: mayPerform(caller, escalation, 'resolve'),
    close: mayPerform(caller, escalation, 'close'),
    reopen: mayPerform(caller, escalation, 'reopen'),
  };
}

const modePermission: Record<EscalationMode, keyof EscalationPermissions | undefined> = {
  view: undefined,
  note: 'note',
  update: 'update',
  severity: 'changeSeverity',
  resolve: 'resolve',
  reopen: 'reopen',
};

async function accountName(turn: Turn, accountId: string): Promise<string> {
  return (await turn.deps.accounts.getAccount(accountId))?.name ?? accountId;
}

/** This caller's view of the card, optionally with a form open, errors beside its fields. */
async function cardFor(
  turn: Turn,
  escalation: Escalation,
  options: { mode?: EscalationMode; values?: Record<string, string>; errors?: Record<string, string>; banner?: { text: string; style: 'attention' | 'warning' | 'good' | 'accent' } } = {},
): Promise<AdaptiveCardJson> {
  const permissions = permissionsOf(turn.caller, escalation);
  const wanted = options.mode ?? 'view';
  const needed = modePermission[wanted];
  const mode = needed && !permissions[needed] ? 'view' : wanted;
  return escalationCard(turn.deps.cards, {
    escalation,
    accountName: await accountName(turn, escalation.accountId),
    now: turn.deps.clock.now(),
    view: viewOf(turn.caller),
    permissions,
    mode,
    form: { ...(options.values ? { values: options.values } : {}), ...(options.errors ? { errors: options.errors } : {}) },
    ...(options.banner ? { banner: options.banner } : {}),
    refreshUserIds: turn.facts.scope === 'personal' ? [] : escalation.watchers.map((w) => w.teamsUserId),
  });
}

/** Accounts for which this caller may open escalations here: the channel's, or their own. */
async function intakeAccounts(turn: Turn): Promise<{ implied?: Account; choices: Account[]; refusal?: string }> {
  const link = turn.caller.channelLink;
  if (turn.caller.scope === 'channel') {
    if (!link) return { choices: [], refusal: 'This channel is not linked to an account yet. A TAM can link it with "link <account>".' };
    if (!mayOpenEscalation(turn.caller, link.accountId)) return { choices: [], refusal: 'You cannot open escalations for the account of this channel.' };
    const account = await turn.deps.accounts.getAccount(link.accountId);
    return account ? { implied: account, choices: [] } : { choices: [], refusal: 'The account of this channel no longer exists.' };
  }
  const ids = turn.caller.accountIds.filter((id) => mayOpenEscalation(turn.caller, id));
  const accounts = (await Promise.all(ids.map((id) => turn.deps.accounts.getAccount(id)))).filter((a): a is Account => !!a);
  if (accounts.length === 0) return { choices: [], refusal: 'You have no accounts to open an escalation for.' };
  if (accounts.length === 1) return { implied: accounts[0] as Account, choices: [] };
  return { choices: accounts };
}

async function intakeCardFor(turn: Turn, extra: { values?: Record<string, string>; errors?: Record<string, string>; formError?: string; dialog?: boolean; source?: { link?: string; author?: string } } = {}): Promise<AdaptiveCardJson> {
  const accounts = await intakeAccounts(turn);
  if (accounts.refusal) return noticeCard(turn.deps.cards, { title: 'Cannot open an escalation here', text: accounts.refusal, style: 'warning' });
  return escalationIntakeCard(turn.deps.cards, {
    ...(accounts.implied ? { accountName: accounts.implied.name } : {}),
    accountChoices: accounts.choices.map((a) => ({ title: a.name, value: a.accountId })),
    ...(extra.values ? { values: extra.values } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.formError ? { formError: extra.formError } : {}),
    dialog: !!extra.dialog,
    ...(extra.source?.link ? { sourceLink: extra.source.link } : {}),
    submitData: {
      ...(accounts.implied && turn.caller.scope !== 'channel' ? { accountId: accounts.implied.accountId } : {}),
      ...(extra.source?.link ? { sourceLink: extra.source.link } : {}),
      ...(extra.source?.author ? { sourceAuthor: extra.source.author } : {}),
    },
  });
}

function formValues(form: IntakeForm, accountId?: string): Record<string, string> {
  return { ...form, ...(accountId ? { accountId } : {}) };
}

type IntakeOutcome =
  | { kind: 'card'; card: AdaptiveCardJson }
  | { kind: 'opened'; escalation: Escalation; duplicate: boolean; card: AdaptiveCardJson };

/** Shared by the intake card and the message-extension dialog. */
async function submitIntake(turn: Turn, data: Record<string, unknown>, options: { dialog: boolean; activityId?: string }): Promise<IntakeOutcome> {
  const form = readIntakeForm(data);
  const source = { link: text(data.sourceLink).slice(0, 500), author: text(data.sourceAuthor).slice(0, 200) };
  const link = turn.caller.channelLink;
  const accountId = turn.caller.scope === 'channel' && link ? link.accountId : text(data.accountId).trim();
  const again = async (errors: Record<string, string>, formError?: string): Promise<IntakeOutcome> => ({
    kind: 'card',
    card: await intakeCardFor(turn, { values: formValues(form, accountId), errors, ...(formError ? { formError } : {}), dialog: options.dialog, source }),
  });
  if (!accountId) return again({ accountId: 'Choose the account.' });
  const input: OpenEscalationInput = {
    accountId,
    form,
    origin: {
      ...(turn.facts.channelId ? { channelId: turn.facts.channelId } : {}),
      ...(options.activityId ? { activityId: options.activityId } : {}),
    },
    sourceMessage: { ...(source.link ? { link: source.link } : {}), ...(source.author ? { author: source.author } : {}) },
    teamsUserId: turn.context.activity.from.id,
  };
  try {
    const result = await openEscalation(openDeps(turn.deps), turn.caller, input);
    if (result.kind === 'invalid') return again(result.errors);
    scheduleNotifications(turn.deps, result.notifications);
    return {
      kind: 'opened',
      escalation: result.escalation,
      duplicate: result.kind === 'duplicate',
      card: await cardFor(turn, result.escalation, {
        banner:
          result.kind === 'duplicate'
            ? { text: `This was opened already as ${result.escalation.escalationId}.`, style: 'accent' }
            : { text: `Opened ${result.escalation.escalationId}. ${result.escalation.severity === 'A' ? 'The TAM and their manager have been notified.' : 'Your TAM will respond within the SLA.'}`, style: 'good' },
      }),
    };
  } catch (error) {
    if (isDomainError(error)) return again({}, error.message);
    throw error;
  }
}

function openDeps(deps: BotDependencies): Parameters<typeof openEscalation>[0] {
  return { ...deps, slaOverrides: async (accountId) => (await deps.contracts.getContract(accountId))?.slaOverrides ?? {} };
}

function scheduleNotifications(deps: BotDependencies, ids: readonly string[]): void {
  for (const id of ids) deps.background.run('outbox.deliver', () => deliverOutboxItem(deps, id));
}

/**
 * Keeps the channel message current. When the action came from that very message, the update
 * runs before the reply so the person who pressed sees their own view last.
 */
async function syncChannelCard(turn: Turn, escalation: Escalation): Promise<void> {
  const fromChannelCard = !!turn.context.activity.replyToId && escalation.channelCard?.activityId === turn.context.activity.replyToId;
  if (fromChannelCard) {
    await syncEscalationCard(turn.deps, escalation.accountId, escalation.escalationId).catch((error: unknown) =>
      turn.deps.logger.warn('escalation.card_sync_failed', { escalationId: escalation.escalationId, error }),
    );
  } else {
    turn.deps.background.run('escalation.card_sync', () => syncEscalationCard(turn.deps, escalation.accountId, escalation.escalationId));
  }
}

async function listCard(turn: Turn): Promise<AdaptiveCardJson> {
  const listing = await listOpenEscalations(turn.deps, turn.caller);
  const scope =
    listing.scope === 'channel'
      ? `${listing.accounts[0]?.name ?? 'This channel'}: most urgent first`
      : listing.accounts.length > 0
        ? `${listing.accounts.map((a) => a.name).join(', ')}: most urgent first`
        : 'You have no accounts yet.';
  return escalationListCard(turn.deps.cards, {
    scope,
    now: turn.deps.clock.now(),
    items: listing.items.slice(0, listShown).map((i) => ({ escalation: i.escalation, accountName: i.account.name })),
    hidden: Math.max(0, listing.items.length - listShown),
    canOpen: turn.caller.role !== 'admin',
  });
}

async function showCard(turn: Turn, argument: string): Promise<AdaptiveCardJson> {
  const id = argument.trim().toUpperCase();
  if (!escalationIdPattern.test(id)) {
    return noticeCard(turn.deps.cards, { title: 'Which escalation?', text: 'Give its id, for example "escalation ESC-CONTOSO-0042".', style: 'warning', suggestions: [{ title: 'Open escalations', command: 'escalations' }] });
  }
  const accountId = await accountOfEscalationId(turn, id);
  if (!accountId) return noticeCard(turn.deps.cards, { title: 'Not found', text: `There is no escalation ${id} that you can see.`, style: 'warning' });
  const escalation = await loadVisibleEscalation(turn.deps, turn.caller, accountId, id);
  return cardFor(turn, escalation);
}

/** The account whose code is in the id, among the accounts this caller can see. */
async function accountOfEscalationId(turn: Turn, escalationId: string): Promise<string | undefined> {
  const code = escalationId.split('-')[1] ?? '';
  const candidates = turn.caller.role === 'admin' ? (await turn.deps.accounts.listAccounts()).map((a) => a.accountId) : turn.caller.accountIds;
  const accounts = await Promise.all(candidates.map((id) => turn.deps.accounts.getAccount(id)));
  return accounts.find((a) => a?.code === code)?.accountId;
}

type ActionParser = (data: Record<string, unknown>, caller: Caller) => { action: EscalationAction; mode: EscalationMode; values: Record<string, string> } | { errors: Record<string, string>; mode: EscalationMode; values: Record<string, string> };

const actionParsers: Record<string, ActionParser> = {
  [escalationVerbs.acknowledge]: () => ({ action: { kind: 'acknowledge' }, mode: 'view', values: {} }),
  [escalationVerbs.update]: (data, caller) => {
    const note = text(data.note);
    const raw = text(data.status);
    const status = raw === 'keep' ? '' : raw;
    const mode: EscalationMode = caller.role === 'customer' ? 'note' : 'update';
    const values = { note, status: raw };
    if (status !== '' && status !== 'investigating' && status !== 'mitigated') return { errors: { status: 'Choose a status from the list.' }, mode, values };
    return { action: { kind: 'update', note, ...(status ? { status } : {}) }, mode, values };
  },
  [escalationVerbs.changeSeverity]: (data) => {
    const severity = text(data.severity);
    const reason = text(data.reason);
    const values = { severity, reason };
    if (!(severities as readonly string[]).includes(severity)) return { errors: { severity: 'Choose severity A, B or C.' }, mode: 'severity', values };
    return { action: { kind: 'changeSeverity', severity: severity as 'A' | 'B' | 'C', reason }, mode: 'severity', values };
  },
  [escalationVerbs.resolve]: (data) => ({ action: { kind: 'resolve', resolution: text(data.resolution) }, mode: 'resolve', values: { resolution: text(data.resolution) } }),
  [escalationVerbs.close]: () => ({ action: { kind: 'close' }, mode: 'view', values: {} }),
  [escalationVerbs.reopen]: (data) => ({ action: { kind: 'reopen', reason: text(data.reason) }, mode: 'reopen', values: { reason: text(data.reason) } }),
};

/** Intake, lifecycle verbs, refresh and show; the "Escalate this message" message action. */
export function registerEscalationRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  app.adaptiveCards.actionExecute(escalationVerbs.create, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    try {
      const outcome = await submitIntake(turn, record(data), { dialog: false, ...(context.activity.replyToId ? { activityId: context.activity.replyToId } : {}) });
      if (outcome.kind === 'opened') await syncChannelCard(turn, outcome.escalation);
      return await respondWithCard(context, outcome.card);
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });

  for (const [verb, parse] of Object.entries(actionParsers)) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      const turn = await startTurn(context, readActivityFacts(context.activity), deps);
      const key = escalationKey.safeParse(data);
      if (!key.success) {
        return respondWithCard(context, noticeCard(deps.cards, { title: 'That card is out of date', text: 'Say "escalations" for the current list.', style: 'warning' }));
      }
      const fields = record(data);
      try {
        const parsed = parse(fields, turn.caller);
        if ('errors' in parsed) {
          const current = await loadVisibleEscalation(deps, turn.caller, key.data.accountId, key.data.escalationId);
          return await respondWithCard(context, await cardFor(turn, current, { mode: parsed.mode, values: parsed.values, errors: parsed.errors }));
        }
        try {
          const { escalation } = await performEscalationAction(openDeps(deps), turn.caller, {
            ...key.data,
            action: parsed.action,
            teamsUserId: context.activity.from.id,
          });
          await syncChannelCard(turn, escalation);
          return await respondWithCard(context, await cardFor(turn, escalation));
        } catch (error) {
          if (!isDomainError(error) || error.code === 'not_found') throw error;
          const current = await loadVisibleEscalation(deps, turn.caller, key.data.accountId, key.data.escalationId);
          if (Object.keys(error.fieldErrors).length > 0) {
            return await respondWithCard(context, await cardFor(turn, current, { mode: parsed.mode, values: parsed.values, errors: { ...error.fieldErrors } }));
          }
          return await respondWithCard(context, await cardFor(turn, current, { banner: { text: error.message, style: 'attention' } }));
        }
      } catch (error) {
        return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
      }
    });
  }

  app.adaptiveCards.actionExecute(escalationVerbs.refresh, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const parsed = refreshData.safeParse(data);
    try {
      if (!parsed.success) throw new Error('malformed refresh data');
      const escalation = await loadVisibleEscalation(deps, turn.caller, parsed.data.accountId, parsed.data.escalationId);
      return await respondWithCard(context, await cardFor(turn, escalation, { mode: parsed.data.mode ?? 'view' }));
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });

  app.adaptiveCards.actionExecute(escalationVerbs.show, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const parsed = escalationKey.safeParse(data);
    let card: AdaptiveCardJson;
    try {
      if (!parsed.success) throw new Error('malformed show data');
      card = await cardFor(turn, await loadVisibleEscalation(deps, turn.caller, parsed.data.accountId, parsed.data.escalationId));
    } catch (error) {
      card = errorCard(context, error, deps.cards, deps.logger);
    }
    await context.sendActivity(cardActivity(card));
    return 'Posted below.';
  });

  app.messageExtensions.fetchTask(messageExtensionCommands.escalateMessage, async (context): Promise<TaskModuleTaskInfo | string> => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const payload = record(record(context.activity.value).messagePayload);
    const body = stripHtml(text(record(payload.body).content));
    const author = text(record(record(payload.from).user).displayName);
    const link = text(payload.linkToMessage);
    const firstLine = body.split('\n').find((l) => l.trim())?.trim() ?? '';
    const card = await intakeCardFor(turn, {
      values: { title: firstLine.slice(0, 120), description: body.slice(0, 4000) },
      dialog: true,
      source: { ...(link ? { link } : {}), ...(author ? { author } : {}) },
    });
    return { title: 'Escalate this message', card: CardFactory.adaptiveCard(card), width: 'large', height: 'large' };
  });

  app.messageExtensions.submitAction(messageExtensionCommands.escalateMessage, async (context, _state, data): Promise<TaskModuleTaskInfo | string> => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    try {
      const outcome = await submitIntake(turn, record(data), { dialog: true });
      if (outcome.kind === 'card') return { title: 'Escalate this message', card: CardFactory.adaptiveCard(outcome.card), width: 'large', height: 'large' };
      deps.background.run('escalation.card_sync', () => syncEscalationCard(deps, outcome.escalation.accountId, outcome.escalation.escalationId));
      return outcome.duplicate
        ? `This was escalated already as ${outcome.escalation.escalationId}.`
        : `${outcome.escalation.escalationId} is open. Its card is in the account's channel.`;
    } catch (error) {
      deps.logger.error('escalation.message_action_failed', { error });
      return 'Something went wrong on our side. Nothing was opened; please try again.';
    }
  });
}

/** Teams message bodies are HTML; the description is plain text. */
export function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
