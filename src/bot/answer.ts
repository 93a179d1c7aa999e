import { ActivityTypes } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/card-templates';
import { noticeCard } from '../cards/conversation-cards';
import { decideAudience, decideProactiveAudience, type Place } from '../domain/audience';
import type { StoredConversationReference } from '../domain/conversation-reference';
import { placeOfReference } from '../services/proactive-send';
import { cardActivity } from './card-reply';
import type { RenderContext, Reply } from './reply';
import type { Turn } from './turn';
import { TurnReplies } from './turn-replies';

/**
 * Where a turn's answer lands: a new message in the conversation, the invoke response (the card
 * the person who pressed gets back, theirs alone), or the card message itself replaced in place
 * (seen by everyone in the conversation).
 */
export type Landing = 'message' | 'invoke' | 'update' | 'dialog' | 'submit';

/** A dialog (task module) is seen by the person who opened it only, wherever it was opened. */
export function placeOf(turn: Turn, landing: Landing): Place {
  if (turn.facts.scope === 'personal' || landing === 'dialog') return { kind: 'personal', owner: turn.facts.identity };
  const linked = turn.caller.channelLink?.accountId;
  return { kind: 'shared', userSpecific: landing === 'invoke', ...(linked ? { linkedAccountId: linked } : {}) };
}

/**
 * The audience step: every reply of a turn goes through here. From who asked and where the
 * answer lands it picks the view (customer-safe in a shared conversation), or keeps the answer
 * out of the conversation and sends it to the caller's personal chat. Returns the card that
 * landed in the conversation (or the invoke response).
 */
export async function answer(turn: Turn, reply: Reply, landing: Exclude<Landing, 'dialog'>): Promise<AdaptiveCardJson> {
  if (landing === 'submit') return answerSubmit(turn, await withFreshLink(turn, reply, landing));
  const fresh = await withFreshLink(turn, reply, landing);
  const card = await cardForPlace(turn, fresh, landing);
  const context = turn.context;
  // Should the connector not take it in time, the queued copy goes only where its accounts' data may still be seen.
  TurnReplies.of(context)?.carries(accountsLanding(turn, fresh, landing));
  if (landing === 'invoke') {
    await context.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
    });
  } else if (landing === 'update' && context.activity.replyToId) {
    await context.updateActivity({ ...cardActivity(card), id: context.activity.replyToId });
  } else {
    await context.sendActivity(cardActivity(card));
  }
  return card;
}

/**
 * Account data posted where everyone sees it goes by the channel's link as it is at that moment:
 * the link is read again, so a move during the turn cannot let the old account's card through.
 */
async function withFreshLink(turn: Turn, reply: Reply, landing: Landing): Promise<Reply> {
  const channelId = turn.facts.channelId;
  if (landing === 'invoke' || turn.facts.scope === 'personal' || !channelId || reply.accounts.length === 0) return reply;
  const link = await turn.deps.directory.getChannelLink(channelId, { fresh: true });
  if (link?.accountId === turn.caller.channelLink?.accountId) return reply;
  // The link changed since the turn began: nothing of any account is posted here this time.
  return { ...reply, hasSharedView: false };
}

/**
 * An Action.Submit (Teams mobile) has no answer of its own: the card it came from is replaced in
 * place, and in a shared conversation that replacement is what everyone sees. So there it is the
 * customer-safe view, and the caller's own result, when it says more, goes to their personal chat;
 * an answer with no shared form (a TAM's form, a refusal) leaves the card as it is.
 */
async function answerSubmit(turn: Turn, reply: Reply): Promise<AdaptiveCardJson> {
  const context = turn.context;
  const replace = async (card: AdaptiveCardJson): Promise<AdaptiveCardJson> => {
    if (context.activity.replyToId) await context.updateActivity({ ...cardActivity(card), id: context.activity.replyToId });
    else await context.sendActivity(cardActivity(card));
    return card;
  };
  // The caller's own view goes to their personal chat from here (or is compared with the shared one).
  const own = (): AdaptiveCardJson | Promise<AdaptiveCardJson> => reply.render({ view: 'own', refreshUserIds: [], personal: true });
  const place = placeOf(turn, 'update');
  if (place.kind === 'personal') return replace(await cardForPlace(turn, reply, 'update'));
  const decision = decideAudience({ caller: turn.caller, place, accounts: reply.accounts, hasSharedView: reply.hasSharedView });
  if (decision === 'customer-safe') {
    const fromId = context.activity.from?.id;
    const shared = await reply.render({ view: 'customer-safe', refreshUserIds: fromId && turn.caller.role !== 'customer' ? [fromId] : [] });
    const mine = await own();
    TurnReplies.of(context)?.carries(reply.accounts);
    await replace(shared);
    if (JSON.stringify(withoutRefresh(mine)) !== JSON.stringify(withoutRefresh(shared))) {
      const where = await sendPrivately(turn, mine);
      // Nowhere private to send it (no personal chat): say so in the conversation, naming nothing.
      if (!where.sent) await context.sendActivity(cardActivity(where.line));
    }
    return shared;
  }
  const card = decision === 'withheld' ? await cardForPlace(turn, reply, 'update') : (await sendPrivately(turn, await own())).line;
  // The line saying where the answer went is a reply in the conversation; the card stays.
  await context.sendActivity(cardActivity(card));
  return card;
}

