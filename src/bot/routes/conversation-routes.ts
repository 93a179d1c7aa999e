import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import { helpCard, linkChannelCard, noticeCard, welcomeCard, whoamiCard } from '../../cards/conversation-cards';
import { commandIds, commandsFor, commandSpec, mayUse, type CommandId } from '../../domain/commands';
import { isDomainError } from '../../domain/errors';
import { linkChannel } from '../../services/link-channel';
import { recordConversation, retireConversation } from '../../services/record-conversation';
import { readActivityFacts, type ActivityFacts } from '../activity-facts';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { cardActivity, sendCard } from '../card-reply';
import { parseCommandText } from '../command-parser';
import { errorCard } from '../turn-errors';
import { startTurn, type CommandHandler, type CommandHandlers, type Turn } from '../turn';
import { verbs } from '../verbs';

const runCommandData = z.object({ command: z.enum(commandIds), argument: z.string().max(100).optional() });
const linkChannelData = z.object({ account: z.string().max(200).optional() });

/** The commands of everyday conversation. */
export const conversationCommands = {
  help: (turn: Turn) => Promise.resolve(showHelp(turn)),
  whoami: (turn: Turn) => showWhoami(turn),
  link: (turn: Turn, argument: string) => runLink(turn, argument),
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
    await recordConversation(deps, conversationReferenceOf(context, facts));
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
      await retireConversation(deps, context.activity.conversation.id, 'app uninstalled');
      return;
    }
    await welcomeIfNew(context, deps);
  });

  app.activity(ActivityTypes.Message, async (context) => {
    const facts = readActivityFacts(context.activity);
    // In channels the bot answers only when @mentioned; Teams normally guarantees it, replays may not.
    if (facts.scope === 'channel' && !facts.mentionsBot) return;
    const text = context.activity.text ?? '';
    if (!text.trim() && context.activity.value !== undefined) return;
    const turn = await startTurn(context, facts, deps);
    await rememberConversation(context).catch((error: unknown) => deps.logger.warn('conversation.record_failed', { error }));
    const parsed = parseCommandText(text);
    let card: AdaptiveCardJson;
    try {
      if (parsed.kind === 'command') {
        card = await runCommand(turn, parsed.command, parsed.argument, handlers);
      } else if (parsed.kind === 'empty') {
        card = showHelp(turn);
      } else {
        card = unknownCommand(turn, parsed.text, parsed.suggestion);
      }
    } catch (error) {
      card = errorCard(context, error, deps.cards, deps.logger);
    }
    await sendCard(context, card);
  });

  app.adaptiveCards.actionExecute(verbs.runCommand, async (context, _state, data) => {
    const facts = readActivityFacts(context.activity);
    const turn = await startTurn(context, facts, deps);
    const parsed = runCommandData.safeParse(data);
    let card: AdaptiveCardJson;
    try {
      card = parsed.success
        ? await runCommand(turn, parsed.data.command, parsed.data.argument ?? '', handlers)
        : noticeCard(deps.cards, { title: 'That button is out of date', text: 'Say "help" for the current commands.', style: 'warning' });
    } catch (error) {
      card = errorCard(context, error, deps.cards, deps.logger);
    }
    await context.sendActivity(cardActivity(card));
    return 'Posted below.';
  });

  app.adaptiveCards.actionExecute(verbs.linkChannel, async (context, _state, data) => {
    const facts = readActivityFacts(context.activity);
    const turn = await startTurn(context, facts, deps);
    const parsed = linkChannelData.safeParse(data);
    const account = parsed.success ? (parsed.data.account ?? '').trim() : '';
    try {
      if (!account) return await linkForm(turn, '', 'Enter the id of the account to link.');
      const card = await runLink(turn, account);
      if (context.activity.replyToId && !isLinkForm(card)) {
        // Everyone in the channel should see that it is linked, not only the person who pressed the button.
        await context.updateActivity({ ...cardActivity(card), id: context.activity.replyToId });
      }
      return card;
    } catch (error) {
      return errorCard(context, error, deps.cards, deps.logger);
    }
  });
}

async function runCommand(
  turn: Turn,
  command: CommandId,
  argument: string,
  handlers: CommandHandlers,
): Promise<AdaptiveCardJson> {
  const spec = commandSpec(command);
  if (!mayUse(spec, turn.caller.role, turn.caller.scope)) {
    const text = !spec.scopes.includes(turn.caller.scope)
      ? `"${spec.usage}" works in a ${spec.scopes.includes('channel') ? 'channel: @mention me there' : 'personal chat with me'}.`
      : `"${spec.usage}" is not available to you. Say "help" to see what you can do.`;
    return noticeCard(turn.deps.cards, {
      title: 'Not here',
      text,
      style: 'warning',
      suggestions: [{ title: 'Show my commands', command: 'help' }],
    });
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

async function showWhoami(turn: Turn): Promise<AdaptiveCardJson> {
  const link = turn.caller.channelLink;
  const account = link ? await turn.deps.accounts.getAccount(link.accountId) : undefined;
  return whoamiCard(turn.deps.cards, {
    name: turn.caller.displayName,
    role: turn.caller.role,
    tenantId: turn.caller.identity.tenantId,
    aadObjectId: turn.caller.identity.aadObjectId,
    accounts: turn.caller.accountIds,
    scope: turn.caller.scope,
    ...(link ? { channelAccount: account ? `${account.name} (${account.accountId})` : link.accountId } : {}),
  });
}

async function runLink(turn: Turn, argument: string): Promise<AdaptiveCardJson> {
  if (!argument) return linkForm(turn, '');
  const channelId = turn.facts.channelId;
  if (!channelId || !turn.facts.tenantId) return linkForm(turn, argument, 'Linking works in a channel.');
  try {
    const result = await linkChannel(turn.deps, turn.caller, {
      accountId: argument,
      channelId,
      tenantId: turn.facts.tenantId,
      ...(turn.facts.teamId ? { teamId: turn.facts.teamId } : {}),
      ...(turn.facts.channelName ? { channelName: turn.facts.channelName } : {}),
    });
    const moved = result.previousAccountId ? ` It was linked to ${result.previousAccountId} before.` : '';
    return noticeCard(turn.deps.cards, {
      title: `Linked to ${result.account.name}`,
      text: `This channel now speaks for ${result.account.name}: its members can work with their support team here.${moved}`,
      style: 'good',
      suggestions: [{ title: 'Show commands', command: 'help' }],
    });
  } catch (error) {
    if (isDomainError(error) && error.fieldErrors.account) return linkForm(turn, argument, error.fieldErrors.account);
    throw error;
  }
}

async function linkForm(turn: Turn, account: string, accountError?: string): Promise<AdaptiveCardJson> {
  const choices =
    turn.caller.role === 'admin'
      ? (await turn.deps.accounts.listAccounts()).map((a) => a.accountId)
      : [...turn.caller.accountIds];
  return linkChannelCard(turn.deps.cards, { account, choices, ...(accountError ? { accountError } : {}) });
}

function isLinkForm(card: AdaptiveCardJson): boolean {
  return JSON.stringify(card).includes(`"verb":"${verbs.linkChannel}"`);
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

async function welcomeIfNew(context: TurnContext, deps: BotDependencies): Promise<void> {
  const facts = readActivityFacts(context.activity);
  const outcome = await recordConversation(deps, conversationReferenceOf(context, facts));
  if (outcome === 'updated') return;
  const turn = await startTurn(context, facts, deps);
  await sendCard(context, welcomeCard(deps.cards, { name: turn.caller.displayName, role: turn.caller.role, scope: facts.scope }));
}
