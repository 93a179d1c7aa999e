import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { FakeConnector } from '../support/fake-connector';
import { ManualClock } from '../support/manual-clock';
import { startTestStore } from '../support/embedded-store';
import { demo, TestBot } from '../support/test-bot';
import type { Alert } from '../../src/domain/alert';
import type { EscalationRepository } from '../../src/domain/ports';
import { seedDemoContracts, seedDemoEscalations, seedDemoWorld } from '../../src/services/seed-demo-world';
import { CosmosAccountRepository } from '../../src/store/cosmos-account-repository';
import { CosmosContractRepository } from '../../src/store/cosmos-contract-repository';
import { CosmosDirectoryRepository } from '../../src/store/cosmos-directory-repository';
import { CosmosEscalationRepository } from '../../src/store/cosmos-escalation-repository';

const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
/** Long enough that only the start-up pass runs during a test. */
const hourly = 60 * 60_000;
/** Seeded at the test clock's start: Monday 2 March 2026, 09:00 UTC. */
const seededAt = '2026-03-02T09:00:00.000Z';

/** Waits (in real time) for the scheduler's start-up pass to have done something; the test never sweeps. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutInMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function demoAlerts(bot: TestBot): Promise<Alert[]> {
  const lists = await Promise.all(['contoso', 'fabrikam'].map((a) => bot.running.repositories.alerts.listRecent(a, 100)));
  return lists.flat().filter((a) => a.subject.kind === 'escalation');
}

/** The escalation alerts the seeded escalations must raise, by rule and escalation. */
const expectedAlerts = [
  ['severity-a-opened', 'ESC-CONTOSO-0004', 'New severity A escalation: ESC-CONTOSO-0004'],
  ['sla-breached', 'ESC-CONTOSO-0002', 'SLA breached: ESC-CONTOSO-0002 (severity B)'],
  ['sla-at-risk', 'ESC-CONTOSO-0003', 'SLA at risk: ESC-CONTOSO-0003 (severity B)'],
  ['sla-breached', 'ESC-FABRIKAM-0001', 'SLA breached: ESC-FABRIKAM-0001 (severity B)'],
] as const;

