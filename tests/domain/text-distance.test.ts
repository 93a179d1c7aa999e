import assert from 'node:assert/strict';
import { closest, editDistance } from '../../src/domain/text-distance';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('help', 'help'), 0);
    assert.equal(editDistance('hlep', 'help'), 2);
    assert.equal(editDistance('whoamu', 'whoami'), 1);
    assert.equal(editDistance('', 'link'), 4);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('closest', () => {
  const commands = ['help', 'whoami', 'link'];
  it('suggests the command a typo is nearest to', () => {
    assert.equal(closest('hepl', commands), 'help');
    assert.equal(closest('whoamu', commands), 'whoami');
    assert.equal(closest('lnk', commands), 'link');
  });

  it('suggests a command a prefix starts', () => {
    assert.equal(closest('who', commands), 'whoami');
  });

  it('suggests nothing for text far from every command', () => {
    assert.equal(closest('quarterly business review', commands), undefined);
    assert.equal(closest('', commands), undefined);
  });
});
