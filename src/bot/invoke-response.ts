import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/card-templates';

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
