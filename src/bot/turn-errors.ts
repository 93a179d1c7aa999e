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
  turnLogger(context, logger).error('turn.failed', { error });
  return noticeCard(cards, {
    title: 'Something went wrong on our side',
    text: 'Nothing was changed. Please try again in a moment; if it keeps happening, give your admin the reference below.',
    style: 'attention',
    reference: correlationId,
  });
}
