import assert from 'node:assert/strict';
import { CosmosClient, type Container } from '@azure/cosmos';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { createCosmosClient } from '../../src/store/cosmos-client';
import { QueryPlanCache } from '../../src/store/query-plan-cache';
import { JsonLogger } from '../../src/logging/json-logger';
import { CosmosRequestCounter } from '../../bench/cosmos-request-counter';
import { ManualClock } from '../support/manual-clock';

describe('the query-plan cache', function () {
  this.timeout(30_000);
  let store: EmbeddedCosmos;
  let counter: CosmosRequestCounter;
  let cache: QueryPlanCache;
  let client: CosmosClient;
  let container: Container;

  before(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    counter = new CosmosRequestCounter(store.endpoint);
    await counter.start();
    cache = new QueryPlanCache();
    client = new CosmosClient({ endpoint: counter.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false }, httpClient: cache });
    const { database } = await client.databases.createIfNotExists({ id: 'plans' });
    ({ container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/accountId'] } }));
    for (const [accountId, n] of [['a', 3], ['b', 1], ['a', 2], ['b', 5], ['c', 4]] as const) await container.items.create({ id: `${accountId}-${n}`, accountId, n });
  });

  after(async () => {
    client.dispose();
    await counter.stop();
    await store.close();
  });

  const ordered = (accountId?: string): Promise<number[]> =>
    container.items
      .query<number>(
        { query: 'SELECT VALUE c.n FROM c WHERE c.n > @min ORDER BY c.n DESC', parameters: [{ name: '@min', value: 1 }] },
        accountId ? { partitionKey: accountId } : {},
      )
      .fetchAll()
      .then((r) => r.resources);

  it('asks for the plan of a query once, and answers the same query again from it with the same results', async () => {
    counter.reset();
    const first = await ordered();
    const asked = counter.reset();
    const again = await ordered();
    const askedAgain = counter.reset();
    assert.deepEqual(first, [5, 4, 3, 2], 'across partitions, ordered as the plan says');
    assert.deepEqual(again, first);
    assert.equal(asked['query plan'], 1);
    assert.equal(askedAgain['query plan'], 0, 'the kept plan answered');
    assert.ok(askedAgain['query, cross-partition'] >= 1, 'the query itself still goes to the store');
  });

  it('asks again for a query that differs in its parameters; the partition key is not part of the question', async () => {
    await ordered('a');
    counter.reset();
    // The SDK sends no partition key with a plan request: the same text gets the same plan.
    assert.deepEqual(await ordered('b'), [5]);
    assert.equal(counter.reset()['query plan'], 0);
    const other = await container.items.query<number>({ query: 'SELECT VALUE c.n FROM c WHERE c.n > @min ORDER BY c.n DESC', parameters: [{ name: '@min', value: 3 }] }).fetchAll();
    assert.deepEqual(other.resources, [5, 4]);
    assert.equal(counter.reset()['query plan'], 1, 'other parameters: another plan');
  });

  it('leaves every other request to the store: reads and writes are never answered from it', async () => {
    const before = cache.answered;
    counter.reset();
    await container.items.upsert({ id: 'a-3', accountId: 'a', n: 30 });
    const { resource } = await container.item('a-3', 'a').read<{ n: number }>();
    const counts = counter.reset();
    assert.equal(resource?.n, 30);
    assert.equal(counts.write, 1);
    assert.equal(counts['point read'], 1);
    assert.equal(cache.answered, before);
    assert.deepEqual(await ordered(), [30, 5, 4, 2], 'a kept plan says how to run the query, not what it returns');
  });

  it('keeps no failed answer: a plan the store could not give is asked for again', async () => {
    const failing = new QueryPlanCache({
      sendRequest: (request) =>
        Promise.resolve( ({ request, status: 503, headers: createHttpHeaders({}), bodyAsText: '{"code":"ServiceUnavailable","message":"down"}' }),
        ),
    });
    const request = createPipelineRequest({
      url: 'http://127.0.0.1:1/dbs/x/colls/y/docs',
      method: 'POST',
      headers: createHttpHeaders({ 'x-ms-cosmos-is-query-plan-request': 'True' }),
      body: '{"query":"SELECT * FROM c"}',
    });
    assert.equal((await failing.sendRequest(request)).status, 503);
    assert.equal((await failing.sendRequest(request)).status, 503);
    assert.equal(failing.answered, 0);
  });

  it('is what the app\'s Cosmos client sends through', async () => {
    const appClient = createCosmosClient({ endpoint: counter.endpoint, embedded: true });
    try {
      const items = appClient.database('plans').container('items');
      const run = (): Promise<unknown[]> => items.items.query<unknown>({ query: 'SELECT * FROM c WHERE c.accountId = @a', parameters: [{ name: '@a', value: 'c' }] }, { partitionKey: 'c' }).fetchAll().then((r) => r.resources);
      await run();
      counter.reset();
      assert.equal((await run()).length, 1);
      assert.equal(counter.reset()['query plan'], 0);
    } finally {
      appClient.dispose();
    }
  });
});
