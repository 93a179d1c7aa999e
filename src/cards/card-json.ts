/**
 * The JSON text of each card the templates hand out, known from when it was rendered: a card is
 * frozen, so its text stays true, and sending it again does not write it out again.
 */
const texts = new WeakMap<object, string>();

/** Freezes nothing itself: only a card already frozen whole may be given its text. */
export function rememberCardJson(card: object, text: string): void {
  texts.set(card, text);
}

/** The card's JSON text when it came from the templates as it is, else undefined. */
export function cardJsonOf(value: unknown): string | undefined {
  return value && typeof value === 'object' ? texts.get(value) : undefined;
}

/**
 * A value as JSON.stringify writes it, with each card in it that has its text known written from
 * that text. Cards are looked for where a message carries them: `attachments[].content`.
 */
export function jsonWithCards(value: object): string {
  const carried = (value as { attachments?: unknown }).attachments;
  const attachments = Array.isArray(carried) ? (carried as unknown[]) : undefined;
  const known = attachments?.map((a) => (a && typeof a === 'object' ? cardJsonOf((a as { content?: unknown }).content) : undefined));
  if (!attachments || !known?.some((t) => t !== undefined)) return JSON.stringify(value);
  const token = (i: number): string => placeholder(`card:${i}`);
  const json = JSON.stringify({
    ...value,
    attachments: attachments.map((a, i) => (known[i] === undefined ? a : { ...(a as object), content: token(i) })),
  });
  return known.reduce<string>((out, text, i) => (text === undefined ? out : out.replace(`"${token(i)}"`, () => text)), json);
}

/** Stands in for a value while a card's JSON is put together: private-use characters and a per-process nonce, which no data carries. */
export const placeholder = (name: string): string => `\uE000${nonce}:${name}\uE001`;
const nonce = Math.random().toString(36).slice(2, 10);
