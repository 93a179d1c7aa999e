import assert from 'node:assert/strict';
import { CosmosTurnStateStorage } from '../../src/store/cosmos-turn-state-storage';
import { startTestStore, type TestStore } from '../support/embedded-store';

describe('CosmosTurnStateStorage', () => {
  let store: TestStore;
  let storage: CosmosTurnStateStorage;

  beforeEach(async () => {
    store = await startTestStore();
    storage = new CosmosTurnStateStorage(store.containers.botState);
  });

  afterEach(async () => {
    await store.close();
  });

  it('reads back what it wrote, with an eTag, under keys holding slashes', async () => {
    const key = 'msteams/bot/conversations/19:abc@thread.tacv2;messageid=1';
    await storage.write({ [key]: { count: 1 } });
    const items = await storage.read([key, 'missing']);
    assert.equal(items[key]?.count, 1);
    assert.equal(typeof items[key]?.eTag, 'string');
    assert.equal(items.missing, undefined);
  });

  it('refuses a write made with a stale eTag, so concurrent turns never lose an update', async () => {
    await storage.write({ k: { count: 1 } });
    const first = (await storage.read(['k'])).k!;
    const second = (await storage.read(['k'])).k!;
    await storage.write({ k: { ...first, count: 2 } });
    await assert.rejects(storage.write({ k: { ...second, count: 3 } }), /eTag conflict/);
    assert.equal((await storage.read(['k'])).k?.count, 2);
  });

  it('writes unconditionally with eTag "*" and deletes', async () => {
    await storage.write({ k: { count: 1 } });
    await storage.write({ k: { count: 5, eTag: '*' } });
    assert.equal((await storage.read(['k'])).k?.count, 5);
    await storage.delete(['k', 'never-written']);
    assert.deepEqual(await storage.read(['k']), {});
  });
});
