import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import type { Account } from '../domain/directory';
import type { Escalation } from '../domain/escalation';
import { canViewEscalation } from '../domain/escalation-lifecycle';
import { compareUrgency } from '../domain/escalation-sla';
import type { AccountRepository, EscalationRepository } from '../domain/ports';

export interface EscalationListing {
  readonly scope: 'channel' | 'mine' | 'account';
  readonly accounts: readonly Account[];
  readonly items: readonly { readonly escalation: Escalation; readonly account: Account }[];
}

/**
 * Open escalations the caller should see, most urgent first (overdue, then the nearest SLA
 * deadline, then severity). One account the caller may see when it is asked for (a portfolio's
 * button); else in a linked channel: that account; elsewhere: the caller's accounts (a manager's
 * include their TAMs'). One single-partition query per account, run in parallel.
 */
export async function listOpenEscalations(
  deps: { escalations: EscalationRepository; accounts: AccountRepository; clock: Clock },
  caller: Caller,
  options: { readonly accountId?: string } = {},
): Promise<EscalationListing> {
  const asked = options.accountId && canViewEscalation(caller, { accountId: options.accountId }) ? options.accountId : undefined;
  const channelAccount = caller.channelLink?.accountId;
  const scope = asked ? 'account' : channelAccount && canViewEscalation(caller, { accountId: channelAccount }) ? 'channel' : 'mine';
  const accountIds = asked ? [asked] : scope === 'channel' && channelAccount ? [channelAccount] : [...caller.accountIds];
  const loaded = await Promise.all(
    accountIds.map(async (id) => {
      const [account, open] = await Promise.all([deps.accounts.getAccount(id), deps.escalations.listOpen(id)]);
      return { account, open };
    }),
  );
  const now = deps.clock.now();
  const accounts = loaded.flatMap((l) => (l.account ? [l.account] : []));
  const items = loaded
    .flatMap((l) => (l.account ? l.open.map((escalation) => ({ escalation, account: l.account as Account })) : []))
    .sort((a, b) => compareUrgency(a.escalation, b.escalation, now));
  return { scope, accounts, items };
}
