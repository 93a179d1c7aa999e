import type { CloudAdapter } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { CardTemplates } from '../cards/card-templates';
import { escalationCard } from '../cards/escalation-card';
import type { StoredConversationReference } from '../domain/conversation-reference';
import type { DeliveryResult, EscalationCardMessage, TeamsMessenger } from '../domain/ports';
import { classifyDeliveryError } from './delivery-errors';
import type { Clock } from '../domain/clock';

/**
 * Proactive sends through the Bot Framework adapter and a stored conversation reference.
 * Channel cards are the customer-safe view with a refresh list, so each listed person's Teams
 * client swaps in their own view; personal notifications show the view of the person addressed.
 */
export class AdapterTeamsMessenger implements TeamsMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly cards: CardTemplates,
    private readonly clock: Clock,
  ) {}

  async postEscalationCard(reference: StoredConversationReference, message: EscalationCardMessage): Promise<DeliveryResult> {
    const activity = this.activityFor(reference, message);
    return this.run(reference, async (send) => send(activity));
  }

  async updateEscalationCard(reference: StoredConversationReference, activityId: string, message: EscalationCardMessage): Promise<DeliveryResult> {
    const activity = { ...this.activityFor(reference, message), id: activityId };
    return this.run(reference, async (_send, update) => {
      await update(activity);
      return activityId;
    });
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

  private async run(
    reference: StoredConversationReference,
    work: (
      send: (activity: ReturnType<typeof MessageFactory.attachment>) => Promise<string>,
      update: (activity: ReturnType<typeof MessageFactory.attachment>) => Promise<void>,
    ) => Promise<string>,
  ): Promise<DeliveryResult> {
    let activityId = '';
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference.reference, async (context) => {
        activityId = await work(
          async (activity) => (await context.sendActivity(activity))?.id ?? '',
          async (activity) => {
            await context.updateActivity(activity);
          },
        );
      });
      return { status: 'sent', activityId };
    } catch (error) {
      return classifyDeliveryError(error);
    }
  }
}
