import assert from 'node:assert/strict';
import {
  actionExecute,
  botAdded,
  channelMessage,
  groupChatMessage,
  installationUpdate,
  personalMessage,
  type TeamsChannel,
  type TeamsGroupChat,
  type TeamsUser,
} from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import type { ConnectorCall } from '../support/fake-connector';
import { contosoCallers, demo, TestBot } from '../support/test-bot';

const callers = contosoCallers;

const fabrikamChannel: TeamsChannel = { teamId: '19:fabrikam-team@thread.tacv2', channelId: '19:fabrikam-general@thread.tacv2', name: 'Fabrikam support', tenantId: demo.tenantId };
const unlinkedChannel: TeamsChannel = { teamId: '19:other-team@thread.tacv2', channelId: '19:unlinked@thread.tacv2', name: 'Random', tenantId: demo.tenantId };
const groupChat: TeamsGroupChat = { chatId: '19:group-chat@thread.v2', tenantId: demo.tenantId };

type PlaceName = 'the account\'s linked channel' | 'another account\'s linked channel' | 'an unlinked channel' | 'a group chat' | 'personal chat';
const places: Record<PlaceName, { channel?: TeamsChannel; groupChat?: TeamsGroupChat; linked?: string }> = {
  "the account's linked channel": { channel: demo.contosoChannel, linked: 'contoso' },
  "another account's linked channel": { channel: fabrikamChannel, linked: 'fabrikam' },
  'an unlinked channel': { channel: unlinkedChannel },
  'a group chat': { groupChat },
  'personal chat': {},
};

/** Shared conversations and the account each speaks for (the link as the test set it up). */
const sharedConversations = new Map<string, string | undefined>([
  [demo.contosoChannel.channelId, 'contoso'],
  [fabrikamChannel.channelId, 'fabrikam'],
  [unlinkedChannel.channelId, undefined],
  [groupChat.chatId, undefined],
]);

const accountMarks: Record<string, RegExp> = { contoso: /contoso/i, fabrikam: /fabrikam/i, northwind: /northwind/i };
/** Commercial fields, and what only the provider sees: phones, breach risk, internal plan notes. */
const commercial = /Contract value|Cost rate|Value of hours used|\b(GBP|EUR|USD)\b/;
const internal = /Phone \(24x7\)|At risk:|SLA breached:|INTERNAL-NOTE/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What is wrong with a card that everyone in a conversation linked to `linked` (or to nothing) sees. */
function problemsInShared(text: string, linked: string | undefined, echoes: readonly string[], ownView: boolean): string[] {
  // What the person typed is in the conversation already: an echo of it reveals nothing.
  const stripped = echoes.reduce((t, echo) => t.replace(new RegExp(escapeRegExp(echo), 'gi'), ''), text);
  const problems = Object.entries(accountMarks)
    .filter(([accountId, mark]) => accountId !== linked && mark.test(stripped))
    .map(([accountId]) => `${accountId} data`);
  if (!ownView && commercial.test(stripped)) problems.push('a commercial field');
  if (!ownView && internal.test(stripped)) problems.push('an internal field');
  return problems;
}

function cardTexts(body: Record<string, unknown>): string {
  return cardsIn(body).map(cardText).join('\n') || JSON.stringify(body.text ?? '');
}

/** Every post and update the bot made into a shared conversation, with what is wrong with it. */
function sharedLeaks(calls: readonly ConnectorCall[], echoes: readonly string[]): string[] {
  const found: string[] = [];
  for (const call of calls) {
    if (call.status >= 300 || !call.path.includes('/activities')) continue;
    const conversationId = call.conversationId.split(';')[0] ?? '';
    if (!sharedConversations.has(conversationId)) continue;
    const problems = problemsInShared(cardTexts(call.body), sharedConversations.get(conversationId), echoes, false);
    if (problems.length > 0) found.push(`${call.method} to ${conversationId}: ${problems.join(', ')}\n${cardTexts(call.body).slice(0, 400)}`);
  }
  return found;
}

function personalCalls(calls: readonly ConnectorCall[], user: TeamsUser): ConnectorCall[] {
  return calls.filter((c) => c.status < 300 && c.conversationId === `a:personal-${user.aadObjectId}`);
}

