import type { Caller } from './caller';

/** Customers and everyone working on the account see usage; admins too. */
export function canViewContract(caller: Caller, accountId: string): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'guest') return false;
  return caller.accountIds.includes(accountId);
}

/** Contract value and cost rate: TAMs and managers of the account only. */
export function canSeeCommercial(caller: Caller, accountId: string): boolean {
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(accountId);
}

/** Logging (and correcting) hours: TAMs and managers of the account. */
export function canLogHours(caller: Caller, accountId: string): boolean {
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(accountId);
}

/** Support hours (when the SLA clocks run): TAMs and managers of the account. */
export function canSetSupportHours(caller: Caller, accountId: string): boolean {
  return (caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(accountId);
}
