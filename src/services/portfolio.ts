import type { HealthView } from '../domain/account-health';
import type { Caller } from '../domain/caller';
import { canSeeCommercial } from '../domain/contract-access';
import { DomainError } from '../domain/errors';
import type { AccountRepository, HealthSummaryRepository } from '../domain/ports';

export interface PortfolioRow {
  readonly accountId: string;
  readonly name: string;
  /** Orders the rows worst first, and is the cursor a page continues after. */
  readonly sortKey: string;
  /** Absent: the account is not scored yet. */
  readonly health?: HealthView;
  readonly showCommercial: boolean;
}

export interface Portfolio {
  /** Whose accounts: the caller's own (TAM), their TAMs' too (manager), or every account (admin). */
  readonly scope: 'mine' | 'team' | 'all';
  /** Worst first: lowest score, then the account id; accounts not scored yet last. */
  readonly rows: readonly PortfolioRow[];
}

/** A cursor: `s` and the score for a scored account, `u` for one not scored yet, then its id. */
export const portfolioCursorPattern = /^(s\d{3}|u):[a-z0-9][a-z0-9-]{1,39}$/;

export function mayViewPortfolio(caller: Pick<Caller, 'role'>): boolean {
  return caller.role === 'tam' || caller.role === 'manager' || caller.role === 'admin';
}

/**
 * The caller's portfolio from the accounts' health summaries alone: one single-partition query
 * (an admin's list of accounts, cached, names those not scored yet). A TAM sees their accounts, a
 * manager their TAMs' accounts, an admin every account; customers and guests are refused.
 */
export async function loadPortfolio(deps: { health: HealthSummaryRepository; accounts: Pick<AccountRepository, 'listAccounts'> }, caller: Caller): Promise<Portfolio> {
  if (!mayViewPortfolio(caller)) throw new DomainError('forbidden', 'The portfolio is not available to you: it shows the accounts of TAMs, their managers and admins.');
  const admin = caller.role === 'admin';
  const [entries, accounts] = await Promise.all([deps.health.listEntries(admin ? 'all' : caller.accountIds), admin ? deps.accounts.listAccounts() : Promise.resolve(undefined)]);
  const wanted = accounts ? accounts.map((a) => a.accountId) : [...caller.accountIds];
  const names = new Map(accounts?.map((a) => [a.accountId, a.name]));
  const byAccount = new Map(entries.map((e) => [e.accountId, e]));
  const rows: PortfolioRow[] = wanted.map((accountId) => {
    const entry = byAccount.get(accountId);
    const showCommercial = canSeeCommercial(caller, accountId);
    if (!entry?.complete) return { accountId, name: names.get(accountId) ?? (entry && entry.view.accountName !== accountId ? entry.view.accountName : accountId), sortKey: `u:${accountId}`, showCommercial };
    return { accountId, name: entry.view.accountName, sortKey: `s${String(entry.view.score).padStart(3, '0')}:${accountId}`, health: entry.view, showCommercial };
  });
  rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  return { scope: admin ? 'all' : caller.role === 'manager' ? 'team' : 'mine', rows };
}

/** The rows after a cursor (all of them without one). */
export function rowsAfter(portfolio: Portfolio, cursor: string | undefined): { before: number; rows: readonly PortfolioRow[] } {
  if (!cursor) return { before: 0, rows: portfolio.rows };
  const before = portfolio.rows.filter((r) => r.sortKey <= cursor).length;
  return { before, rows: portfolio.rows.slice(before) };
}
