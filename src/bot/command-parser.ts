import { commandCatalog, type CommandId } from '../domain/commands';
import { closest } from '../domain/text-distance';

export type ParsedText =
  | { readonly kind: 'command'; readonly command: CommandId; readonly argument: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'unknown'; readonly text: string; readonly suggestion?: CommandId };

/** Other ways people say the same thing. */
const aliases: Readonly<Record<string, CommandId>> = {
  '?': 'help',
  hi: 'help',
  hello: 'help',
  menu: 'help',
  commands: 'help',
  'who am i': 'whoami',
  me: 'whoami',
  'check-in': 'checkin',
  'check in': 'checkin',
};

/**
 * Reads a command from message text (the bot's @mention already removed). Commands are matched
 * on whole leading words, case-insensitively; the rest is the argument.
 */
export function parseCommandText(text: string): ParsedText {
  const normalised = text.replace(/\s+/g, ' ').trim();
  if (normalised.length === 0) return { kind: 'empty' };
  const lower = normalised.toLowerCase();
  const keywords = [
    ...commandCatalog.map((c) => [c.keyword, c.id] as const),
    ...Object.entries(aliases),
  ].sort((a, b) => b[0].length - a[0].length);
  for (const [keyword, command] of keywords) {
    if (lower === keyword || lower.startsWith(`${keyword} `)) {
      return { kind: 'command', command, argument: normalised.slice(keyword.length).trim() };
    }
  }
  const firstWord = lower.split(' ')[0] ?? lower;
  const suggestion = closest(firstWord, commandCatalog.map((c) => c.keyword.split(' ')[0] ?? c.keyword));
  const suggested = commandCatalog.find((c) => c.keyword.split(' ')[0] === suggestion);
  return { kind: 'unknown', text: normalised, ...(suggested ? { suggestion: suggested.id } : {}) };
}
