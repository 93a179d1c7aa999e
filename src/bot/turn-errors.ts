import type { TurnContext } from 'botbuilder';
import { noticeCard } from '../cards/conversation-cards';
import type { AdaptiveCardJson, CardTemplates } from '../cards/card-templates';
import { isDomainError } from '../domain/errors';
import type { Logger } from '../domain/logger';
import { correlationIdOf, turnLogger } from './turn-context-items';

const titles = {
  invalid_input: 'That did not work',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Someone else changed this',
  unavailable: 'Please try again',
} as const;

/**
 * The one place where a failed action becomes a card: expected (domain) failures say what was
 * wrong; anything else is logged with the turn's correlation id, which the card shows.
 */
export function errorCard(context: TurnContext, error: unknown, cards: CardTemplates, logger: Logger): AdaptiveCardJson {
  if (isDomainError(error)) {
    return noticeCard(cards, { title: titles[error.code], text: error.message, style: 'attention' });
  }
  const correlationId = correlationIdOf(context);
  if (isTransient(error)) {
    turnLogger(context, logger).warn('turn.store_unavailable', { error });
    return noticeCard(cards, {
      title: 'Please try again',
      text: 'The store did not answer in time, so this was not saved. Try again in a moment; nothing is done twice.',
      style: 'warning',
      reference: correlationId,
    });
  }
  turnLogger(context, logger).error('turn.failed', { error });
  return noticeCard(cards, {
    title: 'Something went wrong on our side',
    text: 'Nothing was changed. Please try again in a moment; if it keeps happening, give your admin the reference below.',
    style: 'attention',
    reference: correlationId,
  });
}

/** Throttling, an unavailable store, a timeout: worth trying again, and nothing was half-saved for the user. */
export function isTransient(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; statusCode?: unknown; name?: unknown; message?: unknown };
  const status = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined && [408, 429, 449, 500, 502, 503, 504].includes(status)) return true;
  return e.name === 'TimeoutError' || e.name === 'AbortError' || (typeof e.message === 'string' && /timed out|timeout|ECONNRESET|ECONNREFUSED|socket hang up/i.test(e.message));
}
