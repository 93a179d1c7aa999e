import type { Caller } from '../domain/caller';
import { calendarDateOf, formatCalendarDate, type CalendarDate } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { LedgerEntry } from '../domain/contract';
import { canEditPlan } from '../domain/delivery-access';
import { healthValues, itemStatuses, withStatus, type CheckIn, type Health, type ItemStatus } from '../domain/delivery-plan';
import { dueAfterCheckIn } from '../domain/delivery-schedule';
import { personKey } from '../domain/directory';
import { DomainError } from '../domain/errors';
import type { OutboxItem } from '../domain/outbox';
import { parseQuarterHours } from '../domain/plan-item-input';
import { cleanUserText } from '../domain/user-text';
import {
  maxLedgerPartEntries,
  type AccountRepository,
  type ContractRepository,
  type ConversationReferenceRepository,
  type DeliveryPlanRepository,
  type DirectoryRepository,
  type OutboxRepository,
  type TeamsMessenger,
} from '../domain/ports';
import { buildPlanView, deliveryBucketOf } from './delivery-plan-view';
import { accountTams } from './account-tams';
import { sendProactive } from './proactive-send';

export interface CheckInDeps {
  readonly accounts: AccountRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly clock: Clock;
}

export type CheckInResult =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Record<string, string>>; readonly formError?: string }
  | { readonly kind: 'recorded' | 'duplicate'; readonly checkIn: CheckIn; readonly hoursLogged: number; readonly bucket: string };

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/**
 * Records a check-in: per item status, health, note and hours delivered. Hours delivered become
 * ledger entries on the contract with the item as reference. Every step is idempotent (entries and
 * the check-in have ids made from the due date and item), so a retried or doubled submission, or
 * one interrupted by a restart and sent again, adds nothing twice.
 */
