import type { TurnContext } from 'botbuilder';
import type { Logger } from '../domain/logger';

const correlationKey = Symbol('correlationId');
const loggerKey = Symbol('turnLogger');
const kindKey = Symbol('turnKind');

/** Ties a turn's log lines and any error shown to the user to one id. */
export function setTurnCorrelation(context: TurnContext, correlationId: string, logger: Logger): void {
  context.turnState.set(correlationKey, correlationId);
  context.turnState.set(loggerKey, logger);
}

export function correlationIdOf(context: TurnContext): string {
  const value: unknown = context.turnState.get(correlationKey);
  return typeof value === 'string' ? value : 'unknown';
}

export function turnLogger(context: TurnContext, fallback: Logger): Logger {
  const value: unknown = context.turnState.get(loggerKey);
  return (value as Logger | undefined) ?? fallback;
}

/** What a turn did, for its duration to be told apart: a command or a verb and its name (never the person's text). */
export interface TurnKind {
  readonly kind: 'command' | 'verb';
  readonly name: string;
}

/** Marks what the turn runs; the last mark wins (a card's command button is a verb that runs a command). */
export function setTurnKind(context: TurnContext, kind: TurnKind): void {
  context.turnState.set(kindKey, kind);
}

/** The turn's kind as marked, else what the activity was (`message`, `invoke` and its name, ...). */
export function turnKindOf(context: TurnContext): { readonly kind: string; readonly name?: string } {
  const marked = context.turnState.get<TurnKind | undefined>(kindKey);
  if (marked) return marked;
  const { type, name } = context.activity;
  return { kind: type, ...(type === 'invoke' && typeof name === 'string' && /^[\w/.-]{1,60}$/.test(name) ? { name } : {}) };
}
