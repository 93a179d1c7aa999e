import { addDays, dayNumberOf, type CalendarDate } from './calendar-date';
import { isActive, type Cadence, type DeliveryPlan, type PlanItem } from './delivery-plan';

/** A check-in not done within this many days of its due date is overdue. */
export const checkInGraceDays = 3;

export function cadenceDays(cadence: Cadence): number {
  return cadence === 'weekly' ? 7 : cadence === 'fortnightly' ? 14 : 30;
}

/** The due date one cadence after `due`: a month for monthly (same day, clamped to the month's end). */
export function nextDueDate(due: CalendarDate, cadence: Cadence): CalendarDate {
  if (cadence !== 'monthly') return addDays(due, cadenceDays(cadence));
  const [y, m, d] = due.split('-').map(Number) as [number, number, number];
  const year = m === 12 ? y + 1 : y;
  const month = m === 12 ? 1 : m + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** The due date after a check-in for `due`, skipping periods that have passed entirely. */
export function dueAfterCheckIn(due: CalendarDate, cadence: Cadence, today: CalendarDate): CalendarDate {
  let next = nextDueDate(due, cadence);
  while (next <= today) next = nextDueDate(next, cadence);
  return next;
}

export type CheckInState = 'not-due' | 'due' | 'overdue';

export function checkInState(plan: Pick<DeliveryPlan, 'nextCheckInDue'>, today: CalendarDate): CheckInState {
  if (today < plan.nextCheckInDue) return 'not-due';
  return dayNumberOf(today) - dayNumberOf(plan.nextCheckInDue) > checkInGraceDays ? 'overdue' : 'due';
}

/** Past its due date and neither delivered nor cancelled. */
export function isLate(item: Pick<PlanItem, 'status' | 'dueDate'>, today: CalendarDate): boolean {
  return isActive(item) && item.dueDate < today;
}

/**
 * What a check-in covers: items being delivered or scheduled, items due before the next
 * check-in comes round (or late), and any whose health is not green.
 */
export function itemsForCheckIn(plan: Pick<DeliveryPlan, 'items' | 'cadence'>, today: CalendarDate): PlanItem[] {
  const horizon = addDays(today, cadenceDays(plan.cadence));
  return plan.items
    .filter((item) => isActive(item) && (item.status !== 'planned' || item.dueDate <= horizon || item.health !== 'green'))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}
