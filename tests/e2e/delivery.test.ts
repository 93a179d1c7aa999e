import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

const channel = demo.contosoChannel;
// The test clock starts on 2 Mar 2026: Northwind's weekly check-in is due 4 Mar, Contoso's
// monthly one was due 25 Feb (overdue).

describe('delivery plans and check-ins through the HTTP server', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
  });

  afterEach(async () => {
    await bot.close();
  });

  async function invoke(user: TeamsUser, verb: string, data: Record<string, unknown>) {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data));
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  const plan = (account = 'northwind') => bot.running.repositories.plans.getPlan(account);
  const ledger = async (account = 'northwind') => {
    const contract = await bot.running.repositories.contracts.getContract(account);
    return bot.running.repositories.contracts.listEntries(account, contract!.contractId);
  };

  describe('the plan card', () => {
    it('shows what is due next, what is late, hours planned against delivered, and health', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'plan contoso'));
      const card = onlyCard(bot.connector.sent());
      const text = cardText(card);
      assert.match(text, /Service delivery plan/);
      assert.match(text, /Check-in overdue: it was due 25 Feb 2026 \(monthly\)/);
      assert.match(text, /48 h \/ 86 h\nhours delivered of planned/);
      assert.match(text, /1\nlate/);
      assert.match(text, /Azure governance workshop[\s\S]*In delivery · late since 10 Feb 2026 · 10 h of 16 h delivered · Alex Wilber/);
      assert.match(text, /12 Mar 2026\nnext: Patch compliance remediation/);
      assert.deepEqual(executeActions(card).map((a) => a.title).filter((t) => t !== 'Edit'), ['Add item', 'Check-in', 'Refresh']);
      assert.equal(executeActions(card).filter((a) => a.title === 'Edit').length, 7);
    });

    it('shows customers the plan without internal notes or edit buttons, and refuses their edits', async () => {
      await bot.running.repositories.plans.updatePlan('contoso', (p) => ({ ...p, items: p.items.map((i) => (i.itemId === 'PI-4' ? { ...i, note: 'Customer architect keeps cancelling' } : i)) }));
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'plan'));
      const card = onlyCard(bot.connector.sent());
      assert.match(cardText(card), /Azure governance workshop/);
      assert.doesNotMatch(JSON.stringify(card), /keeps cancelling/);
      assert.deepEqual(executeActions(card).map((a) => a.title), ['Refresh']);

      const before = await plan('contoso');
      const refused = await invoke(demo.users.adele, 'plan.addItem', { accountId: 'contoso', type: 'Workshop', title: 'Free workshop', plannedHours: '8', dueDate: '2026-04-01', owner: 'x', status: 'planned', health: 'green' });
      assert.match(cardText(refused), /Only the TAM of the account or a manager can change the delivery plan\./);
      const edit = await invoke(demo.users.adele, 'plan.refresh', { accountId: 'contoso', mode: 'edit', itemId: 'PI-4' });
      assert.match(cardText(edit), /Service delivery plan/, 'asking for the edit form gets the plan card');
      assert.deepEqual(await plan('contoso'), before);
    });
  });

  describe('plan items', () => {
    const valid = { accountId: 'northwind', type: 'Workshop', title: 'Defender for Endpoint workshop', plannedHours: '12', dueDate: '2026-05-20', owner: `${demo.tenantId}:${demo.users.patti.aadObjectId}`, status: 'planned', health: 'green' };

    it('adds and edits items', async () => {
      const added = await invoke(demo.users.patti, 'plan.addItem', valid);
      assert.match(cardText(added), /Added PI-4: Defender for Endpoint workshop\./);
      const item = (await plan())?.items.find((i) => i.itemId === 'PI-4');
      assert.equal(item?.plannedHours, 12);
      assert.equal(item?.owner.name, 'Patti Fernandez');

      const form = await invoke(demo.users.patti, 'plan.refresh', { accountId: 'northwind', mode: 'edit', itemId: 'PI-4' });
      assert.match(JSON.stringify(form), /"id":"title","label":"Title","value":"Defender for Endpoint workshop"/);
      const saved = await invoke(demo.users.patti, 'plan.updateItem', { ...valid, itemId: 'PI-4', status: 'scheduled', health: 'amber' });
      assert.match(cardText(saved), /Saved PI-4/);
      assert.equal((await plan())?.items.find((i) => i.itemId === 'PI-4')?.status, 'scheduled');
    });

    it('warns, without refusing, when the plan needs more hours than the Proactive bucket has left', async () => {
      const card = await invoke(demo.users.patti, 'plan.addItem', { ...valid, plannedHours: '190' });
      assert.match(cardText(card), /Added PI-4/);
      // Proactive: 200 purchased, 18 used -> 182 left; still to deliver: (20 - 6) + 16 + 190 = 220 h.
      assert.match(cardText(card), /The plan still needs 220 h, 38 h more than the 182 h left in the Proactive bucket\./);
      assert.equal((await plan())?.items.length, 4);
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ['an unknown service type', { type: 'Party' }, 'type', 'Choose the kind of service from the list.'],
      ['no title', { title: '' }, 'title', 'Give the item a title.'],
      ['zero hours', { plannedHours: '0' }, 'plannedHours', 'Hours must be more than 0.'],
      ['hours off the quarter-hour', { plannedHours: '2.1' }, 'plannedHours', 'Use quarter-hour steps (0.25, 0.5, 0.75 …).'],
      ['a due date outside the term', { dueDate: '2027-03-01' }, 'dueDate', 'The due date must be within the contract term (1 Jan 2026 – 1 Jan 2027).'],
      ['an owner who does not work on the account', { owner: `${demo.tenantId}:${demo.users.adele.aadObjectId}` }, 'owner', 'Choose the owner from the list.'],
      ['an unknown status', { status: 'done' }, 'status', 'Choose a status from the list.'],
      ['an unknown health', { health: 'blue' }, 'health', 'Choose green, amber or red.'],
    ];
    for (const [name, change, field, message] of invalid) {
      it(`refuses ${name} beside the field, keeping the entries, and writes nothing`, async () => {
        const before = await plan();
        const card = await invoke(demo.users.patti, 'plan.addItem', { ...valid, ...change });
        const json = JSON.stringify(card);
        assert.ok(json.includes(`"text":${JSON.stringify(message)}`), `${name}: ${cardText(card)}`);
        assert.ok(json.includes('"value":"Defender for Endpoint workshop"') || field === 'title', 'the entries are kept');
        assert.deepEqual(await plan(), before);
      });
    }
  });

  describe('check-ins', () => {
    const northwindCheckIn = { accountId: 'northwind', dueDate: '2026-03-04' };
    const pattisChat = `a:personal-${demo.users.patti.aadObjectId}`;

    it('sends the due check-in to the TAM when the clock passes its due date, once', async () => {
      await bot.post(installationUpdate(bot.serviceUrl, demo.users.patti, 'add'));
      bot.connector.reset();
      await bot.running.dispatcher.runOnce();
      assert.equal(bot.connector.sent(pattisChat).length, 0, 'not due before 4 Mar');
      bot.clock.advance(2 * 24 * 3600_000);
      const report = await bot.running.dispatcher.runOnce();
      assert.ok(report.checkInsQueued >= 1);
      const sent = bot.connector.sent(pattisChat);
      assert.equal(sent.length, 1);
      const card = onlyCard(sent);
      assert.match(cardText(card), /Delivery check-in/);
      assert.match(cardText(card), /Northwind Traders/);
      assert.match(cardText(card), /Azure landing zone review/, 'an item due before the next check-in');
      assert.doesNotMatch(cardText(card), /Onboarding workshop/, 'delivered items are not asked about');
      assert.deepEqual(executeActions(card).map((a) => a.verb), ['checkin.submit', 'plan.refresh']);
      await bot.running.dispatcher.runOnce();
      bot.clock.advance(24 * 3600_000);
      await bot.running.dispatcher.runOnce();
      assert.equal(bot.connector.sent(pattisChat).length, 1, 'sent once for this due date');
    });

    it('records the check-in, updates the plan and adds the delivered hours to the ledger the contract card shows, once', async () => {
      const checkIn = await bot.post(personalMessage(bot.serviceUrl, demo.users.patti, 'checkin'));
      assert.equal(checkIn.status, 200);
      assert.match(cardText(onlyCard(bot.connector.sent())), /due 4 Mar 2026/);

      const submission = {
        ...northwindCheckIn,
        'status_PI-2': 'delivered',
        'health_PI-2': 'green',
        'hours_PI-2': '6',
        'note_PI-2': 'Landing zone signed off by the customer architect',
        'status_PI-3': 'scheduled',
        'health_PI-3': 'amber',
        'hours_PI-3': '1.5',
        'note_PI-3': 'Waiting for dates',
      };
      const card = await invoke(demo.users.patti, 'checkin.submit', submission);
      assert.match(cardText(card), /Check-in of 4 Mar 2026 recorded\. 7\.5 h delivered went to the Proactive bucket\./);
      assert.ok(executeActions(card).some((a) => a.title === 'Post summary to the channel'));
      const after = await plan();
      assert.equal(after?.items.find((i) => i.itemId === 'PI-2')?.status, 'delivered');
      assert.equal(after?.items.find((i) => i.itemId === 'PI-3')?.health, 'amber');
      assert.equal(after?.nextCheckInDue, '2026-03-11');
      assert.equal(after?.lastCheckIn?.dueDate, '2026-03-04');
      const deliveries = (await ledger()).filter((e) => e.source === 'delivery' && e.date === '2026-03-02');
      assert.deepEqual(deliveries.map((e) => [e.reference, e.hours, e.bucket]).sort(), [['PI-2', 6, 'Proactive'], ['PI-3', 1.5, 'Proactive']]);

      const again = await invoke(demo.users.patti, 'checkin.submit', submission);
      assert.match(cardText(again), /The check-in of 4 Mar 2026 was recorded already\./);
      await Promise.all([invoke(demo.users.patti, 'checkin.submit', submission), invoke(demo.users.patti, 'checkin.submit', submission)]);
      assert.equal((await ledger()).filter((e) => e.source === 'delivery' && e.date === '2026-03-02').length, 2, 'no second ledger entry');

      const contract = await invoke(demo.users.patti, 'contract.refresh', { accountId: 'northwind' });
      assert.match(cardText(contract), /25\.5 h of 200 h used/, '18 h before + 7.5 h delivered');
    });

    it('answers a card of a check-in recorded two check-ins ago with what it recorded, and writes nothing', async () => {
      const first = { ...northwindCheckIn, 'status_PI-2': 'in-delivery', 'health_PI-2': 'green', 'hours_PI-2': '1', 'note_PI-2': '' };
      assert.match(cardText(await invoke(demo.users.patti, 'checkin.submit', first)), /Check-in of 4 Mar 2026 recorded/);
      // The same card sent again (a second press, another copy of the card), with hours on an item the first left out: recorded already, nothing added.
      const entries = (await ledger()).length;
      const resent = { ...first, 'status_PI-3': 'scheduled', 'health_PI-3': 'green', 'hours_PI-3': '3', 'note_PI-3': '' };
      assert.match(cardText(await invoke(demo.users.patti, 'checkin.submit', resent)), /The check-in of 4 Mar 2026 was recorded already\./);
      assert.equal((await ledger()).length, entries, 'no hours logged by the resent card');
      const second = { ...first, dueDate: '2026-03-11', 'hours_PI-2': '2' };
      assert.match(cardText(await invoke(demo.users.patti, 'checkin.submit', second)), /Check-in of 11 Mar 2026 recorded/);
      const before = [await plan(), (await ledger()).length];
      const old = await invoke(demo.users.patti, 'checkin.submit', { ...first, 'hours_PI-2': '5' });
      assert.match(cardText(old), /The check-in of 4 Mar 2026 was recorded already\./);
      assert.deepEqual([await plan(), (await ledger()).length], before);
    });

    it('adds nothing twice when two people submit the same check-in at the same moment', async () => {
      const submission = { ...northwindCheckIn, 'status_PI-2': 'in-delivery', 'health_PI-2': 'green', 'hours_PI-2': '4', 'note_PI-2': '' };
      await Promise.all([invoke(demo.users.patti, 'checkin.submit', submission), invoke(demo.users.megan, 'checkin.submit', submission)]);
      assert.equal((await ledger()).filter((e) => e.source === 'delivery' && e.reference === 'PI-2').length, 2, 'the seeded delivery and one new entry');
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ['an unknown status', { 'status_PI-2': 'finished' }, 'status_PI-2', 'Choose a status from the list.'],
      ['an unknown health', { 'health_PI-2': 'purple' }, 'health_PI-2', 'Choose green, amber or red.'],
      ['negative hours', { 'hours_PI-2': '-1' }, 'hours_PI-2', 'Hours cannot be negative.'],
      ['more than 24 hours', { 'hours_PI-2': '30' }, 'hours_PI-2', 'At most 24 hours.'],
      ['hours off the quarter-hour', { 'hours_PI-2': '1.1' }, 'hours_PI-2', 'Use quarter-hour steps (0.25, 0.5, 0.75 …).'],
      ['a note over 500 characters', { 'note_PI-2': 'x'.repeat(501) }, 'note_PI-2', 'The note can be at most 500 characters.'],
    ];
    for (const [name, change, field, message] of invalid) {
      it(`refuses a check-in with ${name} beside the field, and writes nothing`, async () => {
        const before = [await plan(), (await ledger()).length];
        const card = await invoke(demo.users.patti, 'checkin.submit', { ...northwindCheckIn, 'status_PI-2': 'delivered', 'health_PI-2': 'green', 'hours_PI-2': '2', 'note_PI-2': 'ok', ...change });
        const json = JSON.stringify(card);
        assert.ok(json.includes(`"text":${JSON.stringify(message)}`), `${name}: ${cardText(card)}`);
        assert.ok(json.includes(`"id":"${field}"`));
        assert.deepEqual([await plan(), (await ledger()).length], before);
        assert.equal(await bot.running.repositories.plans.getCheckIn('northwind', '2026-03-04'), undefined);
      });
    }

    it('refuses a check-in from a customer', async () => {
      const card = await invoke(demo.users.lynne, 'checkin.submit', { accountId: 'fabrikam', dueDate: '2026-03-05', 'status_PI-4': 'delivered', 'health_PI-4': 'green', 'hours_PI-4': '16' });
      assert.match(cardText(card), /Only the TAM of the account or a manager can record a check-in\./);
      assert.equal((await bot.running.repositories.plans.getCheckIn('fabrikam', '2026-03-05')), undefined);
    });

    it('posts a customer-facing summary to the account channel once, without internal notes', async () => {
      await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
      bot.connector.reset();
      const contosoCheckIn = { accountId: 'contoso', dueDate: '2026-02-25', 'status_PI-4': 'in-delivery', 'health_PI-4': 'amber', 'hours_PI-4': '2', 'note_PI-4': 'Customer architect keeps cancelling' };
      await invoke(demo.users.alex, 'checkin.submit', contosoCheckIn);
      assert.equal((await plan('contoso'))?.nextCheckInDue, '2026-03-25', 'the overdue monthly check-in moves one month on');
      const posted = await invoke(demo.users.alex, 'checkin.postSummary', { accountId: 'contoso', dueDate: '2026-02-25' });
      assert.match(cardText(posted), /The summary is posted in the account channel\./);
      const twice = await invoke(demo.users.alex, 'checkin.postSummary', { accountId: 'contoso', dueDate: '2026-02-25' });
      assert.match(cardText(twice), /The summary was posted already\./);
      const summaries = bot.connector.sent(channel.channelId);
      assert.equal(summaries.length, 1);
      const summary = cardsIn(summaries[0])[0] ?? {};
      assert.match(cardText(summary), /Service delivery update/);
      assert.match(cardText(summary), /Azure governance workshop/);
      assert.doesNotMatch(JSON.stringify(summary), /keeps cancelling|GBP|250,000/);
      const customer = await invoke(demo.users.adele, 'checkin.postSummary', { accountId: 'contoso', dueDate: '2026-02-25' });
      assert.match(cardText(customer), /Only the TAM of the account or a manager can post the summary\./);
    });
  });
});
