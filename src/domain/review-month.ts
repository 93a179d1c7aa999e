import { z } from 'zod';
import { addDays, dayNumberOf, type CalendarDate } from './calendar-date';
import { localDateOf, startOfLocalDay } from './zoned-time';

/** A calendar month, `YYYY-MM`. */
export const reviewMonthSchema = z.string().regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM');
export type ReviewMonth = z.infer<typeof reviewMonthSchema>;

export const reviewMonthPattern = /^\d{4}-\d{2}$/;

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A month in an account's zone: its first and last local day, and the instants it starts and ends (exclusive). */
export interface MonthPeriod {
  readonly month: ReviewMonth;
  readonly timeZone: string;
  readonly firstDay: CalendarDate;
  readonly lastDay: CalendarDate;
  readonly start: Date;
  readonly end: Date;
}

function parts(month: ReviewMonth): { year: number; month: number } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return { year, month: m };
}

export function monthOf(date: CalendarDate): ReviewMonth {
  return date.slice(0, 7);
}

/** The month after (or, with -1, before) this one. */
export function shiftMonth(month: ReviewMonth, by: number): ReviewMonth {
  const { year, month: m } = parts(month);
  const index = year * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The calendar month in the zone: local midnight of its first day to local midnight of the next month's. */
export function monthPeriod(month: ReviewMonth, timeZone: string): MonthPeriod {
  const firstDay = `${month}-01`;
  const nextFirst = `${shiftMonth(month, 1)}-01`;
  return {
    month,
    timeZone,
    firstDay,
    lastDay: addDays(nextFirst, -1),
    start: new Date(startOfLocalDay(dayNumberOf(firstDay), timeZone)),
    end: new Date(startOfLocalDay(dayNumberOf(nextFirst), timeZone)),
  };
}

/** The last month that has ended in the zone: the default of `review`. */
export function lastCompleteMonth(now: Date, timeZone: string): ReviewMonth {
  return shiftMonth(monthOf(localDateOf(now, timeZone)), -1);
}

/** The month the zone is in now. */
export function currentMonth(now: Date, timeZone: string): ReviewMonth {
  return monthOf(localDateOf(now, timeZone));
}

/** "February 2026". */
export function monthLabel(month: ReviewMonth): string {
  const { year, month: m } = parts(month);
  return `${monthNames[m - 1] ?? ''} ${year}`;
}

/** Is this instant within the period (its start included, its end not)? */
export function inPeriod(period: Pick<MonthPeriod, 'start' | 'end'>, at: Date | string | undefined): boolean {
  if (at === undefined) return false;
  const t = (typeof at === 'string' ? new Date(at) : at).getTime();
  return t >= period.start.getTime() && t < period.end.getTime();
}

/**
 * Reads `review [account] [YYYY-MM]`: a word shaped like a month is the month, the rest names the
 * account. A month-shaped word that is no real month is reported, not taken for an account.
 */
export function parseReviewArgument(argument: string): { account: string; month?: ReviewMonth; monthError?: string } {
  const words = argument.trim().split(/\s+/).filter(Boolean);
  const monthWords = words.filter((w) => reviewMonthPattern.test(w));
  const account = words.filter((w) => !reviewMonthPattern.test(w)).join(' ');
  const word = monthWords[monthWords.length - 1];
  if (!word) return { account };
  const parsed = reviewMonthSchema.safeParse(word);
  return parsed.success ? { account, month: parsed.data } : { account, monthError: `"${word}" is not a month: write it as YYYY-MM, e.g. 2026-02.` };
}
