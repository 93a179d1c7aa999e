import assert from 'node:assert/strict';
import { createCosmosClient } from '../../src/store/cosmos-client';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { FaultyCosmosProxy } from '../support/faulty-cosmos-proxy';
import { ManualClock } from '../support/manual-clock';

describe('the Cosmos client policy', function () {
  this.timeout(30_000);
  let store: EmbeddedCosmos;
  let proxy: FaultyCosmosProxy;

  before(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    proxy = new FaultyCosmosProxy(store.endpoint);
    await proxy.start();
  });

  after(async () => {
    await proxy.stop();
    await store.close();
  });

  it('waits as long as the service asks on 429 (x-ms-retry-after-ms), not a fixed interval of its own', async () => {
    const client = createCosmosClient({ endpoint: proxy.endpoint, embedded: true });
    try {
      const { database } = await client.databases.createIfNotExists({ id: 'policy' });
      const { container } = await database.containers.createIfNotExists({ id: 'c', partitionKey: { paths: ['/id'] } });
      await container.items.create({ id: 'one', n: 1 });
      const isRead = (method: string, url: string): boolean => method === 'GET' && url.endsWith('/docs/one');
      proxy.failNext(isRead, '429', 2, { retryAfterInMs: 400 });
      const { resource } = await container.item('one', 'one').read<{ n: number }>();
      assert.equal(resource?.n, 1, 'the read succeeds once the service lets it');
      const reads = proxy.arrivals.filter((a) => isRead(a.method, a.url)).map((a) => a.at);
      assert.equal(reads.length, 3, 'two throttled attempts, then the one that succeeded');
      for (let i = 1; i < reads.length; i++) {
        const waited = (reads[i] ?? 0) - (reads[i - 1] ?? 0);
        assert.ok(waited >= 380, `waited ${waited} ms after a 429 that asked for 400 ms`);
      }
    } finally {
      client.dispose();
    }
  });
});
