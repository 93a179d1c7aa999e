import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import type { AdaptiveCardJson } from '../cards/card-templates';
import { readActivityFacts } from './activity-facts';
import type { AppTurnState } from './app-turn-state';
import type { BotDependencies } from './bot-dependencies';
import { startTurn, type Turn } from './turn';
import { errorCard } from './turn-errors';

/**
 * Answers an Action.Execute with a card for the person who pressed it only. Sent explicitly
 * because teams-ai turns any returned card that has a `refresh` into an update for everyone,
 * which would show one person's view (and open forms) to the whole channel.
 */
export async function respondWithCard(context: TurnContext, card: AdaptiveCardJson): Promise<AdaptiveCardJson> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
  return card;
}

/**
 * Registers an Action.Execute verb whose answer is a card for the person who pressed it: the work
 * gets the turn and the card's data (never trusted: each handler parses it), and any failure
 * becomes the error card.
 */
export function cardAction(
  app: Application<AppTurnState>,
  deps: BotDependencies,
  verb: string,
  work: (turn: Turn, data: Record<string, unknown>) => Promise<AdaptiveCardJson>,
): void {
  app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
    const turn = await startTurn(context, readActivityFacts(context.activity), deps);
    const fields = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
    try {
      return await respondWithCard(context, await work(turn, fields));
    } catch (error) {
      return respondWithCard(context, errorCard(context, error, deps.cards, deps.logger));
    }
  });
}
