import assert from 'node:assert/strict';
import { actionExecute, botAdded, installationUpdate } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { FaultyCosmosProxy } from '../support/faulty-cosmos-proxy';
import { demo, TestBot } from '../support/test-bot';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from '../support/manual-clock';

/** Teams retries an invoke after about 15 s; every answer must come well before. */
const answerWithinMs = 10_000;

describe('faults: a throttled, failing and hanging Cosmos store', function () {
  this.timeout(240_000);
  let store: EmbeddedCosmos;
  let proxy: FaultyCosmosProxy;
  let bot: TestBot;

  before(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    proxy = new FaultyCosmosProxy(store.endpoint);
    await proxy.start();
    bot = await TestBot.start({ embeddedCosmosEndpoint: proxy.endpoint, cosmosRequestTimeoutInMs: 400 });
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    for (const user of [demo.users.alex, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
  });

  after(async () => {
    await bot.close();
    await proxy.stop();
    await store.close();
  });

  async function timed(activity: Record<string, unknown>): Promise<{ text: string; ms: number }> {
    const started = Date.now();
    const res = await bot.post(activity);
    const ms = Date.now() - started;
    assert.ok(res.status < 500, `status ${res.status}`);
    const body = res.body as { value?: unknown };
    return { text: typeof body?.value === 'object' ? cardText(body.value) : (typeof body?.value === 'string' ? body.value : ''), ms };
  }

  it('answers every action in time, saying "try again" when the store fails, and loses or doubles nothing', async () => {
    proxy.inject(0.15, ['429', '503', 'timeout']);
    const escalation = (i: number) =>
      actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: `Fault ${i}`, description: 'd', severity: 'B', product: 'Azure' }, { channel: demo.contosoChannel, replyToId: `r${i}` });
    const log = (i: number) => actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Proactive', hours: '0.25', date: '2026-03-02', note: `Fault log ${i}` });

    const outcomes: { kind: 'escalation' | 'log'; i: number; ok: boolean }[] = [];
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      for (const [kind, activity] of [['escalation', escalation(i)], ['log', log(i)]] as const) {
        const { text, ms } = await timed(activity);
        slowest = Math.max(slowest, ms);
        const ok = kind === 'escalation' ? /Opened ESC-CONTOSO-\d{4}|opened already/.test(text) : /Logged 0\.25 h|Already logged/.test(text);
        assert.ok(ok || /Please try again|Something went wrong/.test(text), `an answer that is neither a success nor "try again": ${text.slice(0, 300)}`);
        outcomes.push({ kind, i, ok });
      }
    }
    const injected = proxy.injected['429'] + proxy.injected['503'] + proxy.injected.timeout;
    assert.ok(injected > 10, `faults were injected (${JSON.stringify(proxy.injected)})`);
    assert.ok(slowest < answerWithinMs, `slowest answer ${slowest} ms`);

    proxy.heal();
    const escalations = async () => (await bot.running.repositories.escalations.listOpen('contoso')).filter((e) => e.title.startsWith('Fault '));
    const logs = async () => (await bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026')).filter((e) => e.note?.startsWith('Fault log '));
    for (const o of outcomes.filter((x) => x.ok)) {
      if (o.kind === 'escalation') assert.ok((await escalations()).some((e) => e.title === `Fault ${o.i}`), `accepted escalation ${o.i} is stored`);
      else assert.ok((await logs()).some((e) => e.note === `Fault log ${o.i}`), `accepted entry ${o.i} is stored`);
    }
    // The people who were told to try again do so, a little later.
    bot.clock.advance(30_000);
    for (const o of outcomes.filter((x) => !x.ok)) {
      const { text } = await timed(o.kind === 'escalation' ? escalation(o.i) : log(o.i));
      assert.match(text, o.kind === 'escalation' ? /Opened ESC-CONTOSO-\d{4}|opened already/ : /Logged 0\.25 h|Already logged/);
    }
    const stored = await escalations();
    assert.deepEqual(stored.map((e) => e.title).sort(), Array.from({ length: 20 }, (_, i) => `Fault ${i}`).sort(), 'each escalation once');
    assert.deepEqual(stored.map((e) => e.number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1), 'ids without gaps');
    assert.deepEqual((await logs()).map((e) => e.note).sort(), Array.from({ length: 20 }, (_, i) => `Fault log ${i}`).sort(), 'each entry once');
    assert.ok(outcomes.some((o) => !o.ok), 'some actions met a fault');
  });

  it('stores a check-in with its hours all or none: a batch refused writes nothing, and the resend records each hour once', async () => {
    const submission = { accountId: 'contoso', dueDate: '2026-02-25', 'status_PI-4': 'in-delivery', 'health_PI-4': 'amber', 'hours_PI-4': '3', 'note_PI-4': 'Half-way', 'status_PI-5': 'in-delivery', 'health_PI-5': 'green', 'hours_PI-5': '2' };
    const counted = async (): Promise<number> => (await bot.running.repositories.contracts.getContract('contoso'))?.ledgerSummary?.entries ?? 0;
    const before = await counted();
    // The one batch of the account partition (check-in, plan, entries and the contract's count) fails.
    let cutting = true;
    const writesInAccounts = (method: string, url: string, operations?: readonly string[]): boolean => method === 'POST' && url.endsWith('/colls/accounts/docs') && !!operations?.some((type) => type !== 'Read');
    proxy.failNext((method, url, operations) => cutting && writesInAccounts(method, url, operations), '503', 10);
    const first = await timed(actionExecute(bot.serviceUrl, demo.users.alex, 'checkin.submit', submission));
    cutting = false;
    assert.match(first.text, /Please try again|Something went wrong/);
    const reference = /Reference: ([0-9a-f-]{36})/.exec(first.text)?.[1];
    assert.ok(reference, 'the card gives the turn\'s correlation id');
    assert.ok(bot.logs.some((l) => l.correlationId === reference && (l.level === 'warn' || l.level === 'error')), 'and the log line of the failure carries it');
    const deliveries = async (dueDate: string) => (await bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026')).filter((e) => e.entryId.startsWith(`d-${dueDate}-`));
    assert.equal((await deliveries('2026-02-25')).length, 0, 'no hours logged');
    assert.equal(await counted(), before, 'nor counted');
    assert.equal((await bot.running.repositories.plans.getPlan('contoso'))?.nextCheckInDue, '2026-02-25', 'the plan was not saved');
    assert.equal(await bot.running.repositories.plans.getCheckIn('contoso', '2026-02-25'), undefined, 'nor the check-in');
    proxy.heal();
    await bot.running.background.idle();
    const from = proxy.arrivals.length;
    const second = await timed(actionExecute(bot.serviceUrl, demo.users.alex, 'checkin.submit', submission));
    assert.match(second.text, /Check-in of 25 Feb 2026 recorded\./);
    const posts = proxy.arrivals.slice(from).filter((a) => writesInAccounts(a.method, a.url, a.operations));
    assert.equal(posts.length, 1, 'one batch of the account partition: the check-in, the plan, the entries and the contract');
    assert.deepEqual(posts[0]?.operations?.filter((type) => type !== 'Read').sort(), ['Create', 'Create', 'Create', 'Replace', 'Replace'], 'the check-in and two entries created, the plan and the contract replaced');
    assert.deepEqual((await deliveries('2026-02-25')).map((e) => e.hours).sort(), [2, 3], 'each delivered hour once');
    assert.equal(await counted(), before + 2, 'and counted once');
    const plan = await bot.running.repositories.plans.getPlan('contoso');
    assert.equal(plan?.nextCheckInDue, '2026-03-25');
    assert.equal(plan?.items.find((i) => i.itemId === 'PI-4')?.note, 'Half-way');
    assert.ok(await bot.running.repositories.plans.getCheckIn('contoso', '2026-02-25'));

    // Hours an earlier attempt logged on their own (as versions before one batch did) stay, counted once.
    const [earlier] = await deliveries('2026-02-25');
    assert.ok(earlier);
    await bot.running.repositories.contracts.createEntries('contoso', [{ ...earlier, entryId: 'd-2026-03-25-PI-4', hours: 3 }]);
    const logged = await counted();
    const next = await timed(actionExecute(bot.serviceUrl, demo.users.alex, 'checkin.submit', { ...submission, dueDate: '2026-03-25' }));
    assert.match(next.text, /Check-in of 25 Mar 2026 recorded\./);
    assert.deepEqual((await deliveries('2026-03-25')).map((e) => e.hours).sort(), [2, 3]);
    assert.equal(await counted(), logged + 1, 'only the hours not logged before are counted');
  });

  it('keeps sweeping through faults and delivers every alert once when the store recovers', async () => {
    bot.connector.reset();
    proxy.inject(0.3, ['429', '503', 'timeout']);
    for (let pass = 0; pass < 4; pass++) await bot.running.dispatcher.runOnce().catch(() => undefined);
    proxy.heal();
    for (let pass = 0; pass < 3; pass++) {
      await bot.running.dispatcher.runOnce();
      bot.clock.advance(31 * 60_000);
    }
    assert.equal((await bot.running.repositories.outbox.listDue(new Date('2099-01-01T00:00:00Z'), 5)).length, 0, 'nothing left pending');
    const delivered = bot.connector.calls
      .filter((c) => c.method === 'POST' && c.status < 300)
      .map((c) => `${c.conversationId}|${cardsIn(c.body).map((card) => cardText(card)).join('')}`);
    assert.equal(new Set(delivered).size, delivered.length, 'no alert twice');
    assert.ok(delivered.some((d) => d.includes('Reactive hours 90% used')));
  });
});
