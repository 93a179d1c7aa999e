import { z } from 'zod';
import { calendarDateSchema, fromDayNumber, toDayNumber } from './calendar-date';
import { minuteInMs } from './duration-text';
import { localDayNumber, localDaySpans, weekdayOfDay } from './zoned-time';

/**
 * Business time: SLA clocks that run only in support hours. Pure functions over instants; the
 * hours are local wall-clock times in an IANA zone, so a window keeps its local times across a
 * daylight-saving change (and the day the clocks change is an hour shorter or longer).
 */

export const clockTimePattern = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Support hours as an SLA clock runs on them: the same window on each of `days`, except holidays. */
export const businessHoursSchema = z.object({
  timeZone: z.string().min(1).max(64),
  /** ISO weekdays: 1 Monday ... 7 Sunday. */
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  /** Local "HH:MM"; closing is after opening on the same day ("24:00" is the end of the day). */
  opensAt: z.string().regex(clockTimePattern),
  closesAt: z.string().regex(clockTimePattern),
  /** Local calendar dates on which the clock does not run. */
  holidays: z.array(calendarDateSchema).max(400),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

/** What an SLA clock runs on: around the clock, or in business hours. */
export const clockHoursSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('24x7') }), businessHoursSchema.extend({ kind: z.literal('business') })]);
export type ClockHours = z.infer<typeof clockHoursSchema>;

export const aroundTheClock: ClockHours = { kind: '24x7' };

