import type { TurnContext } from 'botbuilder';
import type { Logger } from '../domain/logger';

const correlationKey = Symbol('correlationId');
const loggerKey = Symbol('turnLogger');

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
