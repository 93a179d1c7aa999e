import assert from 'node:assert/strict';
import { personalMessage } from '../support/activities';
import { FaultyCosmosProxy } from '../support/faulty-cosmos-proxy';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import { JsonLogger } from '../../src/logging/json-logger';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { readinessWindowInMs } from '../../src/store/store-readiness';

describe('GET /readyz: cheap enough for a health check every few seconds', function () {
  this.timeout(30_000);
  let store: EmbeddedCosmos;
  let proxy: FaultyCosmosProxy;
  let bot: TestBot;

  beforeEach(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    // Every request the bot makes to the store passes here and is counted.
    proxy = new FaultyCosmosProxy(store.endpoint);
    await proxy.start();
    bot = await TestBot.start({ embeddedCosmosEndpoint: proxy.endpoint, cosmosRequestTimeoutInMs: 400 });
  });

  afterEach(async () => {
    await bot.close();
    await proxy.stop();
    await store.close();
  });

  async function probe(): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${bot.running.url}/readyz`);
    return { status: res.status, body: await res.json() };
  }

  /** Store requests from now until `work` is done. */
  async function storeRequestsDuring(work: () => Promise<unknown>): Promise<number> {
    const before = proxy.arrivals.length;
    await work();
    return proxy.arrivals.length - before;
  }

  it('reads the store at most once for many probes in a row, and not at all while a store call answered lately', async () => {
    bot.clock.advance(readinessWindowInMs + 1_000);
    const statuses: number[] = [];
    const first = await storeRequestsDuring(async () => {
      for (let i = 0; i < 20; i++) statuses.push((await probe()).status);
    });
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(first, 1, '20 probes after a quiet minute: one point read');

    const concurrent = await storeRequestsDuring(async () => {
      bot.clock.advance(readinessWindowInMs + 1_000);
      const answers = await Promise.all(Array.from({ length: 10 }, probe));
      assert.ok(answers.every((a) => a.status === 200));
    });
    assert.equal(concurrent, 1, '10 probes at once share one read');

    bot.clock.advance(readinessWindowInMs / 2);
    assert.equal(await storeRequestsDuring(async () => (await probe()).status), 0, 'within the window: none');
  });

  it('counts a turn\'s store calls as a recent answer', async () => {
    bot.clock.advance(readinessWindowInMs + 1_000);
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'help'));
    const requests = await storeRequestsDuring(async () => {
      for (let i = 0; i < 10; i++) assert.equal((await probe()).status, 200);
    });
    assert.equal(requests, 0);
  });

  it('says unavailable when the store does not answer and nothing answered lately, and ready again once it does', async () => {
    proxy.inject(1, ['503']);
    bot.clock.advance(readinessWindowInMs + 1_000);
    const down = await probe();
    assert.equal(down.status, 503);
    assert.deepEqual(down.body, { status: 'unavailable', store: 'unreachable' });

    proxy.heal();
    const up = await probe();
    assert.equal(up.status, 200);
    assert.deepEqual(up.body, { status: 'ready', store: 'reachable' });
  });

  it('looks at the store again as soon as a store call got no answer, even within the window', async () => {
    proxy.inject(1, ['timeout']);
    // A turn whose store calls time out: the store is not answering right now.
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'help'));
    assert.equal((await probe()).status, 503);
  });
});