describe('audience: what lands in a conversation, everyone in it may see', function () {
  this.timeout(300_000);
  let bot: TestBot;
  /** What the bot sent while the world was set up (the escalation cards, the first alerts). */
  let setupCalls: ConnectorCall[] = [];

  async function say(user: TeamsUser, place: PlaceName, text: string): Promise<void> {
    const where = places[place];
    const activity = where.channel
      ? channelMessage(bot.serviceUrl, user, where.channel, text)
      : where.groupChat
        ? groupChatMessage(bot.serviceUrl, user, where.groupChat, text)
        : personalMessage(bot.serviceUrl, user, text);
    const res = await bot.post(activity);
    assert.equal(res.status, 200, `${text} by ${user.name} in ${place}`);
  }

  async function press(user: TeamsUser, place: PlaceName, verb: string, data: Record<string, unknown>): Promise<unknown> {
    const where = places[place];
    const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data, { ...(where.channel ? { channel: where.channel } : {}), ...(where.groupChat ? { groupChat: where.groupChat } : {}) }));
    assert.equal(res.status, 200, `${verb} by ${user.name} in ${place}`);
    return res.body;
  }

  before(async () => {
    bot = await TestBot.start();
    for (const user of Object.values(callers)) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    for (const channel of [demo.contosoChannel, fabrikamChannel, unlinkedChannel]) await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
    await bot.post({ ...groupChatMessage(bot.serviceUrl, demo.users.alex, groupChat, 'help') });
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, fabrikamChannel, 'link fabrikam'));
    const sevA = { description: 'Mail flow stopped', severity: 'A', product: 'Exchange Server', businessImpact: 'No mail', contactPhone: '+44 20 7946 0000' };
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...sevA, title: 'Contoso mail down' }, { channel: demo.contosoChannel, replyToId: 'c-intake' }));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.lynne, 'escalation.create', { ...sevA, title: 'Fabrikam mail down' }, { channel: fabrikamChannel, replyToId: 'f-intake' }));
    for (const accountId of ['contoso', 'fabrikam']) {
      await bot.running.repositories.plans.updatePlan(accountId, (plan) => ({ ...plan, items: plan.items.map((item) => ({ ...item, note: `INTERNAL-NOTE ${accountId}` })) }));
    }
    await bot.running.dispatcher.runOnce();
    setupCalls = [...bot.connector.calls];
  });

  after(async () => {
    await bot.close();
  });

  it('the escalation cards posted to the channels are customer-safe (no phone, no breach risk, no TAM actions); alerts go to personal chats', () => {
    const posts = setupCalls.filter((c) => sharedConversations.has(c.conversationId.split(';')[0] ?? ''));
    const cards = posts.filter((c) => /ESC-(CONTOSO|FABRIKAM)-0001/.test(cardTexts(c.body)));
    assert.ok(cards.length >= 2, 'both channel cards were posted or updated');
    assert.deepEqual(sharedLeaks(setupCalls, []), []);
    const alertPosts = setupCalls.filter((c) => /Critical ·|Alert ·/.test(cardTexts(c.body)));
    assert.ok(alertPosts.length > 0, 'the severity A alerts were sent');
    for (const call of alertPosts) assert.match(call.conversationId, /^a:personal-/, 'alerts go to personal chats');
    for (const call of cards) assert.doesNotMatch(cardTexts(call.body), /Acknowledge|Resolve|Change severity/);
  });

  const commands = ['contract', 'plan', 'escalations', 'escalation ESC-CONTOSO-0001', 'escalation ESC-FABRIKAM-0001', 'escalate', 'checkin', 'log hours', 'alerts', 'whoami', 'contract fabrikam', 'plan fabrikam', 'contract northwind'];
  for (const command of commands) {
    it(`"${command}": by each caller in each place, no other account's data and nothing commercial or internal in a shared conversation`, async () => {
      const failures: string[] = [];
      const echoes = command.split(' ').slice(1);
      for (const [role, user] of Object.entries(callers)) {
        for (const place of Object.keys(places) as PlaceName[]) {
          bot.connector.reset();
          await say(user, place, command);
          const answered = bot.connector.calls.filter((c) => c.status < 300).length;
          if (answered === 0) failures.push(`${role} in ${place}: no answer at all`);
          failures.push(...sharedLeaks(bot.connector.calls, echoes).map((leak) => `${role} in ${place}: ${leak}`));
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  const pressed: [string, Record<string, unknown>][] = [
    ['contract.refresh', { accountId: 'contoso' }],
    ['contract.refresh', { accountId: 'fabrikam', mode: 'log' }],
    ['plan.refresh', { accountId: 'fabrikam' }],
    ['escalation.refresh', { accountId: 'fabrikam', escalationId: 'ESC-FABRIKAM-0001' }],
    ['escalation.show', { accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001' }],
    ['escalation.show', { accountId: 'fabrikam', escalationId: 'ESC-FABRIKAM-0001' }],
    ['command.run', { command: 'contract', argument: 'fabrikam' }],
    ['command.run', { command: 'escalations' }],
  ];
  for (const [verb, data] of pressed) {
    it(`${verb} ${JSON.stringify(data)}: the invoke response holds only the linked account's data; posts are customer-safe`, async () => {
      const failures: string[] = [];
      for (const [role, user] of Object.entries(callers)) {
        for (const place of Object.keys(places) as PlaceName[]) {
          bot.connector.reset();
          const body = (await press(user, place, verb, data)) as { value?: unknown };
          // A refusal may repeat the id the presser sent; that reveals nothing they did not send.
          const echoes = Object.values(data).filter((v): v is string => typeof v === 'string' && /^ESC-/.test(v));
          failures.push(...sharedLeaks(bot.connector.calls, echoes).map((leak) => `${role} in ${place}: ${leak}`));
          const where = places[place];
          if (place !== 'personal chat' && body?.value && typeof body.value === 'object') {
            // The invoke response is the presser's own view, but it lives on a card in the shared conversation.
            const problems = problemsInShared(cardText(body.value), where.linked, echoes, true);
            if (problems.length > 0) failures.push(`${role} in ${place}: invoke response with ${problems.join(', ')}`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('a TAM asking for the contract in the account channel posts the customer-safe card, with a refresh to their own view', async () => {
    bot.connector.reset();
    await say(demo.users.alex, "the account's linked channel", 'contract');
    const [post] = bot.connector.sent(demo.contosoChannel.channelId);
    assert.ok(post);
    const card = cardsIn(post)[0] as { refresh?: { userIds?: string[]; action?: { verb?: string } } };
    assert.match(cardText(card), /Contoso Ltd/);
    assert.doesNotMatch(cardText(card), commercial);
    assert.doesNotMatch(cardText(card), /Log hours/);
    assert.deepEqual(card.refresh?.userIds, [`29:${demo.users.alex.aadObjectId}`]);
    assert.equal(card.refresh?.action?.verb, 'contract.refresh');

    // The refresh comes back as an invoke from that card: Alex's own view, commercial fields included.
    const body = (await press(demo.users.alex, "the account's linked channel", 'contract.refresh', { accountId: 'contoso', mode: 'view' })) as { value?: unknown };
    assert.match(cardText(body.value), /Contract value\n250,000 GBP/);
    assert.match(cardText(body.value), /Log hours/);
  });

  it('another account named in a linked channel: a line naming no account there, the answer in the personal chat', async () => {
    bot.connector.reset();
    await say(demo.users.alex, "the account's linked channel", 'contract fabrikam');
    const inChannel = bot.connector.sent(demo.contosoChannel.channelId).map((a) => cardsIn(a).map(cardText).join('\n'));
    assert.equal(inChannel.length, 1);
    assert.match(inChannel[0] ?? '', /Sent to you in a private chat/);
    const personal = personalCalls(bot.connector.calls, demo.users.alex).map((c) => cardTexts(c.body));
    assert.equal(personal.length, 1);
    assert.match(personal[0] ?? '', /Fabrikam Inc/);
    assert.match(personal[0] ?? '', /Contract value\n120,000 EUR/);
  });

  it('someone without the app in personal chat is told how to get the answer, and nothing is posted', async () => {
    const stranger: TeamsUser = { aadObjectId: '00000000-0000-0000-0000-0000000000077', name: 'New TAM', tenantId: demo.tenantId };
    await bot.running.repositories.directory.upsertPerson({ tenantId: demo.tenantId, aadObjectId: stranger.aadObjectId, displayName: 'New TAM', role: 'tam', accountIds: ['fabrikam'] });
    bot.connector.reset();
    await say(stranger, "the account's linked channel", 'plan');
    const inChannel = bot.connector.sent(demo.contosoChannel.channelId).map((a) => cardsIn(a).map(cardText).join('\n'));
    assert.equal(inChannel.length, 1);
    assert.match(inChannel[0] ?? '', /Add TAM Assistant for yourself/);
    assert.doesNotMatch(inChannel[0] ?? '', /fabrikam/i);
    assert.equal(bot.connector.calls.filter((c) => c.conversationId.startsWith('a:personal-')).length, 0);
  });

  it('a guest sees no account data anywhere, even in personal chat', async () => {
    const guest = demo.users.stranger;
    for (const command of ['contract contoso', 'plan', 'escalations', 'whoami']) {
      bot.connector.reset();
      await bot.post(personalMessage(bot.serviceUrl, guest, command));
      const text = bot.connector.sent().map((a) => cardsIn(a).map(cardText).join('\n')).join('\n');
      assert.ok(text.length > 0, `${command}: answered`);
      assert.deepEqual(problemsInShared(text, undefined, command.split(' ').slice(1), false), [], `${command}: ${text}`);
    }
  });

  it('a conversation of unknown type counts as shared: no account data there', async () => {
    bot.connector.reset();
    const activity = personalMessage(bot.serviceUrl, demo.users.alex, 'contract contoso');
    const conversation = { ...(activity.conversation as Record<string, unknown>), id: '19:mystery@thread.v2', conversationType: 'meeting' };
    await bot.post({ ...activity, conversation });
    const there = bot.connector.sent('19:mystery@thread.v2').map((a) => cardsIn(a).map(cardText).join('\n')).join('\n');
    assert.match(there, /Sent to you in a private chat/);
    assert.doesNotMatch(there.replace(/contract contoso/i, ''), /Contoso Ltd|Contract value/);
    const missing = { ...(activity.conversation as Record<string, unknown>), id: '19:typeless@thread.v2' };
    delete (missing as { conversationType?: string }).conversationType;
    bot.connector.reset();
    await bot.post({ ...personalMessage(bot.serviceUrl, demo.users.alex, 'contract contoso'), conversation: missing });
    assert.doesNotMatch(bot.connector.sent('19:typeless@thread.v2').map((a) => cardsIn(a).map(cardText).join('\n')).join('\n'), /Contract value/);
  });

  it('an error that names another account ("has no contract yet") is not posted in a linked channel', async () => {
    const { accounts, directory } = bot.running.repositories;
    await accounts.upsertAccount({ accountId: 'acme', name: 'Acme Secret Corp', code: 'ACME', customerTenantIds: [] });
    const alex = await directory.getPerson({ tenantId: demo.tenantId, aadObjectId: demo.users.alex.aadObjectId });
    assert.ok(alex);
    await directory.upsertPerson({ ...alex, accountIds: [...alex.accountIds, 'acme'] });
    for (const command of ['contract acme', 'plan acme']) {
      bot.connector.reset();
      await say(demo.users.alex, "the account's linked channel", command);
      const inChannel = bot.connector.sent(demo.contosoChannel.channelId).map((a) => cardsIn(a).map(cardText).join('\n')).join('\n');
      assert.doesNotMatch(inChannel, /Acme Secret Corp/, command);
      assert.match(inChannel, /Sent to you in a private chat/, command);
      assert.match(personalCalls(bot.connector.calls, demo.users.alex).map((c) => cardTexts(c.body)).join('\n'), /Acme Secret Corp has no (contract|delivery plan) yet/);
    }
    await directory.upsertPerson(alex);
  });

  it('"Escalate this message" in an unlinked group chat opens its dialog there: a dialog is the opener\'s alone', async () => {
    const messagePayload = { id: '1700000000002', body: { contentType: 'html', content: '<p>VPN down</p>' }, from: { user: { id: '29:x', displayName: 'Someone' } } };
    const base = actionExecute(bot.serviceUrl, demo.users.alex, 'x', {}, { groupChat });
    bot.connector.reset();
    const res = await bot.post({ ...base, name: 'composeExtension/fetchTask', value: { commandId: 'escalateMessage', commandContext: 'message', messagePayload } });
    const task = (res.body as { task: { type: string; value: { card: { content: unknown } } } }).task;
    assert.equal(task.type, 'continue');
    const text = cardText(task.value.card.content);
    assert.match(text, /Open an escalation/);
    assert.match(text, /Contoso Ltd[^]*Fabrikam Inc|Fabrikam Inc[^]*Contoso Ltd/, 'his accounts to choose from, in his own dialog');
    assert.deepEqual(bot.connector.calls, [], 'nothing posted anywhere');
  });

  it('the check-in summary posted to the channel is customer-safe', async () => {
    bot.connector.reset();
    const plan = await bot.running.repositories.plans.getPlan('contoso');
    assert.ok(plan);
    const item = plan.items.find((i) => i.status !== 'delivered' && i.status !== 'cancelled');
    assert.ok(item);
    const data = { accountId: 'contoso', dueDate: plan.nextCheckInDue, [`status_${item.itemId}`]: 'in-delivery', [`health_${item.itemId}`]: 'amber', [`note_${item.itemId}`]: 'INTERNAL-NOTE from the check-in' };
    await press(demo.users.alex, 'personal chat', 'checkin.submit', data);
    await press(demo.users.alex, 'personal chat', 'checkin.postSummary', { accountId: 'contoso', dueDate: plan.nextCheckInDue });
    const summary = bot.connector.sent(demo.contosoChannel.channelId);
    assert.equal(summary.length, 1, 'the summary was posted');
    assert.deepEqual(sharedLeaks(bot.connector.calls, []), []);
    assert.doesNotMatch(cardTexts(summary[0] ?? {}), /INTERNAL-NOTE/);
  });
});
