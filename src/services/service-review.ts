import type { Caller } from '../domain/caller';
import { addDays } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import { ledgerLinesOf } from '../domain/ledger-summary';
import type { Account } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { OutboxItem } from '../domain/outbox';
import type { AccountRepository, ContractRepository, ConversationReferenceRepository, DeliveryPlanRepository, DirectoryRepository, EscalationRepository, OutboxRepository, ReportLinks } from '../domain/ports';
import { reportLinkLifetimeInMs, type ReportClaim, type ReportRole } from '../domain/report-link';
import { canPostReview, canViewReview, seesProviderReview } from '../domain/review-access';
import { currentMonth, lastCompleteMonth, monthLabel, monthPeriod, shiftMonth, type ReviewMonth } from '../domain/review-month';
import { computeServiceReview, customerView, type ServiceReview } from '../domain/service-review';

export interface ReviewDeps {
  readonly accounts: Pick<AccountRepository, 'getAccount'>;
  readonly contracts: Pick<ContractRepository, 'getContract'>;
  readonly plans: Pick<DeliveryPlanRepository, 'getPlan' | 'listCheckIns'>;
  readonly escalations: Pick<EscalationRepository, 'listForPeriod'>;
  readonly clock: Clock;
}

/** Check-ins this long before the month are read too: a late one can skip due dates inside it. */
const checkInLookBackDays = 92;

/** A month the review can show: not after the current one in the account's zone. */
export function reviewableMonth(account: Pick<Account, 'timeZone'>, month: ReviewMonth | undefined, now: Date): ReviewMonth {
  const zone = account.timeZone ?? 'UTC';
  if (!month) return lastCompleteMonth(now, zone);
  if (month > currentMonth(now, zone)) throw new DomainError('invalid_input', `${monthLabel(month)} has not begun yet: choose this month or an earlier one.`);
  return month;
}

/**
 * The whole review of an account's month, the provider's view included: the account (for its
 * zone, which decides the month), then four reads side by side: contract (its ledger summary holds
 * the month's hours), plan, the month's escalations and the check-ins around the month. Who may
 * see which part is decided by the callers below.
 */
export async function buildServiceReview(deps: ReviewDeps, accountId: string, month: ReviewMonth | undefined): Promise<ServiceReview> {
  const now = deps.clock.now();
  const account = await deps.accounts.getAccount(accountId);
  if (!account) throw new DomainError('not_found', `There is no account "${accountId}".`, {}, accountId);
  const chosen = reviewableMonth(account, month, now);
  const period = monthPeriod(chosen, account.timeZone ?? 'UTC');
  // The check-ins are asked for beside the plan, not after it: an account without a plan has none.
  const [contract, plan, escalations, checkInsFound] = await Promise.all([
    deps.contracts.getContract(accountId),
    deps.plans.getPlan(accountId),
    deps.escalations.listForPeriod(accountId, period.start, period.end),
    deps.plans.listCheckIns(accountId, addDays(period.firstDay, -checkInLookBackDays), period.lastDay),
  ]);
  // The month's hours from the summary kept with the contract: no ledger entry is read.
  const ledger = contract ? ledgerLinesOf(contract) : [];
  const checkIns = plan ? checkInsFound : [];
  return computeServiceReview({ account, month: chosen, now, escalations, ...(contract ? { contract } : {}), ledger, ...(plan ? { plan } : {}), checkIns });
}

/** A review as one caller may see it, with what they may do with it. */
export interface ReviewView {
  readonly review: ServiceReview;
  /** The provider's view: the month's margin and internal risks. */
  readonly providerView: boolean;
  readonly canPost: boolean;
  readonly role: ReportRole;
  /** The months either side, for the card's buttons (none after the current month). */
  readonly previousMonth: ReviewMonth;
  readonly nextMonth?: ReviewMonth;
}

/** The caller's review of the account's month (default: the last complete one); customers get the customer view. */
export async function loadServiceReview(deps: ReviewDeps, caller: Caller, accountId: string, month: ReviewMonth | undefined): Promise<ReviewView> {
  if (!canViewReview(caller, accountId) || caller.role === 'guest') throw new DomainError('not_found', 'There is no service review here that you can see.');
  const full = await buildServiceReview(deps, accountId, month);
  const providerView = seesProviderReview(caller, accountId);
  const next = shiftMonth(full.month, 1);
  const current = currentMonth(deps.clock.now(), full.timeZone);
  return {
    review: providerView ? full : customerView(full),
    providerView,
    canPost: canPostReview(caller, accountId),
    role: caller.role,
    previousMonth: shiftMonth(full.month, -1),
    ...(next <= current ? { nextMonth: next } : {}),
  };
}

/** A signed link to the review's PDF for this role, valid for 24 hours from now; undefined when reports are off. */
export function reviewPdfLink(links: ReportLinks | undefined, clock: Clock, claim: Omit<ReportClaim, 'expiresAt'>): string | undefined {
  if (!links) return undefined;
  return links.reviewPdf({ ...claim, expiresAt: Math.floor((clock.now().getTime() + reportLinkLifetimeInMs) / 1000) });
}

/** The review a signed link grants: the customer view unless the link was made for a TAM or manager. */
export async function reviewForClaim(deps: ReviewDeps, claim: ReportClaim): Promise<ServiceReview> {
  const full = await buildServiceReview(deps, claim.accountId, claim.month);
  return claim.role === 'tam' || claim.role === 'manager' ? full : customerView(full);
}

export interface PostReviewDeps extends ReviewDeps {
  readonly directory: Pick<DirectoryRepository, 'getAccountChannel'>;
  readonly conversations: Pick<ConversationReferenceRepository, 'get'>;
  readonly outbox: Pick<OutboxRepository, 'enqueue'>;
}

/**
 * Queues the customer view of the month's review for the account's channel (the dispatcher sends
 * it through the audience rule, rendered from the records when it goes). `stamp` names the card
 * the button was pressed on, so a double click or a Teams retry queues it once; pressing it on a
 * newer card posts it again.
 */
export async function queueReviewPost(
  deps: PostReviewDeps,
  caller: Caller,
  input: { readonly accountId: string; readonly month: ReviewMonth; readonly stamp: string },
): Promise<{ readonly kind: 'queued' | 'already'; readonly itemId: string }> {
  if (!canPostReview(caller, input.accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can post the review to the account channel.');
  const account = await deps.accounts.getAccount(input.accountId);
  if (!account) throw new DomainError('not_found', `There is no account "${input.accountId}".`, {}, input.accountId);
  const month = reviewableMonth(account, input.month, deps.clock.now());
  const channelId = await deps.directory.getAccountChannel(input.accountId);
  const reference = channelId ? await deps.conversations.get(channelId) : undefined;
  if (!channelId || !reference || reference.retiredAt) {
    throw new DomainError('invalid_input', `${account.name} has no channel with the app to post to. Link one with "link ${account.accountId}".`, {}, input.accountId);
  }
  const now = deps.clock.now().toISOString();
  const item: OutboxItem = {
    id: `review:${input.accountId}:${month}:${input.stamp}`,
    target: { kind: 'conversation', conversationId: channelId },
    intent: { kind: 'review', accountId: input.accountId, month, postedBy: caller.displayName },
    status: 'pending',
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
  };
  return { kind: (await deps.outbox.enqueue(item)) ? 'queued' : 'already', itemId: item.id };
}