export async function submitCheckIn(
  deps: CheckInDeps,
  caller: Caller,
  accountId: string,
  dueDate: CalendarDate,
  data: Readonly<Record<string, unknown>>,
): Promise<CheckInResult> {
  if (!canEditPlan(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can record a check-in.');
  // The check-in owed now is not read first: the batch that stores it refuses one stored meanwhile
  // (two at once). A card of any other due date (the last one, resent; an older one) is looked
  // up and answered with what it recorded, and nothing is written.
  const [plan, contract] = await Promise.all([deps.plans.getPlan(accountId), deps.contracts.getContract(accountId)]);
  if (!plan || !contract) throw new DomainError('not_found', 'This account has no delivery plan.');
  const bucket = deliveryBucketOf(contract);
  if (dueDate !== plan.nextCheckInDue) {
    const recorded = await deps.plans.getCheckIn(accountId, dueDate);
    if (recorded) return { kind: 'duplicate', checkIn: recorded, hoursLogged: recorded.items.reduce((s, i) => s + i.hoursDelivered, 0), bucket };
    if (plan.lastCheckIn?.dueDate !== dueDate) {
      return { kind: 'invalid', errors: {}, formError: `This card is for the check-in due ${formatCalendarDate(dueDate)}, which is not the current one. Open the check-in again.` };
    }
  }

  const now = deps.clock.now();
  const today = calendarDateOf(now);
  const errors: Record<string, string> = {};
  const lines: CheckIn['items'] = [];
  for (const item of plan.items) {
    if (!(`status_${item.itemId}` in data)) continue;
    const status = itemStatuses.find<ItemStatus>((s): s is ItemStatus => s === text(data[`status_${item.itemId}`]));
    const health = healthValues.find<Health>((h): h is Health => h === text(data[`health_${item.itemId}`]));
    const rawHours = text(data[`hours_${item.itemId}`]).trim();
    const hours = rawHours === '' ? { ok: true as const, hours: 0 } : parseQuarterHours(rawHours, 24, { allowZero: true });
    const note = cleanUserText(text(data[`note_${item.itemId}`]));
    if (!status) errors[`status_${item.itemId}`] = 'Choose a status from the list.';
    if (!health) errors[`health_${item.itemId}`] = 'Choose green, amber or red.';
    if (!hours.ok) errors[`hours_${item.itemId}`] = hours.message;
    else if (hours.hours > 0 && (today < contract.startDate || today > contract.endDate)) errors[`hours_${item.itemId}`] = 'The contract term is over: hours cannot be logged against it.';
    if (note.length > 500) errors[`note_${item.itemId}`] = 'The note can be at most 500 characters.';
    if (status && health && hours.ok) lines.push({ itemId: item.itemId, status, health, ...(note ? { note } : {}), hoursDelivered: hours.hours });
  }
  if (Object.keys(errors).length > 0) return { kind: 'invalid', errors };
  if (lines.length === 0) return { kind: 'invalid', errors: {}, formError: 'There is nothing on this check-in to record.' };

  const by = { key: personKey(caller.identity), name: caller.displayName };
  // Entries first (deterministic ids, so a resend adds nothing), with the contract's summary of
  // them; then the check-in with the plan it moves on.
  const delivered = lines.filter((l) => l.hoursDelivered > 0).map((line): LedgerEntry => {
    const item = plan.items.find((i) => i.itemId === line.itemId);
    return {
      entryId: `d-${dueDate}-${line.itemId}`,
      accountId,
      contractId: contract.contractId,
      date: today,
      bucket,
      hours: line.hoursDelivered,
      source: 'delivery',
      reference: line.itemId,
      note: `Delivered: ${item?.title ?? line.itemId}`,
      loggedBy: by,
      loggedAt: now.toISOString(),
    };
  });
  // The check-in, the plan moved on by it, and the entries of its hours with the contract's count
  // of them: one batch, all or none. (More entries than go beside it are stored first, on their own.)
  const beside = delivered.length > 0 && delivered.length <= maxLedgerPartEntries;
  if (delivered.length > 0 && !beside) await deps.contracts.createEntries(accountId, delivered);
  const checkIn: CheckIn = { accountId, dueDate, submittedAt: now.toISOString(), by, items: lines };
  const created = await deps.plans.recordCheckIn(checkIn, (current) => {
    const byItem = new Map(lines.map((l) => [l.itemId, l]));
    const items = current.items.map((item) => {
      const line = byItem.get(item.itemId);
      return line ? { ...withStatus(item, line.status, now), health: line.health, ...(line.note ? { note: line.note } : {}), updatedAt: now.toISOString() } : item;
    });
    const advance = current.nextCheckInDue === dueDate;
    return {
      ...current,
      items,
      ...(advance ? { lastCheckIn: { dueDate, at: now.toISOString(), by: by.key }, nextCheckInDue: dueAfterCheckIn(dueDate, current.cadence, today) } : {}),
      updatedAt: now.toISOString(),
    };
  }, beside ? deps.contracts.ledgerPart(accountId, delivered) : undefined);
  const stored = created ? checkIn : ((await deps.plans.getCheckIn(accountId, dueDate)) ?? checkIn);
  return { kind: created ? 'recorded' : 'duplicate', checkIn: stored, hoursLogged: lines.reduce((s, l) => s + l.hoursDelivered, 0), bucket };
}

export interface SummaryDeps extends CheckInDeps {
  readonly directory: DirectoryRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly messenger: TeamsMessenger;
}

/**
 * Posts the customer-facing summary of a recorded check-in to the account's channel: items,
 * status, health and due dates, without internal notes or commercial fields. Posted once.
 */
export async function postCheckInSummary(deps: SummaryDeps, caller: Caller, accountId: string, dueDate: CalendarDate): Promise<'posted' | 'already-posted'> {
  if (!canEditPlan(caller, accountId)) throw new DomainError('forbidden', 'Only the TAM of the account or a manager can post the summary.');
  const checkIn = await deps.plans.getCheckIn(accountId, dueDate);
  if (!checkIn) throw new DomainError('not_found', 'Record the check-in first.');
  if (checkIn.summaryPostedAt) return 'already-posted';
  const channelId = await deps.directory.getAccountChannel(accountId);
  const reference = channelId ? await deps.conversations.get(channelId) : undefined;
  if (!reference || reference.retiredAt) throw new DomainError('invalid_input', 'The account has no channel with the app to post to. Link one with "link <account>".');
  // Claim first, so a double click posts one summary.
  const claimedAt = deps.clock.now().toISOString();
  let claimed = false;
  await deps.plans.updateCheckIn(accountId, dueDate, (current) => {
    // Decided on each record it is called with: a claim lost to a second click is no claim.
    claimed = false;
    if (current.summaryPostedAt) return undefined;
    claimed = true;
    return { ...current, summaryPostedAt: claimedAt };
  });
  if (!claimed) return 'already-posted';
  const view = await buildPlanView(deps, accountId);
  const result = await sendProactive(deps, reference, { kind: 'plan-summary', view, checkIn }, { accountIds: [accountId] });
  if (result.status !== 'sent') {
    await deps.plans.updateCheckIn(accountId, dueDate, (current) => {
      const { summaryPostedAt: _undo, ...rest } = current;
      return current.summaryPostedAt === claimedAt ? rest : undefined;
    });
    throw new DomainError('unavailable', 'Teams did not take the summary just now. Please try again in a moment.');
  }
  return 'posted';
}

/**
 * Sweep step: queues the check-in card for the TAMs of every plan whose check-in has come due.
 * One outbox item per plan, due date and TAM, so it is sent once however often this runs.
 */
export async function queueDueCheckIns(
  deps: { plans: DeliveryPlanRepository; directory: DirectoryRepository; outbox: OutboxRepository; clock: Clock; providerTenantIds: readonly string[] },
  limit = 200,
): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.plans.listPlansDueForCheckIn(calendarDateOf(now), limit);
  let queued = 0;
  for (const plan of due) {
    for (const tam of await accountTams(deps, plan.accountId)) {
      const item: OutboxItem = {
        id: `check-in:${plan.accountId}:${plan.nextCheckInDue}:${personKey(tam)}`,
        target: { kind: 'person', tenantId: tam.tenantId, aadObjectId: tam.aadObjectId },
        intent: { kind: 'check-in', accountId: plan.accountId, dueDate: plan.nextCheckInDue },
        status: 'pending',
        createdAt: now.toISOString(),
        attempts: 0,
        nextAttemptAt: now.toISOString(),
      };
      if (await deps.outbox.enqueue(item)) queued += 1;
    }
  }
  return queued;
}
