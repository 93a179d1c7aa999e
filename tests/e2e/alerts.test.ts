import assert from 'node:assert/strict';
import { actionExecute, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { FakeConnector } from '../support/fake-connector';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import { realTimer, type Timer } from '../../src/notify/rate-limits';
import { deliverOutboxItem } from '../../src/services/deliver-outbox';
import type { OutboxItem } from '../../src/domain/outbox';
import { JsonLogger } from '../../src/logging/json-logger';

const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const minute = 60_000;
const day = 24 * 60 * minute;

describe('proactive alerts through the HTTP server', () => {
  let bot: TestBot;

  async function install(target: TestBot, ...users: TeamsUser[]): Promise<void> {
    for (const user of users) await target.post(installationUpdate(target.serviceUrl, user, 'add'));
  }

  /** Cards the connector accepted for a person whose text mentions `marker`. */
  function received(target: TestBot, user: TeamsUser, marker: string, account?: string): Record<string, unknown>[] {
    return target.connector.sent(chat(user)).filter((a) => cardsIn(a).some((c) => cardText(c).includes(marker) && (!account || cardText(c).includes(account))));
  }

  async function sweep(target: TestBot = bot): Promise<void> {
    const report = await target.running.dispatcher.runOnce();
    assert.equal(report.ran, true);
  }

  describe('each rule fires once per threshold, to the account TAMs and their managers', () => {
    beforeEach(async () => {
      bot = await TestBot.start();
      await install(bot, demo.users.alex, demo.users.megan, demo.users.patti);
      bot.connector.reset();
    });

    afterEach(async () => {
      await bot.close();
    });

    const alert = (account: string, id: string) => bot.running.repositories.alerts.get(account, id);

    it('raises the demo world alerts on the first sweep, once, to the right people', async () => {
      await sweep();
      const expected: [string, string, TeamsUser[]][] = [
        ['contoso', 'bucket:CONTOSO-UE-2026:Reactive:90', [demo.users.alex, demo.users.megan]],
        ['contoso', 'exhaustion:CONTOSO-UE-2026:Reactive', [demo.users.alex, demo.users.megan]],
        ['contoso', 'check-in-overdue:contoso:2026-02-25', [demo.users.alex, demo.users.megan]],
        ['contoso', 'item-late:contoso:PI-4:2026-02-10', [demo.users.alex, demo.users.megan]],
        ['fabrikam', 'renewal:FABRIKAM-PR-2026:90', [demo.users.alex, demo.users.megan]],
        ['fabrikam', 'unused:FABRIKAM-PR-2026:Proactive', [demo.users.alex, demo.users.megan]],
        ['fabrikam', 'item-late:fabrikam:PI-5:2026-02-20', [demo.users.alex, demo.users.megan]],
      ];
      for (const [account, id, people] of expected) {
        const raised = await alert(account, id);
        assert.ok(raised, `${id} is raised`);
        assert.deepEqual(raised.recipients, people.map(key).sort(), id);
        for (const person of people) {
          const item = await bot.running.repositories.outbox.get(`alert:${id}:${key(person)}:0`);
          assert.equal(item?.status, 'sent', `${id} to ${person.name}`);
        }
      }
      assert.equal(await alert('northwind', 'renewal:NORTHWIND-UP-2026:90'), undefined, 'Northwind renews in 305 days');
      const sentBefore = bot.connector.sent().length;
      await sweep();
      bot.clock.advance(10 * minute);
      await sweep();
      assert.equal(bot.connector.sent().length, sentBefore, 'nothing is sent twice');
      const card = received(bot, demo.users.megan, 'Reactive hours 90% used')[0];
      assert.ok(card);
      assert.deepEqual(executeActions(cardsIn(card)[0]).map((a) => a.title), ['Seen, stop reminders', 'Snooze 1 h', 'Snooze 4 h', 'Snooze 1 day', 'Open contract'], 'no escalation to acknowledge: the button says what it does');
    });

    it('announces a bucket crossing 75%, then 90%, never the same threshold twice', async () => {
      await sweep();
      let incident = 0;
      const log = (hours: string) => {
        incident += 1;
        return bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'fabrikam', bucket: 'Reactive', hours, date: '2026-03-02', note: `Incident ${incident}` }));
      };
      assert.equal(await alert('fabrikam', 'bucket:FABRIKAM-PR-2026:Reactive:75'), undefined, '28 of 40 h is 70%');
      const first = await log('2');
      assert.equal(first.status, 200);
      assert.match(cardText(invokeCard(first.body)), /Logged 2 h to Reactive/, 'the hours are logged');
      await sweep();
      assert.ok(await alert('fabrikam', 'bucket:FABRIKAM-PR-2026:Reactive:75'), 'the 75% alert is raised');
      assert.equal(received(bot, demo.users.megan, 'Reactive hours 75% used', 'Fabrikam').length, 1, 'the manager hears of 75%');
      await log('4');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'Reactive hours 75% used', 'Fabrikam').length, 1, '85% crosses nothing new');
      await log('2');
      await sweep();
      assert.ok(await alert('fabrikam', 'bucket:FABRIKAM-PR-2026:Reactive:90'), 'the 90% alert is raised');
      assert.equal(received(bot, demo.users.alex, 'Reactive hours 90% used', 'Fabrikam').length, 1, 'the TAM hears of 90% once');
      assert.equal(received(bot, demo.users.alex, 'Reactive hours 75% used', 'Fabrikam').length, 1, 'and of 75% once');
    });

    it('announces the renewal at 90, then 60 days', async () => {
      await sweep();
      assert.ok(await alert('fabrikam', 'renewal:FABRIKAM-PR-2026:90'));
      bot.clock.advance(5 * day);
      await sweep();
      assert.equal(await alert('fabrikam', 'renewal:FABRIKAM-PR-2026:60'), undefined, '61 days left');
      bot.clock.advance(day);
      await sweep();
      assert.ok(await alert('fabrikam', 'renewal:FABRIKAM-PR-2026:60'));
      assert.equal(received(bot, demo.users.megan, 'Renewal in').length, 2);
    });

    it('calls a check-in overdue three days after its due date, and a plan item late the day after', async () => {
      await sweep();
      bot.clock.set('2026-03-07T12:00:00Z');
      await sweep();
      assert.equal(await alert('northwind', 'check-in-overdue:northwind:2026-03-04'), undefined, 'three days late is still due');
      bot.clock.set('2026-03-08T00:30:00Z');
      await sweep();
      const overdue = await alert('northwind', 'check-in-overdue:northwind:2026-03-04');
      assert.deepEqual(overdue?.recipients, [key(demo.users.patti)], 'Northwind has a TAM without a manager');
      assert.equal(received(bot, demo.users.patti, 'Delivery check-in overdue').length, 1);
      bot.clock.set('2026-03-17T01:00:00Z');
      await sweep();
      assert.ok(await alert('northwind', 'item-late:northwind:PI-2:2026-03-16'));
      assert.equal(received(bot, demo.users.patti, 'Plan item late: Azure landing zone review').length, 1);
    });

    it('warns when an SLA is at risk, escalates to critical when it is breached, and reminds until acknowledged', async () => {
      await sweep();
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Backups failing', description: 'd', severity: 'B', product: 'SQL Server' }, { channel: demo.contosoChannel, replyToId: 'i' }));
      const atRisk = 'sla-at-risk:response:ESC-CONTOSO-0001:2026-03-02T11:00:00.000Z';
      const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-02T11:00:00.000Z';
      bot.clock.set('2026-03-02T10:35:00Z');
      await sweep();
      assert.equal(await alert('contoso', atRisk), undefined, '95 of 120 minutes is 79%');
      bot.clock.set('2026-03-02T10:36:00Z');
      await sweep();
      assert.equal((await alert('contoso', atRisk))?.severity, 'normal');
      assert.equal(received(bot, demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001').length, 1);
      bot.clock.set('2026-03-02T10:50:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001').length, 1, 'no repeat');

      bot.clock.set('2026-03-02T11:01:00Z');
      await sweep();
      const critical = await alert('contoso', breached);
      assert.equal(critical?.severity, 'critical');
      assert.equal(received(bot, demo.users.megan, 'SLA breached: ESC-CONTOSO-0001').length, 1);

      bot.clock.set('2026-03-02T12:02:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'SLA breached: ESC-CONTOSO-0001').length, 2, 'an hour later: a reminder');
      assert.match(cardText(cardsIn(received(bot, demo.users.megan, 'SLA breached: ESC-CONTOSO-0001')[1])[0]), /Reminder · Critical/);

      const acked = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.megan, 'alert.acknowledge', { accountId: 'contoso', alertId: breached }))).body);
      assert.match(cardText(acked), /Acknowledged by Megan Bowen/);
      assert.deepEqual(executeActions(acked).map((a) => a.title), ['Open escalation']);
      bot.clock.set('2026-03-02T15:00:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'SLA breached: ESC-CONTOSO-0001').length, 2, 'acknowledged: no more reminders');
      assert.equal(received(bot, demo.users.alex, 'SLA breached: ESC-CONTOSO-0001').length, 2, 'for anyone');
    });

    it('holds the reminders of a snoozed alert until the snooze ends, and stops them when the SLA is met', async () => {
      await sweep();
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...{ title: 'Mail down', description: 'd', severity: 'A', product: 'Exchange Server', businessImpact: 'all', contactPhone: '+44 20 7946 0958' } }, { channel: demo.contosoChannel, replyToId: 'i' }));
      await bot.running.background.idle();
      const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-02T10:00:00.000Z';
      bot.clock.set('2026-03-02T10:01:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.alex, 'SLA breached').length, 1);
      const snoozed = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'alert.snooze', { accountId: 'contoso', alertId: breached, minutes: '240' }))).body);
      // Alert cards read in the recipient's zone: the demo people are in Europe/London.
      assert.match(cardText(snoozed), /Snoozed until 2 Mar 14:01 Europe\/London/);
      bot.clock.set('2026-03-02T12:00:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.alex, 'SLA breached').length, 1, 'snoozed');
      bot.clock.set('2026-03-02T14:02:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.alex, 'SLA breached').length, 2, 'the snooze is over');

      await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', { accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001' }, { channel: demo.contosoChannel, replyToId: 'i' }));
      bot.clock.set('2026-03-02T14:30:00Z');
      await sweep();
      assert.equal((await alert('contoso', breached))?.status, 'resolved', 'responded: the breach condition has cleared');
      bot.clock.set('2026-03-02T14:59:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.alex, 'SLA breached').length, 2, 'no reminder of the cleared breach');
    });

    it('lets a manager take normal alerts as one daily digest at their hour, once a day', async () => {
      const save = await bot.post(actionExecute(bot.serviceUrl, demo.users.megan, 'alerts.saveSettings', { mode: 'digest', digestHour: '10', timeZone: 'Europe/London', ...{ 'rule_plan-item-late': 'false' } }));
      assert.match(cardText(invokeCard(save.body)), /Your digest comes every day at 10:00 Europe\/London\./);
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'Reactive hours 90% used').length, 0, 'normal alerts wait for the digest');
      assert.equal(received(bot, demo.users.alex, 'Reactive hours 90% used').length, 1, 'the TAM still gets them at once');

      bot.clock.set('2026-03-02T09:59:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'Your daily digest').length, 0);
      bot.clock.set('2026-03-02T10:00:30Z');
      await sweep();
      const digests = received(bot, demo.users.megan, 'Your daily digest');
      assert.equal(digests.length, 1);
      const text = cardText(cardsIn(digests[0])[0]);
      assert.match(text, /Contoso Ltd/);
      assert.match(text, /Fabrikam Inc/);
      assert.match(text, /Reactive hours 90% used/);
      assert.doesNotMatch(text, /Plan item late/, 'a muted rule stays out');
      await sweep();
      bot.clock.set('2026-03-02T18:00:00Z');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'Your daily digest').length, 1, 'once a day');
      bot.clock.set('2026-03-03T10:00:30Z');
      await sweep();
      assert.equal(received(bot, demo.users.megan, 'Your daily digest').length, 1, 'nothing new the next day: no empty digest');

      await bot.post(personalMessage(bot.serviceUrl, demo.users.megan, 'alerts'));
      const overview = cardText(onlyCard(bot.connector.sent(chat(demo.users.megan))));
      assert.match(overview, /Reactive hours 90% used/);
      assert.match(overview, /In a daily digest/);
    });

    it('refuses invalid settings beside the field and changes nothing', async () => {
      const card = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.megan, 'alerts.saveSettings', { mode: 'digest', digestHour: '25', timeZone: 'Mars/Olympus' }))).body);
      const json = JSON.stringify(card);
      assert.match(json, /"text":"Choose an hour from 00:00 to 23:00."/);
      assert.match(json, /"text":"Give a time zone such as Europe\/London or America\/New_York."/);
      assert.equal(await bot.running.repositories.alertSettings.get(key(demo.users.megan)), undefined);
    });

    it('does not let a customer acknowledge an alert', async () => {
      await sweep();
      const card = invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'alert.acknowledge', { accountId: 'contoso', alertId: 'bucket:CONTOSO-UE-2026:Reactive:90' }))).body);
      assert.match(cardText(card), /There is no such alert that you can see/);
      assert.equal((await alert('contoso', 'bucket:CONTOSO-UE-2026:Reactive:90'))?.status, 'open');
    });

    it('retires a conversation that answers 403 and sends nothing more to it', async () => {
      bot.connector.respondWith((call) => (call.conversationId === chat(demo.users.patti) ? { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } } : undefined));
      bot.clock.set('2026-03-08T00:30:00Z');
      await sweep();
      assert.ok((await bot.running.repositories.conversations.getPersonal(demo.users.patti))?.retiredAt);
      const callsAfterRetire = bot.connector.calls.filter((c) => c.conversationId === chat(demo.users.patti)).length;
      assert.equal(callsAfterRetire, 1, 'one 403, then nothing');
      bot.clock.set('2026-03-17T01:00:00Z');
      await sweep();
      assert.equal(bot.connector.calls.filter((c) => c.conversationId === chat(demo.users.patti)).length, 1);
      const late = await bot.running.repositories.outbox.get(`alert:item-late:northwind:PI-2:2026-03-16:${key(demo.users.patti)}:0`);
      assert.equal(late?.status, 'undeliverable');
    });
  });

  describe('the sweep trigger', () => {
    afterEach(async () => {
      await bot.close();
    });

    it('runs a sweep for a caller with the secret, refuses one without, and is off when no secret is set', async () => {
      bot = await TestBot.start({ env: { ALERT_SWEEP_SECRET: 'a-long-shared-secret-for-timers' } });
      const url = `${bot.running.url}/api/alerts/sweep`;
      assert.equal((await fetch(url, { method: 'POST' })).status, 401);
      assert.equal((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 401);
      const ok = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer a-long-shared-secret-for-timers' } });
      assert.equal(ok.status, 200);
      const report = (await ok.json()) as { ran: boolean; sweep: { alertsRaised: number } };
      assert.equal(report.ran, true);
      assert.ok(report.sweep.alertsRaised >= 7);
      await bot.close();
      bot = await TestBot.start();
      assert.equal((await fetch(`${bot.running.url}/api/alerts/sweep`, { method: 'POST', headers: { authorization: 'Bearer x' } })).status, 404);
    });
  });

  describe('two instances on one store', () => {
    let other: TestBot;
    let connector: FakeConnector;

    beforeEach(async () => {
      connector = new FakeConnector();
      await connector.start();
    });

    afterEach(async () => {
      await other?.close().catch(() => undefined);
      await bot?.close().catch(() => undefined);
      await connector.stop();
    });

    /** Every accepted message, as conversation + card text: a duplicate shows up twice. */
    function deliveries(): string[] {
      return connector.calls
        .filter((c) => c.method === 'POST' && c.status < 300)
        .map((c) => `${c.conversationId}|${cardsIn(c.body).map((card) => cardText(card)).join('')}`);
    }

    it('sends each alert exactly once when both sweep at the same moment', async () => {
      bot = await TestBot.start({ connector, instanceId: 'instance-a' });
      other = await TestBot.start({ connector, instanceId: 'instance-b', embeddedCosmosEndpoint: bot.running.embeddedCosmosEndpoint!, clock: new ManualClock() });
      await install(bot, demo.users.alex, demo.users.megan, demo.users.patti);
      connector.reset();
      const [a, b] = await Promise.all([bot.running.dispatcher.runOnce(), other.running.dispatcher.runOnce()]);
      assert.equal(Number(a.ran) + Number(b.ran), 1, 'one instance holds the lease');
      await other.running.dispatcher.runOnce();
      const sent = deliveries();
      assert.ok(sent.length >= 14);
      assert.equal(new Set(sent).size, sent.length, 'no message twice');
    });

    it('sends an item once when both instances deliver it at the same moment, the one whose claim lost sending nothing', async () => {
      bot = await TestBot.start({ connector, instanceId: 'instance-a' });
      other = await TestBot.start({ connector, instanceId: 'instance-b', embeddedCosmosEndpoint: bot.running.embeddedCosmosEndpoint!, clock: new ManualClock() });
      const megan = demo.users.megan;
      const now = new Date();
      const item: OutboxItem = {
        id: 'reply:race',
        target: { kind: 'conversation', conversationId: chat(megan) },
        intent: { kind: 'reply', serviceUrl: bot.serviceUrl, conversationType: 'personal', tenantId: megan.tenantId, accountIds: [], activity: { type: 'message', text: 'One answer, once.' } },
        status: 'pending',
        createdAt: now.toISOString(),
        attempts: 0,
        nextAttemptAt: now.toISOString(),
      };
      assert.equal(await bot.running.repositories.outbox.enqueue(item), true);
      connector.reset();
      const deps = (target: TestBot) => ({
        ...target.running.repositories,
        messenger: target.running.bot.messenger,
        instanceId: target.running.instanceId,
        clock: { now: () => new Date() },
        logger: new JsonLogger('error', { now: () => new Date() }, () => undefined),
        random: () => 0.5,
      });
      // Both read it pending and both claim it: one claim lands, the other meets its ETag moved on.
      const [a, b] = await Promise.all([deliverOutboxItem(deps(bot), item.id), deliverOutboxItem(deps(other), item.id)]);
      const sent = connector.calls.filter((c) => c.method === 'POST' && c.status < 300 && c.conversationId === chat(megan));
      assert.equal(sent.length, 1, 'sent once');
      assert.deepEqual([a?.status, b?.status].sort(), ['pending', 'sent'], 'the sender marks it sent; the other sees it claimed');
      assert.equal((await bot.running.repositories.outbox.get(item.id))?.status, 'sent');
    });

    it('hands the sweep over when the lease holder dies mid-delivery, with nothing lost and nothing twice', async () => {
      let calls = 0;
      const dying: Timer = {
        now: () => {
          calls += 1;
          if (calls > 12) throw new Error('instance A died');
          return realTimer.now();
        },
        sleep: (ms) => realTimer.sleep(ms),
      };
      bot = await TestBot.start({ connector, instanceId: 'instance-a', timer: dying });
      const clockB = new ManualClock();
      other = await TestBot.start({ connector, instanceId: 'instance-b', embeddedCosmosEndpoint: bot.running.embeddedCosmosEndpoint!, clock: clockB });
      await install(other, demo.users.alex, demo.users.megan, demo.users.patti);
      connector.reset();
      await assert.rejects(bot.running.dispatcher.runOnce(), /instance A died/);
      const sentByA = deliveries().length;
      assert.ok(sentByA > 0, 'A delivered some before it died');
      const pending = await other.running.repositories.outbox.listDue(new Date('2026-03-02T09:10:00Z'), 100);
      assert.ok(pending.length > 0, 'and left some');

      assert.equal((await other.running.dispatcher.runOnce()).ran, false, 'A still holds the lease');
      clockB.advance(3 * minute);
      assert.equal((await other.running.dispatcher.runOnce()).ran, true, 'the lease ran out: B takes over');
      const sent = deliveries();
      assert.equal(new Set(sent).size, sent.length, 'no message twice');
      assert.equal((await other.running.repositories.outbox.listDue(new Date('2026-03-02T10:00:00Z'), 100)).length, 0, 'nothing left behind');
      assert.ok(sent.length > sentByA);
    });
  });

  describe('Teams limits', () => {
    afterEach(async () => {
      await bot.close();
    });

    it('delivers everything through 429s with Retry-After and 503s, none twice, never more than 7 a second to a conversation', async function () {
      this.timeout(60_000);
      bot = await TestBot.start({ timer: realTimer });
      await install(bot, demo.users.alex, demo.users.megan, demo.users.patti);
      bot.connector.reset();
      const accepted = new Map<string, number[]>();
      let failures = 6;
      bot.connector.respondWith((call) => {
        if (call.method !== 'POST') return undefined;
        if (failures > 0) {
          failures -= 1;
          return { status: 503 };
        }
        const now = Date.now();
        const recent = (accepted.get(call.conversationId) ?? []).filter((t) => now - t < 1000);
        if (recent.length >= 7) return { status: 429, headers: { 'retry-after': '1' } };
        accepted.set(call.conversationId, [...recent, now]);
        return undefined;
      });
      for (let i = 0; i < 12; i++) {
        await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: `Outage ${i}`, description: 'd', severity: 'A', product: 'Azure', businessImpact: 'all', contactPhone: '+44 20 7946 0958' }, { channel: demo.contosoChannel, replyToId: `i${i}` }));
      }
      await bot.running.background.idle();
      for (let pass = 0; pass < 10; pass++) {
        await bot.running.dispatcher.runOnce();
        if ((await bot.running.repositories.outbox.listDue(new Date('2099-01-01T00:00:00Z'), 1)).length === 0) break;
        bot.clock.advance(31 * minute);
      }
      assert.equal((await bot.running.repositories.outbox.listDue(new Date('2099-01-01T00:00:00Z'), 1)).length, 0, 'everything delivered');
      const okCalls = bot.connector.calls.filter((c) => c.method === 'POST' && c.status < 300);
      const messages = okCalls.map((c) => `${c.conversationId}|${JSON.stringify(c.body.attachments)}`);
      assert.equal(new Set(messages).size, messages.length, 'no message twice');
      assert.equal(okCalls.filter((c) => c.conversationId === chat(demo.users.alex) && JSON.stringify(c.body).includes('New severity A escalation')).length, 12);
      for (const [conversation, stamps] of accepted) {
        const sorted = stamps.sort((a, b) => a - b);
        for (let i = 7; i < sorted.length; i++) assert.ok((sorted[i] ?? 0) - (sorted[i - 7] ?? 0) >= 1000, `${conversation}: 8 messages within a second`);
      }
      assert.ok(bot.connector.calls.some((c) => c.status === 429) || bot.connector.calls.filter((c) => c.status === 503).length === 6);
    });
  });
});
