import { canLinkChannel, canMoveChannel, type Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { accountIdSchema, personKey, type Account, type ChannelLink } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { AccountRepository, ChannelLinkWrite, DirectoryRepository } from '../domain/ports';

export interface LinkChannelInput {
  readonly accountId: string;
  readonly channelId: string;
  readonly teamId?: string;
  readonly channelName?: string;
  readonly tenantId: string;
}

/**
 * What came of a link: linked now; linked to that account already; or linked to another account,
 * which takes a confirmed move (`mayMove`: whether this caller may make it).
 */
export type LinkChannelResult =
  | { readonly kind: 'linked' | 'already'; readonly account: Account }
  | { readonly kind: 'moved'; readonly account: Account; readonly previous: Account }
  | { readonly kind: 'linked-elsewhere'; readonly account: Account; readonly current: Account; readonly mayMove: boolean };

type Deps = { directory: DirectoryRepository; accounts: AccountRepository; clock: Clock };

async function accountToLink(deps: Deps, caller: Caller, rawAccountId: string): Promise<Account> {
  if (caller.scope === 'personal') {
    throw new DomainError('invalid_input', 'Linking works in a channel: @mention me there with `link <account>`.');
  }
  const parsedId = accountIdSchema.safeParse(rawAccountId.toLowerCase());
  if (!parsedId.success) {
    throw new DomainError('invalid_input', 'Give the account id, for example `link contoso`.', {
      account: 'Use the account id: lower-case letters, digits and dashes.',
    });
  }
  const account = await deps.accounts.getAccount(parsedId.data);
  if (!account) {
    throw new DomainError('not_found', `There is no account with the id "${parsedId.data}".`, { account: 'No account has this id.' });
  }
  if (!canLinkChannel(caller, account.accountId)) {
    throw new DomainError('forbidden', 'Only an admin, or a TAM or manager of that account, can link a channel to it.');
  }
  return account;
}

function linkOf(deps: Deps, caller: Caller, input: LinkChannelInput, accountId: string): ChannelLink {
  return {
    channelId: input.channelId,
    accountId,
    ...(input.teamId ? { teamId: input.teamId } : {}),
    ...(input.channelName ? { channelName: input.channelName } : {}),
    tenantId: input.tenantId,
    linkedBy: personKey(caller.identity),
    linkedAt: deps.clock.now().toISOString(),
  };
}

async function whenTaken(deps: Deps, caller: Caller, account: Account, write: ChannelLinkWrite): Promise<LinkChannelResult> {
  const current = write.kind === 'taken' ? write.current : undefined;
  if (!current || current.accountId === account.accountId) return { kind: 'already', account };
  const currentAccount = (await deps.accounts.getAccount(current.accountId)) ?? { accountId: current.accountId, name: current.accountId, code: 'X', customerTenantIds: [] };
  return { kind: 'linked-elsewhere', account, current: currentAccount, mayMove: canMoveChannel(caller, current.accountId, account.accountId) };
}

/**
 * Links a channel (or group chat) to an account so that its members act as that account's
 * customers. One channel, one account: a channel linked already is not changed here (see
 * moveChannel), and of concurrent links exactly one is made.
 */
export async function linkChannel(deps: Deps, caller: Caller, input: LinkChannelInput): Promise<LinkChannelResult> {
  const account = await accountToLink(deps, caller, input.accountId);
  // A create-if-absent: the store decides which of concurrent links wins.
  const write = await deps.directory.createChannelLink(linkOf(deps, caller, input, account.accountId));
  return write.kind === 'written' ? { kind: 'linked', account } : whenTaken(deps, caller, account, write);
}

/**
 * Moves a linked channel to another account, once confirmed: an admin, or a TAM or manager of
 * both accounts. Only if the channel is still linked to `fromAccountId` (a conditional write), so
 * of two moves at once one wins; the old account's cards are no longer updated there.
 */
export async function moveChannel(deps: Deps, caller: Caller, input: LinkChannelInput & { readonly fromAccountId: string }): Promise<LinkChannelResult> {
  const account = await accountToLink(deps, caller, input.accountId);
  const from = accountIdSchema.safeParse(input.fromAccountId);
  if (!from.success) throw new DomainError('invalid_input', 'That card is out of date. Say "link <account>" again.');
  if (from.data === account.accountId) return { kind: 'already', account };
  if (!canMoveChannel(caller, from.data, account.accountId)) {
    throw new DomainError('forbidden', 'Only an admin, or a TAM or manager of both accounts, can move this channel.');
  }
  const write = await deps.directory.moveChannelLink(linkOf(deps, caller, input, account.accountId), from.data);
  if (write.kind === 'taken') return whenTaken(deps, caller, account, write);
  const previous = (await deps.accounts.getAccount(from.data)) ?? { accountId: from.data, name: from.data, code: 'X', customerTenantIds: [] };
  return { kind: 'moved', account, previous };
}
