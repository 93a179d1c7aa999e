import type { AdaptiveCardJson } from '../cards/card-templates';

/** The view a reply is rendered in: the caller's own, or the one every member of a shared conversation sees. */
export type ReplyView = 'own' | 'customer-safe';

export interface RenderContext {
  readonly view: ReplyView;
  /** Teams user ids whose clients refresh a shared post into their own view. */
  readonly refreshUserIds: readonly string[];
  /**
   * True only when the card lands in the caller's own personal chat; a card on a shared
   * conversation (the caller's own invoke answer there included) has it unset. What must never sit
   * on a card in a shared conversation, such as a link to the provider's view, asks this.
   */
  readonly personal?: boolean;
}

/**
 * What a handler answers: a card it can render in either view, and the accounts whose data the
 * card carries. The audience step (answer.ts) decides which view, if any, may land where.
 */
export interface Reply {
  readonly accounts: readonly string[];
  /** False when the card has no form every member of a shared conversation may see (a TAM's form). */
  readonly hasSharedView: boolean;
  render(context: RenderContext): AdaptiveCardJson | Promise<AdaptiveCardJson>;
}

/** A card that carries no account data (help, a notice, a refusal). */
export function plainReply(card: AdaptiveCardJson): Reply {
  return { accounts: [], hasSharedView: true, render: () => card };
}

/** A card about one account with a customer-safe form. */
export function accountReply(accountId: string, render: Reply['render']): Reply {
  return { accounts: [accountId], hasSharedView: true, render };
}

/** A card about accounts that only its reader may see (forms, check-ins, lists across accounts). */
export function privateReply(accountIds: readonly string[], render: (context: RenderContext) => AdaptiveCardJson | Promise<AdaptiveCardJson>): Reply {
  return { accounts: [...accountIds], hasSharedView: false, render };
}

/** An answer that speaks about an account (even a "has no contract yet") is that account's data. */
export function aboutAccount(accountId: string | undefined, card: AdaptiveCardJson): Reply {
  return accountId ? accountReply(accountId, () => card) : plainReply(card);
}
