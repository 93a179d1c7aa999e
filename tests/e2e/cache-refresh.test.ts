import assert from 'node:assert/strict';
import { personalMessage } from '../support/activities';
import { FaultyCosmosProxy } from '../support/faulty-cosmos-proxy';
import { demo, type TestBot } from '../support/test-bot';
import { botBehindProxy } from '../support/bot-behind-proxy';
import { ManualClock } from '../support/manual-clock';

type Arrival = { method: string; url: string };
/** Point reads of account records (Alex's accounts), as they arrive on the wire. */
const accountRead = (a: Arrival) => a.method === 'GET' && /\/colls\/accounts\/docs\/account$/.test(a.url);
/** Point reads in the directory (Alex's person record). */
const directoryRead = (a: Arrival) => a.method === 'GET' && a.url.includes('/colls/directory/docs/');
const cachedRead = (a: Arrival) => accountRead(a) || directoryRead(a);

describe('cache refresh ahead: hot records are read again behind an answer, before they run out', function () {
  this.timeout(60_000);
  let proxy: FaultyCosmosProxy;
  let bot: TestBot;
  let close: () => Promise<void>;
  const clock = new ManualClock();

  beforeEach(async () => {
    ({ proxy, bot, close } = await botBehindProxy((endpoint) => new FaultyCosmosProxy(endpoint), { clock }));
  });

  afterEach(() => close());

  /** One `contract contoso` turn: what arrived before its answer, and what arrived behind it. */
  async function turn(): Promise<{ before: typeof proxy.arrivals; behind: typeof proxy.arrivals }> {
    const from = proxy.arrivals.length;
    const res = await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'contract contoso'));
    assert.equal(res.status, 200);
    const answered = proxy.arrivals.length;
    await bot.running.background.idle();
    return { before: proxy.arrivals.slice(from, answered), behind: proxy.arrivals.slice(answered) };
  }

  /** A first turn once what start-up cached has run out: Alex and his accounts are read on its path. */
  async function coldTurn(): Promise<number> {
    clock.advance(16_000);
    const cold = await turn();
    assert.ok(cold.before.filter(accountRead).length >= 1, 'the turn reads the accounts');
    assert.equal(cold.before.filter(directoryRead).length, 1, 'and the person');
    assert.equal(cold.behind.filter(cachedRead).length, 0, 'nothing is due behind a first read');
    return cold.before.filter(cachedRead).length;
  }

  it('a turn late in the lifetime reads nothing more itself; the reload behind it keeps the next turn off the store', async () => {
    const records = await coldTurn();

    clock.advance(5_000);
    const early = await turn();
    assert.equal([...early.before, ...early.behind].filter(cachedRead).length, 0, 'early in its life a record is only served');

    clock.advance(6_000); // 11 s: the last third of the 15 s lifetime
    const late = await turn();
    assert.equal(late.before.filter(cachedRead).length, 0, 'the turn is answered from the cache');
    assert.equal(late.behind.filter(cachedRead).length, records, 'each record it read is read again behind the answer, once');
    // Outside the turn: none of the reloads is logged (or counted, or bounded) as the turn's.
    const lateTurn = bot.logs.filter((l) => l.event === 'turn.done').at(-1);
    assert.ok(lateTurn?.correlationId);
    const reloads = bot.logs.slice(bot.logs.indexOf(lateTurn) + 1).filter((l) => l.event === 'store.request' && l.operation === 'read');
    assert.equal(reloads.length, records, 'the reloads are logged as store requests');
    assert.ok(reloads.every((l) => l.correlationId === undefined), 'with no turn\'s correlation id');

    clock.advance(9_000); // 20 s: past the first lifetime, inside the reloaded one
    const after = await turn();
    assert.equal([...after.before, ...after.behind].filter(cachedRead).length, 0, 'the next turn finds them all live');
  });

  it('a record nobody reads late in its life runs out as before, and is read on the path of the next turn', async () => {
    const records = await coldTurn();
    clock.advance(16_000);
    const next = await turn();
    assert.equal(next.before.filter(cachedRead).length, records, 'an expired record is never served');
  });

  it('a reload that fails leaves the record to run out; the turn that reads it next reads it itself', async () => {
    await coldTurn();
    clock.advance(11_000);
    proxy.failNext((method, url) => accountRead({ method, url }), '503', 100);
    const late = await turn();
    assert.ok(late.behind.some(accountRead), 'the reload was tried');
    assert.ok(!bot.logs.some((l) => l.event === 'background.failed'), 'and its failure is not an error of the app');
    proxy.heal();
    clock.advance(5_000); // 16 s: the first lifetime is over
    const next = await turn();
    assert.ok(next.before.some(accountRead), 'the account is read on the path again');
    assert.ok(!next.before.some(directoryRead), 'the person, reloaded, is not');
  });
});
