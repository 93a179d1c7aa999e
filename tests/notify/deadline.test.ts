import assert from 'node:assert/strict';
import sinon from 'sinon';
import { boundedSignal, deadlineSignal, releaseDeadline } from '../../src/notify/deadline';

describe('deadlines', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('aborts with a TimeoutError when its time is up, as AbortSignal.timeout does', () => {
    const signal = deadlineSignal(1_000);
    clock.tick(999);
    assert.equal(signal.aborted, false);
    clock.tick(1);
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as Error).name, 'TimeoutError');
  });

  it('never fires once it is let go, and leaves no timer behind', () => {
    const signal = deadlineSignal(1_000);
    const fired = sinon.spy();
    signal.addEventListener('abort', fired);
    releaseDeadline(signal);
    assert.equal(clock.countTimers(), 0);
    clock.tick(5_000);
    assert.equal(signal.aborted, false);
    assert.equal(fired.callCount, 0);
  });

  it('leaves a signal that is not one of its own as it is', () => {
    const controller = new AbortController();
    releaseDeadline(controller.signal);
    controller.abort(new Error('the caller stopped'));
    assert.equal(controller.signal.aborted, true);
  });

  it('bounds a call by its caller’s signal, with the caller’s reason', () => {
    const outer = new AbortController();
    const { signal } = boundedSignal(outer.signal, 10_000);
    const reason = new Error('the turn is out of time');
    outer.abort(reason);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);
  });

  it('bounds a call by its own timeout within a longer caller deadline', () => {
    const outer = deadlineSignal(60_000);
    const { signal } = boundedSignal(outer, 10_000);
    clock.tick(10_000);
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as Error).name, 'TimeoutError');
    assert.equal(outer.aborted, false);
  });

  it('is let go whole: neither the caller’s abort nor its own time reaches it afterwards', () => {
    const outer = new AbortController();
    const bounded = boundedSignal(outer.signal, 10_000);
    bounded.release();
    assert.equal(clock.countTimers(), 0);
    outer.abort(new Error('later'));
    clock.tick(20_000);
    assert.equal(bounded.signal.aborted, false);
  });

  it('is the caller’s own signal when that has already fired', () => {
    const outer = new AbortController();
    outer.abort(new Error('gone'));
    const bounded = boundedSignal(outer.signal, 10_000);
    assert.equal(bounded.signal, outer.signal);
    assert.equal(clock.countTimers(), 0);
  });
});
