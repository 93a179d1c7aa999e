import { randomUUID } from 'node:crypto';

export const botId = '28:00000000-0000-0000-0000-00000000b075';
export const botName = 'TAM Assistant';

export interface TeamsUser {
  readonly aadObjectId: string;
  readonly name: string;
  readonly tenantId: string;
}

export interface TeamsChannel {
  readonly teamId: string;
  readonly channelId: string;
  readonly name: string;
  readonly tenantId: string;
}

type Activity = Record<string, unknown>;

let sequence = 0;
function nextId(): string {
  sequence += 1;
  return `1${String(Date.now()).slice(-6)}${String(sequence).padStart(6, '0')}`;
}

function base(serviceUrl: string, user: TeamsUser): Activity {
  return {
    id: nextId(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: botId, name: botName },
    locale: 'en-US',
  };
}

function personalConversation(user: TeamsUser): Record<string, unknown> {
  return { id: `a:personal-${user.aadObjectId}`, conversationType: 'personal', tenantId: user.tenantId };
}

function channelConversation(channel: TeamsChannel, threadId?: string): Record<string, unknown> {
  return {
    id: threadId ? `${channel.channelId};messageid=${threadId}` : channel.channelId,
    conversationType: 'channel',
    isGroup: true,
    tenantId: channel.tenantId,
  };
}

function channelData(channel: TeamsChannel, tenantId: string): Record<string, unknown> {
  return {
    tenant: { id: tenantId },
    team: { id: channel.teamId, name: 'Support' },
    channel: { id: channel.channelId, name: channel.name },
  };
}

/** A message in the bot's personal chat with the user. */
export function personalMessage(serviceUrl: string, user: TeamsUser, text: string): Activity {
  return {
    ...base(serviceUrl, user),
    type: 'message',
    text,
    textFormat: 'plain',
    conversation: personalConversation(user),
    channelData: { tenant: { id: user.tenantId } },
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' }],
  };
}

/** A channel message; Teams prefixes the text with the @mention of the bot. */
export function channelMessage(
  serviceUrl: string,
  user: TeamsUser,
  channel: TeamsChannel,
  text: string,
  options: { mention?: boolean } = {},
): Activity {
  const mention = options.mention ?? true;
  const mentionText = `<at>${botName}</at>`;
  return {
    ...base(serviceUrl, user),
    type: 'message',
    text: mention ? `${mentionText} ${text}` : text,
    textFormat: 'plain',
    conversation: channelConversation(channel, nextId()),
    channelData: channelData(channel, user.tenantId),
    entities: mention ? [{ type: 'mention', text: mentionText, mentioned: { id: botId, name: botName } }] : [],
  };
}

/** The app installed (or removed) for a user or a team. */
export function installationUpdate(
  serviceUrl: string,
  user: TeamsUser,
  action: 'add' | 'remove',
  channel?: TeamsChannel,
): Activity {
  return {
    ...base(serviceUrl, user),
    type: 'installationUpdate',
    action,
    conversation: channel ? channelConversation(channel) : personalConversation(user),
    channelData: channel ? { ...channelData(channel, user.tenantId), source: { name: 'message' } } : { tenant: { id: user.tenantId } },
  };
}

/** Teams tells the bot it was added to a conversation (personal chat or team). */
export function botAdded(serviceUrl: string, user: TeamsUser, channel?: TeamsChannel): Activity {
  return {
    ...base(serviceUrl, user),
    type: 'conversationUpdate',
    membersAdded: [{ id: botId }],
    conversation: channel ? channelConversation(channel) : personalConversation(user),
    channelData: channel ? { ...channelData(channel, user.tenantId), eventType: 'teamMemberAdded' } : { tenant: { id: user.tenantId } },
  };
}

/** A group chat the bot is in. */
export interface TeamsGroupChat {
  readonly chatId: string;
  readonly tenantId: string;
}

function groupChatConversation(chat: TeamsGroupChat): Record<string, unknown> {
  return { id: chat.chatId, conversationType: 'groupChat', isGroup: true, tenantId: chat.tenantId };
}

/** A message in a group chat, @mentioning the bot. */
export function groupChatMessage(serviceUrl: string, user: TeamsUser, chat: TeamsGroupChat, text: string): Activity {
  const mentionText = `<at>${botName}</at>`;
  return {
    ...base(serviceUrl, user),
    type: 'message',
    text: `${mentionText} ${text}`,
    textFormat: 'plain',
    conversation: groupChatConversation(chat),
    channelData: { tenant: { id: user.tenantId } },
    entities: [{ type: 'mention', text: mentionText, mentioned: { id: botId, name: botName } }],
  };
}

/** An Adaptive Card Action.Execute press, as Teams sends it. */
export function actionExecute(
  serviceUrl: string,
  user: TeamsUser,
  verb: string,
  data: unknown,
  where: { channel?: TeamsChannel; groupChat?: TeamsGroupChat; replyToId?: string } = {},
): Activity {
  return {
    ...base(serviceUrl, user),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: where.replyToId ?? `card-${randomUUID()}`,
    conversation: where.channel ? channelConversation(where.channel) : where.groupChat ? groupChatConversation(where.groupChat) : personalConversation(user),
    channelData: where.channel
      ? channelData(where.channel, user.tenantId)
      : { tenant: { id: user.tenantId }, ...(where.groupChat ? {} : { source: { name: 'message' } }) },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/**
 * An Action.Submit press, as Teams mobile sends the fallback of an Action.Execute: a message with
 * no text and no @mention, replying to the card, whose value holds the card's data, the verb and
 * the inputs.
 */
export function actionSubmit(
  serviceUrl: string,
  user: TeamsUser,
  value: Record<string, unknown>,
  where: { channel?: TeamsChannel; replyToId: string },
): Activity {
  return {
    ...base(serviceUrl, user),
    type: 'message',
    replyToId: where.replyToId,
    conversation: where.channel ? channelConversation(where.channel, where.replyToId) : personalConversation(user),
    channelData: where.channel ? channelData(where.channel, user.tenantId) : { tenant: { id: user.tenantId } },
    value,
  };
}
