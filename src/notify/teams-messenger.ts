import { CardFactory, MessageFactory } from 'botbuilder';
import type { AdaptiveCardJson, CardTemplates } from '../cards/card-templates';
import { alertCard, digestCard } from '../cards/alert-cards';
import { checkInCard, planSummaryCard } from '../cards/delivery-cards';
import { escalationCard } from '../cards/escalation-card';
import type { Clock } from '../domain/clock';
import type { StoredConversationReference } from '../domain/conversation-reference';
import type { CardMessage, DeliveryResult, TeamsMessenger } from '../domain/ports';
import type { BotConnectorClient } from './bot-connector-client';

/**
 * Renders and sends proactive cards. Escalation cards in a channel are the customer-safe view with
 * a refresh list, so each listed person's Teams client swaps in their own view; in personal chat
 * they show the view of the person addressed, who works the escalation.
 */
export class ConnectorTeamsMessenger implements TeamsMessenger {
  constructor(
    private readonly connector: BotConnectorClient,
    private readonly cards: CardTemplates,
    private readonly clock: Clock,
  ) {}

  post(reference: StoredConversationReference, message: CardMessage): Promise<DeliveryResult> {
    return this.connector.send(this.target(reference), this.activityFor(reference, message));
  }

  update(reference: StoredConversationReference, activityId: string, message: CardMessage): Promise<DeliveryResult> {
    return this.connector.update(this.target(reference), activityId, this.activityFor(reference, message));
  }

  private target(reference: StoredConversationReference): { serviceUrl: string; conversationId: string } {
    return { serviceUrl: reference.serviceUrl, conversationId: reference.conversationId };
  }

  private activityFor(reference: StoredConversationReference, message: CardMessage): ReturnType<typeof MessageFactory.attachment> {
    return MessageFactory.attachment(CardFactory.adaptiveCard(this.render(reference, message)));
  }

  private render(reference: StoredConversationReference, message: CardMessage): AdaptiveCardJson {
    switch (message.kind) {
      case 'escalation': {
        const personal = reference.conversationType === 'personal';
        return escalationCard(this.cards, {
          escalation: message.escalation,
          accountName: message.accountName,
          now: this.clock.now(),
          view: personal ? 'provider' : 'customer',
          permissions: personal
            ? { acknowledge: true, update: true, note: true, changeSeverity: true, resolve: true, close: true, reopen: true }
            : { acknowledge: false, update: false, note: true, changeSeverity: false, resolve: false, close: false, reopen: true },
          ...(message.headline ? { banner: { text: message.headline, style: 'attention' as const } } : {}),
          refreshUserIds: message.refreshUserIds,
        });
      }
      case 'check-in':
        return checkInCard(this.cards, { view: message.view, dueDate: message.dueDate });
      case 'plan-summary':
        return planSummaryCard(this.cards, { view: message.view, checkIn: message.checkIn });
      case 'alert':
        return alertCard(this.cards, {
          alert: message.alert,
          accountName: message.accountName,
          ...(message.escalation ? { escalation: message.escalation } : {}),
          now: this.clock.now(),
          reminder: message.reminder,
        });
      case 'digest':
        return digestCard(this.cards, { groups: message.groups, localDate: message.localDate });
    }
  }
}
