import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import { checkInCard, planCard, planItemCard } from '../../cards/delivery-cards';
import { calendarDateSchema, formatCalendarDate, type CalendarDate } from '../../domain/calendar-date';
import type { CommandId } from '../../domain/commands';
import { formatHours } from '../../domain/contract-forecast';
import { canEditPlan } from '../../domain/delivery-access';
import { accountIdSchema, personKey } from '../../domain/directory';
import { deliveryVerbs } from '../../domain/verbs';
import { postCheckInSummary, submitCheckIn } from '../../services/check-ins';
import { loadPlanView } from '../../services/delivery-plan-view';
import { planOwners, savePlanItem } from '../../services/plan-items';
import { accountCommand } from '../account-choice';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { accountReply, privateReply, type Reply } from '../reply';
import type { CommandHandler, Turn } from '../turn';
import { defineVerb, registerVerbs, type Banner, type Shown } from '../verb-pipeline';

const modes = ['view', 'add', 'edit', 'checkin'] as const;
type Mode = (typeof modes)[number];
const accountKey = z.object({ accountId: accountIdSchema });
const refreshKey = accountKey.extend({ mode: z.enum(modes).optional().catch('view'), itemId: z.string().max(20).optional().catch(undefined) });
const itemKey = accountKey.extend({ itemId: z.string().regex(/^PI-\d+$/) });
const checkInKey = accountKey.extend({ dueDate: calendarDateSchema });

type FormExtra = { values?: Readonly<Record<string, string>>; errors?: Readonly<Record<string, string>>; formError?: string };

const formExtra = (shown: Shown): FormExtra => ({
  ...(shown.values ? { values: shown.values } : {}),
  ...(shown.errors ? { errors: shown.errors } : {}),
  ...(shown.formError || shown.banner ? { formError: shown.formError ?? shown.banner?.text ?? '' } : {}),
});

/**
 * The plan card: the TAM's own view (notes, edits, check-in, the summary offer), or the
 * customer-safe one that every member of the account's channel may see.
 */
async function planReply(turn: Turn, accountId: string, extra: { banners?: Banner[]; summaryFor?: CalendarDate } = {}): Promise<Reply> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  return accountReply(accountId, ({ view: audience, refreshUserIds }) => {
    const own = audience === 'own';
    return planCard(turn.deps.cards, {
      view,
      canEdit: own && canEditPlan(turn.caller, accountId),
      ...(own && extra.banners ? { banners: extra.banners } : {}),
      ...(own && extra.summaryFor && canEditPlan(turn.caller, accountId) ? { summaryFor: extra.summaryFor } : {}),
      refreshUserIds,
    });
  });
}

async function itemFormReply(turn: Turn, accountId: string, itemId: string | undefined, extra: FormExtra = {}): Promise<Reply> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  const item = itemId ? view.plan.items.find((i) => i.itemId === itemId) : undefined;
  const owners = await planOwners(turn.deps, turn.caller, accountId);
  return privateReply([accountId], () => planItemCard(turn.deps.cards, { view, owners, ...(item ? { item } : {}), defaultOwner: personKey(turn.caller.identity), ...extra }));
}

async function checkInReply(turn: Turn, accountId: string, extra: FormExtra & { dueDate?: CalendarDate } = {}): Promise<Reply> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  return privateReply([accountId], () => checkInCard(turn.deps.cards, { view, dueDate: extra.dueDate ?? view.plan.nextCheckInDue, ...extra }));
}

async function replyForMode(turn: Turn, accountId: string, mode: Mode, itemId?: string): Promise<Reply> {
  if (mode !== 'view' && canEditPlan(turn.caller, accountId)) {
    if (mode === 'add') return itemFormReply(turn, accountId, undefined);
    if (mode === 'edit') return itemFormReply(turn, accountId, itemId);
    return checkInReply(turn, accountId);
  }
  return planReply(turn, accountId);
}

export const deliveryCommands = {
  plan: accountCommand('plan', 'plan', (turn, accountId) => replyForMode(turn, accountId, 'view')),
  checkin: accountCommand('checkin', 'plan', (turn, accountId) => replyForMode(turn, accountId, 'checkin')),
} satisfies Partial<Record<CommandId, CommandHandler>>;

