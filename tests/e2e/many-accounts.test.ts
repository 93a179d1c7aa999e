import assert from 'node:assert/strict';
import { personalMessage } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

/** An admin with many accounts: one cached query for the list, one point read for an escalation id. */
describe('an admin with many accounts', function () {
  this.timeout(120_000);
  let bot: TestBot;

  before(async () => {
    bot = await TestBot.start();
    for (let i = 0; i < 300; i++) {
      await bot.running.repositories.accounts.upsertAccount({ accountId: `acct-${i}`, name: `Account ${String(i).padStart(3, '0')}`, code: `ACC${i}`, customerTenantIds: [] });
    }
  });

  after(async () => {
    await bot.close();
  });

  it('finds an escalation\'s account from its code, without reading every account', async () => {
    const res = await bot.post(personalMessage(bot.serviceUrl, demo.users.isaiah, 'escalation ESC-ACC250-0001'));
    assert.equal(res.status, 200);
    assert.match(cardText(onlyCard(bot.connector.sent())), /There is no escalation ESC-ACC250-0001 that you can see/);
    assert.equal((await bot.running.repositories.accounts.findByCode('ACC250'))?.accountId, 'acct-250');
    assert.equal(await bot.running.repositories.accounts.findByCode('NOPE'), undefined);
  });

  it('answers "contract <name>" from the cached list', async () => {
    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, demo.users.isaiah, 'contract account 123'));
    assert.match(cardText(onlyCard(bot.connector.sent())), /Account 123 has no contract yet/);
  });
});
