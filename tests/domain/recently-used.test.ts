import assert from 'node:assert/strict';
import { RecentlyUsed } from '../../src/domain/recently-used';

describe('a bounded memo', () => {
  it('keeps at most its limit, the least recently used out first', () => {
    const memo = new RecentlyUsed<string, number>(2);
    memo.set('a', 1);
    memo.set('b', 2);
    assert.equal(memo.get('a'), 1, 'a is now the most recently used');
    memo.set('c', 3);
    assert.equal(memo.get('b'), undefined, 'b went out');
    assert.deepEqual([memo.get('a'), memo.get('c')], [1, 3]);
    memo.set('a', 10);
    assert.equal(memo.get('a'), 10);
  });
});
