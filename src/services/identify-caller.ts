import { resolveCaller, type Caller, type ConversationScope } from '../domain/caller';
import type { UserIdentity } from '../domain/directory';
import type { AccountRepository, DirectoryRepository } from '../domain/ports';

export interface IdentifyCallerInput {
  readonly identity: UserIdentity;
  readonly displayName: string;
  readonly scope: ConversationScope;
  /** The channel (or group chat) the caller speaks in; absent in personal chat. */
  readonly channelId?: string;
}

/** Loads what is stored about a caller and decides their role; reads run in parallel. */
export async function identifyCaller(
  deps: { directory: DirectoryRepository; accounts: AccountRepository },
  input: IdentifyCallerInput,
): Promise<Caller> {
  const [person, channelLink] = await Promise.all([
    deps.directory.getPerson(input.identity),
    // A fresh read: the link decides both who is a customer here and what may be posted here.
    input.channelId ? deps.directory.getChannelLink(input.channelId, { fresh: true }) : Promise.resolve(undefined),
  ]);
  const [reports, channelAccount] = await Promise.all([
    person?.role === 'manager' ? deps.directory.listReports(input.identity) : Promise.resolve([]),
    channelLink && !person ? deps.accounts.getAccount(channelLink.accountId) : Promise.resolve(undefined),
  ]);
  return resolveCaller({
    identity: input.identity,
    displayName: input.displayName,
    scope: input.scope,
    ...(person ? { person } : {}),
    reportsAccountIds: reports.flatMap((p) => p.accountIds),
    ...(channelLink ? { channelLink } : {}),
    ...(channelAccount ? { channelAccount } : {}),
  });
}
