import { CardFactory, type TaskModuleTaskInfo } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import { noticeCard } from '../../cards/conversation-cards';
import { escalationCard, escalationIntakeCard, escalationListCard, escalationModes, type EscalationMode, type EscalationView } from '../../cards/escalation-card';
import type { Caller } from '../../domain/caller';
import type { CommandId } from '../../domain/commands';
import type { Account } from '../../domain/directory';
import { accountIdSchema, personKey } from '../../domain/directory';
import { isDomainError } from '../../domain/errors';
import { escalationIdPattern, severities, type Escalation } from '../../domain/escalation';
import { readIntakeForm } from '../../domain/escalation-intake';
import { availableEscalationActions, statusLabel, type EscalationAction, type EscalationActionName } from '../../domain/escalation-lifecycle';
import { type escalationLifecycleVerbs, escalationVerbs } from '../../domain/verbs';
import { deliverOutboxItem } from '../../services/deliver-outbox';
import { loadVisibleEscalation } from '../../services/escalation-access';
import { accountTams } from '../../services/account-tams';
import { assignEscalation, performEscalationAction, type EscalationActionOutcome } from '../../services/escalation-actions';
import { listOpenEscalations } from '../../services/list-escalations';
import { contractTerms, mayOpenEscalation, openEscalation, type OpenEscalationInput } from '../../services/open-escalation';
import { noteEscalationHealth } from '../../services/account-health';
import { entitlementGapText } from '../../domain/entitlement';
import { syncEscalationCard } from '../../services/sync-escalation-card';
import { readActivityFacts } from '../activity-facts';
import { accountTimeZone } from '../../services/time-zones';
import { viewerTimeZone } from '../viewer-time-zone';
import { cardForPlace } from '../answer';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { accountReply, plainReply, privateReply, type Reply } from '../reply';
import { startTurn, type CommandHandler, type Turn } from '../turn';
import { defineVerb, registerVerbs, type Banner, type Outcome, type Shown } from '../verb-pipeline';
import { messageExtensionCommands } from '../verbs';

const escalationKey = z.object({
  escalationId: z.string().regex(escalationIdPattern),
  accountId: accountIdSchema,
  /** The version the card showed; absent on cards made before versions were carried. */
  version: z.coerce.number().int().nonnegative().optional().catch(undefined),
});
type EscalationKey = z.infer<typeof escalationKey>;
const refreshKey = escalationKey.extend({ mode: z.enum(escalationModes).optional().catch('view') });
const anyData = z.object({}).passthrough();

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const listShown = 15;

/** The escalation commands: open one, list open ones, show one. */
export const escalationCommands = {
  escalate: (turn: Turn) => intakeReply(turn),
  escalations: (turn: Turn, argument: string) => listReply(turn, argument),
  escalation: (turn: Turn, argument: string) => showReply(turn, argument),
} satisfies Partial<Record<CommandId, CommandHandler>>;

export function viewOf(caller: Caller): EscalationView {
  if (caller.role === 'manager') return 'manager';
  if (caller.role === 'tam') return 'provider';
  if (caller.role === 'admin') return 'readonly';
  return 'customer';
}

/** The action a form submits, to check the caller may still open it. */
const modeAction: Record<EscalationMode, EscalationActionName | undefined> = {
  view: undefined,
  note: 'note',
  update: 'update',
  severity: 'changeSeverity',
  resolve: 'resolve',
  reopen: 'reopen',
  assign: 'assign',
};

interface CardOptions {
  readonly mode?: EscalationMode;
  /** The account's TAMs, for the assign form. */
  readonly assignees?: readonly { readonly key: string; readonly name: string }[];
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly banner?: Banner;
}

/**
 * The escalation's card as a reply: the caller's own view (their actions, a form open), or the
 * customer-safe view every member of the account's channel may see.
 */
