import assert from 'node:assert/strict';
import { botAdded, installationUpdate, type TeamsUser } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { demo, TestBot } from '../support/test-bot';
import { isOwnedBy, type StoredConversationReference } from '../../src/domain/conversation-reference';

/**
 * A personal conversation reference is used only for the person it belongs to (SPEC.md 3). A
 * client that gives several users one personal chat id (the Agents Playground did) must not
 * let one person's messages land in another's chat.
 */

const minute = 60_000;
const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const ownChat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
/** One personal chat id that the client hands to every user. */
const sharedChat = 'a:shared-personal-chat';

/** The app installed in the user's personal chat, where the client calls that chat `conversationId`. */
function installIn(bot: TestBot, user: TeamsUser, conversationId: string): Promise<unknown> {
  const activity = installationUpdate(bot.serviceUrl, user, 'add');
  activity.conversation = { ...(activity.conversation as Record<string, unknown>), id: conversationId };
  return bot.post(activity);
}

/** Alert cards the connector accepted in a conversation. */
function alertsIn(bot: TestBot, conversationId: string): string[] {
  return bot.connector
    .sent(conversationId)
    .flatMap((a) => cardsIn(a).map((c) => cardText(c)))
    .filter((text) => /Contoso|Fabrikam/.test(text));
}

/** Reads a document of the conversations container as stored (undefined when there is none). */
async function rawDocument(bot: TestBot, id: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await bot.running.containers.conversations.item(id, id).read<Record<string, unknown>>()).resource;
  } catch {
    return undefined;
  }
}

const indexId = (user: TeamsUser): string => `user:${user.tenantId}:${user.aadObjectId}`;

