import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { AdaptiveCardJson, CardTemplates } from '../cards/card-templates';
import { alertCard, digestCard } from '../cards/alert-cards';
import { checkInCard, planSummaryCard } from '../cards/delivery-cards';
import { escalationCard } from '../cards/escalation-card';
import { reviewCard } from '../cards/review-card';
import { customerView } from '../domain/service-review';
import type { Clock } from '../domain/clock';
import type { StoredConversationReference } from '../domain/conversation-reference';
import { availableEscalationActions } from '../domain/escalation-lifecycle';
import type { CardMessage, DeliveryResult, ProactiveView, TeamsMessenger } from '../domain/ports';
import type { BotConnectorClient } from './bot-connector-client';

/** Cards for one reader only: never rendered into a shared conversation. */
const personalOnly: ReadonlySet<CardMessage['kind']> = new Set(['check-in', 'alert', 'digest', 'escalation-assigned']);

/**
 * Renders and sends proactive cards in the view the audience rule chose (services/proactive-send.ts).
 * The escalation's channel message is the customer-safe view with a refresh list, so each listed
 * person's Teams client swaps in their own view. As a last line of defence, a card meant for one
 * reader is refused for a shared conversation whatever the caller said.
 */
export class ConnectorTeamsMessenger implements TeamsMessenger {
  constructor(
    private readonly connector: BotConnectorClient,
    private readonly cards: CardTemplates,
    private readonly clock: Clock,
  ) {}

  post(reference: StoredConversationReference, message: CardMessage, view: ProactiveView): Promise<DeliveryResult> {
    const activity = this.activityFor(reference, message, view);
    // A queued answer goes where the turn would have put it: in the thread of the message it answers.
    if (message.kind === 'reply' && message.replyToId) return this.connector.reply(this.target(reference), message.replyToId, activity);
    return this.connector.send(this.target(reference), activity);
  }

  update(reference: StoredConversationReference, activityId: string, message: CardMessage, view: ProactiveView): Promise<DeliveryResult> {
    return this.connector.update(this.target(reference), activityId, this.activityFor(reference, message, view));
  }

  private target(reference: StoredConversationReference): { serviceUrl: string; conversationId: string } {
    return { serviceUrl: reference.serviceUrl, conversationId: reference.conversationId };
  }

  private activityFor(reference: StoredConversationReference, message: CardMessage, view: ProactiveView): Partial<Activity> {
    const shared = reference.conversationType !== 'personal';
    if (shared && (view !== 'customer-safe' || personalOnly.has(message.kind))) {
      throw new Error(`refusing to render a ${message.kind} card for everyone in a shared conversation`);
    }
    if (message.kind === 'reply') return { ...message.activity };
    return MessageFactory.attachment(CardFactory.adaptiveCard(this.render(message)));
  }

  private render(message: Exclude<CardMessage, { kind: 'reply' }>): AdaptiveCardJson {
    switch (message.kind) {
      case 'escalation':
        return escalationCard(this.cards, {
          escalation: message.escalation,
          accountName: message.accountName,
          now: this.clock.now(),
          view: 'customer',
          actions: availableEscalationActions('customer-safe', message.escalation),
          ...(message.headline ? { banner: { text: message.headline, style: 'attention' as const } } : {}),
          refreshUserIds: message.refreshUserIds,
          ...(message.timeZone ? { timeZone: message.timeZone } : {}),
        });
      case 'escalation-assigned':
        return escalationCard(this.cards, {
          escalation: message.escalation,
          accountName: message.accountName,
          now: this.clock.now(),
          view: message.view,
          actions: new Set(message.actions),
          banner: { text: message.headline, style: 'accent' },
          refreshUserIds: [],
          ...(message.timeZone ? { timeZone: message.timeZone } : {}),
        });
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
          ...(message.timeZone ? { timeZone: message.timeZone } : {}),
        });
      case 'digest':
        return digestCard(this.cards, { groups: message.groups, localDate: message.localDate });
      case 'review':
        // The customer view only (the review carries nothing internal), with the customer's PDF link.
        return reviewCard(this.cards, {
          review: customerView(message.review),
          providerView: false,
          links: message.pdfLink ? [{ title: 'Download PDF', url: message.pdfLink }] : [],
          canPost: false,
          stamp: '',
          postedBy: message.postedBy,
        });
    }
  }
}
