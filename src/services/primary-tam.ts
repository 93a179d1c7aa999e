import type { Caller } from '../domain/caller';
import { personKey, type Account, type Person } from '../domain/directory';
import { DomainError } from '../domain/errors';
import { primaryTamOf } from '../domain/ownership';
import type { AccountRepository, DirectoryRepository } from '../domain/ports';
import { accountTams } from './account-tams';
import { saveAccount } from './save-account';

type Deps = { readonly accounts: AccountRepository; readonly directory: DirectoryRepository; readonly providerTenantIds: readonly string[] };

export interface PrimaryTamView {
  readonly account: Account;
  readonly tams: readonly Person[];
  readonly primary?: Person;
}

async function load(deps: Deps, caller: Caller, accountId: string): Promise<PrimaryTamView> {
  if (caller.role !== 'admin') throw new DomainError('forbidden', 'Only an admin can choose the primary TAM of an account.');
  const account = await deps.accounts.getAccount(accountId);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  const tams = await accountTams(deps, accountId);
  const primary = primaryTamOf(account, tams);
  return { account, tams, ...(primary ? { primary } : {}) };
}

/** The account, its TAMs and who is its primary TAM now (named, or its first TAM). */
export const primaryTamView = load;

/** Makes one of the account's TAMs its primary TAM: the owner of its new escalations. */
export async function setPrimaryTam(deps: Deps, caller: Caller, accountId: string, tamKey: string): Promise<PrimaryTamView> {
  const view = await load(deps, caller, accountId);
  const tam = view.tams.find((t) => personKey(t) === tamKey);
  if (!tam) throw new DomainError('invalid_input', 'Choose one of the TAMs of the account.', { tam: 'Choose one of the TAMs of the account.' }, accountId);
  const account = await saveAccount(deps, { ...view.account, primaryTamKey: personKey(tam) });
  return { account, tams: view.tams, primary: tam };
}