function withoutRefresh(card: AdaptiveCardJson): Record<string, unknown> {
  const { refresh: _refresh, ...rest } = card;
  return rest;
}

/** The accounts whose data the card landing in the conversation carries: none when only a notice or a pointer lands. */
function accountsLanding(turn: Turn, reply: Reply, landing: Landing): readonly string[] {
  const decision = decideAudience({ caller: turn.caller, place: placeOf(turn, landing), accounts: reply.accounts, hasSharedView: reply.hasSharedView });
  return decision === 'own' || decision === 'customer-safe' ? reply.accounts : [];
}

/** The card a reply becomes in this place, without sending it. */
export async function cardForPlace(turn: Turn, reply: Reply, landing: Landing): Promise<AdaptiveCardJson> {
  const place = placeOf(turn, landing);
  const decision = decideAudience({ caller: turn.caller, place, accounts: reply.accounts, hasSharedView: reply.hasSharedView });
  const own: RenderContext = { view: 'own', refreshUserIds: [], ...(place.kind === 'personal' ? { personal: true } : {}) };
  // A card's automatic refresh is the Teams client asking, not the person: it never starts a private message.
  const automatic = landing === 'invoke' && (turn.context.activity.value as { trigger?: unknown } | undefined)?.trigger === 'automatic';
  switch (decision) {
    case 'own':
      return reply.render(own);
    case 'customer-safe': {
      // Everyone sees the customer-safe card; a TAM's or manager's client swaps in their own view.
      const fromId = turn.context.activity.from?.id;
      const refreshUserIds = fromId && turn.caller.role !== 'customer' ? [fromId] : [];
      return reply.render({ view: 'customer-safe', refreshUserIds });
    }
    case 'withheld':
      return noticeCard(turn.deps.cards, {
        title: 'Nothing to show here',
        text: 'I do not know you yet, so I cannot show account information. Ask your TAM or an admin to add you.',
        style: 'warning',
      });
    case 'private':
      if (automatic) {
        return noticeCard(turn.deps.cards, { title: 'No longer kept here', text: 'This card is not updated in this conversation any more.', style: 'emphasis' });
      }
      return (await sendPrivately(turn, await reply.render({ view: 'own', refreshUserIds: [], personal: true }))).line;
  }
}

/**
 * Sends the caller's own view to their personal chat. Returns whether it went, and the line for the
 * shared conversation, which names nothing: where it went, or how to get such answers.
 */
async function sendPrivately(turn: Turn, card: AdaptiveCardJson): Promise<{ sent: boolean; line: AdaptiveCardJson }> {
  const { deps } = turn;
  const identity = turn.caller.identity;
  const reference = await deps.conversations.getPersonal(identity);
  if (reference && !reference.retiredAt) {
    const result = await sendToOwnChat(turn, reference, card);
    if (result === 'sent') {
      return { sent: true, line: noticeCard(deps.cards, { title: 'Sent to you in a private chat', text: 'That answer is for you only, so I sent it to our personal chat.', style: 'emphasis' }) };
    }
    if (result === 'queued') {
      return {
        sent: true,
        line: noticeCard(deps.cards, { title: 'On its way to a private chat', text: 'That answer is for you only. Teams did not take it just now, so it follows in our personal chat shortly.', style: 'emphasis' }),
      };
    }
    deps.logger.warn('answer.private_send_failed', { result });
    return {
      sent: false,
      line: noticeCard(deps.cards, { title: 'Ask me in a private chat', text: 'That answer is for you only and I could not reach our personal chat just now. Ask me there.', style: 'warning' }),
    };
  }
  return {
    sent: false,
    line: noticeCard(deps.cards, {
      title: 'Ask me in a private chat',
      text: 'That answer is for you only. Add TAM Assistant for yourself (Apps, then TAM Assistant, then Add) and ask me in our chat.',
      style: 'warning',
    }),
  };
}

/**
 * The caller's own view to their personal chat, if the audience rule lets it go there, within the
 * turn's deadline like every other message of the turn (queued when Teams does not take it in time).
 */
async function sendToOwnChat(turn: Turn, reference: StoredConversationReference, card: AdaptiveCardJson): Promise<'sent' | 'queued' | 'refused' | 'gone' | 'lost'> {
  const place = await placeOfReference(turn.deps.directory, reference);
  if (decideProactiveAudience({ place, accountIds: [], recipient: turn.caller.identity }) === 'refused') return 'refused';
  const replies = TurnReplies.of(turn.context);
  if (!replies) throw new Error('a turn sends through its replies (TurnReplies.start)');
  const target = { serviceUrl: reference.serviceUrl, conversationId: reference.conversationId, conversationType: reference.conversationType, tenantId: reference.tenantId };
  return (await replies.sendTo(target, cardActivity(card))).status;
}