const itemShow = (itemIdOf: (key: { accountId: string; itemId?: string }) => string | undefined) => async (turn: Turn, key: { accountId: string; itemId?: string }, shown: Shown): Promise<Reply> =>
  shown.errors || shown.formError ? itemFormReply(turn, key.accountId, itemIdOf(key), formExtra(shown)) : planReply(turn, key.accountId, shown.banner ? { banners: [shown.banner] } : {});

async function saveItem(turn: Turn, accountId: string, data: Readonly<Record<string, unknown>>, itemId?: string): Promise<Reply | { kind: 'invalid'; errors: Record<string, string> }> {
  const result = await savePlanItem(turn.deps, turn.caller, accountId, data, itemId);
  if (result.kind === 'invalid') return { kind: 'invalid', errors: { ...result.errors } };
  const banners: Banner[] = [{ text: `${itemId ? 'Saved' : 'Added'} ${result.item.itemId}: ${result.item.title}.`, style: 'good' }];
  if (result.warning) banners.push({ text: result.warning, style: 'warning' });
  return planReply(turn, accountId, { banners });
}

const definitions = [
  defineVerb({
    verb: deliveryVerbs.refresh,
    key: refreshKey,
    handle: (turn, key) => replyForMode(turn, key.accountId, key.mode ?? 'view', key.itemId),
  }),
  defineVerb({
    verb: deliveryVerbs.addItem,
    key: accountKey,
    handle: (turn, key, data) => saveItem(turn, key.accountId, data),
    show: itemShow(() => undefined),
  }),
  defineVerb({
    verb: deliveryVerbs.updateItem,
    key: itemKey,
    handle: (turn, key, data) => saveItem(turn, key.accountId, data, key.itemId),
    show: itemShow((key) => key.itemId),
  }),
  defineVerb({
    verb: deliveryVerbs.submitCheckIn,
    key: checkInKey,
    handle: async (turn, { accountId, dueDate }, data) => {
      // For one who may record it, the account (its name heads the answer) is asked with the plan
      // and contract the check-in reads first: one batch of the account's partition when it is not
      // cached. The answer reads it again should this read fail.
      const account = canEditPlan(turn.caller, accountId) ? turn.deps.accounts.getAccount(accountId).catch(() => undefined) : undefined;
      const [result] = await Promise.all([submitCheckIn(turn.deps, turn.caller, accountId, dueDate, data), account]);
      if (result.kind === 'invalid') return { kind: 'invalid', errors: { ...result.errors }, ...(result.formError ? { formError: result.formError } : {}) };
      const hours = result.hoursLogged > 0 ? ` ${formatHours(result.hoursLogged)} delivered went to the ${result.bucket} bucket.` : '';
      const banner: Banner =
        result.kind === 'recorded'
          ? { text: `Check-in of ${formatCalendarDate(dueDate)} recorded.${hours}`, style: 'good' }
          : { text: `The check-in of ${formatCalendarDate(dueDate)} was recorded already.`, style: 'accent' };
      return planReply(turn, accountId, { banners: [banner], ...(result.checkIn.summaryPostedAt ? {} : { summaryFor: dueDate }) });
    },
    show: async (turn, { accountId, dueDate }, shown) =>
      shown.errors || shown.formError ? checkInReply(turn, accountId, { dueDate, ...formExtra(shown) }) : planReply(turn, accountId, shown.banner ? { banners: [shown.banner] } : {}),
  }),
  defineVerb({
    verb: deliveryVerbs.postSummary,
    key: checkInKey,
    handle: async (turn, { accountId, dueDate }) => {
      const outcome = await postCheckInSummary(turn.deps, turn.caller, accountId, dueDate);
      return planReply(turn, accountId, {
        banners: [outcome === 'posted' ? { text: 'The summary is posted in the account channel.', style: 'good' } : { text: 'The summary was posted already.', style: 'accent' }],
      });
    },
    show: (turn, { accountId, dueDate }, shown) => planReply(turn, accountId, { ...(shown.banner ? { banners: [shown.banner] } : {}), summaryFor: dueDate }),
  }),
];

/** Plan card, adding and editing items, check-ins and the customer summary. */
export function registerDeliveryRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  registerVerbs(app, deps, definitions);
}
