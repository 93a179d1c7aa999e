import assert from 'node:assert/strict';
import { RefreshAhead, TtlCache } from '../../src/store/ttl-cache';
import { ManualClock } from '../support/manual-clock';

describe('TtlCache with refresh ahead', () => {
  const ttl = 15_000;
  let clock: ManualClock;
  let ahead: RefreshAhead;
  let cache: TtlCache<string>;
  let stored: string;
  let reads: number;
  const load = (): Promise<string> => {
    reads += 1;
    return Promise.resolve(stored);
  };

  beforeEach(() => {
    clock = new ManualClock();
    ahead = new RefreshAhead();
    cache = new TtlCache<string>(clock, ttl, { refreshAhead: ahead });
    stored = 'v1';
    reads = 0;
  });

  it('asks for a reload only in the last third of a lifetime, once however often it is read', async () => {
    await cache.get('k', load, load);
    clock.advance(ttl - ttl / 3 - 1);
    await cache.get('k', load, load);
    assert.equal(ahead.pending, false, 'two thirds in, nothing is due');
    clock.advance(1);
    for (let i = 0; i < 5; i += 1) await cache.get('k', load, load);
    assert.equal(ahead.pending, true);
    assert.equal(reads, 1, 'the reads themselves were all served');
    stored = 'v2';
    await ahead.run();
    assert.equal(reads, 2, 'one reload for five reads in the window');
    assert.equal(ahead.pending, false);
    clock.advance(ttl - 1);
    assert.equal(await cache.get('k', load), 'v2', 'the reloaded value lives a whole lifetime from its read');
    assert.equal(reads, 2);
  });

  it('never serves a value past its lifetime, whatever is due', async () => {
    await cache.get('k', load, load);
    clock.advance(ttl - 1);
    await cache.get('k', load, load);
    clock.advance(1);
    stored = 'v2';
    assert.equal(await cache.get('k', load, load), 'v2', 'expired before the reload ran: read on the path');
    assert.equal(reads, 2);
  });

  it('a reload does not overwrite what this process wrote or deleted while it was under way', async () => {
    await cache.get('k', load, load);
    clock.advance(ttl - 1_000);
    let finish: (value: string) => void = () => undefined;
    await cache.get('k', load, () => new Promise<string>((resolve) => (finish = resolve)));
    const running = ahead.run();
    cache.set('k', 'written here');
    finish('read before the write');
    await running;
    assert.equal(cache.peek('k'), 'written here');

    clock.advance(ttl - 1_000);
    await cache.get('k', load, () => new Promise<string>((resolve) => (finish = resolve)));
    const again = ahead.run();
    cache.delete('k');
    finish('read before the delete');
    await again;
    assert.equal(cache.peek('k'), undefined, 'a deleted entry stays deleted');
  });

  it('a failed reload leaves the entry as it was, and the next read in the window asks again', async () => {
    await cache.get('k', load, load);
    clock.advance(ttl - 1_000);
    await cache.get('k', load, () => Promise.reject(new Error('store down')));
    await ahead.run();
    assert.equal(cache.peek('k'), 'v1');
    stored = 'v2';
    await cache.get('k', load, load);
    assert.equal(ahead.pending, true, 'due again');
    await ahead.run();
    assert.equal(cache.peek('k'), 'v2');
  });

  it('without a reload given, or without refresh ahead, an entry just runs out', async () => {
    const plain = new TtlCache<string>(clock, ttl);
    await plain.get('k', load, load);
    await cache.get('k', load);
    clock.advance(ttl - 1);
    await plain.get('k', load, load);
    await cache.get('k', load);
    assert.equal(ahead.pending, false);
  });

  it('keeps at most as many reloads waiting as it was given; past that, entries run out as before and are asked for again later', async () => {
    const few = new RefreshAhead(2);
    const small = new TtlCache<string>(clock, ttl, { refreshAhead: few });
    for (const key of ['a', 'b', 'c']) await small.get(key, load, load);
    clock.advance(ttl - 1_000);
    for (const key of ['a', 'b', 'c']) await small.get(key, load, load);
    reads = 0;
    await few.run();
    assert.equal(reads, 2, 'two reloads, not three');
    await small.get('c', load, load);
    assert.equal(few.pending, true, 'the one left out is asked for at its next read');
  });

  it('an entry loaded again while the reload of the one before was still waiting gets its own reload', async () => {
    await cache.get('k', load, load);
    clock.advance(ttl - 1_000);
    await cache.get('k', load, load); // due, but nothing runs before it expires
    clock.advance(1_000);
    stored = 'v2';
    await cache.get('k', load, load); // expired: loaded on the path
    clock.advance(ttl - 1_000);
    stored = 'v3';
    await cache.get('k', load, load);
    await ahead.run();
    assert.equal(cache.peek('k'), 'v3', 'the newer entry was reloaded');
    clock.advance(ttl - 1_000);
    await cache.get('k', load, load);
    assert.equal(ahead.pending, true, 'and asks again late in its next life');
  });
});
