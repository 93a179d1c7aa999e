import { noticeCard } from '../cards/conversation-cards';
import type { CommandId } from '../domain/commands';
import type { Account } from '../domain/directory';
import { plainReply, privateReply, type Reply } from './reply';
import type { CommandHandler, Turn } from './turn';

export type AccountChoice =
  | { readonly kind: 'account'; readonly account: Account }
  | { readonly kind: 'choose'; readonly accounts: readonly Account[] }
  | { readonly kind: 'none'; readonly message: string };

/**
 * Which account a command is about: the one named, else the channel's, else the caller's only
 * account; with several, the caller chooses. Only accounts the caller may see are considered.
 */
export async function chooseAccount(turn: Turn, argument: string): Promise<AccountChoice> {
  const caller = turn.caller;
  // An admin sees every account: the cached list has them all, with no read per account.
  const all = caller.role === 'admin' ? await turn.deps.accounts.listAccounts() : undefined;
  const visibleIds = all ? all.map((a) => a.accountId) : [...caller.accountIds];
  const load = async (ids: readonly string[]): Promise<Account[]> => {
    if (all) {
      const wanted = new Set(ids);
      return all.filter((a) => wanted.has(a.accountId));
    }
    return (await Promise.all(ids.map((id) => turn.deps.accounts.getAccount(id)))).filter((a): a is Account => !!a);
  };
  const wanted = argument.trim().toLowerCase();
  if (wanted) {
    const accounts = await load(visibleIds);
    const match = accounts.find((a) => a.accountId === wanted) ?? accounts.find((a) => a.name.toLowerCase().startsWith(wanted));
    if (match) return { kind: 'account', account: match };
    return accounts.length > 0 ? { kind: 'choose', accounts } : { kind: 'none', message: 'You have no accounts yet.' };
  }
  const channelAccount = caller.channelLink?.accountId;
  if (channelAccount && visibleIds.includes(channelAccount)) {
    const [account] = await load([channelAccount]);
    if (account) return { kind: 'account', account };
  }
  const accounts = await load(visibleIds);
  if (accounts.length === 1 && accounts[0]) return { kind: 'account', account: accounts[0] };
  if (accounts.length === 0) return { kind: 'none', message: 'You have no accounts yet. Ask your TAM or an admin to add you.' };
  return { kind: 'choose', accounts };
}

/**
 * A command about one account (`contract [account]`, `plan [account]` ...): resolves the account,
 * or offers the caller's accounts as buttons that run the same command for each.
 */
export function accountCommand(command: CommandId, what: string, open: (turn: Turn, accountId: string) => Promise<Reply>): CommandHandler {
  return async (turn, argument) => {
    const choice = await chooseAccount(turn, argument);
    if (choice.kind === 'none') return plainReply(noticeCard(turn.deps.cards, { title: `No ${what} to show`, text: choice.message, style: 'warning' }));
    if (choice.kind === 'choose') {
      // The caller's accounts, as buttons: theirs alone to see.
      const shown = choice.accounts.slice(0, 6);
      return privateReply(
        shown.map((a) => a.accountId),
        () =>
          noticeCard(turn.deps.cards, {
            title: 'Which account?',
            text: argument.trim() ? `No account of yours matches "${argument.trim().slice(0, 60)}".` : 'Choose the account.',
            style: 'emphasis',
            suggestions: shown.map((a) => ({ title: a.name, command, argument: a.accountId })),
          }),
      );
    }
    return open(turn, choice.account.accountId);
  };
}
