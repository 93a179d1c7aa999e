import assert from 'node:assert/strict';
import { actionExecute, botAdded, installationUpdate, type TeamsUser } from '../support/activities';
import { adaptiveCardProblems, cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard } from '../support/conversation-helpers';
import { addSecondContosoTam, demo, TestBot } from '../support/test-bot';
import type { ConnectorCall } from '../support/fake-connector';

const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const sevA = { title: 'Mail down', description: 'd', severity: 'A', product: 'Exchange Server', businessImpact: 'all', contactPhone: '+44 20 7946 0958' };
const sevB = { title: 'Backups failing', description: 'd', severity: 'B', product: 'SQL Server' };
const escalationKey = { accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001' };
const sevAAlert = 'sev-a:ESC-CONTOSO-0001';

describe('live alert cards: every card already sent tells the truth', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
    for (const user of [demo.users.alex, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  async function sweep(): Promise<void> {
    assert.equal((await bot.running.dispatcher.runOnce()).ran, true);
    await bot.running.background.idle();
  }

  async function press(user: TeamsUser, verb: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data));
    assert.equal(res.status, 200);
    const card = invokeCard(res.body);
    await bot.running.background.idle();
    return card;
  }

  /** The activity id of a person's card of an alert (0: the first notice, 1, 2 ...: reminders). */
  async function cardId(alertId: string, user: TeamsUser, reminder = 0): Promise<string> {
    const item = await bot.running.repositories.outbox.get(`alert:${alertId}:${key(user)}:${reminder}`);
    assert.equal(item?.status, 'sent', `${user.name} got ${alertId}`);
    return item.activityId ?? '';
  }

  /** In-place updates of one message in a person's chat, as the card each shows. */
  function updatesOf(user: TeamsUser, activityId: string): Record<string, unknown>[] {
    return bot.connector
      .updates(chat(user))
      .filter((c: ConnectorCall) => c.activityId === activityId)
      .map((c) => cardsIn(c.body)[0] ?? {});
  }

  async function openEscalation(data: Record<string, unknown>): Promise<void> {
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', data, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
    await bot.running.background.idle();
  }

  it('updates every recipient\'s card in place when one of them acknowledges, and only once per change', async () => {
    await openEscalation(sevA);
    const alexCard = await cardId(sevAAlert, demo.users.alex);
    const meganCard = await cardId(sevAAlert, demo.users.megan);
    bot.connector.reset();

    await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: sevAAlert });
    const alexSees = updatesOf(demo.users.alex, alexCard);
    assert.equal(alexSees.length, 1, "Alex's copy is replaced in place");
    assert.deepEqual(adaptiveCardProblems(alexSees[0]), []);
    assert.match(cardText(alexSees[0]), /Acknowledged by Megan Bowen/);
    assert.match(cardText(alexSees[0]), /ESC-CONTOSO-0001 · severity A · acknowledged/, 'with the escalation as it is now');
    const owner = (await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.owner?.name ?? 'nobody';
    assert.ok(cardText(alexSees[0]).includes(`Owner\n${owner}`), `and its owner, ${owner}`);
    assert.deepEqual(executeActions(alexSees[0]).map((a) => a.title), ['Open escalation'], 'nothing left to acknowledge');
    assert.equal(updatesOf(demo.users.megan, meganCard).length, 1, "and Megan's own");
    assert.equal(bot.connector.sent(chat(demo.users.alex)).length, 0, 'no new message');

    await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: sevAAlert });
    await sweep();
    const afterSweep = updatesOf(demo.users.alex, alexCard);
    assert.equal(afterSweep.length, 2, 'the sweep resolves it (the escalation is acknowledged): one more update');
    assert.match(cardText(afterSweep[1]), /Resolved .*: The escalation was acknowledged\./);
    await sweep();
    await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: sevAAlert });
    assert.equal(updatesOf(demo.users.alex, alexCard).length, 2, 'a press or a sweep that changes nothing updates nothing');
  });

  it('shows a snooze on every copy, reminders included', async () => {
    await openEscalation(sevA);
    bot.clock.set('2026-03-02T10:00:30Z');
    await sweep();
    const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-02T10:00:00.000Z';
    const first = await cardId(sevAAlert, demo.users.alex);
    const reminder = await cardId(sevAAlert, demo.users.alex, 1);
    assert.notEqual(first, reminder);
    bot.connector.reset();
    await press(demo.users.megan, 'alert.snooze', { accountId: 'contoso', alertId: sevAAlert, minutes: '240' });
    for (const id of [first, reminder]) {
      const seen = updatesOf(demo.users.alex, id);
      assert.equal(seen.length, 1, `card ${id} updated`);
      // Alert cards read in the recipient's zone: the demo people are in Europe/London.
      assert.match(cardText(seen[0]), /Snoozed until 2 Mar 14:00 Europe\/London/);
    }
    assert.match(cardText(updatesOf(demo.users.alex, reminder)[0]), /Reminder · Critical/, 'a reminder stays a reminder');
    assert.equal(updatesOf(demo.users.alex, await cardId(breached, demo.users.alex)).length, 0, 'other alerts are left alone');
  });

  it('follows the escalation: at risk, breached, responded; never the minutes in between', async () => {
    await openEscalation(sevB);
    bot.clock.set('2026-03-02T10:36:00Z');
    await sweep();
    const atRisk = 'sla-at-risk:response:ESC-CONTOSO-0001:2026-03-02T11:00:00.000Z';
    const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-02T11:00:00.000Z';
    const riskCard = await cardId(atRisk, demo.users.megan);
    bot.connector.reset();
    for (const at of ['2026-03-02T10:40:00Z', '2026-03-02T10:50:00Z', '2026-03-02T10:59:00Z']) {
      bot.clock.set(at);
      if (at === '2026-03-02T10:50:00Z') {
        // A change the rules look at, that the alert card does not show.
        await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.update', { ...escalationKey, note: 'Still failing' }, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
        await bot.running.background.idle();
      }
      await sweep();
    }
    assert.deepEqual(bot.connector.updates(chat(demo.users.megan)), [], 'the countdown alone (or a note) changes no alert card');

    bot.clock.set('2026-03-02T11:01:00Z');
    await sweep();
    const whenBreached = updatesOf(demo.users.megan, riskCard);
    assert.equal(whenBreached.length, 1);
    assert.match(cardText(whenBreached[0]), /Resolved 2 Mar 11:01 Europe\/London: Now breached: see the breach alert\./);
    const breachCard = await cardId(breached, demo.users.megan);

    bot.clock.set('2026-03-02T11:10:00Z');
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', escalationKey, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
    await bot.running.background.idle();
    await sweep();
    const responded = updatesOf(demo.users.megan, breachCard);
    assert.equal(responded.length, 1, 'the breach card says it is over');
    assert.match(cardText(responded[0]), /Resolved 2 Mar 11:10 Europe\/London: Responded: the response target is met\./);
    assert.match(cardText(responded[0]), /severity B · acknowledged/);
    const risk = updatesOf(demo.users.megan, riskCard);
    assert.equal(risk.length, 2, 'the at-risk card follows the escalation too');
    assert.match(cardText(risk[1]), /severity B · acknowledged/);
    assert.equal(updatesOf(demo.users.alex, await cardId(breached, demo.users.alex)).length, 1, 'for every recipient');

    bot.clock.set('2026-03-02T11:30:00Z');
    await sweep();
    assert.equal(updatesOf(demo.users.megan, breachCard).length, 1, 'nothing more while nothing changes');
  });

  it('keeps trying an update the connector throttles, and sends it once', async () => {
    await openEscalation(sevA);
    const alexCard = await cardId(sevAAlert, demo.users.alex);
    bot.connector.reset();
    let throttled = 0;
    bot.connector.respondWith((call) => {
      if (call.method === 'PUT' && call.conversationId === chat(demo.users.alex) && throttled < 5) {
        throttled += 1;
        return { status: 429, headers: { 'retry-after': '1' } };
      }
      return undefined;
    });
    await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: sevAAlert });
    for (let pass = 0; pass < 6 && updatesOf(demo.users.alex, alexCard).length === 0; pass++) {
      bot.clock.advance(5 * 60_000);
      await sweep();
    }
    assert.ok(throttled >= 1, 'the connector said 429');
    assert.equal(updatesOf(demo.users.alex, alexCard).length, 1, 'the update lands once, after the 429s');
  });
  it('a state seen before (snoozed, handed on, handed back) still brings every card up to date', async () => {
    await openEscalation(sevA);
    await sweep();
    const alexCard = await cardId(sevAAlert, demo.users.alex);
    await press(demo.users.alex, 'alert.snooze', { ...escalationKey, alertId: sevAAlert, minutes: '60' });
    const before = updatesOf(demo.users.alex, alexCard).length;
    await addSecondContosoTam(bot);
    const version = async (): Promise<string> => String((await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.version);
    await press(demo.users.alex, 'escalation.assign', { ...escalationKey, version: await version(), assignee: key(demo.users.ben), reason: 'Cover' });
    await sweep();
    await press(demo.users.megan, 'escalation.assign', { ...escalationKey, version: await version(), assignee: key(demo.users.alex), reason: 'Back' });
    await sweep();
    const shown = updatesOf(demo.users.megan, await cardId(sevAAlert, demo.users.megan)).map(cardText);
    assert.ok(shown.length > 0);
    assert.match(shown[shown.length - 1] ?? '', /Owner\nAlex Wilber/, 'the last update shows Alex again');
    assert.ok(updatesOf(demo.users.alex, alexCard).length >= before);
  });

  it('an update that finds no card (404) drops that update only: the chat is not retired', async () => {
    await openEscalation(sevA);
    await sweep();
    const alexCard = await cardId(sevAAlert, demo.users.alex);
    bot.connector.respondWith((call) => (call.method === 'PUT' && call.activityId === alexCard ? { status: 404, body: { error: { code: 'NotFound', message: 'Activity not found' } } } : undefined));
    await press(demo.users.megan, 'alert.snooze', { ...escalationKey, alertId: sevAAlert, minutes: '60' });
    await sweep();
    bot.connector.respondWith(undefined);
    const reference = await bot.running.repositories.conversations.getPersonal({ tenantId: demo.tenantId, aadObjectId: demo.users.alex.aadObjectId });
    assert.ok(reference && !reference.retiredAt, 'Alex can still be reached');
  });
});
