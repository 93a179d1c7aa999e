import assert from 'node:assert/strict';
import { actionExecute, channelMessage, personalMessage, type TeamsUser } from '../support/activities';
import { cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

const channel = demo.contosoChannel;
// The test clock starts on 2 Mar 2026; the demo contracts are dated around it.
const today = '2026-03-02';

describe('contracts through the HTTP server', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
  });

  afterEach(async () => {
    await bot.close();
  });

  const ledger = async (account = 'contoso') => {
    const contract = await bot.running.repositories.contracts.getContract(account);
    return bot.running.repositories.contracts.listEntries(account, contract!.contractId);
  };

  async function log(user: TeamsUser, data: Record<string, unknown>, account = 'contoso') {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, 'contract.logHours', { accountId: account, ...data }));
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  function bucketSection(card: Record<string, unknown>, name: string): string {
    const text = cardText(card);
    const start = text.indexOf(`\n${name}\n`);
    assert.ok(start >= 0, `the card has a ${name} bucket`);
    return text.slice(start, start + 600);
  }

  describe('the status card', () => {
    it('asks a TAM with two accounts which one, then shows it with commercial fields', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'contract'));
      const choice = onlyCard(bot.connector.sent());
      assert.match(cardText(choice), /Which account\?/);
      assert.deepEqual(executeActions(choice).map((a) => a.data), [
        { command: 'contract', argument: 'contoso' },
        { command: 'contract', argument: 'fabrikam' },
      ]);

      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command: 'contract', argument: 'contoso' }));
      assert.equal(res.status, 200);
      const card = onlyCard(bot.connector.sent());
      const text = cardText(card);
      assert.match(text, /Contoso Ltd/);
      assert.match(text, /Unified Enterprise · 25 Jun 2025 – 25 Jun 2026/);
      assert.match(text, /Term 69% elapsed \(day 251 of 366\)/);
      assert.match(text, /Renewal in 116 days/);
      assert.match(bucketSection(card, 'Reactive'), /74 h of 80 h used · 6 h left/);
      assert.match(bucketSection(card, 'Reactive'), /Over-consuming/);
      assert.match(bucketSection(card, 'Advisory'), /Under-using/);
      assert.match(text, /Commercial \(TAMs and managers only\)/);
      assert.match(text, /250,000 GBP/);
      assert.deepEqual(executeActions(card).map((a) => a.title), ['Log hours', 'Correct an entry', 'Support hours', 'Refresh']);
    });

    it('shows customers in the linked channel their usage without commercial fields, and no logging', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'contract'));
      const card = onlyCard(bot.connector.sent());
      const json = JSON.stringify(card);
      assert.match(cardText(card), /74 h of 80 h used/);
      assert.doesNotMatch(json, /Commercial|250,000|GBP|190/);
      assert.deepEqual(executeActions(card).map((a) => a.title), ['Refresh']);
    });

    it('draws a bar per bucket, coloured by its verdict', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'contract contoso'));
      const card = onlyCard(bot.connector.sent());
      const bars = JSON.stringify(card).match(/"width":\d+,"style":"(good|warning|attention)","minHeight":"14px"/g) ?? [];
      assert.deepEqual(bars, [
        '"width":55,"style":"good","minHeight":"14px"',
        '"width":93,"style":"attention","minHeight":"14px"',
        '"width":15,"style":"warning","minHeight":"14px"',
      ]);
    });

    it('does not show the contract of another account', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.patti, 'contract contoso'));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, /Northwind Traders/, 'Patti only has Northwind: the name does not match hers, she gets her own');
      assert.doesNotMatch(text, /Contoso/);
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.patti, 'contract.refresh', { accountId: 'contoso' }));
      assert.match(cardText(invokeCard(res.body)), /There is no contract here that you can see/);
    });
  });

  describe('log hours', () => {
    it('updates the numbers, the verdict and the forecast of the card', async () => {
      const form = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.refresh', { accountId: 'contoso', mode: 'log' }))).body);
      assert.match(cardText(form), /Log hours/);
      assert.match(JSON.stringify(form), /"id":"date","label":"Date","value":"2026-03-02"/);

      const card = await log(demo.users.alex, { bucket: 'Advisory', hours: '24', date: today, note: 'Hybrid identity design sessions', reference: '' });
      assert.match(cardText(card), /Logged 24 h to Advisory on 2 Mar 2026\./);
      const advisory = bucketSection(card, 'Advisory');
      assert.match(advisory, /30 h of 40 h used · 10 h left/);
      assert.match(advisory, /Over-consuming/);
      // Last 30 days: 2 + 24 = 26 h -> 0.87 h/day; 10 h left -> 12 days -> 14 Mar.
      assert.match(advisory, /Last 30 days 26 h \(0\.87 h\/day\)/);
      assert.match(advisory, /runs out on 14 Mar 2026/);
      assert.equal((await ledger()).length, 17);
      const entry = (await ledger()).find((e) => e.note === 'Hybrid identity design sessions');
      assert.equal(entry?.hours, 24);
      assert.equal(entry?.loggedBy.name, 'Alex Wilber');
      assert.equal(entry?.source, 'manual');
    });

    it('accepts an escalation of the account as reference', async () => {
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Mail down', description: 'd', severity: 'B', product: 'Exchange Server' }, { channel, replyToId: 'i' }));
      const card = await log(demo.users.alex, { bucket: 'Reactive', hours: '1.5', date: today, note: 'Mail flow triage', reference: 'esc-contoso-0001' });
      assert.match(cardText(card), /Logged 1\.5 h to Reactive/);
      const entry = (await ledger()).find((e) => e.note === 'Mail flow triage');
      assert.equal(entry?.reference, 'ESC-CONTOSO-0001');
      assert.equal(entry?.source, 'escalation');
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ['0 hours', { hours: '0' }, 'hours', 'Hours must be more than 0.'],
      ['negative hours', { hours: '-2' }, 'hours', 'Hours must be more than 0.'],
      ['24.5 hours', { hours: '24.5' }, 'hours', 'A single entry can be at most 24 hours.'],
      ['0.3 hours', { hours: '0.3' }, 'hours', 'Log hours in quarter-hour steps (0.25, 0.5, 0.75 …).'],
      ['text for hours', { hours: 'two' }, 'hours', 'Enter the hours as a number, e.g. 1.5.'],
      ['a future date', { date: '2026-03-03' }, 'date', 'The date cannot be in the future.'],
      ['a date outside the term', { date: '2025-06-24' }, 'date', 'The date must be within the contract term (25 Jun 2025 – 25 Jun 2026).'],
      ['a date that does not exist', { date: '2026-02-30' }, 'date', 'Enter a real date as YYYY-MM-DD.'],
      ['an unknown bucket', { bucket: 'Training' }, 'bucket', "Choose one of this contract's buckets: Proactive, Reactive, Advisory."],
      ['an unknown escalation reference', { reference: 'ESC-CONTOSO-0999' }, 'reference', 'There is no escalation ESC-CONTOSO-0999 on this account.'],
      ['a reference that is not an escalation id', { reference: 'PO-1234' }, 'reference', 'A reference is an escalation id such as ESC-ACME-0042.'],
      ['no note', { note: ' ' }, 'note', 'Say what the hours were for.'],
    ];
    for (const [name, change, field, message] of invalid) {
      it(`refuses ${name} with a clear message beside ${field}, keeps the entries, and writes nothing`, async () => {
        const data = { bucket: 'Proactive', hours: '2', date: today, note: 'Workshop', reference: '', ...change };
        const card = await log(demo.users.alex, data);
        const json = JSON.stringify(card);
        assert.ok(json.includes(`"text":${JSON.stringify(message)}`), `${name}: ${cardText(card)}`);
        assert.ok(json.includes(`"id":"${field}"`));
        if (field !== 'bucket') assert.ok(json.includes(`"value":${JSON.stringify(String(data[field as keyof typeof data]))}`), 'the entry is kept');
        assert.equal((await ledger()).length, 16);
      });
    }

    it('refuses a customer, and writes nothing', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'log hours'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /not available to you/);
      const card = await log(demo.users.adele, { bucket: 'Proactive', hours: '2', date: today, note: 'x' });
      assert.match(cardText(card), /Only the TAM of the account or a manager can log hours\./);
      assert.doesNotMatch(JSON.stringify(card), /Commercial/);
      assert.equal((await ledger()).length, 16);
    });

    it('logs a double-clicked entry once', async () => {
      const data = { bucket: 'Proactive', hours: '2', date: today, note: 'Service review' };
      await Promise.all([log(demo.users.alex, data), log(demo.users.alex, data)]);
      const again = await log(demo.users.alex, data);
      assert.match(cardText(again), /Already logged: 2 h to Proactive on 2 Mar 2026\./);
      assert.equal((await ledger()).filter((e) => e.note === 'Service review').length, 1);
    });

    it('lets a manager log for the accounts of their TAMs', async () => {
      const card = await log(demo.users.megan, { bucket: 'Proactive', hours: '0.25', date: today, note: 'Escalation review' }, 'fabrikam');
      assert.match(cardText(card), /Logged 0\.25 h to Proactive/);
    });
  });

  describe('corrections', () => {
    it('reverses an entry with a new entry saying who and why, once only', async () => {
      await log(demo.users.alex, { bucket: 'Proactive', hours: '3', date: today, note: 'Logged on the wrong account' });
      const entry = (await ledger()).find((e) => e.note === 'Logged on the wrong account')!;
      const form = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.refresh', { accountId: 'contoso', mode: 'correct' }))).body);
      assert.match(cardText(form), /Correct an entry/);

      const missingReason = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: entry.entryId, reason: '' }))).body);
      assert.match(JSON.stringify(missingReason), /"text":"Say why the entry is corrected."/);
      assert.equal((await ledger()).length, 17);

      const reversed = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: entry.entryId, reason: 'Belongs to Fabrikam' }))).body);
      assert.match(cardText(reversed), /Reversed 3 h of Proactive on 2 Mar 2026\./);
      assert.match(bucketSection(reversed, 'Proactive'), /66 h of 120 h used/);
      const reversal = (await ledger()).find((e) => e.reverses === entry.entryId);
      assert.equal(reversal?.hours, -3);
      assert.equal(reversal?.reason, 'Belongs to Fabrikam');
      assert.equal(reversal?.loggedBy.name, 'Alex Wilber');
      assert.equal((await ledger()).find((e) => e.entryId === entry.entryId)?.hours, 3, 'the original is untouched');

      const twice = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: entry.entryId, reason: 'again' }))).body);
      assert.match(cardText(twice), /That entry was reversed already\./);
      const ofReversal = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: reversal.entryId, reason: 'undo' }))).body);
      assert.match(JSON.stringify(ofReversal), /A correction cannot itself be reversed\./);
      assert.equal((await ledger()).length, 18);
    });

    it('does not let a customer correct hours', async () => {
      const card = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'contract.reverseEntry', { accountId: 'contoso', entryId: 'seed-contoso-proactive-1', reason: 'too many' }))).body);
      assert.match(cardText(card), /Only the TAM of the account or a manager can correct hours\./);
      assert.equal((await ledger()).length, 16);
    });
  });
});
