import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileTemplate } from './template-expander';
import { RecentlyUsed } from '../domain/recently-used';
import { deepFreeze } from '../domain/deep-freeze';
import { placeholder, rememberCardJson } from './card-json';

/** An Adaptive Card as sent to Teams. */
export interface AdaptiveCardJson {
  readonly type: 'AdaptiveCard';
  readonly version: string;
  readonly [key: string]: unknown;
}

export const cardNames = ['welcome', 'help', 'whoami', 'notice', 'link-channel', 'escalation', 'escalation-intake', 'escalation-list', 'contract', 'log-hours', 'support-hours', 'plan', 'plan-item', 'checkin', 'plan-summary', 'alert', 'alert-digest', 'alerts', 'primary-tam', 'portfolio', 'review'] as const;
export type CardName = (typeof cardNames)[number];

/** Teams renders schema 1.5 and refuses cards much above 28 KB. */
export const cardSchemaVersion = '1.5';
export const maxCardBytes = 28 * 1024;

export class CardRenderError extends Error {
  override readonly name = 'CardRenderError';
}

/**
 * The card templates in `cards/`, each compiled once at start-up (template-expander.ts; a
 * template that uses more of the templating language than it understands fails here) and
 * expanded per message with typed data. Data is bound, never spliced into the template's source,
 * so user text cannot add elements or actions.
 */
export class CardTemplates {
  /**
   * Cards already rendered, by template and data, as their JSON and as the card: expanding a template costs more
   * than the rest of a read-only turn, and the same card is asked for again and again (help, a
   * record refreshed while nothing changed). Bounded, least recently used first out.
   */
  private readonly rendered = new RecentlyUsed<string, RenderedCard | number>(256);
  /** Cards expanded from their template so far, the rest having been remembered. */
  private expanded = 0;

  private constructor(private readonly templates: ReadonlyMap<CardName, (data: unknown) => unknown>) {}

  static load(directory: string = findCardsDirectory()): CardTemplates {
    const templates = new Map<CardName, (data: unknown) => unknown>();
    for (const name of cardNames) {
      const source = JSON.parse(fs.readFileSync(path.join(directory, `${name}.json`), 'utf8')) as unknown;
      templates.set(name, compileTemplate(source));
    }
    return new CardTemplates(templates);
  }

  /**
   * The card, frozen whole: the same as expanding the template anew, and the same object each time
   * the same data is asked for again (a caller that wants to change it makes its own copy). Its JSON
   * text is known from here on (card-json.ts), so sending it does not write it out again.
   *
   * `late` names values in the data that differ on every card while the rest stays the same: a
   * stamp, a link signed for this minute. They are kept out of the remembered card and put back
   * into each card handed out, so a review asked for again is not expanded again for a new
   * signature. A late value must be carried through the template as it is (shown or sent back),
   * never computed with.
   */
  render(name: CardName, data: object, late: readonly string[] = []): AdaptiveCardJson {
    const template = this.templates.get(name);
    if (!template) throw new CardRenderError(`no card template named ${name}`);
    const values = late.filter((value) => value.length >= minimumLateLength);
    let json = JSON.stringify(data);
    values.forEach((value, i) => (json = json.split(jsonText(value)).join(lateToken(i))));
    const key = `${name}\u0000${json}`;
    const known = this.rendered.get(key);
    let rendered: RenderedCard;
    if (known !== undefined) {
      if (typeof known === 'number') throw tooLarge(name, known);
      rendered = known;
    } else {
      const card = template(values.length > 0 ? (JSON.parse(json) as unknown) : data) as AdaptiveCardJson;
      this.expanded += 1;
      if (card.type !== 'AdaptiveCard' || card.version !== cardSchemaVersion) {
        throw new CardRenderError(`card ${name} must be an AdaptiveCard of version ${cardSchemaVersion}`);
      }
      withSubmitFallbacks(card);
      const text = JSON.stringify(card);
      const bytes = Buffer.byteLength(text, 'utf8');
      // Too large is remembered too (its size): pages that search for how many rows fit ask again.
      if (bytes > maxCardBytes) {
        this.rendered.set(key, bytes);
        throw tooLarge(name, bytes);
      }
      // A card with late values is kept as its JSON, to put them back in; any other as the card
      // as its JSON reads back, frozen, with that JSON.
      rendered = values.length > 0 ? { text } : { card: frozenCard(text) };
      this.rendered.set(key, rendered);
    }
    if ('card' in rendered) return rendered.card;
    let text = rendered.text;
    values.forEach((value, i) => (text = text.split(lateToken(i)).join(jsonText(value))));
    const bytes = values.length > 0 ? Buffer.byteLength(text, 'utf8') : 0;
    if (bytes > maxCardBytes) throw tooLarge(name, bytes);
    return frozenCard(text);
  }

  /** How many renders expanded a template (the others were answered from the remembered cards). */
  get expansions(): number {
    return this.expanded;
  }

}

/** A card as remembered: its JSON when it has late values, else the card itself. */
type RenderedCard = { readonly text: string } | { readonly card: AdaptiveCardJson };

/** The card its JSON text reads back as, frozen whole and known by that text. */
function frozenCard(text: string): AdaptiveCardJson {
  const card = deepFreeze(JSON.parse(text) as AdaptiveCardJson);
  rememberCardJson(card, text);
  return card;
}

/** Shorter values are not worth keeping out: they could also occur by chance inside other text. */
const minimumLateLength = 8;
/** Stands in for a late value while the card is expanded and remembered. */
const lateToken = (i: number): string => placeholder(String(i));
/** A string as it appears inside JSON text (escaped, without its quotes). */
const jsonText = (value: string): string => JSON.stringify(value).slice(1, -1);

function tooLarge(name: CardName, bytes: number): CardRenderError {
  return new CardRenderError(`card ${name} is ${bytes} bytes, over the ${maxCardBytes} byte limit`);
}

/**
 * Teams mobile renders cards up to schema 1.2, where Action.Execute does nothing: each one gets an
 * Action.Submit fallback with the same title, inputs and data, the verb carried in the data. The
 * bot answers that submission as it answers the invoke. The card's `refresh` action stays as it is.
 */
export function withSubmitFallbacks(node: unknown, key?: string): void {
  if (Array.isArray(node)) {
    for (const item of node) withSubmitFallbacks(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const element = node as Record<string, unknown>;
  if (element.type === 'Action.Execute' && key !== 'action' && element.fallback === undefined && typeof element.verb === 'string') {
    const data = element.data && typeof element.data === 'object' && !Array.isArray(element.data) ? (element.data as Record<string, unknown>) : {};
    element.fallback = {
      type: 'Action.Submit',
      ...(typeof element.title === 'string' ? { title: element.title } : {}),
      ...(element.associatedInputs !== undefined ? { associatedInputs: element.associatedInputs } : {}),
      data: { ...data, verb: element.verb },
    };
  }
  for (const [childKey, child] of Object.entries(element)) if (childKey !== 'fallback') withSubmitFallbacks(child, childKey);
}

/** `cards/` at the project root, found from this file whether it runs from src/ or dist/. */
export function findCardsDirectory(start: string = __dirname): string {
  let current = start;
  for (;;) {
    const candidate = path.join(current, 'cards');
    if (fs.existsSync(path.join(current, 'package.json')) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) throw new CardRenderError(`cannot find the cards/ folder above ${start}`);
    current = parent;
  }
}