/** Minutes after local midnight of "HH:MM". */
export function minutesOfClockTime(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** How far the clock looks for business time before giving up (a schedule with nearly every day a holiday). */
const searchDays = 366 * 20;

/**
 * Windows of a business day, cached: the sweep and every card ask for the same few days again and
 * again. Pure results of (zone, window, day), so a bounded memo changes nothing but the cost.
 */
const windowCache = new Map<string, readonly Interval[]>();

/**
 * Each frozen list of holidays (records as read are frozen) as day numbers, by the list: a card
 * asks about the same days again and again. A list that could still change is searched as it is.
 */
const holidayDays = new WeakMap<readonly string[], ReadonlySet<number>>();

function isHoliday(holidays: readonly string[], day: number): boolean {
  if (holidays.length === 0) return false;
  if (!Object.isFrozen(holidays)) return holidays.includes(fromDayNumber(day));
  let days = holidayDays.get(holidays);
  if (!days) {
    days = new Set(holidays.map((date) => toDayNumber(date)).filter((n): n is number => n !== undefined));
    holidayDays.set(holidays, days);
  }
  return days.has(day);
}

function isBusinessDay(hours: BusinessHours, day: number): boolean {
  return hours.days.includes(weekdayOfDay(day)) && !isHoliday(hours.holidays, day);
}

/** The instants of one local day whose local time of day is within [opensAt, closesAt). */
function dayWindows(hours: BusinessHours, day: number): readonly Interval[] {
  if (!isBusinessDay(hours, day)) return [];
  const key = `${hours.timeZone}|${hours.opensAt}|${hours.closesAt}|${day}`;
  const cached = windowCache.get(key);
  if (cached) return cached;
  const midnight = day * 86_400_000;
  const opens = minutesOfClockTime(hours.opensAt) * minuteInMs;
  const closes = minutesOfClockTime(hours.closesAt) * minuteInMs;
  const windows: Interval[] = [];
  // Within a stretch of one offset, local time of day is the instant plus the offset, minus midnight.
  for (const span of localDaySpans(day, hours.timeZone)) {
    const start = Math.max(span.start, midnight + opens - span.offset);
    const end = Math.min(span.end, midnight + closes - span.offset);
    if (end <= start) continue;
    const previous = windows[windows.length - 1];
    if (previous && previous.end === start) windows[windows.length - 1] = { start: previous.start, end };
    else windows.push({ start, end });
  }
  if (windowCache.size > 20_000) windowCache.clear();
  windowCache.set(key, windows);
  return windows;
}

/** Business intervals that end after `from`, earliest first, touching ones merged. */
function* intervalsFrom(hours: BusinessHours, from: number): Generator<Interval> {
  const first = localDayNumber(from, hours.timeZone) - 1;
  let pending: Interval | undefined;
  for (let day = first; day < first + searchDays; day++) {
    for (const w of dayWindows(hours, day)) {
      if (w.end <= from) continue;
      if (pending && pending.end === w.start) pending = { start: pending.start, end: w.end };
      else {
        if (pending) yield pending;
        pending = w;
      }
    }
  }
  if (pending) yield pending;
}

/** Business intervals that start before `before`, latest first, touching ones merged. */
function* intervalsBefore(hours: BusinessHours, before: number): Generator<Interval> {
  const last = localDayNumber(before, hours.timeZone) + 1;
  let pending: Interval | undefined;
  for (let day = last; day > last - searchDays; day--) {
    const windows = dayWindows(hours, day);
    for (let i = windows.length - 1; i >= 0; i--) {
      const w = windows[i] as Interval;
      if (w.start >= before) continue;
      if (pending && w.end === pending.start) pending = { start: w.start, end: pending.end };
      else {
        if (pending) yield pending;
        pending = w;
      }
    }
  }
  if (pending) yield pending;
}

/** Does the clock run at this instant? */
export function isWithinHours(clock: ClockHours, at: Date): boolean {
  if (clock.kind === '24x7') return true;
  const t = at.getTime();
  for (const interval of intervalsFrom(clock, t)) return interval.start <= t;
  return false;
}

/**
 * The deadline of a target: the instant at which `minutes` of the clock's time have run since
 * `start`. Reached exactly at a closing time, it is that closing time (not the next opening).
 */
export function addBusinessMinutes(clock: ClockHours, start: Date, minutes: number): Date {
  return addBusinessTime(clock, start, Math.round(minutes * minuteInMs));
}

/** The same, for a duration in ms. */
export function addBusinessTime(clock: ClockHours, start: Date, ms: number): Date {
  return new Date(addBusinessMs(clock, start.getTime(), ms));
}

function addBusinessMs(clock: ClockHours, start: number, ms: number): number {
  if (clock.kind === '24x7' || ms <= 0) return start + Math.max(0, ms);
  let left = ms;
  let reached = start;
  for (const interval of intervalsFrom(clock, start)) {
    const from = Math.max(interval.start, start);
    const length = interval.end - from;
    if (left <= length) return from + left;
    left -= length;
    reached = interval.end;
  }
  // No business time within the search horizon: the deadline is as far as we looked.
  return reached + searchDays * 86_400_000;
}

/** How much of the clock's time runs from `from` to `to`, in ms (0 when `to` is not later). */
export function businessMsBetween(clock: ClockHours, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (clock.kind === '24x7') return b - a;
  let total = 0;
  for (const interval of intervalsFrom(clock, a)) {
    if (interval.start >= b) break;
    total += Math.min(interval.end, b) - Math.max(interval.start, a);
  }
  return total;
}

/**
 * The next instant after `at` at which the clock starts or stops: the closing time while it runs,
 * the next opening while it does not. Undefined for a clock that never stops.
 */
export function nextClockChange(clock: ClockHours, at: Date): Date | undefined {
  if (clock.kind === '24x7') return undefined;
  const t = at.getTime();
  for (const interval of intervalsFrom(clock, t)) return new Date(interval.start <= t ? interval.end : interval.start);
  return undefined;
}

/**
 * The earliest instant from which no more than `ms` of the clock's time is left before `end`:
 * when a deadline's remaining time first comes down to `ms` (a clock that stops right after that
 * point is already there at the stop, not at the next opening).
 */
export function earliestWithRemaining(clock: ClockHours, end: Date, ms: number): Date {
  const e = end.getTime();
  if (clock.kind === '24x7') return new Date(e - Math.max(0, ms));
  let counted = 0;
  for (const interval of intervalsBefore(clock, e)) {
    const until = Math.min(interval.end, e);
    if (counted >= ms) return new Date(until);
    const length = until - interval.start;
    if (counted + length > ms) return new Date(until - (ms - counted));
    counted += length;
  }
  return new Date(e - searchDays * 86_400_000);
}
