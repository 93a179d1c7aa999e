import { ActivityTypes, TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { helpCard, linkChannelCard, noticeCard, welcomeCard, whoamiCard } from '../../cards/conversation-cards';
import { commandIds, commandsFor, commandSpec, mayUse, type CommandId } from '../../domain/commands';
import { isDomainError } from '../../domain/errors';
import { accountIdSchema } from '../../domain/directory';
import { channelVerbs, commandVerbs } from '../../domain/verbs';
import { linkChannel, moveChannel, type LinkChannelResult } from '../../services/link-channel';
import { deliverPendingFor } from '../../services/deliver-outbox';
import { recordConversation, retireConversation } from '../../services/record-conversation';
import { readActivityFacts, type ActivityFacts } from '../activity-facts';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { answer } from '../answer';
import { sendCard } from '../card-reply';
import { parseCommandText } from '../command-parser';
import { plainReply, type Reply } from '../reply';
import { turnDependencies } from '../turn-dependencies';
import { startTurn, type CommandHandler, type CommandHandlers, type Turn } from '../turn';
import { defineVerb, errorReply, registerVerbs, runSubmittedVerb, submittedVerb } from '../verb-pipeline';
import { setTurnKind } from '../turn-context-items';

const runCommandData = z.object({ command: z.enum(commandIds), argument: z.string().max(100).optional() });
const linkChannelData = z.object({ account: z.string().max(200).optional().catch(undefined) });
const moveChannelData = z.object({ account: accountIdSchema, from: accountIdSchema });

/** The commands of everyday conversation. */
export const conversationCommands = {
  help: (turn: Turn) => Promise.resolve(plainReply(showHelp(turn))),
  whoami: (turn: Turn) => showWhoami(turn),
  link: async (turn: Turn, argument: string) => (await runLink(turn, argument)).reply,
} satisfies Partial<Record<CommandId, CommandHandler>>;

/**
 * Install and welcome, message commands (dispatched to every workflow's handlers), command
 * buttons, link, and the hint for text that is not a command.
 */
export function registerConversationRoutes(app: Application<AppTurnState>, deps: BotDependencies, handlers: CommandHandlers): void {
  // Conversations this process has recorded, so a reference missed at install is kept on first contact.
  const known = new Map<string, true>();
  const rememberConversation = async (context: TurnContext): Promise<void> => {
    const facts = readActivityFacts(context.activity);
    const key = storedConversationId(facts);
    if (known.has(key)) return;
    const outcome = await recordConversation(turnDependencies(context, deps), conversationReferenceOf(context, facts));
    if (outcome !== 'updated') deliverWaiting(deps, facts);
    known.set(key, true);
    if (known.size > 10_000) known.delete(known.keys().next().value ?? key);
  };

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const botAdded = (context.activity.membersAdded ?? []).some((m) => m.id === botId);
    if (botAdded) await welcomeIfNew(context, deps);
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = String(context.activity.action ?? '');
    if (action.startsWith('remove')) {
      await retireConversation(turnDependencies(context, deps), context.activity.conversation.id, 'app uninstalled');
      return;
    }
    await welcomeIfNew(context, deps);
  });

  app.activity(ActivityTypes.Message, async (context) => {
    const facts = readActivityFacts(context.activity);
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    // An Action.Submit from a card (Teams mobile): no text, no @mention, the verb in its value.
    const submitted = !text.trim() ? submittedVerb(context.activity.value) : undefined;
    if (submitted) {
      await runSubmittedVerb(app, await startTurn(context, facts, deps), submitted);
      return;
    }
    // In channels the bot answers only when @mentioned; Teams normally guarantees it, replays may not.
    if (facts.scope === 'channel' && !facts.mentionsBot) return;
    if (!text.trim() && context.activity.value !== undefined) return;
    const turn = await startTurn(context, facts, deps);
    await rememberConversation(context).catch((error: unknown) => deps.logger.warn('conversation.record_failed', { error }));
    const parsed = parseCommandText(text);
    let reply: Reply;
    try {
      if (parsed.kind === 'command') {
        reply = await runCommand(turn, parsed.command, parsed.argument, handlers);
      } else if (parsed.kind === 'empty') {
        reply = plainReply(showHelp(turn));
      } else {
        reply = plainReply(unknownCommand(turn, parsed.text, parsed.suggestion));
      }
    } catch (error) {
      reply = errorReply(turn, error);
    }
    await answer(turn, reply, 'message');
  });

  registerVerbs(app, deps, [
    defineVerb({
      verb: commandVerbs.run,
      key: runCommandData,
      landing: 'message',
      handle: (turn, key) => runCommand(turn, key.command, key.argument ?? '', handlers),
    }),
    defineVerb({
      // From the link form. A refusal or a form error is the presser's alone; a link everyone sees.
      verb: channelVerbs.link,
      key: linkChannelData,
      handle: async (turn, key) => {
        const refusal = linkRefusal(turn);
        if (refusal) return refusal;
        const account = (key.account ?? '').trim();
        if (!account) return plainReply(await linkForm(turn, '', 'Enter the id of the account to link.'));
        return showEveryone(turn, await runLink(turn, account));
      },
    }),
    defineVerb({
      verb: channelVerbs.move,
      key: moveChannelData,
      handle: async (turn, key) => linkRefusal(turn) ?? showEveryone(turn, await runMove(turn, key.account, key.from)),
    }),
  ]);
}

