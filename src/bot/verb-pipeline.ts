import type { Application } from '@microsoft/teams-ai';
import type { z } from 'zod';
import type { AdaptiveCardJson } from '../cards/card-templates';
import { noticeCard } from '../cards/conversation-cards';
import { isDomainError } from '../domain/errors';
import type { Verb } from '../domain/verbs';
import { readActivityFacts } from './activity-facts';
import { answer, type Landing } from './answer';
import type { AppTurnState } from './app-turn-state';
import type { BotDependencies } from './bot-dependencies';
import { aboutAccount, plainReply, type Reply } from './reply';
import { startTurn, type Turn } from './turn';
import { errorCard } from './turn-errors';
import { setTurnKind, turnLogger } from './turn-context-items';

export type Banner = { readonly text: string; readonly style: 'good' | 'attention' | 'warning' | 'accent' };

/** How a handler's work ended, short of a card: invalid entries, or a refusal with a reason. */
export type Outcome =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Record<string, string>>; readonly formError?: string }
  | { readonly kind: 'refused'; readonly message: string };

/** What to show again on the verb's own card: entries kept, errors beside their fields, or a banner. */
export interface Shown {
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
  readonly banner?: Banner;
}

/**
 * One verb, one definition: the verb, the zod schema of the record key its data must carry, the
 * handler, and the card that shows its errors or refusals. The pipeline owns the rest: the turn
 * and the caller, the parse, the audience, and one mapping of outcomes to cards.
 */
export interface VerbDefinition<K> {
  readonly verb: Verb;
  /** The record the action is about; data that does not fit is an out-of-date card. */
  readonly key: z.ZodType<K>;
  readonly handle: (turn: Turn, key: K, data: Readonly<Record<string, unknown>>) => Promise<Reply | Outcome>;
  /** The verb's card again, with the entries and errors, or a banner; absent: a plain notice. */
  readonly show?: (turn: Turn, key: K, shown: Shown) => Promise<Reply>;
  /** Where the answer goes: the invoke response (default), or a new message in the conversation. */
  readonly landing?: Exclude<Landing, 'dialog'>;
}

export function defineVerb<K>(definition: VerbDefinition<K>): VerbDefinition<unknown> {
  return definition as VerbDefinition<unknown>;
}

const record = (value: unknown): Readonly<Record<string, unknown>> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The entries a person made, as text, to put back into the form. */
export function entriesOf(data: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => [k, String(v).slice(0, 5000)]),
  );
}

function isReply(value: AdaptiveCardJson | Reply): value is Reply {
  return typeof (value as Partial<Reply>).render === 'function';
}

function isOutcome(value: Reply | Outcome): value is Outcome {
  return 'kind' in value && (value.kind === 'invalid' || value.kind === 'refused');
}

const bannerStyleOf = { forbidden: 'attention', conflict: 'warning', invalid_input: 'attention' } as const;

