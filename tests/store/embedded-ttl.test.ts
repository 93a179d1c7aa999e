import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Container } from '@azure/cosmos';
import fc from 'fast-check';
import { startTestStore, type TestStore } from '../support/embedded-store';
import { ManualClock } from '../support/manual-clock';
import { ExpiryIndex, timeToLiveInSeconds } from '../../src/store/embedded-ttl';

type Item = { id: string; accountId?: string; pk?: string; ttl?: number; n?: number; _ts?: number };

const isNotFound = (error: { code?: number }): boolean => error.code === 404;

async function exists(container: Container, id: string, pk: string): Promise<boolean> {
  const { resource } = await container.item(id, pk).read<Item>();
  return resource !== undefined;
}

async function ids(container: Container, query: string): Promise<string[]> {
  const { resources } = await container.items.query<{ id: string }>(query).fetchAll();
  return resources.map((r) => r.id).sort();
}

describe('embedded Cosmos store: time to live as Azure Cosmos DB applies it', () => {
  let dataDir: string;
  let clock: ManualClock;
  const stores: TestStore[] = [];

  async function start(): Promise<TestStore> {
    const store = await startTestStore({ dataDir, clock });
    stores.push(store);
    return store;
  }

  /** A container with `defaultTtl: n > 0`, which the app's definition does not have. */
  async function shortLived(store: TestStore, defaultTtl = 60): Promise<Container> {
    const { container } = await store.client.database('test').containers.createIfNotExists({ id: 'short-lived', partitionKey: { paths: ['/pk'] }, defaultTtl });
    return container;
  }

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-ttl-'));
    clock = new ManualClock('2026-03-02T09:00:00.000Z');
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a container without defaultTtl keeps every item, whatever its ttl says', async () => {
    const store = await start();
    await store.containers.directory.items.create({ id: 'x', pk: 'x', ttl: 1 });
    clock.advance(30 * 86_400_000);
    assert.equal(await exists(store.containers.directory, 'x', 'x'), true);
  });

  it('defaultTtl -1: an item with ttl goes that many seconds after its write; one without ttl or with ttl -1 stays', async () => {
    const store = await start();
    const accounts = store.containers.accounts;
    await accounts.items.create({ id: 'brief', accountId: 'contoso', ttl: 60, n: 1 });
    await accounts.items.create({ id: 'kept', accountId: 'contoso', n: 2 });
    await accounts.items.create({ id: 'never', accountId: 'fabrikam', ttl: -1, n: 3 });

    clock.advance(59_999);
    assert.equal(await exists(accounts, 'brief', 'contoso'), true, 'still there a moment before its time');
    clock.advance(1);
    assert.equal((await accounts.item('brief', 'contoso').read()).statusCode, 404);
    assert.deepEqual(await ids(accounts, "SELECT c.id FROM c WHERE c.accountId = 'contoso'"), ['kept']);
    assert.deepEqual(await ids(accounts, 'SELECT c.id FROM c'), ['kept', 'never'], 'a cross-partition query does not see it');
    const { resources: top } = await accounts.items.query<{ id: string }>('SELECT TOP 1 c.id FROM c ORDER BY c.n ASC').fetchAll();
    assert.deepEqual(top.map((r) => r.id), ['kept'], 'nor ORDER BY with TOP');
    await assert.rejects(accounts.item('brief', 'contoso').replace({ id: 'brief', accountId: 'contoso', n: 9 }), isNotFound);
    await assert.rejects(accounts.item('brief', 'contoso').patch([{ op: 'set', path: '/n', value: 9 }]), isNotFound);
    const { statusCode } = await accounts.items.create({ id: 'brief', accountId: 'contoso', n: 4 });
    assert.equal(statusCode, 201, 'its id is free again');

    clock.advance(365 * 86_400_000);
    assert.deepEqual(await ids(accounts, 'SELECT c.id FROM c'), ['brief', 'kept', 'never'], 'without ttl (and with -1) nothing else goes');
  });

  it('defaultTtl n: items go n seconds after their last write unless their own ttl says otherwise (-1: never)', async () => {
    const store = await start();
    const container = await shortLived(store, 60);
    await container.items.create({ id: 'default', pk: 'p' });
    await container.items.create({ id: 'longer', pk: 'p', ttl: 120 });
    await container.items.create({ id: 'shorter', pk: 'p', ttl: 10 });
    await container.items.create({ id: 'never', pk: 'p', ttl: -1 });
    clock.advance(10_000);
    assert.deepEqual(await ids(container, 'SELECT c.id FROM c'), ['default', 'longer', 'never']);
    clock.advance(50_000);
    assert.deepEqual(await ids(container, 'SELECT c.id FROM c'), ['longer', 'never']);
    clock.advance(60_000);
    assert.deepEqual(await ids(container, 'SELECT c.id FROM c'), ['never']);
    clock.advance(10 * 365 * 86_400_000);
    assert.deepEqual(await ids(container, 'SELECT c.id FROM c'), ['never']);
  });

  it('counts from the last write, and _ts is that write by the injected clock', async () => {
    const store = await start();
    const container = await shortLived(store, 60);
    const { resource: created } = await container.items.create<Item>({ id: 'a', pk: 'p' });
    assert.equal(created?._ts, Date.parse('2026-03-02T09:00:00.000Z') / 1000);
    clock.advance(50_000);
    const { resource: replaced } = await container.item('a', 'p').replace<Item>({ id: 'a', pk: 'p', n: 2 });
    assert.equal(replaced?._ts, Date.parse('2026-03-02T09:00:50.000Z') / 1000);
    clock.advance(50_000);
    assert.equal(await exists(container, 'a', 'p'), true, '100 s after the create, 50 s after the replace');
    await container.item('a', 'p').patch([{ op: 'set', path: '/n', value: 3 }]);
    clock.advance(59_000);
    assert.equal(await exists(container, 'a', 'p'), true, 'a patch is a write too');
    clock.advance(1_000);
    assert.equal(await exists(container, 'a', 'p'), false);
  });

  it('a restart neither revives an expired item nor gives a living one a new write time', async () => {
    const first = await start();
    await first.containers.accounts.items.create({ id: 'soon', accountId: 'contoso', ttl: 60 });
    await first.containers.accounts.items.create({ id: 'later', accountId: 'contoso', ttl: 600 });
    clock.advance(30_000);
    // The process dies: no close, so only the journal holds the writes.
    const second = await start();
    const accounts = second.containers.accounts;
    const { resource } = await accounts.item('later', 'contoso').read<Item>();
    assert.equal(resource?._ts, Date.parse('2026-03-02T09:00:00.000Z') / 1000, 'the write time survives the restart');
    clock.advance(30_000);
    assert.deepEqual(await ids(accounts, 'SELECT c.id FROM c'), ['later'], '60 s after its write, not after the restart');

    // Its removal is journaled: with the clock set back, a third start still does not have it.
    const journal = fs.readFileSync(path.join(dataDir, 'cosmos', 'journal.ndjson'), 'utf8');
    assert.match(journal, /"op":"del".*"id":"soon"/);
    clock.set('2026-03-02T09:00:10.000Z');
    const third = await start();
    assert.deepEqual(await ids(third.containers.accounts, 'SELECT c.id FROM c'), ['later']);
  });

  it('a restart after the store was down past an expiry does not bring the item back', async () => {
    const first = await start();
    await first.containers.outbox.items.create({ id: 'sent', ttl: 3600 });
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    clock.advance(2 * 3600_000);
    const second = await start();
    assert.equal(await exists(second.containers.outbox, 'sent', 'sent'), false);
    assert.doesNotMatch(fs.readFileSync(path.join(dataDir, 'cosmos', 'snapshot.json'), 'utf8'), /"sent"/, 'the compacted snapshot no longer holds it');
  });

  it('items written by a batch or in bulk expire like any other', async () => {
    const store = await start();
    const accounts = store.containers.accounts;
    await accounts.items.batch([{ operationType: 'Create', resourceBody: { id: 'b1', accountId: 'contoso', ttl: 60 } }], 'contoso');
    await accounts.items.bulk([{ operationType: 'Create', resourceBody: { id: 'k1', accountId: 'fabrikam', ttl: 60 } }]);
    clock.advance(60_000);
    assert.deepEqual(await ids(accounts, 'SELECT c.id FROM c'), []);
  });

  it('a container replaced with another defaultTtl applies it to the items it holds', async () => {
    const store = await start();
    const container = await shortLived(store, 3600);
    await container.items.create({ id: 'a', pk: 'p' });
    const { resource: definition } = await container.read();
    await container.replace({ ...definition!, id: 'short-lived', partitionKey: definition!.partitionKey!, defaultTtl: 10 });
    assert.equal(await exists(container, 'a', 'p'), true, 'replacing the container keeps its items');
    clock.advance(10_000);
    assert.equal(await exists(container, 'a', 'p'), false);
  });
});