async function runCommand(
  turn: Turn,
  command: CommandId,
  argument: string,
  handlers: CommandHandlers,
): Promise<Reply> {
  const spec = commandSpec(command);
  setTurnKind(turn.context, { kind: 'command', name: command });
  if (!mayUse(spec, turn.caller.role, turn.caller.scope)) {
    const text = !spec.scopes.includes(turn.caller.scope)
      ? `"${spec.usage}" works in a ${spec.scopes.includes('channel') ? 'channel: @mention me there' : 'personal chat with me'}.`
      : `"${spec.usage}" is not available to you. Say "help" to see what you can do.`;
    return plainReply(
      noticeCard(turn.deps.cards, {
        title: 'Not here',
        text,
        style: 'warning',
        suggestions: [{ title: 'Show my commands', command: 'help' }],
      }),
    );
  }
  return handlers[command](turn, argument);
}

function showHelp(turn: Turn): AdaptiveCardJson {
  return helpCard(turn.deps.cards, {
    name: turn.caller.displayName,
    role: turn.caller.role,
    scope: turn.caller.scope,
    commands: commandsFor(turn.caller.role, turn.caller.scope),
  });
}

/**
 * Role, tenant and, in personal chat, the caller's accounts. In a shared conversation it names only
 * the account the conversation is linked to: the caller's other accounts are nobody else's business.
 */
async function showWhoami(turn: Turn): Promise<Reply> {
  const link = turn.caller.channelLink;
  const account = link ? await turn.deps.accounts.getAccount(link.accountId) : undefined;
  const personal = turn.facts.scope === 'personal';
  const card = (): ReturnType<typeof whoamiCard> =>
    whoamiCard(turn.deps.cards, {
      name: turn.caller.displayName,
      role: turn.caller.role,
      tenantId: turn.caller.identity.tenantId,
      aadObjectId: turn.caller.identity.aadObjectId,
      accounts: personal ? turn.caller.accountIds : [],
      scope: turn.caller.scope,
      ...(link ? { channelAccount: account ? `${account.name} (${account.accountId})` : link.accountId } : {}),
    });
  const accounts = personal ? turn.caller.accountIds : link ? [link.accountId] : [];
  return { accounts, hasSharedView: true, render: card };
}

/** Linking is for admins, TAMs and managers, in a channel or group chat; anyone else is told so, and alone. */
function linkRefusal(turn: Turn): Reply | undefined {
  const spec = commandSpec('link');
  if (mayUse(spec, turn.caller.role, turn.caller.scope)) return undefined;
  return plainReply(
    noticeCard(turn.deps.cards, {
      title: 'Not here',
      text: spec.scopes.includes(turn.caller.scope) ? `"${spec.usage}" is not available to you.` : 'Linking works in a channel: @mention me there.',
      style: 'warning',
    }),
  );
}

/** A link made or moved: the card it was made from is replaced for everyone, who should all see it. */
async function showEveryone(turn: Turn, result: { reply: Reply; done: boolean }): Promise<Reply> {
  if (result.done && turn.context.activity.replyToId) await answer(turn, result.reply, 'update');
  return result.reply;
}

type LinkAnswer = { readonly reply: Reply; readonly done: boolean };

async function runLink(turn: Turn, argument: string): Promise<LinkAnswer> {
  const form = async (error?: string): Promise<LinkAnswer> => ({ reply: plainReply(await linkForm(turn, argument, error)), done: false });
  if (!argument) return form();
  const channelId = turn.facts.channelId;
  if (!channelId || !turn.facts.tenantId) return form('Linking works in a channel.');
  try {
    return linkAnswer(turn, argument, await linkChannel(turn.deps, turn.caller, linkInput(turn, argument, channelId, turn.facts.tenantId)));
  } catch (error) {
    if (isDomainError(error) && error.fieldErrors.account) return form(error.fieldErrors.account);
    throw error;
  }
}

async function runMove(turn: Turn, accountId: string, fromAccountId: string): Promise<LinkAnswer> {
  const channelId = turn.facts.channelId;
  if (!channelId || !turn.facts.tenantId) return { reply: plainReply(await linkForm(turn, accountId, 'Linking works in a channel.')), done: false };
  return linkAnswer(turn, accountId, await moveChannel(turn.deps, turn.caller, { ...linkInput(turn, accountId, channelId, turn.facts.tenantId), fromAccountId }));
}

function linkAnswer(turn: Turn, asked: string, result: LinkChannelResult): LinkAnswer {
  return { reply: linkResultReply(turn, asked, result), done: result.kind !== 'linked-elsewhere' };
}

