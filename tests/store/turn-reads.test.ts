import assert from 'node:assert/strict';
import { RequestMeter } from '../../src/domain/store-scope';
import { StoreContainer } from '../../src/store/store-container';
import { updateDocument, type DocumentCodec } from '../../src/store/documents';
import { startTestStore, type TestStore } from '../support/embedded-store';

interface Counter {
  n: number;
}
const codec: DocumentCodec<Counter> = {
  parse: (doc) => ({ n: Number(doc.n) }),
  validate: (value) => value,
  toDocument: (value) => ({ id: 'counter', accountId: 'contoso', n: value.n }),
};

describe("a turn's reads of account records", () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await startTestStore();
    await store.containers.accounts.items.create({ id: 'counter', accountId: 'contoso', n: 1 });
  });
  afterEach(async () => {
    await store.close();
  });

  function turn(): { container: StoreContainer; meter: RequestMeter } {
    const meter = new RequestMeter();
    return { container: new StoreContainer(store.containers.accounts).inScope({ meter, reads: new Map() }), meter };
  }

  it('reads a record once a turn, and no reader can change what the turn remembers', async () => {
    const { container, meter } = turn();
    const first = await container.item('counter', 'contoso').read<{ id: string; n: number }>();
    assert.throws(() => ((first.resource as { n: number }).n = 99), TypeError, 'not the first reader');
    const second = await container.item('counter', 'contoso').read<{ id: string; n: number }>();
    assert.throws(() => ((second.resource as { n: number }).n = 98), TypeError, 'nor a later one');
    assert.equal(second.resource?.n, 1);
    assert.equal(meter.operations, 1);
  });

  it('remembers what it replaced, keeps what another write left alone, and forgets what a write names', async () => {
    const { container, meter } = turn();
    await updateDocument(container, { id: 'counter', partitionKey: 'contoso' }, codec, (c) => ({ n: c.n + 1 }));
    assert.equal(meter.operations, 2, 'one read, one replace');
    assert.equal((await container.item('counter', 'contoso').read<{ n: number }>()).resource?.n, 2);
    assert.equal(meter.operations, 2, 'the replaced record is known');
    await container.items.upsert({ id: 'other', accountId: 'contoso' });
    assert.equal((await container.item('counter', 'contoso').read<{ n: number }>()).resource?.n, 2);
    assert.equal(meter.operations, 3, 'a write of another record leaves this one known');
    await container.items.upsert({ id: 'counter', accountId: 'contoso', n: 7 });
    assert.equal((await container.item('counter', 'contoso').read<{ n: number }>()).resource?.n, 7);
    assert.equal(meter.operations, 5, 'after its own write the record is read again');
    await container.items.batch([{ operationType: 'Upsert', resourceBody: { id: 'counter', accountId: 'contoso', n: 8 } }], 'contoso');
    await container.item('other', 'contoso').read();
    assert.equal((await container.item('counter', 'contoso').read<{ n: number }>()).resource?.n, 8, 'a batch leaves what it wrote');
    assert.equal(meter.operations, 7, 'the batch and the read of the record it did not write');
  });

  it('never lets a conditional write go on a stale read twice: someone else wrote, the retry reads afresh', async () => {
    const { container, meter } = turn();
    await container.item('counter', 'contoso').read();
    // Another instance changes it after this turn read it.
    const { resource } = await store.containers.accounts.item('counter', 'contoso').read<{ n: number }>();
    await store.containers.accounts.item('counter', 'contoso').replace({ id: 'counter', accountId: 'contoso', n: (resource?.n ?? 0) + 10 });
    const outcome = await updateDocument(container, { id: 'counter', partitionKey: 'contoso' }, codec, (c) => ({ n: c.n + 1 }));
    assert.equal(outcome.status, 'updated');
    assert.deepEqual('value' in outcome ? outcome.value : undefined, { n: 12 }, 'both changes land');
    assert.ok(meter.operations >= 4, 'the stale read, a refused replace, a fresh read and the replace');
  });

  it('keeps nothing without a turn, nor for other containers', async () => {
    const meter = new RequestMeter();
    const bare = new StoreContainer(store.containers.accounts).inScope({ meter });
    await bare.item('counter', 'contoso').read();
    await bare.item('counter', 'contoso').read();
    assert.equal(meter.operations, 2);
    await store.containers.directory.items.create({ id: 'p', pk: 'p' });
    const directory = new StoreContainer(store.containers.directory).inScope({ meter, reads: new Map() });
    await directory.item('p', 'p').read();
    await directory.item('p', 'p').read();
    assert.equal(meter.operations, 4, 'people and settings are read as asked, every time');
  });

  it('reads a record asked for twice at once once, and a missing one afresh each time', async () => {
    const { container, meter } = turn();
    const [a, b] = await Promise.all([container.item('counter', 'contoso').read<{ n: number }>(), container.item('counter', 'contoso').read<{ n: number }>()]);
    assert.equal(meter.operations, 1, 'the second read waits for the first');
    assert.equal(a.resource?.n, b.resource?.n);
    assert.ok(Object.isFrozen(a.resource) && Object.isFrozen(b.resource), 'neither reader can change what the other sees');
    await Promise.all([container.item('nothing', 'contoso').read().catch(() => undefined), container.item('nothing', 'contoso').read().catch(() => undefined)]);
    assert.equal(meter.operations, 3, 'a read that found nothing is not kept');
  });

  it('reads a channel link once a turn, and again after the directory is written', async () => {
    const meter = new RequestMeter();
    await store.containers.directory.items.upsert({ id: 'channel:19:x', pk: 'channel:19:x', accountId: 'contoso' });
    const directory = new StoreContainer(store.containers.directory).inScope({ meter, reads: new Map() });
    await directory.item('channel:19:x', 'channel:19:x').read();
    await directory.item('channel:19:x', 'channel:19:x').read();
    assert.equal(meter.operations, 1, 'the audience check before a post reuses the turn\'s read');
    await directory.items.upsert({ id: 'channel:19:x', pk: 'channel:19:x', accountId: 'fabrikam' });
    const { resource } = await directory.item('channel:19:x', 'channel:19:x').read<{ accountId: string }>();
    assert.equal(resource?.accountId, 'fabrikam', 'a write in the turn is seen by its next read');
    assert.equal(meter.operations, 3);
  });
});
