import assert from 'node:assert/strict';
import sinon from 'sinon';
import { actionExecute, botAdded, installationUpdate, personalMessage } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { FaultyCosmosProxy } from '../support/faulty-cosmos-proxy';
import { demo, TestBot } from '../support/test-bot';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from '../support/manual-clock';
import { OpeningQueue } from '../../src/services/opening-queue';
import { deadlinesPending } from '../../src/notify/deadline';

const channel = demo.contosoChannel;
const sevA = { title: 'Mail flow stopped', description: 'No inbound mail since 08:40.', severity: 'A', product: 'Exchange Server', businessImpact: 'Nobody gets mail.', contactPhone: '+44 20 7946 0958' };

describe("a turn's store budget", function () {
  this.timeout(60_000);
  let store: EmbeddedCosmos;
  let proxy: FaultyCosmosProxy;
  let bot: TestBot | undefined;

  beforeEach(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    proxy = new FaultyCosmosProxy(store.endpoint);
    await proxy.start();
  });

  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await proxy.stop();
    await store.close();
  });

  async function started(options: Parameters<typeof TestBot.start>[0]): Promise<TestBot> {
    const running = await TestBot.start({ embeddedCosmosEndpoint: proxy.endpoint, ...options });
    bot = running;
    await running.post(botAdded(running.serviceUrl, demo.users.alex, channel));
    for (const user of [demo.users.alex, demo.users.megan]) await running.post(installationUpdate(running.serviceUrl, user, 'add'));
    running.connector.reset();
    return running;
  }

  it('answers "try again" within the budget when the store stops answering, with endpoint discovery on', async () => {
    // With discovery on, the client would retry each timed-out request many times over; only the
    // turn's budget bounds the turn.
    proxy.advertiseSelf();
    const budgetInMs = 1_500;
    const running = await started({ cosmosEndpointDiscovery: true, cosmosRequestTimeoutInMs: 500, turnStoreBudgetInMs: budgetInMs });
    proxy.stall();

    const askedAt = Date.now();
    const res = await running.post(actionExecute(running.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Proactive', hours: '1', date: '2026-03-02', note: 'Workshop' }));
    const invokeMs = Date.now() - askedAt;
    assert.equal(res.status, 200);
    assert.match(cardText(invokeCard(res.body)), /Please try again/);
    assert.ok(invokeMs < budgetInMs + 3_000, `the invoke was answered after ${invokeMs} ms, with a budget of ${budgetInMs} ms`);

    const messageAt = Date.now();
    const message = await running.post(personalMessage(running.serviceUrl, demo.users.alex, 'contract contoso'));
    const messageMs = Date.now() - messageAt;
    assert.ok(message.status < 300, `status ${message.status}`);
    assert.match(cardText(onlyCard(running.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`))), /Please try again/);
    assert.ok(messageMs < budgetInMs + 3_000, `the message was answered after ${messageMs} ms, with a budget of ${budgetInMs} ms`);
    assert.ok(
      running.logs.some((l) => l.event === 'turn.store_unavailable'),
      'the abandoned store call is logged as the store being unavailable',
    );

    proxy.heal();
    const again = await running.post(actionExecute(running.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Proactive', hours: '1', date: '2026-03-02', note: 'Workshop' }));
    assert.match(cardText(invokeCard(again.body)), /Logged 1 h/, 'the same action goes through once the store answers');
  });

  it('waits for the 429 retry-after the store asks for, within the turn', async () => {
    const running = await started({});
    const isAccountsRead = (method: string, url: string): boolean => method === 'GET' && url.includes('/colls/accounts/docs/');
    proxy.failNext(isAccountsRead, '429', 1, { retryAfterInMs: 300 });
    const askedAt = Date.now();
    const res = await running.post(personalMessage(running.serviceUrl, demo.users.alex, 'contract contoso'));
    const answeredInMs = Date.now() - askedAt;
    assert.ok(res.status < 300);
    assert.equal(proxy.injected['429'], 1, 'one read was throttled');
    assert.match(cardText(onlyCard(running.connector.sent())), /Contoso/, 'and the turn still answered with the contract');
    assert.ok(answeredInMs >= 280, `answered after ${answeredInMs} ms: the throttled read was tried again before the 300 ms the store asked for`);
  });

  for (const fault of ['429', '503'] as const) {
    it(`says "try again" when a write batch meets ${fault} from the store, and stores nothing`, async () => {
      const running = await started({});
      const isBatch = (method: string, url: string, operations?: readonly string[]): boolean => method === 'POST' && url.includes('/colls/accounts/docs') && (operations?.length ?? 0) > 0;
      // More than the client's retries of a 429: the batch fails as a whole.
      proxy.failNext(isBatch, fault, 10, { retryAfterInMs: 5 });
      const entry = { accountId: 'contoso', bucket: 'Reactive', hours: '3', date: '2026-03-02', note: 'Throttled entry' };
      const res = await running.post(actionExecute(running.serviceUrl, demo.users.alex, 'contract.logHours', entry));
      assert.ok(proxy.injected[fault] >= 1, 'the batch met the fault');
      const text = cardText(invokeCard(res.body));
      assert.match(text, /Please try again/);
      assert.doesNotMatch(text, /went wrong on our side/);
      assert.ok(running.logs.some((l) => l.event === 'turn.store_unavailable' && l.level === 'warn'), 'logged as the store being unavailable');
      assert.equal(running.logs.filter((l) => l.event === 'turn.failed').length, 0, 'not as a fault of ours');
      proxy.heal();
      const contract = await running.running.repositories.contracts.getContract('contoso');
      assert.ok(contract, 'Contoso has a contract');
      const entries = await running.running.repositories.contracts.listEntries('contoso', contract.contractId);
      assert.ok(entries.length > 0, 'the demo ledger is there');
      assert.equal(entries.filter((e) => e.note === 'Throttled entry').length, 0, 'nothing was stored');
    });
  }

  it('does not hand its budget to the work it starts in the background', async () => {
    const budgets: AbortController[] = [];
    const running = await started({
      turnStoreBudget: () => {
        const controller = new AbortController();
        budgets.push(controller);
        return controller.signal;
      },
    });
    // The notifications a new escalation queues are delivered in the background; their first read
    // is held until every turn's budget has run out.
    const waiting = proxy.hold((method, url) => method === 'GET' && url.includes('/colls/outbox/docs/'));
    const res = await running.post(actionExecute(running.serviceUrl, demo.users.adele, 'escalation.create', sevA, { channel, replyToId: 'intake-1' }));
    assert.match(cardText(invokeCard(res.body)), /ESC-CONTOSO-0001/);
    await waiting;
    for (const budget of budgets) budget.abort(new DOMException('The turn took its whole store budget.', 'TimeoutError'));
    proxy.release();
    await running.running.background.idle();

    assert.equal(running.logs.filter((l) => l.event === 'background.failed').length, 0, 'no background work was cut off');
    const toTam = running.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`).flatMap(cardsIn).map(cardText).join('\n');
    assert.match(toTam, /ESC-CONTOSO-0001/, 'the TAM was notified at once, not on a later dispatcher pass');
  });

  it('lets go of its deadlines when it ends, whatever it did', async () => {
    const running = await started({});
    const before = deadlinesPending();
    for (const text of ['help', 'contract contoso', 'escalations contoso', 'no such command']) {
      assert.equal((await running.post(personalMessage(running.serviceUrl, demo.users.alex, text))).status, 200);
    }
    // Each turn made its store budget, its send and queue deadlines and one per connector call.
    assert.equal(running.connector.sent().length, 4, 'every turn answered through the connector');
    assert.equal(deadlinesPending(), before, 'no deadline of a finished turn is left to fire');
  });

  it('logs each turn with its store operations and request charge', async () => {
    const running = await started({});
    await running.post(personalMessage(running.serviceUrl, demo.users.alex, 'contract contoso'));
    const done = running.logs.filter((l) => l.event === 'turn.done' && l.level === 'info');
    const last = done.at(-1);
    assert.ok(last, 'turn.done is logged at info');
    assert.equal(typeof last.storeOperations, 'number');
    assert.ok((last.storeOperations as number) > 0, 'the contract turn used the store');
    assert.ok((last.requestCharge as number) >= (last.storeOperations as number), 'the embedded store charges 1 RU an operation');
    const requests = running.logs.filter((l) => l.event === 'store.request' && l.correlationId === last.correlationId);
    assert.equal(requests.length, last.storeOperations, 'each operation of the turn is logged at debug with its charge');
    assert.ok(requests.every((r) => typeof r.requestCharge === 'number' && typeof r.container === 'string'));
  });
  it("an opening whose turn runs out of budget takes none of the openings waiting behind it down with it", async () => {
    const budgets: AbortController[] = [];
    const running = await started({
      turnStoreBudget: () => {
        const controller = new AbortController();
        budgets.push(controller);
        return controller.signal;
      },
    });
    const opens = sinon.spy(OpeningQueue.prototype, 'open');
    try {
      const intake = (title: string, replyToId: string) =>
        running.post(actionExecute(running.serviceUrl, demo.users.adele, 'escalation.create', { title, description: 'Down', severity: 'B', product: 'Azure' }, { channel, replyToId }));
      // The first opening's batch is held; two more arrive and wait in the account's queue behind it.
      const held = proxy.hold((method, url) => method === 'POST' && url.endsWith('/colls/accounts/docs'));
      const first = budgets.length;
      const a = intake('First', 'wave-a');
      await held;
      const others = [intake('Second', 'wave-b'), intake('Third', 'wave-c')];
      while (opens.callCount < 3) await new Promise((resolve) => setImmediate(resolve));
      // The first turn's budget runs out while its batch is in flight.
      budgets[first]?.abort(new DOMException('The turn took its whole store budget.', 'TimeoutError'));
      proxy.release();
      assert.match(cardText(invokeCard((await a).body)), /try again/i, 'the first is told to try again');
      const texts = (await Promise.all(others)).map((r) => cardText(invokeCard(r.body)));
      for (const text of texts) assert.match(text, /Opened ESC-CONTOSO-\d{4}/, 'each waiting opening is stored, under its own turn');
      // The abandoned request may still have been stored whole (as an answer lost on the way): its resend says which.
      const resent = cardText(invokeCard((await intake('First', 'wave-a')).body));
      assert.match(resent, /Opened ESC-CONTOSO-\d{4}|opened already as ESC-CONTOSO-\d{4}/);
      const stored = await running.running.repositories.escalations.listOpen('contoso');
      assert.deepEqual(stored.map((e) => e.title).sort(), ['First', 'Second', 'Third'], 'each once');
      assert.deepEqual(stored.map((e) => e.number).sort((x, y) => x - y), [1, 2, 3], 'without gaps');
    } finally {
      opens.restore();
    }
  });
});
