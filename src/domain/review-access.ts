import type { Caller } from './caller';

/** TAMs and managers of the account, its customers, and admins may see its service review. */
export function canViewReview(caller: Caller, accountId: string): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'guest') return false;
  return caller.accountIds.includes(accountId);
}

/** The provider's view (with the month's margin): TAMs and managers of the account only. */
export function seesProviderReview(caller: Caller, accountId: string): boolean {
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(accountId);
}

/** Posting the customer view to the account's channel: TAMs and managers of the account. */
export function canPostReview(caller: Caller, accountId: string): boolean {
  return seesProviderReview(caller, accountId);
}
