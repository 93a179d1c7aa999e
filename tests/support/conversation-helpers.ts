import assert from 'node:assert/strict';
import { adaptiveCardProblems, cardsIn } from './adaptive-card-check';

/** The one card in the last activity the bot sent, checked against the Adaptive Cards 1.5 parser. */
export function onlyCard(activities: Record<string, unknown>[]): Record<string, unknown> {
  assert.ok(activities.length > 0, 'the bot sent nothing');
  const cards = cardsIn(activities[activities.length - 1]);
  assert.equal(cards.length, 1, 'expected exactly one card in the last activity');
  const card = cards[0] ?? {};
  assert.deepEqual(adaptiveCardProblems(card), []);
  return card;
}

/** The card returned in an Action.Execute invoke response body. */
export function invokeCard(body: unknown): Record<string, unknown> {
  const response = body as { statusCode?: number; type?: string; value?: Record<string, unknown> };
  assert.equal(response.statusCode, 200);
  assert.equal(response.type, 'application/vnd.microsoft.card.adaptive');
  const card = response.value ?? {};
  assert.deepEqual(adaptiveCardProblems(card), []);
  return card;
}
