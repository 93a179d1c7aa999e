import { formatCalendarDate, type CalendarDate } from '../domain/calendar-date';
import { formatHours } from '../domain/contract-forecast';
import { isActive, serviceTypes, type CheckIn, type Health, type ItemStatus, type PlanItem } from '../domain/delivery-plan';
import { checkInState, isLate, itemsForCheckIn } from '../domain/delivery-schedule';
import type { DeliveryPlanView } from '../domain/delivery-views';
import type { AdaptiveCardJson, CardTemplates } from './card-templates';
import { deliveryVerbs } from '../domain/verbs';

export { deliveryVerbs };

const statusLabels: Record<ItemStatus, string> = {
  planned: 'Planned',
  scheduled: 'Scheduled',
  'in-delivery': 'In delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};
const health: Record<Health, { label: string; style: string; color: string }> = {
  green: { label: 'Green', style: 'good', color: 'Good' },
  amber: { label: 'Amber', style: 'warning', color: 'Warning' },
  red: { label: 'Red', style: 'attention', color: 'Attention' },
};

type Banner = { readonly text: string; readonly style: 'good' | 'attention' | 'warning' | 'accent' };

/** How many items a card lists, so that a long plan stays under the 28 KB card limit. */
export const planItemsShown = 12;
export const checkInItemsShown = 10;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function contractLine(view: DeliveryPlanView): string {
  return `${view.contract.contractType} · ${formatCalendarDate(view.contract.startDate)} – ${formatCalendarDate(view.contract.endDate)}`;
}

function itemLine(item: PlanItem, view: DeliveryPlanView): { line: string; lineColor: string } {
  const delivered = view.deliveredHours[item.itemId] ?? 0;
  const late = isLate(item, view.today);
  const due = late ? `late since ${formatCalendarDate(item.dueDate)}` : `due ${formatCalendarDate(item.dueDate)}`;
  return {
    line: `${statusLabels[item.status]} · ${due} · ${formatHours(delivered)} of ${formatHours(item.plannedHours)} delivered · ${item.owner.name}`,
    lineColor: late ? 'Attention' : 'Default',
  };
}

function summaryTiles(view: DeliveryPlanView): { label: string; value: string; color: string }[] {
  const active = view.plan.items.filter((i) => i.status !== 'cancelled');
  const planned = active.reduce((s, i) => s + i.plannedHours, 0);
  const delivered = active.reduce((s, i) => s + (view.deliveredHours[i.itemId] ?? 0), 0);
  const late = view.plan.items.filter((i) => isLate(i, view.today)).length;
  const open = view.plan.items.filter(isActive);
  const counts = (['green', 'amber', 'red'] as const).map((h) => open.filter((i) => i.health === h).length);
  const next = open.filter((i) => i.dueDate >= view.today).sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
  return [
    { label: 'hours delivered of planned', value: `${formatHours(delivered)} / ${formatHours(planned)}`, color: 'Default' },
    { label: 'late', value: String(late), color: late > 0 ? 'Attention' : 'Good' },
    { label: 'green · amber · red', value: counts.join(' · '), color: (counts[2] ?? 0) > 0 ? 'Attention' : (counts[1] ?? 0) > 0 ? 'Warning' : 'Good' },
    { label: next ? `next: ${next.title.slice(0, 40)}` : 'next due', value: next ? formatCalendarDate(next.dueDate) : 'nothing', color: 'Default' },
  ];
}

export interface PlanCardModel {
  readonly view: DeliveryPlanView;
  /** TAMs and managers: edit buttons, notes, check-in. */
  readonly canEdit: boolean;
  readonly banners?: readonly Banner[];
  /** After a check-in: offer to post the customer summary for this due date. */
  readonly summaryFor?: CalendarDate;
  /** Teams user ids whose clients refresh the card into their own view (a shared post). */
  readonly refreshUserIds?: readonly string[];
}

export function planCard(templates: CardTemplates, model: PlanCardModel): AdaptiveCardJson {
  const { view } = model;
  const key = { accountId: view.account.accountId };
  const state = checkInState(view.plan, view.today);
  const checkInText =
    state === 'overdue'
      ? `Check-in overdue: it was due ${formatCalendarDate(view.plan.nextCheckInDue)} (${view.plan.cadence})`
      : state === 'due'
        ? `Check-in due now: ${formatCalendarDate(view.plan.nextCheckInDue)} (${view.plan.cadence})`
        : `Next check-in ${formatCalendarDate(view.plan.nextCheckInDue)} (${view.plan.cadence})`;
  const sorted = [...view.plan.items].sort((a, b) => Number(!isActive(a)) - Number(!isActive(b)) || a.dueDate.localeCompare(b.dueDate));
  const hidden = Math.max(0, sorted.length - planItemsShown);
  const items = sorted
    .slice(0, planItemsShown)
    .map((item) => ({
      title: truncate(item.title, 80),
      type: item.type,
      healthLabel: health[item.health].label,
      healthStyle: health[item.health].style,
      ...itemLine(item, view),
      note: model.canEdit ? truncate(item.note ?? '', 140) : '',
      canEdit: model.canEdit,
      edit: { ...key, mode: 'edit', itemId: item.itemId },
    }));
  const actions = [
    ...(model.summaryFor ? [{ title: 'Post summary to the channel', verb: deliveryVerbs.postSummary, data: { ...key, dueDate: model.summaryFor }, style: 'positive' }] : []),
    ...(model.canEdit
      ? [
          { title: 'Add item', verb: deliveryVerbs.refresh, data: { ...key, mode: 'add' }, style: model.summaryFor ? 'default' : 'positive' },
          { title: 'Check-in', verb: deliveryVerbs.refresh, data: { ...key, mode: 'checkin' }, style: 'default' },
        ]
      : []),
    { title: 'Refresh', verb: deliveryVerbs.refresh, data: { ...key, mode: 'view' }, style: 'default' },
  ];
  return templates.render('plan', {
    refresh: {
      action: { type: 'Action.Execute', title: 'Refresh', verb: deliveryVerbs.refresh, data: { ...key, mode: 'view' } },
      userIds: (model.refreshUserIds ?? []).slice(0, 60),
    },
    hidden,
    banners: model.banners ?? [],
    accountName: view.account.name,
    contractLine: contractLine(view),
    checkInText,
    checkInColor: state === 'overdue' ? 'Attention' : state === 'due' ? 'Warning' : 'Default',
    summary: summaryTiles(view),
    items,
    actions,
  });
}

export interface PlanItemCardModel {
  readonly view: DeliveryPlanView;
  readonly owners: readonly { readonly key: string; readonly name: string }[];
  /** The item being edited; absent for a new one. */
  readonly item?: PlanItem;
  readonly defaultOwner: string;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
}

const itemFields = ['type', 'title', 'plannedHours', 'dueDate', 'owner', 'status', 'health'] as const;

export function planItemCard(templates: CardTemplates, model: PlanItemCardModel): AdaptiveCardJson {
  const item = model.item;
  const values = model.values ?? {};
  const initial: Record<string, string> = item
    ? { type: item.type, title: item.title, plannedHours: String(item.plannedHours), dueDate: item.dueDate, owner: item.owner.key, status: item.status, health: item.health }
    : { type: 'Workshop', title: '', plannedHours: '', dueDate: model.view.today, owner: model.defaultOwner, status: 'planned', health: 'green' };
  const key = { accountId: model.view.account.accountId, ...(item ? { itemId: item.itemId } : {}) };
  return templates.render('plan-item', {
    heading: item ? `Edit ${item.itemId}` : 'Add to the plan',
    accountName: `${model.view.account.name} · ${contractLine(model.view)}`,
    formError: model.formError ?? '',
    typeChoices: [...serviceTypes],
    ownerChoices: model.owners,
    ...Object.fromEntries(itemFields.map((f) => [f, values[f] ?? initial[f] ?? ''])),
    minDate: model.view.contract.startDate,
    maxDate: model.view.contract.endDate,
    errors: Object.fromEntries(itemFields.map((f) => [f, model.errors?.[f] ?? ''])),
    submitTitle: item ? 'Save' : 'Add item',
    submitVerb: item ? deliveryVerbs.updateItem : deliveryVerbs.addItem,
    key,
    cancel: { accountId: model.view.account.accountId, mode: 'view' },
  });
}

export interface CheckInCardModel {
  readonly view: DeliveryPlanView;
  readonly dueDate: CalendarDate;
  readonly values?: Readonly<Record<string, string>>;
  readonly errors?: Readonly<Record<string, string>>;
  readonly formError?: string;
}

export function checkInCard(templates: CardTemplates, model: CheckInCardModel): AdaptiveCardJson {
  const { view } = model;
  const values = model.values ?? {};
  const errors = model.errors ?? {};
  const state = checkInState({ nextCheckInDue: model.dueDate }, view.today);
  const covered = itemsForCheckIn(view.plan, view.today);
  const items = covered.slice(0, checkInItemsShown).map((item) => {
    const id = item.itemId;
    return {
      itemId: id,
      title: truncate(item.title, 80),
      type: item.type,
      ...itemLine(item, view),
      status: values[`status_${id}`] ?? item.status,
      health: values[`health_${id}`] ?? item.health,
      hours: values[`hours_${id}`] ?? '',
      note: values[`note_${id}`] ?? item.note ?? '',
      statusError: errors[`status_${id}`] ?? '',
      healthError: errors[`health_${id}`] ?? '',
      hoursError: errors[`hours_${id}`] ?? '',
      noteError: errors[`note_${id}`] ?? '',
    };
  });
  return templates.render('checkin', {
    formError: model.formError ?? '',
    accountName: view.account.name,
    dueText: state === 'overdue' ? `overdue: due ${formatCalendarDate(model.dueDate)}` : `due ${formatCalendarDate(model.dueDate)}`,
    dueColor: state === 'overdue' ? 'Attention' : 'Default',
    intro: `Work under way, due before the next check-in, late or not green${covered.length > checkInItemsShown ? ` (the ${checkInItemsShown} most pressing of ${covered.length}; edit the rest on the plan)` : ''}. Hours delivered are logged to the ${view.deliveryBucket.name} bucket (${formatHours(Math.max(0, view.deliveryBucket.remainingHours))} left).`,
    items,
    key: { accountId: view.account.accountId, dueDate: model.dueDate },
    planKey: { accountId: view.account.accountId, mode: 'view' },
  });
}

/** The customer-facing summary: no internal notes, no commercial fields. */
export function planSummaryCard(templates: CardTemplates, model: { view: DeliveryPlanView; checkIn: CheckIn }): AdaptiveCardJson {
  const { view, checkIn } = model;
  return templates.render('plan-summary', {
    accountName: view.account.name,
    checkInDate: formatCalendarDate(checkIn.dueDate),
    by: checkIn.by.name,
    summary: summaryTiles(view),
    items: [...view.plan.items]
      .filter((i) => i.status !== 'cancelled')
      .sort((a, b) => Number(!isActive(a)) - Number(!isActive(b)) || a.dueDate.localeCompare(b.dueDate))
      .slice(0, planItemsShown)
      .map((item) => ({ title: truncate(item.title, 80), type: item.type, healthLabel: health[item.health].label, healthStyle: health[item.health].style, line: itemLine(item, view).line })),
    planKey: { accountId: view.account.accountId, mode: 'view' },
  });
}
