import assert from 'node:assert/strict';
import { actionExecute, botAdded, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { adaptiveCardProblems, cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeConnector } from '../support/fake-connector';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import type { Alert } from '../../src/domain/alert';
import { contractFindings } from '../../src/domain/alert-rules';
import { calendarDateOf } from '../../src/domain/calendar-date';
import { raiseAlerts } from '../../src/services/alerts';

const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const minute = 60_000;

const bucket90 = 'bucket:CONTOSO-UE-2026:Reactive:90';
const checkInOverdue = 'check-in-overdue:contoso:2026-02-25';
const itemLate = 'item-late:contoso:PI-4:2026-02-10';
const sevA = { title: 'Mail down', description: 'd', severity: 'A', product: 'Exchange Server', businessImpact: 'all', contactPhone: '+44 20 7946 0958' };
const escalationKey = { accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001' };

describe('alerts that tell the truth', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
    for (const user of [demo.users.alex, demo.users.megan, demo.users.patti]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  const alert = (account: string, id: string): Promise<Alert | undefined> => bot.running.repositories.alerts.get(account, id);

  async function sweep(): Promise<void> {
    assert.equal((await bot.running.dispatcher.runOnce()).ran, true);
  }

  /** Cards a person received in personal chat whose text has `marker`. */
  function received(user: TeamsUser, marker: string): Record<string, unknown>[] {
    return bot.connector.sent(chat(user)).flatMap((a) => cardsIn(a)).filter((c) => cardText(c).includes(marker));
  }

  async function press(user: TeamsUser, verb: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data));
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  /** The titles of the rows of an alerts list card. */
  const titlesOf = (card: Record<string, unknown>): string[] =>
    ((card.body as { type?: string; columns?: { items?: { inlines?: { text?: string }[] }[] }[] }[]) ?? [])
      .filter((e) => e.type === 'ColumnSet' && e.columns?.length === 2)
      .map((e) => e.columns?.[1]?.items?.[0]?.inlines?.[0]?.text ?? '');

  async function alertsList(user: TeamsUser, argument = ''): Promise<Record<string, unknown>> {
    await bot.post(personalMessage(bot.serviceUrl, user, `alerts ${argument}`.trim()));
    return onlyCard(bot.connector.sent(chat(user)));
  }

  describe('resolving themselves when the condition clears', () => {
    it('resolves a bucket alert when its hours are corrected below the threshold, and raises a new occurrence when it is crossed again', async () => {
      await sweep();
      assert.equal((await alert('contoso', bucket90))?.status, 'open', '74 of 80 h is 92.5%');
      const reversed = await press(demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: 'seed-contoso-reactive-6', reason: 'Belongs to Fabrikam' });
      assert.match(cardText(reversed), /Revers/);
      await sweep();
      const resolved = await alert('contoso', bucket90);
      assert.equal(resolved?.status, 'resolved');
      assert.equal(resolved?.resolvedAt, bot.clock.now().toISOString());
      assert.equal(resolved?.resolvedReason, 'Corrected: Reactive is 80% used, below 90%.');
      assert.equal(resolved?.occurrence, 1);

      const all = cardText(await alertsList(demo.users.megan, 'all'));
      // Alert cards read in the recipient's zone: the demo people are in Europe/London.
      assert.match(all, /Resolved 2 Mar 09:00 Europe\/London: Corrected: Reactive is 80% used, below 90%\./, 'the list says when and why');

      const sentBefore = received(demo.users.megan, 'Reactive hours 90% used').length;
      bot.clock.advance(5 * minute);
      const logged = await press(demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Reactive', hours: '10', date: '2026-03-02', note: 'Second VPN incident' });
      assert.match(cardText(logged), /Logged 10 h to Reactive/);
      await sweep();
      const again = await alert('contoso', `${bucket90}#2`);
      assert.equal(again?.status, 'open', 'the condition came back: a new alert');
      assert.equal(again?.occurrence, 2);
      assert.equal(again?.findingKey, bucket90);
      assert.equal((await alert('contoso', bucket90))?.status, 'resolved', 'the first occurrence stays resolved');
      assert.equal((await bot.running.repositories.outbox.get(`alert:${bucket90}#2:${key(demo.users.megan)}:0`))?.status, 'sent');
      assert.equal(received(demo.users.megan, 'Reactive hours 90% used').length, sentBefore + 1, 'the new occurrence is announced once');

      bot.clock.advance(10 * minute);
      await sweep();
      await sweep();
      assert.equal(received(demo.users.megan, 'Reactive hours 90% used').length, sentBefore + 1, 'and only once');
      assert.equal(await alert('contoso', `${bucket90}#3`), undefined);
    });

    it('resolves the check-in and late-item alerts once the check-in is recorded with the item delivered, and says so on the card', async () => {
      await sweep();
      assert.equal((await alert('contoso', checkInOverdue))?.status, 'open');
      assert.equal((await alert('contoso', itemLate))?.status, 'open');
      bot.clock.advance(13 * minute);
      const recorded = await press(demo.users.alex, 'checkin.submit', { accountId: 'contoso', dueDate: '2026-02-25', 'status_PI-4': 'delivered', 'health_PI-4': 'green', 'hours_PI-4': '2' });
      assert.doesNotMatch(cardText(recorded), /did not work/);
      await sweep();
      const checkIn = await alert('contoso', checkInOverdue);
      assert.equal(checkIn?.status, 'resolved', 'one sweep after the check-in');
      assert.equal(checkIn?.resolvedReason, 'Check-in recorded.');
      const item = await alert('contoso', itemLate);
      assert.equal(item?.status, 'resolved');
      assert.equal(item?.resolvedReason, 'Item delivered.');
      assert.equal(item?.nextReminderAt, undefined);

      // A press on the card already sent shows it resolved, with nothing left to press but Open.
      const card = await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: itemLate });
      assert.match(cardText(card), /Resolved 2 Mar 09:13 Europe\/London: Item delivered\./);
      assert.deepEqual(executeActions(card).map((a) => a.title), ['Open plan']);
      assert.equal((await alert('contoso', itemLate))?.acknowledgedBy, undefined, 'a resolved alert is not acknowledged after the fact');

      const open = titlesOf(await alertsList(demo.users.megan));
      assert.ok(open.includes('Reactive hours 90% used'), open.join(', '));
      assert.ok(!open.includes('Delivery check-in overdue') && !open.includes('Plan item late: Azure governance workshop'), 'the open list leaves resolved alerts out');
    });

    it('resolves a late-item alert when the item is re-dated, and an acknowledged one too', async () => {
      await sweep();
      await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: itemLate });
      assert.equal((await alert('contoso', itemLate))?.status, 'acknowledged');
      const plan = await bot.running.repositories.plans.getPlan('contoso');
      const pi4 = plan?.items.find((i) => i.itemId === 'PI-4');
      assert.ok(pi4);
      await press(demo.users.alex, 'plan.updateItem', { accountId: 'contoso', itemId: 'PI-4', type: pi4.type, title: pi4.title, plannedHours: String(pi4.plannedHours), dueDate: '2026-03-20', owner: pi4.owner.key, status: pi4.status, health: pi4.health });
      await sweep();
      const redated = await alert('contoso', itemLate);
      assert.equal(redated?.status, 'resolved');
      assert.equal(redated?.resolvedReason, 'Re-dated to 20 Mar 2026.');
      assert.equal(redated?.acknowledgedBy?.name, 'Megan Bowen', 'who saw it is kept');
    });

    it('resolves the severity A and breach alerts when the escalation is acknowledged, and stops their reminders', async () => {
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', sevA, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
      await bot.running.background.idle();
      bot.clock.set('2026-03-02T10:01:00Z');
      await sweep();
      const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-02T10:00:00.000Z';
      assert.equal((await alert('contoso', breached))?.status, 'open');
      await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', escalationKey, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
      await sweep();
      const sevAlert = await alert('contoso', 'sev-a:ESC-CONTOSO-0001');
      assert.equal(sevAlert?.status, 'resolved');
      assert.equal(sevAlert?.resolvedReason, 'The escalation was acknowledged.');
      assert.equal((await alert('contoso', breached))?.resolvedReason, 'Responded: the response target is met.');
      bot.clock.set('2026-03-02T13:00:00Z');
      await sweep();
      assert.equal(await bot.running.repositories.outbox.get(`alert:${breached}:${key(demo.users.megan)}:1`), undefined, 'no reminder of the cleared breach');
      assert.equal(await bot.running.repositories.outbox.get(`alert:sev-a:ESC-CONTOSO-0001:${key(demo.users.megan)}:2`), undefined, 'nor of the acknowledged escalation');
    });
  });

  describe('the alerts list', () => {
    it('gives each open row Open, Acknowledge and Snooze, answers a press with the list, and toggles between open and all', async () => {
      await sweep();
      const list = await alertsList(demo.users.megan);
      assert.deepEqual(adaptiveCardProblems(list), []);
      const actions = executeActions(list);
      const rows = actions.filter((a) => (a.data as { alertId?: string } | undefined)?.alertId === itemLate);
      assert.deepEqual(rows.map((a) => a.title), ['Seen, stop reminders', 'Snooze 1 h']);
      const openPlan = actions.filter((a) => a.title === 'Open plan');
      assert.ok(openPlan.length >= 1);
      assert.deepEqual(openPlan[0]?.data, { command: 'plan', argument: 'contoso' });
      assert.ok(actions.some((a) => a.title === 'Open contract'));
      assert.deepEqual(actions.filter((a) => a.title === 'Show all, resolved too').map((a) => [a.verb, a.data]), [['alerts.show', { show: 'all' }]]);

      const snooze = rows.find((a) => a.title === 'Snooze 1 h');
      const snoozed = await press(demo.users.megan, snooze?.verb ?? '', snooze?.data as Record<string, unknown>);
      assert.match(cardText(snoozed), /Snoozed: Plan item late: Azure governance workshop/);
      assert.match(cardText(snoozed), /Snoozed until 2 Mar 10:00 Europe\/London/);
      assert.equal((await alert('contoso', itemLate))?.snoozedUntil, '2026-03-02T10:00:00.000Z');

      const ack = executeActions(snoozed).find((a) => a.title === 'Seen, stop reminders' && (a.data as { alertId?: string }).alertId === itemLate);
      const acked = await press(demo.users.megan, ack?.verb ?? '', ack?.data as Record<string, unknown>);
      assert.match(cardText(acked), /Seen, reminders stopped: Plan item late/);
      assert.equal((await alert('contoso', itemLate))?.status, 'acknowledged');
      assert.deepEqual(
        executeActions(acked).filter((a) => (a.data as { alertId?: string } | undefined)?.alertId === itemLate).map((a) => a.title),
        [],
        'an acknowledged row keeps only Open',
      );

      await press(demo.users.alex, 'checkin.submit', { accountId: 'contoso', dueDate: '2026-02-25', 'status_PI-4': 'delivered', 'health_PI-4': 'green', 'hours_PI-4': '2' });
      await sweep();
      assert.ok(!titlesOf(await alertsList(demo.users.megan)).includes('Plan item late: Azure governance workshop'), 'resolved: out of the open list');
      const all = await press(demo.users.megan, 'alerts.show', { show: 'all' });
      assert.ok(titlesOf(all).includes('Plan item late: Azure governance workshop'), 'and in the list of all');
      assert.match(cardText(all), /Resolved 2 Mar 09:00 Europe\/London: Item delivered\. Seen by Megan Bowen\./);
      assert.deepEqual(executeActions(all).filter((a) => a.title === 'Show open only').map((a) => a.data), [{ show: 'open' }]);
      assert.deepEqual(executeActions(all).filter((a) => a.title === 'Refresh').map((a) => a.data), [{ show: 'all' }], 'Refresh keeps the choice');
      assert.ok(!titlesOf(await press(demo.users.megan, 'alerts.show', { show: 'open' })).includes('Plan item late: Azure governance workshop'), 'and back');
    });
  });

  describe('one acknowledge', () => {
    async function openSevA(): Promise<void> {
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', sevA, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
      await bot.running.background.idle();
      bot.connector.reset();
    }

    it('acknowledges the escalation from its severity A alert: response target met, timeline entry, channel card updated', async () => {
      await openSevA();
      const sent = received(demo.users.megan, 'New severity A escalation');
      assert.equal(sent.length, 0, 'reset');
      // The card Megan got when it opened, rendered as it is now.
      const before = await press(demo.users.megan, 'escalation.refresh', escalationKey);
      assert.match(cardText(before), /New/);
      bot.clock.advance(20 * minute);
      const alertCard = await press(demo.users.megan, 'alert.snooze', { accountId: 'contoso', alertId: 'sev-a:ESC-CONTOSO-0001', minutes: '60' });
      assert.deepEqual(executeActions(alertCard).map((a) => a.title), ['Acknowledge', 'Snooze 1 h', 'Snooze 4 h', 'Snooze 1 day', 'Open escalation']);

      const acked = await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: 'sev-a:ESC-CONTOSO-0001' });
      assert.match(cardText(acked), /ESC-CONTOSO-0001 acknowledged 2 Mar 09:20 Europe\/London, the response target is met/);
      assert.match(cardText(acked), /Acknowledged by Megan Bowen/);
      const escalation = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
      assert.equal(escalation?.status, 'acknowledged');
      assert.equal(escalation?.sla.respondedAt, '2026-03-02T09:20:00.000Z', 'the response target is met at that moment');
      assert.ok(escalation?.timeline.some((t) => t.kind === 'acknowledged' && t.by.name === 'Megan Bowen'), 'the timeline says who');
      const stored = await alert('contoso', 'sev-a:ESC-CONTOSO-0001');
      assert.equal(stored?.status, 'acknowledged');
      assert.equal(stored?.acknowledgedBy?.name, 'Megan Bowen');

      await bot.running.background.idle();
      const channel = bot.connector.updates(demo.contosoChannel.channelId);
      assert.equal(channel.length, 1, 'the channel card is updated in place');
      assert.equal(channel[0]?.activityId, 'intake-1');
      assert.match(cardText(cardsIn(channel[0]?.body)[0]), /Acknowledged by Megan Bowen/);

      const again = await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: 'sev-a:ESC-CONTOSO-0001' });
      assert.match(cardText(again), /Acknowledged by Megan Bowen/);
      const after = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
      assert.equal(after?.version, escalation?.version, 'a second press changes nothing');
    });

    it('offers "Seen, stop reminders" and Update on an update-cadence alert of an acknowledged escalation', async () => {
      await openSevA();
      await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', escalationKey, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
      await bot.running.background.idle();
      bot.clock.advance(61 * minute);
      await sweep();
      const overdue = 'sla-breached:update:ESC-CONTOSO-0001:2026-03-02T10:00:00.000Z';
      assert.equal((await alert('contoso', overdue))?.status, 'open');
      const card = received(demo.users.alex, 'SLA breached: ESC-CONTOSO-0001')[0];
      assert.ok(card, 'the update breach reaches the TAM');
      const actions = executeActions(card);
      assert.deepEqual(actions.map((a) => a.title), ['Seen, stop reminders', 'Update', 'Snooze 1 h', 'Snooze 4 h', 'Snooze 1 day', 'Open escalation']);
      const update = actions[1];
      assert.equal(update?.verb, 'escalation.refresh');
      assert.deepEqual(update?.data, { ...escalationKey, mode: 'update' });
      const form = await press(demo.users.alex, update?.verb ?? '', update?.data);
      assert.ok(executeActions(form).some((a) => a.verb === 'escalation.update'), 'Update opens the update form');

      const version = (await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.version;
      const seen = await press(demo.users.alex, 'alert.acknowledge', { accountId: 'contoso', alertId: overdue });
      assert.match(cardText(seen), /Seen, reminders stopped/);
      assert.equal((await alert('contoso', overdue))?.status, 'acknowledged');
      assert.equal((await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.version, version, 'the escalation is not touched');
    });

    it('once the escalation is acknowledged elsewhere, its severity A alert only says "Seen, stop reminders"', async () => {
      await openSevA();
      await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', escalationKey, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
      const card = await press(demo.users.megan, 'alert.snooze', { accountId: 'contoso', alertId: 'sev-a:ESC-CONTOSO-0001', minutes: '60' });
      assert.deepEqual(executeActions(card).map((a) => a.title).slice(0, 1), ['Seen, stop reminders']);
      const seen = await press(demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: 'sev-a:ESC-CONTOSO-0001' });
      assert.match(cardText(seen), /Seen, reminders stopped/);
      const escalation = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
      assert.equal(escalation?.timeline.filter((t) => t.kind === 'acknowledged').length, 1, 'acknowledged once, by Alex');
    });
  });

  describe('a condition that returns', () => {
    let other: TestBot | undefined;
    afterEach(async () => {
      await other?.close().catch(() => undefined);
      other = undefined;
    });

    /** Bucket back under 90%, swept (resolved), then over it again, not yet swept. */
    async function resolveThenReturn(target: TestBot): Promise<void> {
      await target.running.dispatcher.runOnce();
      await target.post(actionExecute(target.serviceUrl, demo.users.alex, 'contract.reverseEntry', { accountId: 'contoso', entryId: 'seed-contoso-reactive-6', reason: 'Belongs to Fabrikam' }));
      target.clock.advance(minute);
      await target.running.dispatcher.runOnce();
      assert.equal((await target.running.repositories.alerts.get('contoso', bucket90))?.status, 'resolved');
      target.clock.advance(minute);
      await target.post(actionExecute(target.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Reactive', hours: '10', date: '2026-03-02', note: 'Second VPN incident' }));
    }

    it('raises its new occurrence once when two instances see it return at the same moment', async () => {
      const connector = new FakeConnector();
      await connector.start();
      try {
        await bot.close();
        bot = await TestBot.start({ connector, instanceId: 'instance-a' });
        other = await TestBot.start({ connector, instanceId: 'instance-b', embeddedCosmosEndpoint: bot.running.embeddedCosmosEndpoint!, clock: new ManualClock() });
        for (const user of [demo.users.alex, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
        await resolveThenReturn(bot);
        other.clock.set(bot.clock.now().toISOString());
        const { contracts } = bot.running.repositories;
        const contract = await contracts.getContract('contoso');
        assert.ok(contract);
        const findings = contractFindings(contract, await contracts.listEntries('contoso', contract.contractId), calendarDateOf(bot.clock.now()));
        const depsOf = (b: TestBot) => ({ ...b.running.repositories, clock: b.clock, providerTenantIds: [demo.tenantId] });
        const [a, b] = await Promise.all([raiseAlerts(depsOf(bot), findings), raiseAlerts(depsOf(other), findings)]);
        const queued = [...a.queued, ...b.queued].filter((id) => id.includes(`${bucket90}#2`));
        assert.deepEqual(queued.sort(), [`alert:${bucket90}#2:${key(demo.users.alex)}:0`, `alert:${bucket90}#2:${key(demo.users.megan)}:0`], 'one message per recipient, queued by one instance');
        assert.equal((await bot.running.repositories.alerts.listLaterOccurrences('contoso', bucket90)).length, 1, 'one second occurrence');
        connector.reset();
        await Promise.all([bot.running.dispatcher.runOnce(), other.running.dispatcher.runOnce()]);
        await bot.running.dispatcher.runOnce();
        const cards = connector.sent(chat(demo.users.megan)).flatMap((x) => cardsIn(x)).filter((c) => cardText(c).includes('Reactive hours 90% used'));
        assert.equal(cards.length, 1, 'Megan hears of it once');
      } finally {
        await other?.close().catch(() => undefined);
        other = undefined;
        await bot.close();
        await connector.stop();
        bot = await TestBot.start();
      }
    });

    it('keeps "once per occurrence" across a restart', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-alerts-'));
      const clock = new ManualClock();
      await bot.close();
      try {
        bot = await TestBot.start({ dataDir, clock, instanceId: 'the-instance' });
        for (const user of [demo.users.alex, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
        await resolveThenReturn(bot);
        await bot.close();
        bot = await TestBot.start({ dataDir, clock, instanceId: 'the-instance' });
        bot.connector.reset();
        await sweep();
        assert.equal((await alert('contoso', `${bucket90}#2`))?.status, 'open', 'the returned condition is raised after the restart');
        assert.equal((await alert('contoso', bucket90))?.status, 'resolved');
        await bot.close();
        bot = await TestBot.start({ dataDir, clock, instanceId: 'the-instance' });
        bot.connector.reset();
        clock.advance(minute);
        await sweep();
        assert.equal(await alert('contoso', `${bucket90}#3`), undefined, 'nothing new after a second restart');
        assert.equal(received(demo.users.megan, 'Reactive hours 90% used').length, 0, 'and nothing sent twice');
      } finally {
        await bot.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
        bot = await TestBot.start();
      }
    });
  });
});