describe('personal conversation references belong to their owner', () => {
  describe('delivery through the HTTP server', () => {
    let bot: TestBot;

    beforeEach(async () => {
      bot = await TestBot.start();
    });

    afterEach(async () => {
      await bot.close();
    });

    it('sends what waited for a person the moment their personal chat becomes known, without waiting out the backoff', async () => {
      const { megan } = demo.users;
      await bot.running.dispatcher.runOnce(); // the first sweep: Megan has alerts, and no chat yet
      const waiting = alertsIn(bot, ownChat(megan));
      assert.deepEqual(waiting, []);
      await bot.post(installationUpdate(bot.serviceUrl, megan, 'add'));
      await bot.running.background.idle();
      assert.ok(alertsIn(bot, ownChat(megan)).length > 0, 'delivered on install, with no sweep and no time passing');
    });

    it("does not post a manager's alert into a chat another user owns, and delivers it once her own chat is installed", async () => {
      const { adele, megan } = demo.users;
      // Adele installs, then Megan with the same chat id, then Adele again: the last writer owns it.
      await installIn(bot, adele, sharedChat);
      await installIn(bot, megan, sharedChat);
      await installIn(bot, adele, sharedChat);
      const owner = await bot.running.repositories.conversations.get(sharedChat);
      assert.equal(owner?.userAadObjectId, adele.aadObjectId, 'the last install owns the chat');
      assert.equal((await bot.running.repositories.conversations.getPersonal(adele))?.conversationId, sharedChat);
      assert.equal(await bot.running.repositories.conversations.getPersonal(megan), undefined, "Megan's pointer leads to Adele's chat: no personal chat for Megan");
      bot.connector.reset();

      await bot.running.dispatcher.runOnce();
      const alert = await bot.running.repositories.alerts.get('contoso', 'bucket:CONTOSO-UE-2026:Reactive:90');
      assert.ok(alert?.recipients.includes(key(megan)), 'the sweep raised an alert for Megan');
      assert.deepEqual(alertsIn(bot, sharedChat), [], "none of Megan's alerts is posted into Adele's chat");
      assert.equal(bot.connector.sent(sharedChat).length, 0, 'nothing at all goes to the shared chat');
      const waiting = await bot.running.repositories.outbox.get(`alert:bucket:CONTOSO-UE-2026:Reactive:90:${key(megan)}:0`);
      assert.equal(waiting?.status, 'pending', 'the alert waits as for someone who has not installed the app');
      assert.match(waiting?.lastError ?? '', /no conversation/);

      // Megan's own personal chat, with an id of its own.
      await installIn(bot, megan, ownChat(megan));
      bot.connector.reset();
      bot.clock.advance(31 * minute);
      await bot.running.dispatcher.runOnce();
      const delivered = alertsIn(bot, ownChat(megan));
      assert.ok(delivered.some((text) => text.includes('Reactive hours 90% used')), 'the waiting alert reaches her own chat');
      assert.ok(delivered.some((text) => text.includes('Fabrikam')), 'and so do the Fabrikam ones');
      assert.equal((await bot.running.repositories.outbox.get(`alert:bucket:CONTOSO-UE-2026:Reactive:90:${key(megan)}:0`))?.status, 'sent');
      assert.equal(bot.connector.sent(sharedChat).length, 0, 'still nothing in the chat Adele owns');
    });
  });

  describe('the start-up re-check', () => {
    let first: TestBot | undefined;
    let second: TestBot | undefined;

    afterEach(async () => {
      await second?.close();
      await first?.close();
      first = second = undefined;
    });

    it('removes pointers to chats someone else owns, that are missing or are not personal, keeps the owner’s, and logs the count', async () => {
      const { adele, megan, isaiah, lynne } = demo.users;
      first = await TestBot.start();
      const started = first.logs.find((l) => l.event === 'conversation.personal_rechecked');
      assert.equal(started?.removed, 0, 'a fresh store has nothing to remove');

      // Adele's pointer is left behind when Megan's install takes the same chat over.
      await installIn(first, adele, sharedChat);
      await installIn(first, megan, sharedChat);
      // Pointers written by hand, as older data could hold them: one to a chat that does not
      // exist (written before pointers named their user), one to a channel.
      const channel = demo.newChannel;
      await first.post(botAdded(first.serviceUrl, demo.users.alex, channel));
      const container = first.running.containers.conversations;
      await container.items.upsert({ id: indexId(lynne), type: 'personalConversation', schemaVersion: 1, conversationId: 'a:gone' });
      await container.items.upsert({ id: indexId(isaiah), type: 'personalConversation', schemaVersion: 1, tenantId: isaiah.tenantId, aadObjectId: isaiah.aadObjectId, conversationId: channel.channelId });
      // Someone with a chat of their own keeps it.
      await installIn(first, demo.users.alex, ownChat(demo.users.alex));
      assert.ok(await rawDocument(first, indexId(adele)), "Adele's stale pointer is stored");

      second = await TestBot.start({ connector: first.connector, embeddedCosmosEndpoint: first.running.embeddedCosmosEndpoint! });
      const recheck = second.logs.find((l) => l.event === 'conversation.personal_rechecked');
      assert.equal(recheck?.removed, 3, 'Adele’s, Lynne’s and Isaiah’s pointers are removed');
      assert.equal(await rawDocument(second, indexId(adele)), undefined, "Adele's pointer to Megan's chat is gone");
      assert.equal(await rawDocument(second, indexId(lynne)), undefined, 'a pointer to a missing chat is gone');
      assert.equal(await rawDocument(second, indexId(isaiah)), undefined, 'a pointer to a channel is gone');
      assert.equal((await second.running.repositories.conversations.getPersonal(megan))?.conversationId, sharedChat, 'the owner keeps hers');
      assert.equal((await second.running.repositories.conversations.getPersonal(demo.users.alex))?.conversationId, ownChat(demo.users.alex));
      assert.ok(await second.running.repositories.conversations.get(sharedChat), 'the conversation itself stays');

      // Adele installs again: her pointer comes back, and Megan's (now someone else's chat) goes at the next start.
      await installIn(second, adele, sharedChat);
      assert.equal((await second.running.repositories.conversations.getPersonal(adele))?.conversationId, sharedChat);
      await second.close();
      second = await TestBot.start({ connector: first.connector, embeddedCosmosEndpoint: first.running.embeddedCosmosEndpoint! });
      assert.equal(second.logs.find((l) => l.event === 'conversation.personal_rechecked')?.removed, 1);
      assert.equal(await rawDocument(second, indexId(megan)), undefined);
      assert.ok(await rawDocument(second, indexId(adele)));
    });
  });

  describe('isOwnedBy (the domain rule)', () => {
    const megan = { tenantId: demo.tenantId, aadObjectId: demo.users.megan.aadObjectId };
    const reference = (overrides: Partial<StoredConversationReference>): StoredConversationReference => ({
      conversationId: sharedChat,
      conversationType: 'personal',
      tenantId: demo.tenantId,
      serviceUrl: 'http://127.0.0.1/',
      userAadObjectId: megan.aadObjectId,
      reference: {},
      capturedAt: '2026-03-02T09:00:00.000Z',
      ...overrides,
    });

    it('is true only for a personal chat stored for the same user in the same tenant', () => {
      assert.equal(isOwnedBy(reference({}), megan), true);
      assert.equal(isOwnedBy(reference({ userAadObjectId: demo.users.adele.aadObjectId }), megan), false, 'another user');
      assert.equal(isOwnedBy(reference({ tenantId: '99999999-9999-9999-9999-999999999999' }), megan), false, 'same id, another tenant');
      assert.equal(isOwnedBy(reference({}), { ...megan, tenantId: '99999999-9999-9999-9999-999999999999' }), false, 'caller from another tenant');
      assert.equal(isOwnedBy(reference({ conversationType: 'channel' }), megan), false, 'a channel is nobody’s personal chat');
      assert.equal(isOwnedBy(reference({ conversationType: 'groupChat' }), megan), false, 'nor is a group chat');
      assert.equal(isOwnedBy(reference({ userAadObjectId: undefined }), megan), false, 'no owner stored');
      assert.equal(isOwnedBy(reference({ userAadObjectId: '' }), { ...megan, aadObjectId: '' }), false, 'an empty id owns nothing');
    });
  });
});
