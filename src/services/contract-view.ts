import { ledgerLinesOf } from '../domain/ledger-summary';
import type { Caller } from '../domain/caller';
import { calendarDateOf } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { Contract, LedgerEntry } from '../domain/contract';
import { canLogHours, canSeeCommercial, canSetSupportHours, canViewContract } from '../domain/contract-access';
import { contractStatus, type ContractStatus } from '../domain/contract-forecast';
import type { Account } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { AccountRepository, ContractRepository } from '../domain/ports';
import { supportHoursOf, type SupportHours } from '../domain/support-hours';

export interface ContractView {
  readonly account: Account;
  readonly contract: Contract;
  readonly entries: readonly LedgerEntry[];
  readonly status: ContractStatus;
  readonly showCommercial: boolean;
  readonly canLog: boolean;
  /** The support hours in force, and whether they are the defaults (the contract sets none). */
  readonly supportHours: SupportHours;
  readonly supportHoursDefault: boolean;
  readonly canSetSupportHours: boolean;
}

/** The contract, its ledger and everything derived from it, as this caller may see it. */
export async function loadContractView(
  deps: { accounts: AccountRepository; contracts: ContractRepository; clock: Clock },
  caller: Caller,
  accountId: string,
): Promise<ContractView> {
  if (!canViewContract(caller, accountId)) throw new DomainError('not_found', 'There is no contract here that you can see.');
  const [account, contract] = await Promise.all([deps.accounts.getAccount(accountId), deps.contracts.getContract(accountId)]);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  if (!contract) throw new DomainError('not_found', `${account.name} has no contract yet.`, {}, accountId);
  // The summary the contract keeps: the latest entries for the card, and its totals for the forecast.
  const entries = contract.ledgerSummary?.recent ?? [];
  const showCommercial = canSeeCommercial(caller, accountId);
  return {
    account,
    contract: showCommercial ? contract : withoutCommercial(contract),
    entries,
    status: contractStatus(contract, ledgerLinesOf(contract), calendarDateOf(deps.clock.now())),
    showCommercial,
    canLog: canLogHours(caller, accountId),
    supportHours: supportHoursOf(contract, account),
    supportHoursDefault: !contract.supportHours,
    canSetSupportHours: canSetSupportHours(caller, accountId),
  };
}

/** What customers get: no value, no cost rate, ever. */
export function withoutCommercial(contract: Contract): Contract {
  const { commercial: _hidden, ...rest } = contract;
  return rest;
}
