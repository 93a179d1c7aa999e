import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/card-templates';
import { checkInCard, deliveryVerbs, planCard, planItemCard } from '../../cards/delivery-cards';
import { calendarDateSchema, formatCalendarDate } from '../../domain/calendar-date';
import type { CommandId } from '../../domain/commands';
import { formatHours } from '../../domain/contract-forecast';
import { canEditPlan } from '../../domain/delivery-access';
import { accountIdSchema, personKey } from '../../domain/directory';
import { isDomainError } from '../../domain/errors';
import { readPlanItemForm } from '../../domain/plan-item-input';
import { postCheckInSummary, submitCheckIn } from '../../services/check-ins';
import { loadPlanView } from '../../services/delivery-plan-view';
import { planOwners, savePlanItem } from '../../services/plan-items';
import { accountCommand } from '../account-choice';
import type { AppTurnState } from '../app-turn-state';
import type { BotDependencies } from '../bot-dependencies';
import { cardAction } from '../invoke-response';
import type { CommandHandler, Turn } from '../turn';

const modes = ['view', 'add', 'edit', 'checkin'] as const;
type Mode = (typeof modes)[number];
const refreshData = z.object({ accountId: accountIdSchema, mode: z.enum(modes).optional().catch('view'), itemId: z.string().max(20).optional() });
const accountKey = z.object({ accountId: accountIdSchema });
const itemKey = accountKey.extend({ itemId: z.string().regex(/^PI-\d+$/) });
const checkInKey = accountKey.extend({ dueDate: calendarDateSchema });

const asStrings = (data: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));

type Banner = { text: string; style: 'good' | 'attention' | 'warning' | 'accent' };

async function planCardFor(turn: Turn, accountId: string, extra: { banners?: Banner[]; summaryFor?: string } = {}): Promise<AdaptiveCardJson> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  return planCard(turn.deps.cards, { view, canEdit: canEditPlan(turn.caller, accountId), ...extra });
}

async function itemForm(turn: Turn, accountId: string, itemId: string | undefined, extra: { values?: Record<string, string>; errors?: Record<string, string>; formError?: string } = {}): Promise<AdaptiveCardJson> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  const item = itemId ? view.plan.items.find((i) => i.itemId === itemId) : undefined;
  const owners = await planOwners(turn.deps, turn.caller, accountId);
  return planItemCard(turn.deps.cards, { view, owners, ...(item ? { item } : {}), defaultOwner: personKey(turn.caller.identity), ...extra });
}

async function checkInFor(turn: Turn, accountId: string, extra: { dueDate?: string; values?: Record<string, string>; errors?: Record<string, string>; formError?: string } = {}): Promise<AdaptiveCardJson> {
  const view = await loadPlanView(turn.deps, turn.caller, accountId);
  return checkInCard(turn.deps.cards, { view, dueDate: extra.dueDate ?? view.plan.nextCheckInDue, ...extra });
}

async function cardForMode(turn: Turn, accountId: string, mode: Mode, itemId?: string): Promise<AdaptiveCardJson> {
  if (mode !== 'view' && canEditPlan(turn.caller, accountId)) {
    if (mode === 'add') return itemForm(turn, accountId, undefined);
    if (mode === 'edit') return itemForm(turn, accountId, itemId);
    return checkInFor(turn, accountId);
  }
  return planCardFor(turn, accountId);
}

export const deliveryCommands = {
  plan: accountCommand('plan', 'plan', (turn, accountId) => cardForMode(turn, accountId, 'view')),
  checkin: accountCommand('checkin', 'plan', (turn, accountId) => cardForMode(turn, accountId, 'checkin')),
} satisfies Partial<Record<CommandId, CommandHandler>>;

/** Plan card, adding and editing items, check-ins and the customer summary. */
export function registerDeliveryRoutes(app: Application<AppTurnState>, deps: BotDependencies): void {
  const handle = (verb: string, work: (turn: Turn, data: Record<string, unknown>) => Promise<AdaptiveCardJson>): void => cardAction(app, deps, verb, work);

  handle(deliveryVerbs.refresh, async (turn, data) => {
    const parsed = refreshData.safeParse(data);
    if (!parsed.success) throw new Error('malformed plan refresh data');
    return cardForMode(turn, parsed.data.accountId, parsed.data.mode ?? 'view', parsed.data.itemId);
  });

  const saveItem = async (turn: Turn, data: Record<string, unknown>, itemId?: string): Promise<AdaptiveCardJson> => {
    const key = accountKey.safeParse(data);
    if (!key.success) throw new Error('malformed plan item data');
    const values = { ...readPlanItemForm(data) };
    try {
      const result = await savePlanItem(deps, turn.caller, key.data.accountId, data, itemId);
      if (result.kind === 'invalid') return await itemForm(turn, key.data.accountId, itemId, { values, errors: { ...result.errors } });
      const banners: Banner[] = [{ text: `${itemId ? 'Saved' : 'Added'} ${result.item.itemId}: ${result.item.title}.`, style: 'good' }];
      if (result.warning) banners.push({ text: result.warning, style: 'warning' });
      return await planCardFor(turn, key.data.accountId, { banners });
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'forbidden') throw error;
      return planCardFor(turn, key.data.accountId, { banners: [{ text: error.message, style: 'attention' }] });
    }
  };

  handle(deliveryVerbs.addItem, (turn, data) => saveItem(turn, data));
  handle(deliveryVerbs.updateItem, async (turn, data) => {
    const key = itemKey.safeParse(data);
    if (!key.success) throw new Error('malformed plan item data');
    return saveItem(turn, data, key.data.itemId);
  });

  handle(deliveryVerbs.submitCheckIn, async (turn, data) => {
    const key = checkInKey.safeParse(data);
    if (!key.success) throw new Error('malformed check-in data');
    const { accountId, dueDate } = key.data;
    try {
      const result = await submitCheckIn(deps, turn.caller, accountId, dueDate, data);
      if (result.kind === 'invalid') {
        return await checkInFor(turn, accountId, { dueDate, values: asStrings(data), errors: { ...result.errors }, ...(result.formError ? { formError: result.formError } : {}) });
      }
      const hours = result.hoursLogged > 0 ? ` ${formatHours(result.hoursLogged)} delivered went to the ${result.bucket} bucket.` : '';
      const banner: Banner =
        result.kind === 'recorded'
          ? { text: `Check-in of ${formatCalendarDate(dueDate)} recorded.${hours}`, style: 'good' }
          : { text: `The check-in of ${formatCalendarDate(dueDate)} was recorded already.`, style: 'accent' };
      return await planCardFor(turn, accountId, { banners: [banner], ...(result.checkIn.summaryPostedAt ? {} : { summaryFor: dueDate }) });
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'forbidden') throw error;
      return planCardFor(turn, accountId, { banners: [{ text: error.message, style: 'attention' }] });
    }
  });

  handle(deliveryVerbs.postSummary, async (turn, data) => {
    const key = checkInKey.safeParse(data);
    if (!key.success) throw new Error('malformed summary data');
    try {
      const outcome = await postCheckInSummary(deps, turn.caller, key.data.accountId, key.data.dueDate);
      return await planCardFor(turn, key.data.accountId, {
        banners: [outcome === 'posted' ? { text: 'The summary is posted in the account channel.', style: 'good' } : { text: 'The summary was posted already.', style: 'accent' }],
      });
    } catch (error) {
      if (!isDomainError(error) || error.code === 'not_found') throw error;
      return planCardFor(turn, key.data.accountId, { banners: [{ text: error.message, style: 'attention' }], summaryFor: key.data.dueDate });
    }
  });
}
