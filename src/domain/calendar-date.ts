import { z } from 'zod';

/** A calendar date, `YYYY-MM-DD`, in UTC: contracts and ledgers count whole days. */
export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((v) => toDayNumber(v) !== undefined, { message: 'not a real date' });
export type CalendarDate = z.infer<typeof calendarDateSchema>;

const dayInMs = 86_400_000;

/** Days since 1970-01-01, or undefined for a date that does not exist (2026-02-30). */
export function toDayNumber(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return ms / dayInMs;
}

export function dayNumberOf(date: string): number {
  const n = toDayNumber(date);
  if (n === undefined) throw new Error(`not a calendar date: ${date}`);
  return n;
}

export function fromDayNumber(day: number): CalendarDate {
  return new Date(day * dayInMs).toISOString().slice(0, 10);
}

export function calendarDateOf(at: Date): CalendarDate {
  return at.toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(dayNumberOf(date) + days);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return dayNumberOf(b) - dayNumberOf(a);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2 Mar 2026". */
export function formatCalendarDate(date: CalendarDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d ?? ''} ${months[(m ?? 1) - 1] ?? ''} ${y ?? ''}`;
}
