/**
 * Text a person typed, as the app keeps it. Two rules, applied once where input is read:
 * control characters (NUL and every other C0 control but tab and newline, and DEL) are removed
 * everywhere, so they are never stored; and whitespace and invisible format characters are
 * removed at both ends, so a text that looks empty is empty. Invisible characters inside a text
 * stay: a zero-width joiner holds emoji sequences together and bidi marks order mixed scripts.
 */

// C0 controls except \t (U+0009) and \n (U+000A), and DEL.
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

// Zero-width space, non-joiner and joiner; LRM and RLM; bidi embeddings, overrides and isolates;
// word joiner and invisible operators; Arabic letter mark; Mongolian vowel separator; soft
// hyphen; byte order mark. `\s` covers the Unicode spaces and line breaks.
const invisible = '\\s\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u061C\\u180E\\u00AD\\uFEFF';
const invisibleAtEnds = new RegExp(`^[${invisible}]+|[${invisible}]+$`, 'g');

/** Reads a typed field: '' for anything but a string; controls removed, invisible ends trimmed. */
export function cleanUserText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value.replace(controls, '').replace(invisibleAtEnds, '');
}
