import { canLinkChannel, type Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { accountIdSchema, personKey, type Account, type ChannelLink } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { AccountRepository, DirectoryRepository } from '../domain/ports';

export interface LinkChannelInput {
  readonly accountId: string;
  readonly channelId: string;
  readonly teamId?: string;
  readonly channelName?: string;
  readonly tenantId: string;
}

export interface LinkChannelResult {
  readonly account: Account;
  readonly link: ChannelLink;
  /** The account this channel was linked to before, when it changed. */
  readonly previousAccountId?: string;
}

/** Links a channel to an account so that its members act as that account's customers. */
export async function linkChannel(
  deps: { directory: DirectoryRepository; accounts: AccountRepository; clock: Clock },
  caller: Caller,
  input: LinkChannelInput,
): Promise<LinkChannelResult> {
  if (caller.scope === 'personal') {
    throw new DomainError('invalid_input', 'Linking works in a channel: @mention me there with `link <account>`.');
  }
  const parsedId = accountIdSchema.safeParse(input.accountId.toLowerCase());
  if (!parsedId.success) {
    throw new DomainError('invalid_input', 'Give the account id, for example `link contoso`.', {
      account: 'Use the account id: lower-case letters, digits and dashes.',
    });
  }
  const account = await deps.accounts.getAccount(parsedId.data);
  if (!account) {
    throw new DomainError('not_found', `There is no account with the id "${parsedId.data}".`, {
      account: 'No account has this id.',
    });
  }
  if (!canLinkChannel(caller, account.accountId)) {
    throw new DomainError(
      'forbidden',
      `Only an admin, or a TAM or manager of ${account.name}, can link a channel to it.`,
    );
  }
  const previous = await deps.directory.getChannelLink(input.channelId);
  const link: ChannelLink = {
    channelId: input.channelId,
    accountId: account.accountId,
    ...(input.teamId ? { teamId: input.teamId } : {}),
    ...(input.channelName ? { channelName: input.channelName } : {}),
    tenantId: input.tenantId,
    linkedBy: personKey(caller.identity),
    linkedAt: deps.clock.now().toISOString(),
  };
  await deps.directory.upsertChannelLink(link);
  return {
    account,
    link,
    ...(previous && previous.accountId !== account.accountId ? { previousAccountId: previous.accountId } : {}),
  };
}
