import type { Caller } from './caller';
import type { UserIdentity } from './directory';

/**
 * Where an answer lands. A personal chat is seen by its owner only; a channel, a group chat or a
 * conversation of unknown type is shared: everyone in it sees what is posted there. An invoke
 * response (the card a person gets back after pressing a button) is that person's own view, but
 * it lives on a card in the shared conversation.
 */
export type Place =
  | { readonly kind: 'personal'; readonly owner: UserIdentity }
  | { readonly kind: 'shared'; readonly linkedAccountId?: string; readonly userSpecific: boolean };

/**
 * What a reply may show there:
 * - `own`: the caller's own view, as far as authorisation allows;
 * - `customer-safe`: the view every member of a linked conversation may see (that account only,
 *   no commercial fields, no internal notes);
 * - `private`: nothing of it here; a generic line here and the answer in the caller's personal chat;
 * - `withheld`: no account data at all (a guest).
 */
export type AudienceDecision = 'own' | 'customer-safe' | 'private' | 'withheld';

export interface AudienceQuestion {
  readonly caller: Pick<Caller, 'role' | 'identity'>;
  readonly place: Place;
  /** The accounts whose data the answer carries; empty for answers that carry none. */
  readonly accounts: readonly string[];
  /** False for answers that have no customer-safe form (a TAM's form, a check-in). */
  readonly hasSharedView: boolean;
}

/**
 * The audience rule (SPEC 3): content is chosen from who asked AND where it lands. It only ever
 * narrows what authorisation already allowed.
 */
export function decideAudience(question: AudienceQuestion): AudienceDecision {
  const { caller, place, accounts } = question;
  if (accounts.length === 0) return 'own';
  if (caller.role === 'guest' || !caller.identity.aadObjectId || !caller.identity.tenantId) return 'withheld';
  if (place.kind === 'personal') {
    return samePerson(place.owner, caller.identity) ? 'own' : 'private';
  }
  const linked = place.linkedAccountId;
  if (!linked || accounts.some((accountId) => accountId !== linked)) return 'private';
  if (place.userSpecific) return 'own';
  return question.hasSharedView ? 'customer-safe' : 'private';
}

/**
 * The same rule for a proactive post: to a personal chat only for its owner (the recipient's own
 * view); to a shared conversation only while it is linked to the account, customer-safe.
 */
export function decideProactiveAudience(input: {
  readonly place: Place;
  readonly accountIds: readonly string[];
  readonly recipient?: UserIdentity;
}): 'own' | 'customer-safe' | 'refused' {
  const { place } = input;
  if (place.kind === 'personal') return input.recipient && samePerson(place.owner, input.recipient) ? 'own' : 'refused';
  const linked = place.linkedAccountId;
  if (!linked || input.accountIds.length === 0 || input.accountIds.some((id) => id !== linked)) return 'refused';
  return 'customer-safe';
}

export function samePerson(a: UserIdentity, b: UserIdentity): boolean {
  return !!a.aadObjectId && a.aadObjectId === b.aadObjectId && a.tenantId === b.tenantId;
}
