import { CardFactory, MessageFactory } from 'botbuilder';
import type { CardTemplates } from '../cards/card-templates';
import { escalationCard } from '../cards/escalation-card';
import type { Clock } from '../domain/clock';
import type { StoredConversationReference } from '../domain/conversation-reference';
import type { DeliveryResult, EscalationCardMessage, TeamsMessenger } from '../domain/ports';
import type { BotConnectorClient } from './bot-connector-client';

/**
 * Renders and sends proactive cards. Channel cards are the customer-safe view with a refresh
 * list, so each listed person's Teams client swaps in their own view; personal notifications
 * show the view of the person addressed (who works the escalation).
 */
export class ConnectorTeamsMessenger implements TeamsMessenger {
  constructor(
    private readonly connector: BotConnectorClient,
    private readonly cards: CardTemplates,
    private readonly clock: Clock,
  ) {}

  postEscalationCard(reference: StoredConversationReference, message: EscalationCardMessage): Promise<DeliveryResult> {
    return this.connector.send(this.target(reference), this.activityFor(reference, message));
  }

  updateEscalationCard(reference: StoredConversationReference, activityId: string, message: EscalationCardMessage): Promise<DeliveryResult> {
    return this.connector.update(this.target(reference), activityId, this.activityFor(reference, message));
  }

  private target(reference: StoredConversationReference): { serviceUrl: string; conversationId: string } {
    return { serviceUrl: reference.serviceUrl, conversationId: reference.conversationId };
  }

  private activityFor(reference: StoredConversationReference, message: EscalationCardMessage): ReturnType<typeof MessageFactory.attachment> {
    const personal = reference.conversationType === 'personal';
    const card = escalationCard(this.cards, {
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
    return MessageFactory.attachment(CardFactory.adaptiveCard(card));
  }
}
