import assert from 'node:assert/strict';
import { actionExecute } from '../support/activities';
import { cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';
import { allVerbs } from '../../src/domain/verbs';

/** Every verb goes through one pipeline: one parse of its key, one mapping of outcomes to cards. */
describe('one card-action pipeline', function () {
  this.timeout(60_000);
  let bot: TestBot;

  before(async () => {
    bot = await TestBot.start();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Slow logons', description: 'Since Monday', severity: 'B', product: 'Active Directory' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
  });

  after(async () => {
    await bot.close();
  });

  it('a card whose record key is malformed is out of date: a Refresh button, logged at warn, never at error', async () => {
    bot.logs.length = 0;
    bot.connector.reset();
    for (const verb of allVerbs.filter((v) => !['command.run', 'channel.link', 'escalation.create', 'alerts.saveSettings', 'alerts.show'].includes(v))) {
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, verb, { accountId: 'Not An Id!', escalationId: '../../etc', alertId: '', dueDate: 'soon', itemId: 'x' }));
      assert.equal(res.status, 200, verb);
      // Verbs that post a new message answer the invoke with a line and post the card.
      const posted = (res.body as { type?: string }).type === 'application/vnd.microsoft.activity.message';
      const card = posted ? onlyCard(bot.connector.sent()) : invokeCard(res.body);
      assert.match(cardText(card), /This card is out of date/, verb);
      assert.ok(executeActions(card).some((a) => a.title === 'Refresh'), verb);
    }
    assert.ok(bot.logs.some((l) => l.event === 'verb.malformed_key' && l.level === 'warn'));
    assert.deepEqual(bot.logs.filter((l) => l.level === 'error'), []);
  });

  it('log hours shows every field error at once, beside its field, with the entries kept', async () => {
    const entries = { accountId: 'contoso', bucket: 'Nope', hours: '0.3', date: '2099-01-01', note: '\u200b\u200b', reference: 'ESC-CONTOSO-0999' };
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', entries));
    const text = cardText(invokeCard(res.body));
    for (const error of [/Choose one of this contract's buckets/, /quarter-hour steps/, /cannot be in the future/, /Say what the hours were for/, /There is no escalation ESC-CONTOSO-0999 on this account/]) assert.match(text, error);
    const inputs = JSON.stringify(invokeCard(res.body));
    assert.match(inputs, /"value":"0.3"/);
    assert.match(inputs, /"value":"ESC-CONTOSO-0999"/);
  });

  it('a coded refusal is a banner on the verb\'s own card; nothing changes', async () => {
    const before = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.resolve', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso', resolution: 'Fixed it myself' }));
    const text = cardText(invokeCard(res.body));
    assert.match(text, /Only the TAM of the account or a manager can resolve an escalation/);
    assert.match(text, /ESC-CONTOSO-0001 · Contoso Ltd/, 'on the escalation card');
    assert.deepEqual(await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'), before);
  });

  it('an action the record\'s state does not allow is a banner too, and the card offers what it does allow', async () => {
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.close', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }));
    const card = invokeCard(res.body);
    assert.match(cardText(card), /Only a resolved escalation can be closed/);
    assert.deepEqual(executeActions(card).map((a) => a.title), ['Assign', 'Acknowledge', 'Update', 'Change severity', 'Resolve', 'Refresh']);
  });
});
