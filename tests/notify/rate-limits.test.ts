import assert from 'node:assert/strict';
import { SlidingWindowLimiter } from '../../src/notify/rate-limits';
import { simulatedTimer } from '../support/test-bot';

/** Whether a promise has settled once everything already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('SlidingWindowLimiter', () => {
  it('counts a request in flight, so no more than the limit can ever arrive within a window', async () => {
    const timer = simulatedTimer();
    const limiter = new SlidingWindowLimiter([{ count: 2, windowInMs: 1_000 }], timer);
    const first = await limiter.acquire('c');
    const second = await limiter.acquire('c');
    const third = limiter.acquire('c');
    assert.equal(await settled(third), false, 'two in flight fill a window of two');
    first();
    const answeredAt = timer.now();
    const release = await third;
    assert.ok(timer.now() > answeredAt + 1_000, `the third went at ${timer.now()}, before the first answer left the window`);
    second();
    release();
  });

  it('dates a slot by its answer, not by when the request left', async () => {
    const timer = simulatedTimer();
    const limiter = new SlidingWindowLimiter([{ count: 1, windowInMs: 1_000 }], timer);
    const slot = await limiter.acquire('c');
    await timer.sleep(400); // the request takes 400 ms to be answered
    slot();
    await limiter.acquire('c');
    assert.ok(timer.now() > 1_400, `the next request went at ${timer.now()} ms`);
  });

  it('keeps keys apart, honours a block, and ignores a second release', async () => {
    const timer = simulatedTimer();
    const limiter = new SlidingWindowLimiter([{ count: 1, windowInMs: 1_000 }], timer);
    const a = await limiter.acquire('a');
    a();
    a();
    await limiter.acquire('b');
    assert.equal(timer.now(), 0, 'another key does not wait');
    limiter.block('c', 5_000);
    await limiter.acquire('c');
    assert.ok(timer.now() >= 5_000);
  });
});