/** Runs one verb for one turn and lands its answer; returns the card that landed. */
export async function runVerb(turn: Turn, definition: VerbDefinition<unknown>, rawData: unknown, landing: Exclude<Landing, 'dialog'>): Promise<AdaptiveCardJson> {
  const { deps, context } = turn;
  setTurnKind(context, { kind: 'verb', name: definition.verb });
  const data = record(rawData);
  const key = definition.key.safeParse(data);
  if (!key.success) {
    // Anyone can send any data: a malformed key is not our failure, so it is no error in the log.
    turnLogger(context, deps.logger).warn('verb.malformed_key', { verb: definition.verb, fields: key.error.issues.map((i) => i.path.join('.')).slice(0, 5) });
    return answer(turn, plainReply(outOfDateCard(turn)), landing);
  }
  const again = async (shown: Shown, fallback: AdaptiveCardJson | Reply): Promise<AdaptiveCardJson> =>
    answer(turn, definition.show ? await definition.show(turn, key.data, shown) : isReply(fallback) ? fallback : plainReply(fallback), landing);
  try {
    const result = await definition.handle(turn, key.data, data);
    if (!isOutcome(result)) return await answer(turn, result, landing);
    if (result.kind === 'invalid') {
      const text = result.formError ?? Object.values(result.errors).join(' ');
      return await again(
        { values: entriesOf(data), errors: result.errors, ...(result.formError ? { formError: result.formError } : {}) },
        noticeCard(deps.cards, { title: 'That did not work', text, style: 'attention' }),
      );
    }
    return await again({ banner: { text: result.message, style: 'attention' } }, noticeCard(deps.cards, { title: 'Not allowed', text: result.message, style: 'attention' }));
  } catch (error) {
    if (isDomainError(error) && error.code !== 'not_found' && error.code !== 'unavailable' && definition.show) {
      try {
        if (Object.keys(error.fieldErrors).length > 0) return await again({ values: entriesOf(data), errors: error.fieldErrors, formError: error.message }, errorReply(turn, error));
        return await again({ banner: { text: error.message, style: bannerStyleOf[error.code] } }, errorReply(turn, error));
      } catch (showError) {
        return answer(turn, errorReply(turn, showError), landing);
      }
    }
    return answer(turn, errorReply(turn, error), landing);
  }
}

/** A failure as a reply: one that names an account is that account's data, for the audience step. */
export function errorReply(turn: Turn, error: unknown): Reply {
  return aboutAccount(isDomainError(error) ? error.accountId : undefined, errorCard(turn.context, error, turn.deps.cards, turn.deps.logger));
}

export function outOfDateCard(turn: Turn): AdaptiveCardJson {
  return noticeCard(turn.deps.cards, {
    title: 'This card is out of date',
    text: 'It was made by an older version of me, or something on it changed. Refresh for the current one.',
    style: 'warning',
    suggestions: [{ title: 'Refresh', command: 'help' }],
  });
}

/** The verbs registered on each application, for the Action.Submit path to find the same definition. */
const registries = new WeakMap<Application<AppTurnState>, Map<string, VerbDefinition<unknown>>>();

/** Registers each verb as an Action.Execute route. */
export function registerVerbs(app: Application<AppTurnState>, deps: BotDependencies, definitions: readonly VerbDefinition<unknown>[]): void {
  const registry = registries.get(app) ?? new Map<string, VerbDefinition<unknown>>();
  registries.set(app, registry);
  for (const definition of definitions) {
    registry.set(definition.verb, definition);
    app.adaptiveCards.actionExecute(definition.verb, async (context, _state, data) => {
      const turn = await startTurn(context, readActivityFacts(context.activity), deps);
      const landing = definition.landing ?? 'invoke';
      const card = await runVerb(turn, definition, data, landing);
      return landing === 'message' ? 'Posted below.' : card;
    });
  }
}

/** The data of an Action.Submit fallback: the card's data with the verb in it, and the inputs. */
export function submittedVerb(value: unknown): { verb: string; data: Record<string, unknown> } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { verb, ...data } = value as Record<string, unknown>;
  return typeof verb === 'string' && verb.length > 0 && verb.length <= 100 ? { verb, data } : undefined;
}

/**
 * Answers an Action.Submit exactly as the invoke of the same verb: the same definition, parse,
 * authorisation, audience and idempotency; only where the answer lands differs (the card is
 * replaced in place, see answer.ts). A verb the bot does not know is an out-of-date card.
 */
export async function runSubmittedVerb(app: Application<AppTurnState>, turn: Turn, submitted: { verb: string; data: Record<string, unknown> }): Promise<void> {
  const definition = registries.get(app)?.get(submitted.verb);
  if (!definition) {
    turnLogger(turn.context, turn.deps.logger).warn('verb.unknown_submit', { verb: submitted.verb.slice(0, 60) });
    await answer(turn, plainReply(outOfDateCard(turn)), 'submit');
    return;
  }
  await runVerb(turn, definition, submitted.data, definition.landing === 'message' ? 'message' : 'submit');
}