function escalationReply(turn: Turn, escalation: Escalation, options: CardOptions = {}): Reply {
  return accountReply(escalation.accountId, async ({ view, refreshUserIds }) => {
    const account = await turn.deps.accounts.getAccount(escalation.accountId);
    const accountName = account?.name ?? escalation.accountId;
    const watchers = escalation.watchers.map((w) => w.teamsUserId);
    const common = { escalation, accountName, now: turn.deps.clock.now() };
    if (view === 'customer-safe') {
      // A banner is the caller's result (a refusal, "opened"): not for everyone in the channel.
      return escalationCard(turn.deps.cards, {
        ...common,
        // Everyone in the conversation reads the same card: in the account's zone.
        timeZone: accountTimeZone(account),
        view: 'customer',
        actions: availableEscalationActions('customer-safe', escalation),
        refreshUserIds: [...new Set([...watchers, ...refreshUserIds])],
      });
    }
    const actions = availableEscalationActions(turn.caller, escalation);
    const wanted = options.mode ?? 'view';
    const needed = modeAction[wanted];
    const mode = needed && !actions.has(needed) && !(needed === 'note' && actions.has('update')) ? 'view' : wanted;
    return escalationCard(turn.deps.cards, {
      ...common,
      timeZone: await viewerTimeZone(turn),
      ...(options.banner ? { banner: options.banner } : {}),
      view: viewOf(turn.caller),
      actions,
      mode,
      ...(options.assignees ? { assignees: options.assignees } : {}),
      form: { ...(options.values ? { values: options.values } : {}), ...(options.errors ? { errors: options.errors } : {}) },
      refreshUserIds: turn.facts.scope === 'personal' ? [] : watchers,
    });
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
  if (link && mayOpenEscalation(turn.caller, link.accountId)) {
    const account = await turn.deps.accounts.getAccount(link.accountId);
    if (account) return { implied: account, choices: [] };
  }
  const ids = turn.caller.accountIds.filter((id) => mayOpenEscalation(turn.caller, id));
  const accounts = (await Promise.all(ids.map((id) => turn.deps.accounts.getAccount(id)))).filter((a): a is Account => !!a);
  if (accounts.length === 0) return { choices: [], refusal: 'You have no accounts to open an escalation for.' };
  if (accounts.length === 1) return { implied: accounts[0] as Account, choices: [] };
  return { choices: accounts };
}

interface IntakeExtra {
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
  readonly dialog?: boolean;
  readonly source?: { readonly link?: string; readonly author?: string };
}

/** The intake card: about the implied account, or offering the caller's accounts (theirs alone to see). */
async function intakeReply(turn: Turn, extra: IntakeExtra = {}): Promise<Reply> {
  const accounts = await intakeAccounts(turn);
  if (accounts.refusal) return plainReply(noticeCard(turn.deps.cards, { title: 'Cannot open an escalation here', text: accounts.refusal, style: 'warning' }));
  const linkedHere = !!turn.caller.channelLink && accounts.implied?.accountId === turn.caller.channelLink.accountId;
  const entitlement = accounts.implied ? (await contractTerms(turn.deps, accounts.implied.accountId, turn.deps.clock.now())).entitlement : undefined;
  const card = (): AdaptiveCardJson =>
    escalationIntakeCard(turn.deps.cards, {
      ...(accounts.implied ? { accountName: accounts.implied.name } : {}),
      ...(entitlement ? { entitlement } : {}),
      accountChoices: accounts.choices.map((a) => ({ title: a.name, value: a.accountId })),
      ...(extra.values ? { values: extra.values } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.formError ? { formError: extra.formError } : {}),
      dialog: !!extra.dialog,
      ...(extra.source?.link ? { sourceLink: extra.source.link } : {}),
      submitData: {
        ...(accounts.implied && !linkedHere ? { accountId: accounts.implied.accountId } : {}),
        ...(extra.source?.link ? { sourceLink: extra.source.link } : {}),
        ...(extra.source?.author ? { sourceAuthor: extra.source.author } : {}),
      },
    });
  // A form with what someone typed (or their errors) is theirs: everyone sees only a fresh one.
  const typedIn = !!extra.values || !!extra.errors || !!extra.formError;
  if (accounts.implied && !typedIn) return accountReply(accounts.implied.accountId, card);
  return privateReply(accounts.implied ? [accounts.implied.accountId] : accounts.choices.map((a) => a.accountId), card);
}

type IntakeResult = { kind: 'invalid'; errors: Record<string, string>; formError?: string } | { kind: 'opened'; escalation: Escalation; duplicate: boolean };

/** Shared by the intake card and the message-extension dialog. */
async function submitIntake(turn: Turn, data: Readonly<Record<string, unknown>>, options: { activityId?: string }): Promise<IntakeResult> {
  const form = readIntakeForm(data);
  const link = turn.caller.channelLink;
  // A linked conversation speaks for its account only: what is opened there is that account's.
  const accountId = turn.caller.scope !== 'personal' && link ? link.accountId : text(data.accountId).trim();
  if (!accountId) return { kind: 'invalid', errors: { accountId: 'Choose the account.' } };
  const source = { link: text(data.sourceLink).slice(0, 500), author: text(data.sourceAuthor).slice(0, 200) };
  const input: OpenEscalationInput = {
    accountId,
    form,
    origin: {
      ...(turn.facts.channelId ? { channelId: turn.facts.channelId, linkedAccountId: link?.accountId ?? null } : {}),
      ...(options.activityId ? { activityId: options.activityId } : {}),
    },
    sourceMessage: { ...(source.link ? { link: source.link } : {}), ...(source.author ? { author: source.author } : {}) },
    teamsUserId: turn.context.activity.from?.id ?? '',
  };
  try {
    const result = await openEscalation(turn.deps, turn.caller, input);
    if (result.kind === 'invalid') return { kind: 'invalid', errors: { ...result.errors } };
    scheduleNotifications(turn.deps, result.notifications);
    // The account's health summary follows behind the answer (the sweep catches up should it fail).
    if (result.kind === 'created') {
      const opened = result.escalation;
      turn.deps.background.run('health.escalation_opened', (detached) => noteEscalationHealth(detached, undefined, opened));
    }
    return { kind: 'opened', escalation: result.escalation, duplicate: result.kind === 'duplicate' };
  } catch (error) {
    if (isDomainError(error) && error.code !== 'unavailable') return { kind: 'invalid', errors: { ...error.fieldErrors }, formError: error.message };
    throw error;
  }
}

function openedBanner(escalation: Escalation, duplicate: boolean, caller: Caller): Banner {
  if (duplicate) return { text: `This was opened already as ${escalation.escalationId}.`, style: 'accent' };
  const next = escalation.severity === 'A' ? 'The TAM and their manager have been notified.' : 'Your TAM will respond within the SLA.';
  if (!escalation.outsideEntitlement) return { text: `Opened ${escalation.escalationId}. ${next}`, style: 'good' };
  // Opened all the same: an outage is never blocked on the contract.
  const coverage = caller.role === 'customer' ? 'Your TAM will confirm coverage.' : `It is outside the entitlement (${entitlementGapText[escalation.outsideEntitlement.gap]}): confirm coverage with the customer.`;
  return { text: `Opened ${escalation.escalationId}. ${next} ${coverage}`, style: 'warning' };
}

function scheduleNotifications(deps: BotDependencies, ids: readonly string[]): void {
  for (const id of ids) deps.background.run('outbox.deliver', (detached) => deliverOutboxItem(detached, id));
}

/**
 * Keeps the channel message current. When the action came from that very message, the update
 * runs before the reply so the person who pressed sees their own view last.
 */
async function syncChannelCard(turn: Turn, escalation: Escalation): Promise<void> {
  const fromChannelCard = !!turn.context.activity.replyToId && escalation.channelCard?.activityId === turn.context.activity.replyToId;
  if (fromChannelCard) {
    await syncEscalationCard(turn.deps, escalation.accountId, escalation.escalationId, escalation, (name, work) => turn.deps.background.run(name, work)).catch((error: unknown) =>
      turn.deps.logger.warn('escalation.card_sync_failed', { escalationId: escalation.escalationId, error }),
    );
  } else {
    turn.deps.background.run('escalation.card_sync', (detached) => syncEscalationCard(detached, escalation.accountId, escalation.escalationId));
  }
}

async function listReply(turn: Turn, argument = ''): Promise<Reply> {
  const asked = argument.trim().toLowerCase();
  const listing = await listOpenEscalations(turn.deps, turn.caller, asked ? { accountId: asked } : {});
  const scope =
    listing.scope !== 'mine'
      ? `${listing.accounts[0]?.name ?? 'This channel'}: most urgent first`
      : listing.accounts.length > 0
        ? `${listing.accounts.map((a) => a.name).join(', ')}: most urgent first`
        : 'You have no accounts yet.';
  const card = (timeZone: string): AdaptiveCardJson =>
    escalationListCard(turn.deps.cards, {
      scope,
      now: turn.deps.clock.now(),
      items: listing.items.slice(0, listShown).map((i) => ({ escalation: i.escalation, accountName: i.account.name })),
      hidden: Math.max(0, listing.items.length - listShown),
      canOpen: turn.caller.role !== 'admin',
      timeZone,
    });
  if (listing.accounts.length === 0) return plainReply(card('UTC'));
  // Shared, it is the channel's one account: in that account's zone; the caller's own, in theirs.
  return {
    accounts: listing.accounts.map((a) => a.accountId),
    hasSharedView: true,
    render: async ({ view }) => card(view === 'customer-safe' ? accountTimeZone(listing.accounts[0]) : await viewerTimeZone(turn)),
  };
}

async function showReply(turn: Turn, argument: string): Promise<Reply> {
  const id = argument.trim().toUpperCase();
  if (!escalationIdPattern.test(id)) {
    return plainReply(noticeCard(turn.deps.cards, { title: 'Which escalation?', text: 'Give its id, for example "escalation ESC-ACME-0042".', style: 'warning', suggestions: [{ title: 'Open escalations', command: 'escalations' }] }));
  }
  const accountId = await accountOfEscalationId(turn, id);
  if (!accountId) return plainReply(noticeCard(turn.deps.cards, { title: 'Not found', text: `There is no escalation ${id} that you can see.`, style: 'warning' }));
  return escalationReply(turn, await loadVisibleEscalation(turn.deps, turn.caller, accountId, id));
}

/** The account whose code is in the id, if this caller can see it: one point read. */
async function accountOfEscalationId(turn: Turn, escalationId: string): Promise<string | undefined> {
  const account = await turn.deps.accounts.findByCode(escalationId.split('-')[1] ?? '');
  if (!account) return undefined;
  return turn.caller.role === 'admin' || turn.caller.accountIds.includes(account.accountId) ? account.accountId : undefined;
}

type Parsed = { action: EscalationAction } | { errors: Record<string, string> };

/** Each lifecycle verb: how its data becomes an action, and the form that shows its errors. */
const lifecycle: readonly { verb: (typeof escalationLifecycleVerbs)[number]; mode: (caller: Caller) => EscalationMode; parse: (data: Readonly<Record<string, unknown>>) => Parsed }[] = [
  { verb: escalationVerbs.acknowledge, mode: () => 'view', parse: () => ({ action: { kind: 'acknowledge' } }) },
  {
    verb: escalationVerbs.update,
    mode: (caller) => (caller.role === 'customer' ? 'note' : 'update'),
    parse: (data) => {
      const raw = text(data.status);
      const status = raw === 'keep' ? '' : raw;
      if (status !== '' && status !== 'investigating' && status !== 'mitigated') return { errors: { status: 'Choose a status from the list.' } };
      return { action: { kind: 'update', note: text(data.note), ...(status ? { status } : {}) } };
    },
  },
  {
    verb: escalationVerbs.changeSeverity,
    mode: () => 'severity',
    parse: (data) => {
      const severity = text(data.severity);
      if (!(severities as readonly string[]).includes(severity)) return { errors: { severity: 'Choose severity A, B or C.' } };
      return { action: { kind: 'changeSeverity', severity: severity as 'A' | 'B' | 'C', reason: text(data.reason) } };
    },
  },
  { verb: escalationVerbs.resolve, mode: () => 'resolve', parse: (data) => ({ action: { kind: 'resolve', resolution: text(data.resolution) } }) },
  { verb: escalationVerbs.close, mode: () => 'view', parse: () => ({ action: { kind: 'close' } }) },
  { verb: escalationVerbs.reopen, mode: () => 'reopen', parse: (data) => ({ action: { kind: 'reopen', reason: text(data.reason) } }) },
];

const transitionWords: Record<string, string> = {
  assign: 'handed over',
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
};

/** The line on the card after an action that changed nothing. */
function outcomeBanner(outcome: EscalationActionOutcome, escalation: Escalation): Banner | undefined {
  if (outcome.kind === 'repeat') return { text: 'That was done already: this is the escalation as it is now.', style: 'accent' };
  if (outcome.kind !== 'already') return undefined;
  const [what, value] = outcome.transition.split(':');
  const done =
    what === 'severity' ? `Already changed to severity ${value ?? ''}` : what === 'status' ? `Already set to ${statusLabel(escalation.status)}` : `Already ${transitionWords[what ?? ''] ?? 'done'}`;
  return { text: `${done} by ${outcome.by}.${outcome.noteAdded ? ' Your note is added.' : ''}`, style: 'accent' };
}

async function assigneesOf(turn: Turn, accountId: string, mode: EscalationMode | undefined): Promise<{ key: string; name: string }[] | undefined> {
  if (mode !== 'assign') return undefined;
  return (await accountTams(turn.deps, accountId)).map((p) => ({ key: personKey(p), name: p.displayName }));
}

async function currentCard(turn: Turn, key: EscalationKey, shown: Shown, mode: EscalationMode): Promise<Reply> {
  const current = await loadVisibleEscalation(turn.deps, turn.caller, key.accountId, key.escalationId);
  const assignees = shown.errors ? await assigneesOf(turn, key.accountId, mode) : undefined;
  return escalationReply(turn, current, {
    ...(assignees ? { assignees } : {}),
    ...(shown.errors ? { mode, errors: shown.errors, values: shown.values ?? {} } : {}),
    ...(shown.banner ? { banner: shown.banner } : {}),
  });
}

const definitions = [
  defineVerb({
    verb: escalationVerbs.create,
    key: anyData,
    handle: async (turn, _key, data): Promise<Reply | Outcome> => {
      const replyTo = turn.context.activity.replyToId;
      const outcome = await submitIntake(turn, data, replyTo ? { activityId: replyTo } : {});
      if (outcome.kind === 'invalid') return { kind: 'invalid', errors: outcome.errors, ...(outcome.formError ? { formError: outcome.formError } : {}) };
      await syncChannelCard(turn, outcome.escalation);
      return escalationReply(turn, outcome.escalation, { banner: openedBanner(outcome.escalation, outcome.duplicate, turn.caller) });
    },
    show: (turn, _key, shown) =>
      intakeReply(turn, {
        ...(shown.values ? { values: shown.values } : {}),
        ...(shown.errors ? { errors: shown.errors } : {}),
        ...(shown.formError || shown.banner ? { formError: shown.formError ?? shown.banner?.text ?? '' } : {}),
      }),
  }),
  ...lifecycle.map(({ verb, mode, parse }) =>
    defineVerb({
      verb,
      key: escalationKey,
      handle: async (turn, key, data): Promise<Reply | Outcome> => {
        const parsed = parse(data);
        if ('errors' in parsed) return { kind: 'invalid', errors: parsed.errors };
        const { escalation, outcome } = await performEscalationAction(turn.deps, turn.caller, {
          accountId: key.accountId,
          escalationId: key.escalationId,
          action: parsed.action,
          ...(key.version !== undefined ? { fromVersion: key.version } : {}),
          teamsUserId: turn.context.activity.from?.id ?? '',
        });
        if (outcome.kind !== 'repeat') await syncChannelCard(turn, escalation);
        const banner = outcomeBanner(outcome, escalation);
        return escalationReply(turn, escalation, banner ? { banner } : {});
      },
      show: (turn, key, shown) => currentCard(turn, key, shown, mode(turn.caller)),
    }),
  ),
  defineVerb({
    verb: escalationVerbs.assign,
    key: escalationKey,
    handle: async (turn, key, data) => {
      const { escalation, outcome, assignee, notifications } = await assignEscalation(turn.deps, turn.caller, {
        accountId: key.accountId,
        escalationId: key.escalationId,
        assigneeKey: text(data.assignee),
        reason: text(data.reason),
        ...(key.version !== undefined ? { fromVersion: key.version } : {}),
        teamsUserId: turn.context.activity.from?.id ?? '',
      });
      if (outcome.kind !== 'repeat') await syncChannelCard(turn, escalation);
      scheduleNotifications(turn.deps, notifications);
      const banner = outcomeBanner(outcome, escalation) ?? { text: `${assignee.displayName} owns ${escalation.escalationId} now; they are told in their personal chat.`, style: 'good' as const };
      return escalationReply(turn, escalation, { banner });
    },
    show: (turn, key, shown) => currentCard(turn, key, shown, 'assign'),
  }),
  defineVerb({
    verb: escalationVerbs.refresh,
    key: refreshKey,
    handle: async (turn, key) => {
      const escalation = await loadVisibleEscalation(turn.deps, turn.caller, key.accountId, key.escalationId);
      const assignees = await assigneesOf(turn, key.accountId, key.mode);
      return escalationReply(turn, escalation, { mode: key.mode ?? 'view', ...(assignees ? { assignees } : {}) });
    },
  }),
  defineVerb({
    verb: escalationVerbs.show,
    key: escalationKey,
    landing: 'message',
    handle: async (turn, key) => escalationReply(turn, await loadVisibleEscalation(turn.deps, turn.caller, key.accountId, key.escalationId)),
  }),
];

/** Intake, lifecycle verbs, refresh and show; the "Escalate this message" message action. */
export function registerEscalationRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);

  const dialog = (card: AdaptiveCardJson): TaskModuleTaskInfo => ({ title: 'Escalate this message', card: CardFactory.adaptiveCard(card), width: 'large', height: 'large' });

  app.messageExtensions.fetchTask(messageExtensionCommands.escalateMessage, async (context): Promise<TaskModuleTaskInfo | string> => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const payload = record(record(context.activity.value).messagePayload);
    const body = stripHtml(text(record(payload.body).content));
    const author = text(record(record(payload.from).user).displayName);
    const link = text(payload.linkToMessage);
    const firstLine = body.split('\n').find((l) => l.trim())?.trim() ?? '';
    const reply = await intakeReply(turn, {
      values: { title: firstLine.slice(0, 120), description: body.slice(0, 4000) },
      dialog: true,
      source: { ...(link ? { link } : {}), ...(author ? { author } : {}) },
    });
    return dialog(await cardForPlace(turn, reply, 'dialog'));
  });

  app.messageExtensions.submitAction(messageExtensionCommands.escalateMessage, async (context, _state, data): Promise<TaskModuleTaskInfo | string> => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const fields = record(data);
    try {
      const outcome = await submitIntake(turn, fields, {});
      if (outcome.kind === 'invalid') {
        const source = { link: text(fields.sourceLink).slice(0, 500), author: text(fields.sourceAuthor).slice(0, 200) };
        const reply = await intakeReply(turn, { values: { ...readIntakeForm(fields), ...(text(fields.accountId) ? { accountId: text(fields.accountId) } : {}) }, errors: outcome.errors, ...(outcome.formError ? { formError: outcome.formError } : {}), dialog: true, source });
        return dialog(await cardForPlace(turn, reply, 'dialog'));
      }
      deps.background.run('escalation.card_sync', (detached) => syncEscalationCard(detached, outcome.escalation.accountId, outcome.escalation.escalationId));
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
