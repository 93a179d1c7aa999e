import assert from 'node:assert/strict';
import sinon from 'sinon';
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
  describe('asked for at once', () => {
    beforeEach(async () => {
      await store.containers.accounts.items.create({ id: 'plan', accountId: 'contoso', n: 2 });
      await store.containers.accounts.items.create({ id: 'contract', accountId: 'contoso', n: 3 });
      await store.containers.accounts.items.create({ id: 'plan', accountId: 'fabrikam', n: 4 });
    });
    afterEach(() => sinon.restore());

    const read = (container: StoreContainer, id: string, partitionKey = 'contoso') => container.item(id, partitionKey).read<{ id: string; accountId: string; n: number; _etag: string }>();

    it('goes as one request for the records of one partition, each answered with its own record and ETag', async () => {
      const { container, meter } = turn();
      const batch = sinon.spy(store.containers.accounts.items, 'batch');
      const [plan, contract, other] = await Promise.all([read(container, 'plan'), read(container, 'contract'), read(container, 'plan', 'fabrikam')]);
      assert.deepEqual([plan.resource?.n, contract.resource?.n, other.resource?.n], [2, 3, 4]);
      const { resource: stored, etag } = await store.containers.accounts.item('contract', 'contoso').read();
      assert.equal(contract.etag, etag);
      assert.equal(contract.resource?._etag, stored?._etag);
      assert.equal(meter.operations, 2, 'one batch for contoso, one read for fabrikam');
      assert.equal(batch.callCount, 1);
      assert.deepEqual(batch.firstCall.args[0], [{ operationType: 'Read', id: 'plan' }, { operationType: 'Read', id: 'contract' }]);
      assert.ok(Object.isFrozen(plan.resource), 'kept for the turn as every read is');
      await read(container, 'contract');
      assert.equal(meter.operations, 2, 'and remembered');
    });

    it('answers a missing record as missing and still reads the others', async () => {
      const { container, meter } = turn();
      const [missing, plan, contract] = await Promise.all([read(container, 'nothing'), read(container, 'plan'), read(container, 'contract')]);
      assert.equal(missing.resource, undefined);
      assert.equal(missing.statusCode, 404);
      assert.deepEqual([plan.resource?.n, contract.resource?.n], [2, 3]);
      assert.equal(meter.operations, 3, 'the batch stopped at the missing record: the two after it read on their own');
    });

    it('reads each record on its own when the batch fails (the SDK words it as a plain error, its status lost)', async () => {
      const { container, meter } = turn();
      sinon.stub(store.containers.accounts.items, 'batch').rejects(new Error('Batch request error: Request size is too large'));
      const [plan, contract] = await Promise.all([read(container, 'plan'), read(container, 'contract')]);
      assert.deepEqual([plan.resource?.n, contract.resource?.n], [2, 3]);
      assert.equal(meter.operations, 3, 'the refused batch and two reads');
    });

    it('fails every read of the batch with the status the store gave when it does not answer, none answered as missing', async () => {
      const { container } = turn();
      sinon.stub(store.containers.accounts.items, 'batch').rejects(new Error('Batch request error: Service is unavailable'));
      const item = sinon.stub(store.containers.accounts, 'item').callsFake(() => ({ read: () => Promise.reject(Object.assign(new Error('Service is unavailable'), { code: 503 })) }) as never);
      const outcomes = await Promise.allSettled([read(container, 'plan'), read(container, 'contract')]);
      item.restore();
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: number }).code : 'answered')),
        [503, 503],
      );
      const again = await read(container, 'plan');
      assert.equal(again.resource?.n, 2, 'a failed read is not remembered');
    });

    for (const [what, failure] of [
      ['throttled after its retries', Object.assign(new Error('Batch request error: Request rate is large'), { code: 429 })],
      ['cut off by the turn\'s budget', Object.assign(new Error('Batch request error: The operation was aborted.'), { name: 'AbortError' })],
    ] as const) {
      it(`fails every read of a batch ${what} at once, without reading each again`, async () => {
        const { container, meter } = turn();
        sinon.stub(store.containers.accounts.items, 'batch').rejects(failure);
        const outcomes = await Promise.allSettled([read(container, 'plan'), read(container, 'contract')]);
        assert.deepEqual(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as unknown) : 'answered')), [failure, failure]);
        assert.equal(meter.operations, 1, 'the batch alone: no record read on its own');
      });
    }

    it('reads a record asked for after the turn waited on the store on its own', async () => {
      const { container, meter } = turn();
      const batch = sinon.spy(store.containers.accounts.items, 'batch');
      await read(container, 'plan');
      await read(container, 'contract');
      assert.equal(meter.operations, 2);
      assert.equal(batch.callCount, 0);
    });
  });
});
