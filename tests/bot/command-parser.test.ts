import assert from 'node:assert/strict';
import { parseCommandText } from '../../src/bot/command-parser';

describe('parseCommandText', () => {
  it('reads commands case-insensitively with their argument', () => {
    assert.deepEqual(parseCommandText('  LINK   Contoso '), { kind: 'command', command: 'link', argument: 'Contoso' });
    assert.deepEqual(parseCommandText('help'), { kind: 'command', command: 'help', argument: '' });
  });

  it('understands other ways of saying a command', () => {
    assert.deepEqual(parseCommandText('Who am I'), { kind: 'command', command: 'whoami', argument: '' });
    assert.deepEqual(parseCommandText('hello'), { kind: 'command', command: 'help', argument: '' });
  });

  it('does not take a longer word for a command', () => {
    assert.deepEqual(parseCommandText('linked'), { kind: 'unknown', text: 'linked', suggestion: 'link' });
    assert.deepEqual(parseCommandText('helpdesk please'), { kind: 'unknown', text: 'helpdesk please', suggestion: 'help' });
  });

  it('reports empty text', () => {
    assert.deepEqual(parseCommandText('   '), { kind: 'empty' });
  });
});
