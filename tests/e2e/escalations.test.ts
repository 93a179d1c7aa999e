import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsChannel, type TeamsUser } from '../support/activities';
import { adaptiveCardProblems, cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

const sevA = {
  title: 'Exchange mail flow stopped',
  description: 'No inbound mail since 08:40 for all users.',
  severity: 'A',
  product: 'Exchange Server',
  businessImpact: 'All 4,000 users without mail; trading desk blocked.',
  contactPhone: '+44 20 7946 0958',
  supportCaseId: '',
};

const channel = demo.contosoChannel;

describe('escalations through the HTTP server', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
    // The bot is in the Contoso channel, and Alex (TAM) and Megan (manager) have it installed.
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
    await bot.post(installationUpdate(bot.serviceUrl, demo.users.alex, 'add'));
    await bot.post(installationUpdate(bot.serviceUrl, demo.users.megan, 'add'));
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  async function create(user: TeamsUser, data: Record<string, unknown>, where: { channel?: TeamsChannel; replyToId?: string; id?: string } = { channel, replyToId: 'intake-1' }) {
    const activity = actionExecute(bot.serviceUrl, user, 'escalation.create', data, where);
    if (where.id) activity.id = where.id;
    const res = await bot.post(activity);
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  async function act(user: TeamsUser, verb: string, data: Record<string, unknown>, where: { channel?: TeamsChannel; replyToId?: string } = { channel, replyToId: 'intake-1' }) {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso', ...data }, where));
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  const stored = (id = 'ESC-CONTOSO-0001', account = 'contoso') => bot.running.repositories.escalations.get(account, id);
  const openCount = async (account = 'contoso') => (await bot.running.repositories.escalations.listOpen(account)).length;

  describe('a severity A escalation from the customer channel', () => {
    it('is stored, updates the channel card in place, notifies TAM and manager, and keeps its SLA clock', async () => {
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'escalate'));
      const intake = onlyCard(bot.connector.sent());
      assert.match(cardText(intake), /Open an escalation/);
      assert.match(cardText(intake), /Contoso Ltd/);
      assert.deepEqual(executeActions(intake).map((a) => a.verb), ['escalation.create']);

      const card = await create(demo.users.adele, sevA);
      const text = cardText(card);
      assert.match(text, /Opened ESC-CONTOSO-0001/);
      assert.match(text, /Response due in 1 h\n/);
      assert.doesNotMatch(text, /\+44 20 7946 0958/, 'the customer view does not show the phone');
      assert.deepEqual(executeActions(card).map((a) => a.title), ['Add note', 'Refresh']);

      const escalation = await stored();
      assert.equal(escalation?.status, 'new');
      assert.equal(escalation?.severity, 'A');
      assert.equal(escalation?.openedBy.name, 'Adele Vance');
      assert.equal(escalation?.sla.responseDueAt, '2026-03-02T10:00:00.000Z');
      assert.deepEqual(escalation?.channelCard, { conversationId: channel.channelId, activityId: 'intake-1', syncedVersion: 1 });

      const updates = bot.connector.updates(channel.channelId);
      assert.equal(updates.length, 1, 'the intake message became the escalation card for everyone');
      assert.equal(updates[0]?.activityId, 'intake-1');
      const channelCard = cardsIn(updates[0]?.body)[0] ?? {};
      assert.deepEqual(adaptiveCardProblems(channelCard), []);
      const refresh = channelCard.refresh as { userIds: string[]; action: { verb: string } };
      assert.equal(refresh.action.verb, 'escalation.refresh');
      assert.ok(refresh.userIds.includes(`29:${demo.users.adele.aadObjectId}`));

      await bot.running.background.idle();
      for (const person of [demo.users.alex, demo.users.megan]) {
        const sent = bot.connector.sent(`a:personal-${person.aadObjectId}`);
        assert.equal(sent.length, 1, `${person.name} is notified once`);
        const notice = onlyCard(sent);
        assert.match(cardText(notice), /New severity A escalation: ESC-CONTOSO-0001/);
        assert.match(cardText(notice), /\+44 20 7946 0958/, 'the TAM sees the 24x7 phone');
      }
      const items = await bot.running.repositories.outbox.listDue(bot.clock.now(), 10);
      assert.equal(items.length, 0, 'both notifications are marked sent');

      bot.clock.advanceMinutes(22);
      const refreshed = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.refresh', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }, { channel, replyToId: 'intake-1' }))).body);
      assert.match(cardText(refreshed), /Response due in 38 min/);
      assert.deepEqual(executeActions(refreshed).map((a) => a.title), ['Assign', 'Acknowledge', 'Update', 'Change severity', 'Resolve', 'Refresh']);

      bot.clock.advanceMinutes(50);
      const megansView = cardText(invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.megan, 'escalation.refresh', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }))).body));
      assert.match(megansView, /Response overdue by 12 min/);
      assert.match(megansView, /SLA breached: response overdue by 12 min/, 'a manager sees the breach');

      bot.connector.reset();
      const acknowledged = cardText(await act(demo.users.alex, 'escalation.acknowledge', {}));
      assert.match(acknowledged, /Acknowledged/);
      assert.match(acknowledged, /Responded in 1 h 12 min, 12 min late/);
      assert.match(acknowledged, /Next update due in 1 h/);
      assert.match(acknowledged, /Acknowledged by Alex Wilber/);
      const inPlace = bot.connector.updates(channel.channelId);
      assert.equal(inPlace.length, 1);
      assert.equal(inPlace[0]?.activityId, 'intake-1', 'the same channel message is updated in place');
      assert.match(cardText(cardsIn(inPlace[0]?.body)[0]), /Acknowledged by Alex Wilber/);
      assert.equal((await stored())?.status, 'acknowledged');
      assert.equal((await stored())?.owner?.name, 'Alex Wilber');

      bot.clock.advanceMinutes(61);
      const late = cardText(await act(demo.users.adele, 'escalation.refresh', {}));
      assert.match(late, /Update overdue by 1 min/);
    });

    it('offers the TAM the account choice in personal chat and posts the card to the account channel', async () => {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'escalate'));
      const intake = onlyCard(bot.connector.sent());
      const json = JSON.stringify(intake);
      assert.match(json, /"value":"contoso"/);
      assert.match(json, /"value":"fabrikam"/);
      assert.doesNotMatch(json, /northwind/);

      const card = await create(demo.users.alex, { ...sevA, severity: 'B', accountId: 'contoso' }, { replyToId: 'personal-intake' });
      assert.match(cardText(card), /Opened ESC-CONTOSO-0001/);
      await bot.running.background.idle();
      const posted = bot.connector.sent(channel.channelId);
      assert.equal(posted.length, 1);
      assert.match(cardText(onlyCard(posted)), /ESC-CONTOSO-0001/);
      const escalation = await stored();
      assert.equal(escalation?.channelCard?.syncedVersion, 1);
      assert.ok(escalation?.channelCard?.activityId, 'the posted message id is kept for updates in place');
    });

    it('refuses an account the TAM does not work on, and writes nothing', async () => {
      const card = await create(demo.users.alex, { ...sevA, accountId: 'northwind' }, { replyToId: 'personal-intake' });
      assert.match(cardText(card), /only for your own accounts/);
      assert.equal(await openCount('northwind'), 0);
    });
  });

  describe('invalid intake', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['missing title', { ...sevA, title: '   ' }, 'title', 'Give the escalation a title.'],
      ['over-long description', { ...sevA, description: 'x'.repeat(4001) }, 'description', 'The description can be at most 4000 characters.'],
      ['unknown severity', { ...sevA, severity: 'D' }, 'severity', 'Choose severity A, B or C.'],
      ['severity A without business impact', { ...sevA, businessImpact: '' }, 'businessImpact', 'Severity A needs the business impact.'],
      ['severity A without phone', { ...sevA, contactPhone: '' }, 'contactPhone', 'Severity A needs a phone number where you can be reached 24x7.'],
      ['unknown product', { ...sevA, product: 'Lotus Notes' }, 'product', 'Choose the product from the list.'],
      ['a phone number without digits', { ...sevA, contactPhone: 'call me' }, 'contactPhone', 'Give a phone number with digits, e.g. +44 20 7946 0958.'],
    ];
    for (const [name, data, field, message] of cases) {
      it(`returns the card with the error beside ${field} and the entries kept for ${name}, writing nothing`, async () => {
        const card = await create(demo.users.adele, data);
        const body = JSON.stringify(card);
        assert.match(body, /"type":"Input.Text","id":"title"/);
        const elements = flatten(card.body);
        const input = elements.findIndex((e) => e.id === field);
        assert.ok(input >= 0, `the form has ${field}`);
        const after = elements.slice(input + 1).find((e) => e.type === 'TextBlock' && e.color === 'Attention');
        assert.equal(after?.text, message);
        if (field !== 'description' && typeof data.description === 'string') assert.equal(elements.find((e) => e.id === 'description')?.value, data.description);
        assert.equal(elements.find((e) => e.id === 'businessImpact')?.value, data.businessImpact);
        assert.equal(await openCount(), 0);
        assert.equal(await bot.running.repositories.escalations.nextNumberHint('contoso'), 1);
        assert.equal(bot.connector.calls.length, 0);
      });
    }
  });

  describe('authorisation', () => {
    beforeEach(async () => {
      await create(demo.users.adele, sevA);
      await bot.running.background.idle();
      bot.connector.reset();
    });

    it('does not let a customer acknowledge or resolve, and changes nothing', async () => {
      const ack = cardText(await act(demo.users.adele, 'escalation.acknowledge', {}));
      assert.match(ack, /Only the TAM of the account or a manager can acknowledge an escalation\./);
      const resolve = cardText(await act(demo.users.adele, 'escalation.resolve', { resolution: 'fixed it myself' }));
      assert.match(resolve, /Only the TAM of the account or a manager can resolve an escalation\./);
      const escalation = await stored();
      assert.equal(escalation?.status, 'new');
      assert.equal(escalation?.timeline.length, 1);
      assert.equal(bot.connector.updates().length, 0);
    });

    it('lets a customer add a note, which does not stop the SLA clock', async () => {
      const card = cardText(await act(demo.users.adele, 'escalation.update', { note: 'Still down for everyone.' }));
      assert.match(card, /Adele Vance added a note/);
      assert.match(card, /Still down for everyone\./);
      const escalation = await stored();
      assert.equal(escalation?.sla.respondedAt, undefined);
      assert.equal(escalation?.status, 'new');
    });

    it('does not show or change the escalation for a customer of another account', async () => {
      const fabrikamChannel = { teamId: 'fab-team', channelId: '19:fabrikam@thread.tacv2', name: 'Support', tenantId: demo.tenantId };
      await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, fabrikamChannel, 'link fabrikam'));
      bot.connector.reset();
      for (const verb of ['escalation.refresh', 'escalation.update', 'escalation.acknowledge', 'escalation.reopen']) {
        const card = await act(demo.users.lynne, verb, { note: 'hello', reason: 'x' }, { channel: fabrikamChannel });
        assert.match(cardText(card), /There is no escalation ESC-CONTOSO-0001 that you can see/, verb);
      }
      await bot.post(channelMessage(bot.serviceUrl, demo.users.lynne, fabrikamChannel, 'escalation ESC-CONTOSO-0001'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /There is no escalation ESC-CONTOSO-0001 that you can see/);
      await bot.post(channelMessage(bot.serviceUrl, demo.users.lynne, fabrikamChannel, 'escalations'));
      assert.doesNotMatch(cardText(onlyCard(bot.connector.sent())), /ESC-CONTOSO/);
      assert.equal((await stored())?.timeline.length, 1);
    });

    it('does not let a TAM of another account acknowledge', async () => {
      const card = cardText(await act(demo.users.patti, 'escalation.acknowledge', {}, {}));
      assert.match(card, /There is no escalation ESC-CONTOSO-0001 that you can see/);
      assert.equal((await stored())?.status, 'new');
    });

    it('drops a user from a tenant that is not allowed before any handler runs', async () => {
      const outsider = demo.users.outsider;
      const res = await bot.post(actionExecute(bot.serviceUrl, outsider, 'escalation.create', { ...sevA, title: 'From outside' }, { channel: { ...channel, tenantId: outsider.tenantId } }));
      assert.notEqual(res.status, 500);
      assert.equal(await openCount(), 1);
      assert.equal(bot.connector.calls.length, 0);
      assert.ok(bot.logs.some((l) => l.event === 'turn.tenant_refused' && l.tenantId === outsider.tenantId));
    });
  });

  describe('user text', () => {
    it('shows links, template syntax and card JSON typed by a user as literal text, adding no action', async () => {
      const hostile = {
        ...sevA,
        title: '[click](https://evil.example)',
        description: '${secret} {"type":"Action.OpenUrl","url":"https://evil.example"}',
        businessImpact: '**everyone** <at>Alex</at> ${config.key}',
      };
      const card = await create(demo.users.adele, hostile);
      const json = JSON.stringify(card);
      const runs = textRuns(card);
      assert.ok(runs.includes('[click](https://evil.example)'), 'the title is a plain text run');
      assert.ok(runs.includes('${secret} {"type":"Action.OpenUrl","url":"https://evil.example"}'));
      assert.ok(runs.includes('**everyone** <at>Alex</at> ${config.key}'));
      assert.doesNotMatch(json, /"type":"Action.OpenUrl"/);
      assert.ok(executeActions(card).every((a) => a.verb.startsWith('escalation.')));
      const textBlocks = flatten(card.body).filter((e) => e.type === 'TextBlock').map((e) => String(e.text));
      assert.ok(textBlocks.every((t) => !t.includes('evil.example') && !t.includes('${secret}')), 'no user text in a markdown TextBlock');
    });
  });

  describe('idempotency and concurrency', () => {
    it('creates one escalation for the same invoke delivered twice, a double click, and a retry with a new activity id', async () => {
      await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1', id: 'same-activity' });
      const again = await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1', id: 'same-activity' });
      assert.match(cardText(again), /This was opened already as ESC-CONTOSO-0001/);
      await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1' });
      bot.clock.advanceMinutes(3);
      await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1', id: 'retry-with-new-id' });
      assert.equal(await openCount(), 1);
      await bot.running.background.idle();
      assert.equal(bot.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`).length, 1, 'the TAM is notified once');
    });

    it('opens a new escalation for the same submission once the repeat window has passed, in one batch', async () => {
      await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1' });
      bot.clock.advanceMinutes(9);
      assert.match(cardText(await create(demo.users.adele, sevA, { channel, replyToId: 'intake-1' })), /opened already as ESC-CONTOSO-0001/);
      bot.clock.advanceMinutes(2);
      const later = await create(demo.users.adele, sevA, { channel, replyToId: 'intake-2' });
      assert.match(cardText(later), /Opened ESC-CONTOSO-0002/);
      assert.equal(await openCount(), 2);
      // A repeat now answers with the second one: its intake took the place of the first.
      assert.match(cardText(await create(demo.users.adele, sevA, { channel, replyToId: 'intake-2' })), /opened already as ESC-CONTOSO-0002/);
      assert.equal(await openCount(), 2);
    });

    it('creates one escalation when the same submission arrives twice at the same moment', async () => {
      await Promise.all([create(demo.users.adele, sevA), create(demo.users.adele, sevA), create(demo.users.adele, sevA)]);
      assert.equal(await openCount(), 1);
    });

    it('allocates readable ids without gaps or duplicates when people open escalations at once', async () => {
      const titles = Array.from({ length: 8 }, (_, i) => `Issue ${i + 1}`);
      await Promise.all(titles.map((title, i) => create(i % 2 ? demo.users.adele : demo.users.alex, { ...sevA, severity: 'C', title }, { channel, replyToId: `intake-${i}` })));
      const ids = (await bot.running.repositories.escalations.listOpen('contoso')).map((e) => e.escalationId).sort();
      assert.deepEqual(ids, titles.map((_, i) => `ESC-CONTOSO-${String(i + 1).padStart(4, '0')}`));
      assert.equal(await bot.running.repositories.escalations.nextNumberHint('contoso'), 9);
    });

    it('keeps both changes when two people update the same escalation at once', async () => {
      await create(demo.users.adele, sevA);
      await Promise.all([
        act(demo.users.alex, 'escalation.update', { note: 'Transport service restarted.', status: 'investigating' }),
        act(demo.users.megan, 'escalation.update', { note: 'Escalated to the product group.' }),
        act(demo.users.adele, 'escalation.update', { note: 'Users report partial recovery.' }),
      ]);
      const escalation = await stored();
      const notes = escalation?.timeline.map((t) => t.text).filter(Boolean);
      assert.deepEqual(notes?.sort(), ['Escalated to the product group.', 'Transport service restarted.', 'Users report partial recovery.']);
      assert.equal(escalation?.status, 'investigating');
      assert.equal(escalation?.version, 4);
    });

    it('applies a double-clicked action once', async () => {
      await create(demo.users.adele, sevA);
      await Promise.all([act(demo.users.alex, 'escalation.update', { note: 'On it.' }), act(demo.users.alex, 'escalation.update', { note: 'On it.' })]);
      await act(demo.users.alex, 'escalation.update', { note: 'On it.' });
      assert.equal((await stored())?.timeline.filter((t) => t.text === 'On it.').length, 1);
    });
  });

  describe('lifecycle', () => {
    beforeEach(async () => {
      await create(demo.users.adele, sevA);
      bot.connector.reset();
    });

    it('walks from new to closed and back, each change on the timeline, with form errors beside the field', async () => {
      let card = await act(demo.users.alex, 'escalation.update', { note: 'Looking at transport logs.', status: 'investigating' });
      assert.match(cardText(card), /Alex Wilber set the status to Investigating/);

      card = await act(demo.users.alex, 'escalation.changeSeverity', { severity: 'B', reason: '' });
      assert.match(JSON.stringify(card), /"text":"A reason is required."/);
      assert.equal((await stored())?.severity, 'A');
      card = await act(demo.users.alex, 'escalation.changeSeverity', { severity: 'B', reason: 'Mail flowing for most users.' });
      assert.match(cardText(card), /Lowered from severity A to B by Alex Wilber/);

      card = await act(demo.users.alex, 'escalation.resolve', { resolution: '' });
      assert.match(JSON.stringify(card), /"text":"The resolution is required."/);
      card = await act(demo.users.alex, 'escalation.resolve', { resolution: 'Certificate renewed on the edge servers.' });
      assert.match(cardText(card), /Resolved by Alex Wilber/);
      assert.match(cardText(card), /Certificate renewed on the edge servers\./);

      const strangerReopen = cardText(await act(demo.users.stranger, 'escalation.reopen', { reason: 'no' }));
      assert.match(strangerReopen, /Only the person who opened it/);
      card = await act(demo.users.adele, 'escalation.reopen', { reason: 'Mail stopped again at 14:00.' });
      assert.match(cardText(card), /Reopened by Adele Vance/);
      assert.equal((await stored())?.status, 'reopened');

      await act(demo.users.alex, 'escalation.resolve', { resolution: 'Second certificate renewed.' });
      card = await act(demo.users.alex, 'escalation.close', {});
      assert.match(cardText(card), /Closed by Alex Wilber/);
      const escalation = await stored();
      assert.equal(escalation?.status, 'closed');
      assert.deepEqual(
        escalation?.timeline.map((t) => t.kind),
        ['opened', 'status', 'severity', 'resolved', 'reopened', 'resolved', 'closed'],
      );
      assert.equal(bot.connector.updates(channel.channelId).length, 6, 'the channel card followed each of the six changes in place');
      assert.equal(await openCount(), 0);
    });

    it('opens a form on the card for the person who asked, and cancels back to the card', async () => {
      const form = await act(demo.users.alex, 'escalation.refresh', { mode: 'resolve' });
      assert.deepEqual(executeActions(form).map((a) => a.title), ['Resolve', 'Cancel']);
      const customerAsks = await act(demo.users.adele, 'escalation.refresh', { mode: 'resolve' });
      assert.ok(!executeActions(customerAsks).some((a) => a.title === 'Resolve'), 'a customer cannot open the resolve form');
    });
  });

  describe('listing and showing', () => {
    it('lists open escalations most urgent first, scoped to the channel, the TAM or the manager', async () => {
      await create(demo.users.adele, { ...sevA, severity: 'C', title: 'Slow search' }, { channel, replyToId: 'c' });
      await create(demo.users.adele, { ...sevA, title: 'Mail down' }, { channel, replyToId: 'a' });
      await create(demo.users.adele, { ...sevA, severity: 'B', title: 'Backups failing' }, { channel, replyToId: 'b' });
      await create(demo.users.alex, { ...sevA, severity: 'B', title: 'Fabrikam VPN', accountId: 'fabrikam' }, { replyToId: 'f' });
      bot.connector.reset();

      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'escalations'));
      const channelList = cardText(onlyCard(bot.connector.sent()));
      const order = ['Mail down', 'Backups failing', 'Slow search'].map((t) => channelList.indexOf(t));
      assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > (order[k - 1] ?? 0))), channelList);
      assert.doesNotMatch(channelList, /Fabrikam VPN/);

      await bot.post(personalMessage(bot.serviceUrl, demo.users.megan, 'escalations'));
      const managerList = cardText(onlyCard(bot.connector.sent()));
      assert.match(managerList, /Fabrikam VPN/);
      assert.match(managerList, /Mail down/);

      await bot.post(personalMessage(bot.serviceUrl, demo.users.patti, 'escalations'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /Nothing open/);
    });

    it('shows one escalation by id to those who may see it', async () => {
      await create(demo.users.adele, sevA);
      bot.connector.reset();
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'escalation esc-contoso-0001'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /Exchange mail flow stopped/);
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'escalation 42'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /Which escalation\?/);
    });
  });

  describe('Escalate this message', () => {
    const messagePayload = {
      id: '1700000000000',
      body: { contentType: 'html', content: '<p>VPN drops every 5 minutes&nbsp;for the London office.</p><p>Started after the update.</p>' },
      from: { user: { id: '29:lynne', displayName: 'Lynne Robbins' } },
      linkToMessage: 'https://teams.microsoft.com/l/message/19:general/1700000000000',
    };

    it('opens the intake form prefilled from the message, and creates the escalation from it', async () => {
      const fetch = await bot.post({
        ...actionExecute(bot.serviceUrl, demo.users.adele, 'x', {}, { channel }),
        name: 'composeExtension/fetchTask',
        value: { commandId: 'escalateMessage', commandContext: 'message', messagePayload },
      });
      assert.equal(fetch.status, 200);
      const task = (fetch.body as { task: { type: string; value: { card: { content: Record<string, unknown> } } } }).task;
      assert.equal(task.type, 'continue');
      const form = task.value.card.content;
      assert.deepEqual(adaptiveCardProblems(form), []);
      const elements = flatten(form.body);
      assert.equal(elements.find((e) => e.id === 'title')?.value, 'VPN drops every 5 minutes for the London office.');
      assert.match(String(elements.find((e) => e.id === 'description')?.value), /Started after the update\./);
      assert.match(JSON.stringify(form), /"type":"Action.Submit"/);

      const submitData = {
        ...sevA,
        severity: 'B',
        title: 'VPN drops every 5 minutes for the London office.',
        description: 'VPN drops every 5 minutes.',
        sourceLink: messagePayload.linkToMessage,
        sourceAuthor: 'Lynne Robbins',
      };
      const submit = await bot.post({
        ...actionExecute(bot.serviceUrl, demo.users.adele, 'x', {}, { channel }),
        name: 'composeExtension/submitAction',
        value: { commandId: 'escalateMessage', commandContext: 'message', data: submitData },
      });
      assert.deepEqual(submit.body, { task: { type: 'message', value: "ESC-CONTOSO-0001 is open. Its card is in the account's channel." } });
      await bot.running.background.idle();
      const posted = bot.connector.sent(channel.channelId);
      assert.equal(posted.length, 1);
      assert.match(cardText(onlyCard(posted)), /From a message by\nLynne Robbins/);
      assert.equal((await stored())?.sourceMessage?.link, messagePayload.linkToMessage);
    });

    it('keeps the dialog open with the errors when the form is invalid', async () => {
      const submit = await bot.post({
        ...actionExecute(bot.serviceUrl, demo.users.adele, 'x', {}, { channel }),
        name: 'composeExtension/submitAction',
        value: { commandId: 'escalateMessage', commandContext: 'message', data: { ...sevA, title: '' } },
      });
      const task = (submit.body as { task: { type: string; value: { card: { content: Record<string, unknown> } } } }).task;
      assert.equal(task.type, 'continue');
      assert.match(JSON.stringify(task.value.card.content), /Give the escalation a title\./);
      assert.equal(await openCount(), 0);
    });
  });

  describe('durable notifications', () => {
    it('retries a notification the connector refused until it is delivered, and never twice', async () => {
      const megansChat = `a:personal-${demo.users.megan.aadObjectId}`;
      // More failures than one pass's retry budget (4 attempts): the first pass gives up, the item stays pending.
      let failures = 6;
      bot.connector.respondWith((call) =>
        call.conversationId === megansChat && failures-- > 0 ? { status: 503 } : undefined,
      );
      await create(demo.users.adele, sevA);
      await bot.running.background.idle();
      assert.equal(bot.connector.sent(megansChat).length, 0);
      const pending = await bot.running.repositories.outbox.get(`alert:sev-a:ESC-CONTOSO-0001:${demo.tenantId}:${demo.users.megan.aadObjectId}:0`);
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.attempts, 1);

      const megansNotices = async (): Promise<number> => {
        await bot.running.dispatcher.runOnce();
        return bot.connector.sent(megansChat).filter((a) => JSON.stringify(a).includes('ESC-CONTOSO-0001')).length;
      };
      assert.equal(await megansNotices(), 0, 'not due yet');
      bot.clock.advanceMinutes(1);
      assert.equal(await megansNotices(), 1, 'two more failures, then delivered within the pass');
      assert.equal(await megansNotices(), 1, 'delivered once');
      assert.equal((await bot.running.repositories.outbox.get(pending.id))?.status, 'sent');
      assert.equal(bot.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`).filter((a) => JSON.stringify(a).includes('ESC-CONTOSO-0001')).length, 1);
    });

    it('marks a notification undeliverable and retires the chat when the bot was removed (403)', async () => {
      const alexChat = `a:personal-${demo.users.alex.aadObjectId}`;
      bot.connector.respondWith((call) => (call.conversationId === alexChat ? { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } } : undefined));
      await create(demo.users.adele, sevA);
      await bot.running.background.idle();
      const item = await bot.running.repositories.outbox.get(`alert:sev-a:ESC-CONTOSO-0001:${demo.tenantId}:${demo.users.alex.aadObjectId}:0`);
      assert.equal(item?.status, 'undeliverable');
      assert.ok((await bot.running.repositories.conversations.getPersonal(demo.users.alex))?.retiredAt);
    });

    it('re-posts a channel card the connector failed to update, on the next dispatcher pass', async () => {
      await create(demo.users.adele, sevA);
      bot.connector.respondWith((call) => (call.method === 'PUT' ? { status: 502 } : undefined));
      await act(demo.users.alex, 'escalation.acknowledge', {});
      assert.equal((await stored())?.channelCard?.syncedVersion, 1, 'the card is behind the record');
      bot.connector.respondWith(undefined);
      const report = await bot.running.dispatcher.runOnce();
      assert.equal(report.cardsSynced, 1);
      assert.equal((await stored())?.channelCard?.syncedVersion, 2);
    });
  });
});

/** Every element of a card body, depth first. */
function flatten(body: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string') out.push(record);
      for (const key of ['items', 'columns', 'body', 'inlines']) if (record[key]) walk(record[key]);
    }
  };
  walk(body);
  return out;
}

function textRuns(card: Record<string, unknown>): string[] {
  return flatten(card.body)
    .filter((e) => e.type === 'TextRun')
    .map((e) => String(e.text));
}
