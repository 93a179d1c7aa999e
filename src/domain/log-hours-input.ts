import { calendarDateSchema, formatCalendarDate, type CalendarDate } from './calendar-date';
import type { Contract } from './contract';
import { escalationIdPattern } from './escalation';
import { cleanUserText } from './user-text';

/** What a person entered on the log-hours card, as typed. */
export interface LogHoursForm {
  readonly bucket: string;
  readonly hours: string;
  readonly date: string;
  readonly note: string;
  readonly reference: string;
}

export type LogHoursField = keyof LogHoursForm;

export interface ValidLogHours {
  readonly bucket: string;
  readonly hours: number;
  readonly date: CalendarDate;
  readonly note: string;
  readonly reference?: string;
}

export const maxHoursPerEntry = 24;
export const hoursStep = 0.25;
export const maxNoteLength = 500;

const text = (value: unknown): string => cleanUserText(typeof value === 'number' ? String(value) : value);

export function readLogHoursForm(data: Readonly<Record<string, unknown>>): LogHoursForm {
  return { bucket: text(data.bucket), hours: text(data.hours), date: text(data.date), note: text(data.note), reference: text(data.reference) };
}

/**
 * Checks one ledger entry against the contract: a bucket it has, 0 < hours <= 24 in quarter-hour
 * steps, a date inside the term and not in the future, a note, and an optional escalation id.
 */
export function validateLogHours(
  form: LogHoursForm,
  contract: Contract,
  today: CalendarDate,
): { ok: true; entry: ValidLogHours } | { ok: false; errors: Partial<Record<LogHoursField, string>> } {
  const errors: Partial<Record<LogHoursField, string>> = {};
  const bucket = contract.buckets.find((b) => b.name.toLowerCase() === form.bucket.trim().toLowerCase());
  if (!bucket) errors.bucket = `Choose one of this contract's buckets: ${contract.buckets.map((b) => b.name).join(', ')}.`;

  const raw = form.hours.trim().replace(',', '.');
  const hours = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(hours)) errors.hours = 'Enter the hours as a number, e.g. 1.5.';
  else if (hours <= 0) errors.hours = 'Hours must be more than 0.';
  else if (hours > maxHoursPerEntry) errors.hours = `A single entry can be at most ${maxHoursPerEntry} hours.`;
  else if (Math.abs(hours / hoursStep - Math.round(hours / hoursStep)) > 1e-9) errors.hours = 'Log hours in quarter-hour steps (0.25, 0.5, 0.75 …).';

  const date = form.date.trim();
  if (!calendarDateSchema.safeParse(date).success) errors.date = 'Enter a real date as YYYY-MM-DD.';
  else if (date > today) errors.date = 'The date cannot be in the future.';
  else if (date < contract.startDate || date > contract.endDate) {
    errors.date = `The date must be within the contract term (${formatCalendarDate(contract.startDate)} – ${formatCalendarDate(contract.endDate)}).`;
  }

  const note = form.note.trim();
  if (!note) errors.note = 'Say what the hours were for.';
  else if (note.length > maxNoteLength) errors.note = `The note can be at most ${maxNoteLength} characters.`;

  const reference = form.reference.trim().toUpperCase();
  if (reference && !escalationIdPattern.test(reference)) errors.reference = 'A reference is an escalation id such as ESC-ACME-0042.';

  if (Object.keys(errors).length > 0 || !bucket) return { ok: false, errors };
  return { ok: true, entry: { bucket: bucket.name, hours, date, note, ...(reference ? { reference } : {}) } };
}
