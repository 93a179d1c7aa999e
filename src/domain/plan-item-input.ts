import { calendarDateSchema, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract } from './contract';
import { healthValues, itemStatuses, serviceTypes, type Health, type ItemStatus, type ServiceType } from './delivery-plan';
import { hoursStep } from './log-hours-input';
import { cleanUserText } from './user-text';

export interface PlanItemForm {
  readonly type: string;
  readonly title: string;
  readonly plannedHours: string;
  readonly dueDate: string;
  readonly owner: string;
  readonly status: string;
  readonly health: string;
}

export type PlanItemField = keyof PlanItemForm;

export interface ValidPlanItem {
  readonly type: ServiceType;
  readonly title: string;
  readonly plannedHours: number;
  readonly dueDate: CalendarDate;
  readonly ownerKey: string;
  readonly status: ItemStatus;
  readonly health: Health;
}

export const maxPlannedHours = 500;

const text = (value: unknown): string => cleanUserText(typeof value === 'number' ? String(value) : value);

export function readPlanItemForm(data: Readonly<Record<string, unknown>>): PlanItemForm {
  return {
    type: text(data.type),
    title: text(data.title),
    plannedHours: text(data.plannedHours),
    dueDate: text(data.dueDate),
    owner: text(data.owner),
    status: text(data.status),
    health: text(data.health),
  };
}

/** Parses hours typed on a card: a number in quarter-hour steps within (0, max]. */
export function parseQuarterHours(raw: string, max: number, options: { allowZero?: boolean } = {}): { ok: true; hours: number } | { ok: false; message: string } {
  const value = raw.trim().replace(',', '.');
  const hours = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isNaN(hours)) return { ok: false, message: 'Enter the hours as a number, e.g. 1.5.' };
  if (options.allowZero ? hours < 0 : hours <= 0) return { ok: false, message: options.allowZero ? 'Hours cannot be negative.' : 'Hours must be more than 0.' };
  if (hours > max) return { ok: false, message: `At most ${max} hours.` };
  if (Math.abs(hours / hoursStep - Math.round(hours / hoursStep)) > 1e-9) return { ok: false, message: 'Use quarter-hour steps (0.25, 0.5, 0.75 …).' };
  return { ok: true, hours };
}

/** Checks a plan item: known type, status and health, a title, hours, a due date inside the contract term, an owner. */
export function validatePlanItem(
  form: PlanItemForm,
  contract: Contract,
  owners: readonly string[],
): { ok: true; item: ValidPlanItem } | { ok: false; errors: Partial<Record<PlanItemField, string>> } {
  const errors: Partial<Record<PlanItemField, string>> = {};
  const type = serviceTypes.find((t) => t === form.type);
  if (!type) errors.type = 'Choose the kind of service from the list.';
  const title = form.title.trim();
  if (!title) errors.title = 'Give the item a title.';
  else if (title.length > 120) errors.title = 'The title can be at most 120 characters.';
  const hours = parseQuarterHours(form.plannedHours, maxPlannedHours);
  if (!hours.ok) errors.plannedHours = hours.message;
  const due = form.dueDate.trim();
  if (!calendarDateSchema.safeParse(due).success) errors.dueDate = 'Enter a real date as YYYY-MM-DD.';
  else if (due < contract.startDate || due > contract.endDate) {
    errors.dueDate = `The due date must be within the contract term (${formatCalendarDate(contract.startDate)} – ${formatCalendarDate(contract.endDate)}).`;
  }
  if (!owners.includes(form.owner)) errors.owner = 'Choose the owner from the list.';
  const status = itemStatuses.find((s) => s === form.status);
  if (!status) errors.status = 'Choose a status from the list.';
  const health = healthValues.find((h) => h === form.health);
  if (!health) errors.health = 'Choose green, amber or red.';
  if (!type || !status || !health || !hours.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, item: { type, title, plannedHours: hours.hours, dueDate: due, ownerKey: form.owner, status, health } };
}