function linkInput(turn: Turn, accountId: string, channelId: string, tenantId: string): Parameters<typeof linkChannel>[2] {
  return {
    accountId,
    channelId,
    tenantId,
    ...(turn.facts.teamId ? { teamId: turn.facts.teamId } : {}),
    ...(turn.facts.channelName ? { channelName: turn.facts.channelName } : {}),
  };
}

/** What the channel is told: it names the account it is (now) linked to, and the one asked for by its id only. */
function linkResultReply(turn: Turn, asked: string, result: LinkChannelResult): Reply {
  const cards = turn.deps.cards;
  const where = turn.facts.scope === 'groupChat' ? 'chat' : 'channel';
  switch (result.kind) {
    case 'linked':
    case 'moved':
      return plainReply(
        noticeCard(cards, {
          title: `Linked to ${result.account.name}`,
          text: `This ${where} now speaks for ${result.account.name}: its members can work with their support team here.${result.kind === 'moved' ? ` It no longer speaks for ${result.previous.name}, whose cards here are no longer updated.` : ''}`,
          style: 'good',
          suggestions: [{ title: 'Show commands', command: 'help' }],
        }),
      );
    case 'already':
      return plainReply(noticeCard(cards, { title: `Linked to ${result.account.name}`, text: `This ${where} is linked to ${result.account.name} already.`, style: 'good' }));
    case 'linked-elsewhere':
      return plainReply(
        noticeCard(cards, {
          title: `This ${where} is linked to ${result.current.name}`,
          text: result.mayMove
            ? `Move it to "${asked.toLowerCase().slice(0, 40)}"? Its members would then be that account's customers, and ${result.current.name}'s cards here would no longer be updated.`
            : `Only an admin, or a TAM or manager of both accounts, can move it to another account.`,
          style: 'warning',
          ...(result.mayMove ? { confirms: [{ title: 'Move it', verb: channelVerbs.move, data: { account: result.account.accountId, from: result.current.accountId } }] } : {}),
        }),
      );
  }
}

/** The link form. It is posted where everyone sees it, so it lists the caller's accounts only in personal chat. */
async function linkForm(turn: Turn, account: string, accountError?: string): Promise<AdaptiveCardJson> {
  const choices =
    turn.facts.scope !== 'personal'
      ? []
      : turn.caller.role === 'admin'
        ? (await turn.deps.accounts.listAccounts()).map((a) => a.accountId)
        : [...turn.caller.accountIds];
  return linkChannelCard(turn.deps.cards, { account, choices, ...(accountError ? { accountError } : {}) });
}

function unknownCommand(turn: Turn, text: string, suggestion: CommandId | undefined): AdaptiveCardJson {
  const usable = suggestion ? mayUse(commandSpec(suggestion), turn.caller.role, turn.caller.scope) : false;
  const hint = suggestion && usable ? ` Did you mean "${commandSpec(suggestion).usage}"?` : '';
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return noticeCard(turn.deps.cards, {
    title: 'I did not catch that',
    text: `"${shown}" is not a command I know.${hint}`,
    style: 'emphasis',
    suggestions: [
      ...(suggestion && usable && suggestion !== 'help' ? [{ title: commandSpec(suggestion).title, command: suggestion }] : []),
      { title: 'Show my commands', command: 'help' },
    ],
  });
}

/** A channel is addressed by the channel itself, not by the thread a message was in. */
function storedConversationId(facts: ActivityFacts): string {
  return facts.scope === 'personal' ? facts.conversationId : (facts.channelId ?? facts.conversationId);
}

function conversationReferenceOf(context: TurnContext, facts: ActivityFacts): Parameters<typeof recordConversation>[1] {
  const reference = TurnContext.getConversationReference(context.activity);
  return {
    conversationId: storedConversationId(facts),
    conversationType: facts.scope,
    tenantId: facts.tenantId ?? '',
    serviceUrl: context.activity.serviceUrl,
    ...(facts.scope === 'personal' && facts.identity.aadObjectId ? { userAadObjectId: facts.identity.aadObjectId } : {}),
    ...(facts.teamId ? { teamId: facts.teamId } : {}),
    reference: JSON.parse(JSON.stringify({ ...reference, activityId: undefined })) as Record<string, unknown>,
  };
}

/** A personal chat the bot did not know: what waited for its owner is sent now, in the background. */
function deliverWaiting(deps: BotDependencies, facts: ActivityFacts): void {
  if (facts.scope !== 'personal' || !facts.identity.aadObjectId) return;
  deps.background.run('outbox.deliver_waiting', (detached) => deliverPendingFor(detached, facts.identity));
}

async function welcomeIfNew(context: TurnContext, deps: BotDependencies): Promise<void> {
  const facts = readActivityFacts(context.activity);
  const outcome = await recordConversation(turnDependencies(context, deps), conversationReferenceOf(context, facts));
  if (outcome === 'updated') return;
  deliverWaiting(deps, facts);
  const turn = await startTurn(context, facts, deps);
  await sendCard(context, welcomeCard(deps.cards, { name: turn.caller.displayName, role: turn.caller.role, scope: facts.scope }));
}
