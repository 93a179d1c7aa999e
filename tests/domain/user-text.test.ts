import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanUserText } from '../../src/domain/user-text';

describe('cleanUserText', () => {
  const invisibles = ['\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u00AD'];
  const controls = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\r', '\u001B', '\u001F', '\u007F'];

  it('reads anything but a string as empty', () => {
    for (const value of [undefined, null, 42, true, {}, [], ['a']]) assert.equal(cleanUserText(value), '');
  });

  it('makes a text of only invisible characters, controls and whitespace empty', () => {
    for (const c of [...invisibles, ...controls, ' ', '\t', '\n', '\u00A0', '\u3000']) assert.equal(cleanUserText(`${c}${c}`), '', JSON.stringify(c));
    assert.equal(cleanUserText('\u200B\u202E\u0000 \u2066\uFEFF\n\t\u2069\u200D'), '');
  });

  it('removes NUL and the other controls everywhere, and keeps tabs and line breaks inside', () => {
    assert.equal(cleanUserText('VPN\u0000 down'), 'VPN down');
    assert.equal(cleanUserText('a\u0001b\u001Bc\u007Fd'), 'abcd');
    assert.equal(cleanUserText('line one\r\nline\ttwo'), 'line one\nline\ttwo');
  });

  it('trims invisible characters at both ends and keeps them inside', () => {
    assert.equal(cleanUserText('\u200B\u202ETitle\u200B\u2069'), 'Title');
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    assert.equal(cleanUserText(` ${family} `), family);
    assert.equal(cleanUserText('abc \u2067\u05E9\u05DC\u05D5\u05DD\u2069 def'), 'abc \u2067\u05E9\u05DC\u05D5\u05DD\u2069 def');
  });

  it('leaves ordinary text as it is, apart from the ends', () => {
    assert.equal(cleanUserText('  Zürich – 東京 😀  '), 'Zürich – 東京 😀');
  });

  it('never returns a control character, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const cleaned = cleanUserText(value);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(cleaned, /[\u0000-\u0008\u000B-\u001F\u007F]/);
        assert.equal(cleanUserText(cleaned), cleaned);
      }),
      { numRuns: 500 },
    );
  });
});
