import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage } from '../support/activities';
import { cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

describe('conversation basics through the HTTP server', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
  });

  afterEach(async () => {
    await bot.close();
  });

  describe('install and welcome', () => {
    it('welcomes a TAM once on personal install, however many install events arrive', async () => {
      const alex = demo.users.alex;
      assert.equal((await bot.post(installationUpdate(bot.serviceUrl, alex, 'add'))).status, 200);
      assert.equal((await bot.post(botAdded(bot.serviceUrl, alex))).status, 200);
      assert.equal((await bot.post(installationUpdate(bot.serviceUrl, alex, 'add'))).status, 200);

      const sent = bot.connector.sent(`a:personal-${alex.aadObjectId}`);
      assert.equal(sent.length, 1);
      const text = cardText(onlyCard(sent));
      assert.match(text, /TAM Assistant/);
      assert.match(text, /Technical Account Manager/);
      assert.match(text, /Escalations/);
      assert.deepEqual(executeActions(onlyCard(sent)).map((a) => a.data), [{ command: 'help' }, { command: 'whoami' }]);
    });

    it('keeps the personal conversation reference in Cosmos for later proactive messages', async () => {
      const megan = demo.users.megan;
      await bot.post(installationUpdate(bot.serviceUrl, megan, 'add'));
      const stored = await bot.running.repositories.conversations.getPersonal(megan);
      assert.ok(stored);
      assert.equal(stored.conversationType, 'personal');
      assert.equal(stored.serviceUrl, bot.serviceUrl);
      assert.equal(stored.userAadObjectId, megan.aadObjectId);
      assert.equal(stored.retiredAt, undefined);
      assert.match(cardText(onlyCard(bot.connector.sent())), /before you have to ask/);
    });

    it('welcomes the channel when the app is added to a team and keeps the channel reference', async () => {
      const channel = demo.newChannel;
      await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
      const sent = bot.connector.sent(channel.channelId);
      assert.equal(sent.length, 1);
      assert.match(cardText(onlyCard(sent)), /@mention me/);
      const stored = await bot.running.repositories.conversations.get(channel.channelId);
      assert.equal(stored?.conversationType, 'channel');
      assert.equal(stored?.teamId, channel.teamId);
    });

    it('retires the reference on uninstall and welcomes again on reinstall', async () => {
      const adele = demo.users.adele;
      await bot.post(installationUpdate(bot.serviceUrl, adele, 'add'));
      await bot.post(installationUpdate(bot.serviceUrl, adele, 'remove'));
      const retired = await bot.running.repositories.conversations.getPersonal(adele);
      assert.ok(retired?.retiredAt);
      await bot.post(installationUpdate(bot.serviceUrl, adele, 'add'));
      const revived = await bot.running.repositories.conversations.getPersonal(adele);
      assert.equal(revived?.retiredAt, undefined);
      assert.equal(bot.connector.sent().length, 2);
    });
  });

  describe('help', () => {
    it('answers "help" in personal chat with the commands this person may use there', async () => {
      const res = await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'help'));
      assert.equal(res.status, 200);
      const card = onlyCard(bot.connector.sent());
      const text = cardText(card);
      assert.match(text, /What I can do for you here/);
      assert.match(text, /whoami/);
      assert.doesNotMatch(text, /link <account>/, 'linking is a channel command');
      assert.deepEqual(
        executeActions(card).map((a) => a.data),
        [{ command: 'help' }, { command: 'whoami' }, { command: 'escalate' }, { command: 'escalations' }, { command: 'escalation' }, { command: 'contract' }, { command: 'logHours' }, { command: 'plan' }, { command: 'checkin' }, { command: 'alerts' }, { command: 'portfolio' }, { command: 'review' }],
      );
    });

    it('answers "@bot help" in a channel, mention stripped, with channel commands for a TAM', async () => {
      const res = await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'help'));
      assert.equal(res.status, 200);
      const sent = bot.connector.sent(demo.contosoChannel.channelId);
      const text = cardText(onlyCard(sent));
      assert.match(text, /link <account>/);
      assert.match(text, /channel/);
    });

    it('does not offer link to a customer in their channel', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'help'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Customer/);
      assert.doesNotMatch(text, /link <account>/);
    });

    it('ignores channel messages that do not @mention the bot', async () => {
      const res = await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'help', { mention: false }));
      assert.equal(res.status, 200);
      assert.equal(bot.connector.sent().length, 0);
    });

    it('runs a command from a card button and posts its result as a new message', async () => {
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command: 'whoami' }));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Posted below.' });
      assert.match(cardText(onlyCard(bot.connector.sent())), /Who am I/);
    });

    it('answers a button with an unknown command with a clear message', async () => {
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command: 'rm -rf' }));
      assert.equal(res.status, 200);
      assert.match(cardText(onlyCard(bot.connector.sent())), /out of date/);
    });
  });

  describe('unknown text', () => {
    it('hints the closest command for a typo', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'whoamu'));
      const card = onlyCard(bot.connector.sent());
      assert.match(cardText(card), /Did you mean "whoami"\?/);
      assert.deepEqual(executeActions(card).map((a) => a.data), [{ command: 'whoami' }, { command: 'help' }]);
    });

    it('shows text that is not a command literally, with no link or extra action', async () => {
      const hostile = '[click](https://evil.example) ${secret} {"type":"Action.OpenUrl","url":"https://evil.example"}';
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, hostile));
      const card = onlyCard(bot.connector.sent());
      const json = JSON.stringify(card);
      assert.ok(json.includes('[click](https://evil.example) ${secret}'), 'the text is kept as typed');
      assert.equal(executeActions(card).length, 1);
      assert.doesNotMatch(json, /"type":"Action.OpenUrl"/);
      const logged = bot.logs.filter((l) => l.level !== 'debug');
      assert.ok(!JSON.stringify(logged).includes('evil.example'), 'no message body in the logs above debug');
      assert.ok(bot.logs.some((l) => l.event === 'turn.done' && typeof l.correlationId === 'string'), 'each turn logs with its correlation id');
      const runs = JSON.stringify((card.body as unknown[])[0]);
      assert.match(runs, /"type":"TextRun","text":"\\"\[click\]/, 'user text is in a TextRun, which Teams does not render as markdown');
    });
  });

  describe('whoami', () => {
    it('tells a TAM their role, accounts and tenant', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'whoami'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Technical Account Manager/);
      assert.match(text, /contoso, fabrikam/);
      assert.match(text, new RegExp(demo.tenantId));
    });

    it('gives a manager the accounts of their TAMs', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.megan, 'who am i'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Manager/);
      assert.match(text, /contoso, fabrikam/);
      assert.doesNotMatch(text, /northwind/);
    });

    it('makes an unknown member of a linked channel a customer of that account', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.stranger, demo.contosoChannel, 'whoami'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Customer/);
      assert.match(text, /Linked to Contoso Ltd \(contoso\)/);
    });

    it('tells someone not in the directory that they are unknown', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.stranger, 'whoami'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Not in the directory yet/);
      assert.match(text, /Accounts\nNone/);
    });
  });

  describe('link <account>', () => {
    it('lets the TAM of an account link a new channel, after which its members are customers', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.newChannel, 'link fabrikam'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /Linked to Fabrikam Inc/);
      const link = await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId);
      assert.equal(link?.accountId, 'fabrikam');
      assert.equal(link?.linkedBy, `${demo.tenantId}:${demo.users.alex.aadObjectId}`);

      await bot.post(channelMessage(bot.serviceUrl, demo.users.stranger, demo.newChannel, 'whoami'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /Linked to Fabrikam Inc/);
    });

    it('refuses a TAM who does not work on the account, and writes nothing', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.patti, demo.newChannel, 'link contoso'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Not allowed/);
      assert.equal(await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId), undefined);
    });

    it('refuses a customer, and writes nothing', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.newChannel, 'link contoso'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /not available to you/);
      assert.equal(await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId), undefined);
    });

    it('says linking works in a channel when asked in personal chat', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'link contoso'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /works in a channel/);
    });

    it('returns the form with the error beside the field and the entry kept for an unknown account', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.isaiah, demo.newChannel, 'link' ));
      const form = onlyCard(bot.connector.sent());
      assert.deepEqual(executeActions(form).map((a) => a.verb), ['channel.link']);
      assert.doesNotMatch(cardText(form), /contoso|fabrikam|northwind/i, 'the form in a channel names no account');

      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.link', { account: 'tailspin' }, { channel: demo.newChannel }));
      const card = invokeCard(res.body);
      const body = card.body as Record<string, unknown>[];
      const inputIndex = body.findIndex((e) => e.type === 'Input.Text' && e.id === 'account');
      assert.equal(body[inputIndex]?.value, 'tailspin');
      assert.equal(body[inputIndex + 1]?.text, 'No account has this id.');
      assert.equal(await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId), undefined);
    });

    it('links from the form and updates the card for everyone in the channel', async () => {
      const res = await bot.post(
        actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.link', { account: ' Northwind ' }, { channel: demo.newChannel, replyToId: 'form-1' }),
      );
      assert.match(cardText(invokeCard(res.body)), /Linked to Northwind Traders/);
      const updates = bot.connector.updates(demo.newChannel.channelId);
      assert.equal(updates.length, 1);
      assert.equal(updates[0]?.activityId, 'form-1');
      assert.equal((await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId))?.accountId, 'northwind');
    });
  });

  describe('tenant allow-list', () => {
    it('drops activities from a tenant that is neither the provider nor a customer, before any handler or write', async () => {
      const outsider = demo.users.outsider;
      const res = await bot.post(installationUpdate(bot.serviceUrl, outsider, 'add'));
      assert.equal(res.status, 200);
      await bot.post(personalMessage(bot.serviceUrl, outsider, 'help'));
      assert.equal(bot.connector.calls.length, 0);
      assert.equal(await bot.running.repositories.conversations.getPersonal(outsider), undefined);
      assert.equal(bot.logs.filter((l) => l.event === 'turn.tenant_refused').length, 2);
    });
  });
});
