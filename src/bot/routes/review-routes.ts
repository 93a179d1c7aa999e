import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { noticeCard } from '../../cards/conversation-cards';
import { reviewCard } from '../../cards/review-card';
import type { CommandId } from '../../domain/commands';
import { accountIdSchema } from '../../domain/directory';
import { fingerprintOf } from '../../domain/fingerprint';
import { parseReviewArgument, reviewMonthSchema, type ReviewMonth } from '../../domain/review-month';
import { customerView } from '../../domain/service-review';
import { reviewVerbs } from '../../domain/verbs';
import { deliverOutboxItem } from '../../services/deliver-outbox';
import { loadServiceReview, queueReviewPost, reviewPdfLink } from '../../services/service-review';
import { accountCommand } from '../account-choice';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { accountReply, plainReply, privateReply, type RenderContext, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Banner } from '../verb-pipeline';

const postKey = z.object({ accountId: accountIdSchema, month: reviewMonthSchema, stamp: z.string().regex(/^[0-9a-f]{1,40}$/) });

/**
 * The month's review as this caller may see it. A TAM's or manager's carries the month's margin:
 * theirs alone, so in a shared conversation it goes to their personal chat (the audience rule); a
 * customer's is the customer view, which may land where the account's customers are. The PDF link
 * of the provider's view is put only on a card in the caller's own personal chat.
 */
async function reviewReply(turn: Turn, accountId: string, month: ReviewMonth | undefined, banner?: Banner): Promise<Reply> {
  const { deps } = turn;
  const view = await loadServiceReview(deps, turn.caller, accountId, month);
  const review = view.review;
  // A new card, a new stamp: pressing "Post" twice on this card posts once.
  const stamp = fingerprintOf(['review', accountId, review.month, deps.clock.now().toISOString(), turn.caller.identity.aadObjectId]);
  const link = (role: Parameters<typeof reviewPdfLink>[2]['role']): string | undefined => reviewPdfLink(deps.reportLinks, deps.clock, { accountId, month: review.month, role });
  const render = ({ view: audience, personal }: RenderContext) => {
    const own = audience === 'own';
    const provider = own && view.providerView;
    const links: { title: string; url: string }[] = [];
    const mine = provider ? (personal ? link(view.role) : undefined) : link(own ? view.role : 'customer');
    if (mine) links.push({ title: provider ? 'Download PDF (your view)' : 'Download PDF', url: mine });
    const customers = provider ? link('customer') : undefined;
    if (customers) links.push({ title: 'Download PDF (customer view)', url: customers });
    return reviewCard(deps.cards, {
      review: provider ? review : customerView(review),
      providerView: provider,
      links,
      canPost: own && view.canPost,
      stamp,
      previousMonth: view.previousMonth,
      ...(view.nextMonth ? { nextMonth: view.nextMonth } : {}),
      ...(own && banner ? { banner } : {}),
    });
  };
  return view.providerView ? privateReply([accountId], render) : accountReply(accountId, render);
}

const reviewCommand: CommandHandler = async (turn, argument) => {
  const parsed = parseReviewArgument(argument);
  if (parsed.monthError) return plainReply(noticeCard(turn.deps.cards, { title: 'Which month?', text: parsed.monthError, style: 'warning' }));
  return accountCommand('review', 'review', (t, accountId) => reviewReply(t, accountId, parsed.month))(turn, parsed.account);
};

export const reviewCommands = {
  review: reviewCommand,
} satisfies Partial<Record<CommandId, CommandHandler>>;

/** `review.post`: the customer view of the month, queued for the account's channel and sent at once in the background. */
export function registerReviewRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, [
    defineVerb({
      verb: reviewVerbs.post,
      key: postKey,
      handle: async (turn, key) => {
        const posted = await queueReviewPost(turn.deps, turn.caller, key);
        if (posted.kind === 'queued') turn.deps.background.run('outbox.deliver', (detached) => deliverOutboxItem(detached, posted.itemId));
        const banner: Banner =
          posted.kind === 'queued'
            ? { text: 'The customer view of this review is on its way to the account channel.', style: 'good' }
            : { text: 'This review was posted to the account channel already.', style: 'accent' };
        return reviewReply(turn, key.accountId, key.month, banner);
      },
      show: (turn, key, shown) => reviewReply(turn, key.accountId, key.month, shown.banner),
    }),
  ]);
}
