import type { Account, ChannelLink, Person, Role, UserIdentity } from './directory';

export type ConversationScope = 'personal' | 'channel' | 'groupChat';

/** Who is acting, as far as the server can tell from stored records, never from card data. */
export interface Caller {
  readonly identity: UserIdentity;
  readonly displayName: string;
  readonly role: Role;
  readonly person?: Person;
  /** Accounts this caller may work on (TAM: assigned; manager: their TAMs'; customer: their own). */
  readonly accountIds: readonly string[];
  readonly scope: ConversationScope;
  /** The account linked to the channel the caller speaks in, if any. */
  readonly channelLink?: ChannelLink;
}

export interface CallerFacts {
  readonly identity: UserIdentity;
  readonly displayName: string;
  readonly scope: ConversationScope;
  readonly person?: Person;
  /** Accounts of the TAMs who report to this person (managers only). */
  readonly reportsAccountIds?: readonly string[];
  readonly channelLink?: ChannelLink;
  readonly channelAccount?: Account;
}

/**
 * Decides a caller's role and accounts. A person in the directory keeps their role; anyone
 * else in a linked channel whose tenant the account allows is a customer of that account.
 */
export function resolveCaller(facts: CallerFacts): Caller {
  const base = {
    identity: facts.identity,
    displayName: facts.person?.displayName ?? facts.displayName,
    scope: facts.scope,
    ...(facts.channelLink ? { channelLink: facts.channelLink } : {}),
  };
  const person = facts.person;
  if (person) {
    const accountIds =
      person.role === 'manager'
        ? unique([...person.accountIds, ...(facts.reportsAccountIds ?? [])])
        : unique(person.accountIds);
    return { ...base, role: person.role, person, accountIds };
  }
  const account = facts.channelAccount;
  if (
    facts.channelLink &&
    account &&
    account.accountId === facts.channelLink.accountId &&
    account.customerTenantIds.includes(facts.identity.tenantId)
  ) {
    return { ...base, role: 'customer', accountIds: [account.accountId] };
  }
  return { ...base, role: 'guest', accountIds: [] };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

export function isProviderRole(role: Role): role is 'admin' | 'manager' | 'tam' {
  return role === 'admin' || role === 'manager' || role === 'tam';
}

/** May this caller link a channel to the account? Admins any; TAMs and managers their own. */
export function canLinkChannel(caller: Caller, accountId: string): boolean {
  if (caller.scope !== 'channel' && caller.scope !== 'groupChat') return false;
  if (caller.role === 'admin') return true;
  if (caller.role === 'tam' || caller.role === 'manager') return caller.accountIds.includes(accountId);
  return false;
}

/** May this caller move a linked channel from one account to another? Admins; TAMs and managers of both. */
export function canMoveChannel(caller: Caller, fromAccountId: string, toAccountId: string): boolean {
  if (caller.scope !== 'channel' && caller.scope !== 'groupChat') return false;
  if (caller.role === 'admin') return true;
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(fromAccountId) && caller.accountIds.includes(toAccountId);
}