describe('embedded Cosmos store: the time to live rules and the expiry index', () => {
  it('reads defaultTtl and ttl as Azure Cosmos DB does', () => {
    const cases: [unknown, unknown, number | undefined][] = [
      [undefined, 60, undefined],
      [null, 60, undefined],
      [-1, undefined, undefined],
      [-1, -1, undefined],
      [-1, 60, 60],
      [300, undefined, 300],
      [300, 60, 60],
      [300, 600, 600],
      [300, -1, undefined],
      [300, 0, 300],
      [300, '60', 300],
    ];
    for (const [defaultTtl, ttl, expected] of cases) assert.equal(timeToLiveInSeconds(defaultTtl, ttl), expected, `defaultTtl ${String(defaultTtl)}, ttl ${String(ttl)}`);
  });

  it('gives back exactly what a plain map of expiries says is due, soonest first', () => {
    type Step = { kind: 'set'; key: number; at: number } | { kind: 'delete'; key: number } | { kind: 'take'; now: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 30 }), at: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('take' as const), now: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps: Step[]) => {
        const index = new ExpiryIndex();
        const model = new Map<string, number>();
        for (const s of steps) {
          if (s.kind === 'set') {
            index.set(`k${s.key}`, { key: `k${s.key}`, expiresAt: s.at, db: 'd', coll: 'c', id: `k${s.key}`, pk: 'p' });
            model.set(`k${s.key}`, s.at);
          } else if (s.kind === 'delete') {
            index.delete(`k${s.key}`);
            model.delete(`k${s.key}`);
          } else {
            const due = index.takeDue(s.now).map((e) => [e.key, e.expiresAt] as const);
            const expected = [...model].filter(([, at]) => at <= s.now);
            for (const [key] of expected) model.delete(key);
            assert.deepEqual([...due].sort(), [...expected].sort());
            assert.deepEqual(due.map(([, at]) => at), [...due.map(([, at]) => at)].sort((a, b) => a - b));
          }
        }
        assert.equal(index.size, model.size);
      }),
    );
  });

  it('does not grow without bound when the same items are rewritten over and over', () => {
    const index = new ExpiryIndex();
    for (let i = 0; i < 50_000; i++) index.set(`k${i % 10}`, { key: `k${i % 10}`, expiresAt: 1_000 + i, db: 'd', coll: 'c', id: `k${i % 10}`, pk: 'p' });
    assert.equal(index.size, 10);
    assert.ok((index as unknown as { heap: unknown[] }).heap.length < 2_000, 'the leftovers of rewrites are cleared out');
    assert.deepEqual(index.takeDue(100_000).map((e) => e.key).sort(), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
  });
});
