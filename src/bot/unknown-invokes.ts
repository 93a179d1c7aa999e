import { ActivityTypes, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { noticeCard } from '../cards/conversation-cards';
import type { CardTemplates } from '../cards/card-templates';
import type { AppTurnState } from './app-turn-state';
import type { BotDependencies } from './bot-dependencies';
import { turnLogger } from './turn-context-items';

const gone = 'This action is no longer available. Close this and try again from the message or card.';

/**
 * The answer to an invoke no route took, in the shape its family expects, so Teams shows a line
 * instead of an error: an old card's button gets a card saying so, with Refresh; a message
 * extension or dialog gets a message; anything else an empty 200.
 */
export function unknownInvokeResponse(name: string, cards: CardTemplates): InvokeResponse {
  switch (name) {
    case 'adaptiveCard/action':
      return {
        status: 200,
        body: {
          statusCode: 200,
          type: 'application/vnd.microsoft.card.adaptive',
          value: noticeCard(cards, {
            title: 'This card is out of date',
            text: 'Its button belongs to an earlier version of this card. Refresh to see what you can do now.',
            style: 'warning',
            suggestions: [{ title: 'Refresh', command: 'help' }],
          }),
        },
      };
    case 'composeExtension/fetchTask':
    case 'composeExtension/submitAction':
    case 'task/fetch':
    case 'task/submit':
      return { status: 200, body: { task: { type: 'message', value: gone } } };
    case 'composeExtension/query':
    case 'composeExtension/queryLink':
    case 'composeExtension/anonymousQueryLink':
    case 'composeExtension/selectItem':
      return { status: 200, body: { composeExtension: { type: 'message', text: gone } } };
    default:
      return { status: 200 };
  }
}

/** Registers the catch-all; call it after every other route, since invoke routes are tried in order. */
export function registerUnknownInvokes(app: Application<AppTurnState>, deps: BotDependencies): void {
  app.addRoute(
    (context: TurnContext) => Promise.resolve(context.activity.type === 'invoke'),
    async (context: TurnContext) => {
      const name = context.activity.name ?? '';
      const action = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action;
      const value = context.activity.value as { commandId?: unknown } | undefined;
      turnLogger(context, deps.logger).warn('invoke.unknown', {
        invokeName: name.slice(0, 100),
        ...(typeof action?.verb === 'string' ? { verb: action.verb.slice(0, 100) } : {}),
        ...(typeof value?.commandId === 'string' ? { commandId: value.commandId.slice(0, 100) } : {}),
      });
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: unknownInvokeResponse(name, deps.cards) });
    },
    true,
  );
}