describe('the demo world: escalations in every SLA state and the first sweep at start-up', () => {
  describe('on an empty store, as `npm start` finds it', () => {
    let bot: TestBot;

    before(async () => {
      bot = await TestBot.start({ env: { SEED_DEMO_ESCALATIONS: 'true' }, dispatchIntervalInMs: hourly });
    });

    after(async () => {
      await bot.close();
    });

    /** The bot's answer to the message (alerts waiting for the person may arrive alongside it). */
    async function say(user: TeamsUser, text: string): Promise<string> {
      bot.connector.reset();
      const message = personalMessage(bot.serviceUrl, user, text);
      await bot.post(message);
      return cardText(onlyCard(bot.connector.sent(chat(user)).filter((a) => a.replyToId === message.id)));
    }

    it('seeds six escalations with readable ids, opened by the customers, owned by Alex, timed from the seed', async () => {
      const { escalations } = bot.running.repositories;
      const stored = await Promise.all(
        ['ESC-CONTOSO-0001', 'ESC-CONTOSO-0002', 'ESC-CONTOSO-0003', 'ESC-CONTOSO-0004', 'ESC-FABRIKAM-0001', 'ESC-FABRIKAM-0002'].map((id) =>
          escalations.get(id.includes('CONTOSO') ? 'contoso' : 'fabrikam', id),
        ),
      );
      for (const e of stored) {
        assert.ok(e, 'seeded');
        assert.equal(e.openedBy.name, e.accountId === 'contoso' ? 'Adele Vance' : 'Lynne Robbins', e.escalationId);
        assert.equal(e.owner?.name, 'Alex Wilber', e.escalationId);
        assert.ok(e.openedAt < seededAt && e.timeline[0]?.kind === 'opened', e.escalationId);
        assert.equal(!!e.channelCard, e.accountId === 'contoso', `${e.escalationId}: only Contoso has a linked channel`);
      }
      assert.deepEqual(
        stored.map((e) => [e?.severity, e?.status]),
        [['B', 'resolved'], ['B', 'new'], ['B', 'new'], ['A', 'new'], ['B', 'acknowledged'], ['C', 'new']],
      );
      assert.deepEqual(stored[0]?.timeline.map((t) => t.kind), ['opened', 'acknowledged', 'status', 'note', 'resolved']);
      assert.equal(stored[4]?.timeline[1]?.summary, 'Acknowledged by Alex Wilber');
      // The previous month's five Contoso and three Fabrikam escalations (for the review) follow the live ones.
      assert.equal(await escalations.nextNumberHint('contoso'), 10, 'the next real escalation is ESC-CONTOSO-0010');
      assert.equal(await escalations.nextNumberHint('fabrikam'), 6);
      assert.deepEqual((await escalations.listForPeriod('contoso', new Date(0), new Date('2026-03-01T00:00:00Z'))).filter((h) => h.escalation.number >= 5).sort((a, b) => a.escalation.number - b.escalation.number).map((h) => [h.escalation.severity, h.escalation.status]), [['A', 'resolved'], ['B', 'resolved'], ['B', 'resolved'], ['C', 'resolved'], ['B', 'resolved']]);
    });

    it('raises the severity A, breach and at-risk alerts to Alex and Megan in the start-up pass, with no sweep by the test', async () => {
      const alerts = await eventually('the start-up sweep', async () => {
        const raised = await demoAlerts(bot);
        return raised.length >= expectedAlerts.length ? raised : undefined;
      });
      for (const [rule, escalationId, title] of expectedAlerts) {
        const alert = alerts.find((a) => a.rule === rule && a.subject.kind === 'escalation' && a.subject.escalationId === escalationId);
        assert.ok(alert, `${rule} on ${escalationId}`);
        assert.equal(alert.title, title);
        assert.deepEqual(alert.recipients, [key(demo.users.alex), key(demo.users.megan)].sort(), title);
      }
      assert.equal(alerts.length, expectedAlerts.length, 'nothing about the fresh severity C or the resolved one');
      const overview = await say(demo.users.megan, 'alerts');
      for (const [, , title] of expectedAlerts) assert.ok(overview.includes(title), `Megan's alerts list ${title}`);
    });

    it('shows each SLA state on the cards: due, at risk, overdue, update overdue, resolved', async () => {
      assert.match(await say(demo.users.alex, 'escalation ESC-CONTOSO-0004'), /Users cannot sign in[^]*Response due in 50 min/);
      const atRisk = await say(demo.users.megan, 'escalation ESC-CONTOSO-0003');
      // Contoso's severity B runs in London business hours: the card names the deadline and the clock.
      assert.match(atRisk, /Response due Mon 2 Mar 09:20, business hours, Europe\/London\n20 min of business hours left/);
      assert.match(atRisk, /At risk: 83% of the response window used/, "the manager's view shows the breach risk");
      assert.match(await say(demo.users.alex, 'escalation ESC-CONTOSO-0002'), /SharePoint search[^]*Response overdue by 30 min/);
      const updateOverdue = await say(demo.users.alex, 'escalation ESC-FABRIKAM-0001');
      assert.match(updateOverdue, /Responded in 20 min/);
      assert.match(updateOverdue, /Update overdue by 1 h/);
      assert.match(await say(demo.users.lynne, 'escalation ESC-FABRIKAM-0002'), /Response due in 3 h 35 min/);
      assert.match(await say(demo.users.adele, 'escalation ESC-CONTOSO-0001'), /Resolved/);
    });

    it('lists the open Contoso escalations in its channel most urgent first', async () => {
      bot.connector.reset();
      await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'escalations'));
      const list = cardText(onlyCard(bot.connector.sent(demo.contosoChannel.channelId)));
      const order = ['SharePoint search returns no results', 'Always On secondary replica', 'Users cannot sign in'].map((t) => list.indexOf(t));
      assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] ?? 0))), `overdue, then 20 min left, then 50 min left:\n${list}`);
      assert.doesNotMatch(list, /Outlook keeps asking/, 'the resolved one is not open');
      assert.doesNotMatch(list, /Hyper-V/, "Fabrikam's are not Contoso's");
    });
  });

  describe('with the app already installed for the demo users and the General channel', () => {
    let installer: TestBot;
    let bot: TestBot;
    const connector = new FakeConnector();

    before(async () => {
      await connector.start();
      // The conversations are recorded before the demo world exists, so the start-up pass has somewhere to send.
      installer = await TestBot.start({ connector, env: { SEED_DEMO_DATA: 'false' } });
      for (const user of [demo.users.alex, demo.users.megan, demo.users.adele, demo.users.lynne]) await installer.post(installationUpdate(installer.serviceUrl, user, 'add'));
      await installer.post(installationUpdate(installer.serviceUrl, demo.users.isaiah, 'add', demo.contosoChannel));
      await installer.running.background.idle();
      connector.reset();
      bot = await TestBot.start({
        connector,
        embeddedCosmosEndpoint: installer.running.embeddedCosmosEndpoint!,
        env: { SEED_DEMO_ESCALATIONS: 'true' },
        dispatchIntervalInMs: hourly,
        instanceId: 'npm-start',
      });
    });

    after(async () => {
      await bot.close();
      await installer.close();
      await connector.stop();
    });

    const received = (user: TeamsUser, marker: string): Record<string, unknown>[] =>
      connector.sent(chat(user)).filter((a) => cardsIn(a).some((c) => cardText(c).includes(marker)));

    it('delivers the alert cards to Alex and Megan and posts the Contoso cards to General at start-up', async () => {
      await eventually('the alert cards', () => expectedAlerts.every(([, , title]) => received(demo.users.megan, title).length === 1 && received(demo.users.alex, title).length === 1) || undefined);
      assert.equal(received(demo.users.adele, 'SLA').length, 0, 'customers get no alerts');
      const posted = await eventually('the channel cards', () => {
        const cards = connector.sent(demo.contosoChannel.channelId).flatMap((a) => cardsIn(a).map((c) => cardText(c)));
        return cards.length >= 4 ? cards : undefined;
      });
      assert.equal(posted.length, 4, 'one card per Contoso escalation');
      for (const [id, state] of [
        ['ESC-CONTOSO-0001', /Resolved/],
        ['ESC-CONTOSO-0002', /Response overdue by 30 min/],
        ['ESC-CONTOSO-0003', /Response due Mon 2 Mar 09:20, business hours, Europe\/London/],
        ['ESC-CONTOSO-0004', /Response due in 50 min/],
      ] as const) {
        const card = posted.find((text) => text.includes(id));
        assert.ok(card, `${id} is posted`);
        assert.match(card, state, id);
        assert.doesNotMatch(card, /At risk|SLA breached/, 'the channel sees the customer-safe view');
      }
      const stored = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0002');
      assert.equal(stored?.channelCard?.syncedVersion, stored?.version, 'the record knows its card is posted');
    });
  });

  describe('the start-up pass', () => {
    it('runs only when the in-process scheduler is on (tests that sweep by hand keep it off)', async () => {
      for (const [interval, expected] of [[0, 0], [hourly, expectedAlerts.length]] as const) {
        const bot = await TestBot.start({ env: { SEED_DEMO_ESCALATIONS: 'true' }, dispatchIntervalInMs: interval });
        try {
          await bot.running.dispatcher.stop(); // waits for a pass under way
          assert.equal((await demoAlerts(bot)).length, expected, `interval ${interval}`);
        } finally {
          await bot.close();
        }
      }
    });
  });

  describe('seeding once', () => {
    it('seeds nothing twice when started again on the same store, and the clocks keep running from the first seed', async function () {
      this.timeout(40_000);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-demo-'));
      try {
        const clock = new ManualClock();
        const first = await TestBot.start({ dataDir, clock, env: { SEED_DEMO_ESCALATIONS: 'true' } });
        assert.ok(first.logs.some((l) => l.event === 'store.demo_escalations_seeded'));
        const before = await first.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0002');
        await first.close();

        clock.advance(60 * 60_000);
        const second = await TestBot.start({ dataDir, clock, env: { SEED_DEMO_ESCALATIONS: 'true' } });
        try {
          assert.ok(!second.logs.some((l) => l.event === 'store.demo_escalations_seeded' || l.event === 'store.demo_month_seeded'), 'not seeded again');
          assert.deepEqual(await second.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0002'), before, 'unchanged');
          assert.equal(await second.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0010'), undefined);
          assert.equal((await second.running.repositories.escalations.listOpen('contoso')).length, 3);
          assert.equal(await second.running.repositories.escalations.nextNumberHint('contoso'), 10);
          second.connector.reset();
          await second.post(personalMessage(second.serviceUrl, demo.users.alex, 'escalation ESC-CONTOSO-0002'));
          assert.match(cardText(onlyCard(second.connector.sent())), /Response overdue by 1 h 30 min/, 'an hour later, the breach is an hour older');
        } finally {
          await second.close();
        }
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('finishes a seed interrupted half-way without doubling an escalation or leaving a gap', async () => {
      const store = await startTestStore();
      try {
        const clock = new ManualClock();
        const directory = new CosmosDirectoryRepository(store.containers.directory, clock, 0);
        const accounts = new CosmosAccountRepository(store.containers.accounts, { clock, ttlInMs: 0 });
        const contracts = new CosmosContractRepository(store.containers.accounts);
        const escalations = new CosmosEscalationRepository(store.containers.accounts);
        await seedDemoWorld({ directory, accounts, clock });
        await seedDemoContracts({ directory, contracts, clock });
        let creates = 0;
        const dying: EscalationRepository = Object.assign(Object.create(escalations) as EscalationRepository, {
          create: async (e: Parameters<EscalationRepository['create']>[0]) => {
            if (++creates > 2) throw new Error('the process died');
            return escalations.create(e);
          },
        });
        await assert.rejects(seedDemoEscalations({ directory, accounts, contracts, escalations: dying, clock }), /the process died/);
        assert.equal(await seedDemoEscalations({ directory, accounts, contracts, escalations, clock }), true, 'the next start finishes it');
        assert.equal(await seedDemoEscalations({ directory, accounts, contracts, escalations, clock }), false, 'and the one after does nothing');
        const ids = (await Promise.all(['contoso', 'fabrikam'].map((a) => escalations.listOpen(a)))).flat().map((e) => e.escalationId).sort();
        assert.deepEqual(ids, ['ESC-CONTOSO-0002', 'ESC-CONTOSO-0003', 'ESC-CONTOSO-0004', 'ESC-FABRIKAM-0001', 'ESC-FABRIKAM-0002']);
        assert.equal((await escalations.get('contoso', 'ESC-CONTOSO-0001'))?.status, 'resolved');
        assert.equal(await escalations.get('contoso', 'ESC-CONTOSO-0005'), undefined, 'nothing doubled');
      } finally {
        await store.close();
      }
    });
  });
});
