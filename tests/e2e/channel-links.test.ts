import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, groupChatMessage, installationUpdate, personalMessage } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

const sevB = { description: 'Since Monday', severity: 'B', product: 'Active Directory' };

describe('channel links: one channel, one account', function () {
  this.timeout(60_000);
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
  });

  afterEach(async () => {
    await bot.close();
  });

  const directory = (): TestBot['running']['repositories']['directory'] => bot.running.repositories.directory;

  it('asks before moving a linked channel; a move clears the old pointer and the old account\'s cards are no longer updated there', async () => {
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    for (const user of [demo.users.alex, demo.users.adele]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...sevB, title: 'Printer queue' }, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
    await bot.running.dispatcher.runOnce();
    assert.equal((await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.channelCard?.conversationId, demo.contosoChannel.channelId);

    // Patti may link Northwind channels, but not move Contoso's: she is told so, with no button.
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.patti, demo.contosoChannel, 'link northwind'));
    const refusal = onlyCard(bot.connector.sent());
    assert.match(cardText(refusal), /This channel is linked to Contoso Ltd/);
    assert.match(cardText(refusal), /Only an admin, or a TAM or manager of both accounts/);
    assert.deepEqual(executeActions(refusal).filter((a) => a.verb === 'channel.move'), []);

    // Alex works on both: asked to confirm, and nothing changes until he does.
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'link fabrikam'));
    const ask = onlyCard(bot.connector.sent());
    assert.match(cardText(ask), /This channel is linked to Contoso Ltd/);
    const move = executeActions(ask).find((a) => a.verb === 'channel.move');
    assert.deepEqual(move?.data, { account: 'fabrikam', from: 'contoso' });
    assert.equal((await directory().getChannelLink(demo.contosoChannel.channelId, { fresh: true }))?.accountId, 'contoso');

    bot.connector.reset();
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'channel.move', move?.data, { channel: demo.contosoChannel, replyToId: 'ask-1' }));
    assert.match(cardText(invokeCard(res.body)), /Linked to Fabrikam Inc/);
    assert.equal(bot.connector.updates(demo.contosoChannel.channelId)[0]?.activityId, 'ask-1', 'everyone in the channel sees it moved');
    assert.equal((await directory().getChannelLink(demo.contosoChannel.channelId, { fresh: true }))?.accountId, 'fabrikam');
    assert.equal(await directory().getAccountChannel('contoso'), undefined);
    assert.equal(await directory().getAccountChannel('fabrikam'), demo.contosoChannel.channelId);

    // A change to the Contoso escalation no longer touches what is now Fabrikam's channel.
    bot.connector.reset();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }));
    await bot.running.dispatcher.runOnce();
    assert.deepEqual(bot.connector.calls.filter((c) => c.conversationId.split(';')[0] === demo.contosoChannel.channelId), []);
    assert.equal((await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.channelCard, undefined);

    // Nor does a new Contoso escalation, and Adele's contract is not posted there either.
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.create', { ...sevB, title: 'After the move', accountId: 'contoso' }));
    await bot.running.dispatcher.runOnce();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'contract'));
    const inChannel = bot.connector.calls.filter((c) => c.conversationId.split(';')[0] === demo.contosoChannel.channelId).flatMap((c) => cardsIn(c.body).map(cardText));
    assert.equal(inChannel.length, 1);
    assert.match(inChannel[0] ?? '', /Sent to you in a private chat/);
    assert.doesNotMatch(inChannel.join('\n'), /Contoso|ESC-CONTOSO/);
  });

  it('of three links at once exactly one wins; the others are told the channel is linked already', async () => {
    const results = await Promise.all(
      ['contoso', 'fabrikam', 'northwind'].map((account, i) =>
        bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.link', { account }, { channel: demo.newChannel, replyToId: `form-${i}` })),
      ),
    );
    const answers = results.map((r) => cardText(invokeCard(r.body)));
    const winners = answers.filter((a) => /^Linked to/.test(a));
    assert.equal(winners.length, 1, answers.join('\n---\n'));
    assert.equal(answers.filter((a) => /This channel is linked to/.test(a)).length, 2);
    const link = await directory().getChannelLink(demo.newChannel.channelId, { fresh: true });
    assert.match(winners[0] ?? '', new RegExp(`Linked to ${link?.accountId === 'contoso' ? 'Contoso' : link?.accountId === 'fabrikam' ? 'Fabrikam' : 'Northwind'}`));
    const pointing = [];
    for (const accountId of ['contoso', 'fabrikam', 'northwind']) if ((await directory().getAccountChannel(accountId)) === demo.newChannel.channelId) pointing.push(accountId);
    assert.deepEqual(pointing, [link?.accountId]);
  });

  it('linking again to the same account changes nothing and says so', async () => {
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link contoso'));
    const before = await directory().getChannelLink(demo.newChannel.channelId, { fresh: true });
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.megan, demo.newChannel, 'link contoso'));
    assert.match(cardText(onlyCard(bot.connector.sent())), /linked to Contoso Ltd already/);
    assert.deepEqual(await directory().getChannelLink(demo.newChannel.channelId, { fresh: true }), before);
  });

  it('a move that was cut off before it cleared the old pointer is finished by the next read', async () => {
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link contoso'));
    assert.equal(await directory().getAccountChannel('contoso'), demo.newChannel.channelId);
    // The link moved to Fabrikam, and the process stopped before the pointers followed.
    const container = bot.running.containers.directory;
    const { resources } = await container.items.query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.type = @t AND c.channelId = @c', parameters: [{ name: '@t', value: 'channelLink' }, { name: '@c', value: demo.newChannel.channelId }] }).fetchAll();
    const linkDoc = resources[0];
    assert.ok(linkDoc);
    await container.item(String(linkDoc.id), String(linkDoc.pk)).replace({ ...linkDoc, accountId: 'fabrikam' });
    // The link decides, not the stale pointer: Contoso's cards go back to the channel still linked to it.
    assert.equal(await directory().getAccountChannel('contoso'), demo.contosoChannel.channelId);
    const pointers = await container.items.query<{ channelId: string }>({ query: 'SELECT * FROM c WHERE c.type = @t AND c.accountId = @a', parameters: [{ name: '@t', value: 'accountChannel' }, { name: '@a', value: 'contoso' }] }).fetchAll();
    assert.deepEqual(pointers.resources.map((p) => p.channelId), [demo.contosoChannel.channelId], 'the stale pointer is gone');
  });

  it('someone who may not link pressing the link form is answered alone: the form stays, no account is named', async () => {
    for (const user of [demo.users.stranger, demo.users.lynne]) {
      bot.connector.reset();
      const res = await bot.post(actionExecute(bot.serviceUrl, user, 'channel.link', { account: 'northwind' }, { channel: demo.newChannel, replyToId: 'link-form' }));
      const text = cardText(invokeCard(res.body));
      assert.match(text, /not available to you/);
      assert.doesNotMatch(text, /Northwind/);
      assert.deepEqual(bot.connector.updates(), [], 'the form is not replaced for everyone');
    }
    assert.equal(await directory().getChannelLink(demo.newChannel.channelId, { fresh: true }), undefined);
  });

  it('a link cut off before its account pointer was written is finished by linking again', async () => {
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link fabrikam'));
    const container = bot.running.containers.directory;
    const pointers = async (): Promise<{ id: string; pk: string; channelId: string }[]> =>
      (await container.items.query<{ id: string; pk: string; channelId: string }>({ query: 'SELECT * FROM c WHERE c.type = @t AND c.accountId = @a', parameters: [{ name: '@t', value: 'accountChannel' }, { name: '@a', value: 'fabrikam' }] }).fetchAll()).resources;
    // As if the process had stopped between writing the link and the account's pointer.
    for (const doc of await pointers()) await container.item(doc.id, doc.pk).delete();
    assert.deepEqual(await pointers(), []);
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link fabrikam'));
    assert.deepEqual((await pointers()).map((p) => p.channelId), [demo.newChannel.channelId]);
  });

  it('moving a channel away leaves the account its other linked channel', async () => {
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link contoso'));
    assert.equal(await directory().getAccountChannel('contoso'), demo.newChannel.channelId, 'the newest link is where cards go');
    await bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.move', { account: 'fabrikam', from: 'contoso' }, { channel: demo.newChannel }));
    assert.equal(await directory().getAccountChannel('contoso'), demo.contosoChannel.channelId, 'back to the General channel, still linked to Contoso');
  });

  it('after a move, a card\'s automatic refresh there sends nothing to anyone', async () => {
    for (const user of [demo.users.alex]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...sevB, title: 'Printer queue' }, { channel: demo.contosoChannel, replyToId: 'intake-2' }));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.move', { account: 'fabrikam', from: 'contoso' }, { channel: demo.contosoChannel }));
    bot.connector.reset();
    const refresh = actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.refresh', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso', mode: 'view' }, { channel: demo.contosoChannel, replyToId: 'intake-2' });
    const res = await bot.post({ ...refresh, value: { ...(refresh.value as Record<string, unknown>), trigger: 'automatic' } });
    assert.match(cardText(invokeCard(res.body)), /No longer kept here/);
    assert.doesNotMatch(cardText(invokeCard(res.body)), /Contoso|Printer/);
    assert.deepEqual(bot.connector.calls, [], 'no private message for a refresh nobody asked for');
  });

  it('a channel card that is gone (404 for the message) is posted again; the channel is not retired', async () => {
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...sevB, title: 'Printer queue' }, { channel: demo.contosoChannel, replyToId: 'intake-9' }));
    await bot.running.background.idle();
    bot.connector.respondWith((call) => (call.method === 'PUT' && call.activityId === 'intake-9' ? { status: 404, body: { error: { code: 'ActivityNotFoundInConversation', message: 'gone' } } } : undefined));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }));
    await bot.running.background.idle();
    bot.connector.respondWith(undefined);
    await bot.running.dispatcher.runOnce();
    const reference = await bot.running.repositories.conversations.get(demo.contosoChannel.channelId);
    assert.ok(reference && !reference.retiredAt, 'the channel is still reachable');
    const reposted = bot.connector.sent(demo.contosoChannel.channelId).filter((a) => cardsIn(a).some((c) => /ESC-CONTOSO-0001[^]*Acknowledged/.test(cardText(c))));
    assert.equal(reposted.length, 1, 'a fresh card for the escalation');
    assert.ok(bot.logs.some((l) => l.event === 'escalation.card_missing'));
  });

  it('a group chat linked like a channel shows its account; an unlinked one gets no account data', async () => {
    const chat = { chatId: '19:customer-chat@thread.v2', tenantId: demo.tenantId };
    await bot.post(groupChatMessage(bot.serviceUrl, demo.users.alex, chat, 'plan'));
    assert.match(cardText(onlyCard(bot.connector.sent(chat.chatId))), /Ask me in a private chat|Sent to you in a private chat/);
    await bot.post(groupChatMessage(bot.serviceUrl, demo.users.alex, chat, 'link contoso'));
    assert.match(cardText(onlyCard(bot.connector.sent(chat.chatId))), /This chat now speaks for Contoso Ltd/);
    bot.connector.reset();
    await bot.post(groupChatMessage(bot.serviceUrl, demo.users.alex, chat, 'plan'));
    const plan = cardText(onlyCard(bot.connector.sent(chat.chatId)));
    assert.match(plan, /Contoso Ltd/);
    assert.doesNotMatch(plan, /Add item|Check-in\n/);
    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'plan contoso'));
    assert.match(cardText(onlyCard(bot.connector.sent())), /Add item/, 'the TAM sees their own view in personal chat');
  });
});
