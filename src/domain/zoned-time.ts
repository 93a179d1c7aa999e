import { fromDayNumber, type CalendarDate } from './calendar-date';

/**
 * Wall-clock time in IANA time zones, from the runtime's own zone data (Intl): no dependency,
 * and the same data the rest of the app formats with.
 */

const dayInMs = 86_400_000;

/**
 * One formatter per zone: building a DateTimeFormat costs far more than using one, and business
 * time asks for offsets many times per card. A memo of pure results, bounded by the zones in use.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Zones already asked about: every record with a zone asks again, and the answer never changes. */
const zoneKnown = new Map<string, boolean>();

/** Is this an IANA time zone the runtime knows ("Europe/London", "UTC")? */
export function isKnownTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  const remembered = zoneKnown.get(value);
  if (remembered !== undefined) return remembered;
  let known: boolean;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    known = true;
  } catch {
    known = false;
  }
  if (zoneKnown.size > 1000) zoneKnown.clear();
  zoneKnown.set(value, known);
  return known;
}

/** The local wall-clock reading of an instant, as if it were a UTC instant (ms). */
function wallClockMs(at: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  // Support hours and SLA clocks live in years 1970-2100: Date.UTC reads those years as given.
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
}

const hourInMs = 3_600_000;

/**
 * Offsets by zone and UTC hour, for the hours in which the offset does not change: SLA clocks and
 * support hours ask for the same few hours again and again, and each answer costs a formatting.
 * An hour is kept only when its first and last second have the same offset (zones change offset
 * at most a few times a year, never twice within an hour). Bounded: cleared when full.
 */
const steadyHours = new Map<string, Map<number, number>>();
let steadyHourCount = 0;
const steadyHourLimit = 50_000;

/** Local time minus UTC at an instant, in ms (Europe/London in summer: +3,600,000). */
export function offsetAt(at: number, timeZone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  const hour = Math.floor(whole / hourInMs);
  let hours = steadyHours.get(timeZone);
  const known = hours?.get(hour);
  if (known !== undefined) return known;
  const offset = wallClockMs(whole, timeZone) - whole;
  const first = hour * hourInMs;
  const last = first + hourInMs - 1000;
  const steady = [first, last].every((t) => (t === whole ? offset : wallClockMs(t, timeZone) - t) === offset);
  if (steady) {
    if (steadyHourCount >= steadyHourLimit) {
      steadyHours.clear();
      steadyHourCount = 0;
    }
    if (!hours) steadyHours.set(timeZone, (hours = new Map<number, number>()));
    hours.set(hour, offset);
    steadyHourCount += 1;
  }
  return offset;
}

/** The local calendar day of an instant, as days since 1970-01-01. */
export function localDayNumber(at: number, timeZone: string): number {
  return Math.floor((at + offsetAt(at, timeZone)) / dayInMs);
}

export function localDateOf(at: Date, timeZone: string): CalendarDate {
  return fromDayNumber(localDayNumber(at.getTime(), timeZone));
}

/** ISO weekday of a day number: Monday 1 ... Sunday 7 (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/**
 * The first instant at which the offset is `after`, given offset(a) !== offset(b) = after. Zone
 * changes happen on whole seconds, so the search stops at a second.
 */
function offsetChangeBetween(a: number, b: number, timeZone: string): number {
  let low = a;
  let high = b;
  const after = offsetAt(b, timeZone);
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2000) * 1000;
    if (mid <= low) break;
    if (offsetAt(mid, timeZone) === after) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The first instant of a local calendar day: normally its midnight; where midnight does not exist
 * (a zone that springs forward at 00:00), the moment the clocks jump; where it happens twice, the first.
 */
export function startOfLocalDay(day: number, timeZone: string): number {
  const midnight = day * dayInMs;
  const before = offsetAt(midnight - dayInMs, timeZone);
  const after = offsetAt(midnight + dayInMs, timeZone);
  const candidates = [...new Set([before, after, offsetAt(midnight, timeZone)])]
    .map((offset) => midnight - offset)
    .filter((t) => t + offsetAt(t, timeZone) === midnight)
    .sort((x, y) => x - y);
  if (candidates[0] !== undefined) return candidates[0];
  return offsetChangeBetween(midnight - after, midnight - before, timeZone);
}

/** A stretch of one offset within a local day: [start, end) and the offset in force. */
export interface OffsetSpan {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
}

/** A local day as the stretches of one offset it is made of: one, or two on the day the clocks change. */
export function localDaySpans(day: number, timeZone: string): OffsetSpan[] {
  const start = startOfLocalDay(day, timeZone);
  const end = startOfLocalDay(day + 1, timeZone);
  const first = offsetAt(start, timeZone);
  const last = offsetAt(end - 1000, timeZone);
  if (first === last) return [{ start, end, offset: first }];
  const change = offsetChangeBetween(start, end - 1000, timeZone);
  return [
    { start, end: change, offset: first },
    { start: change, end, offset: last },
  ];
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "Mon 2 Mar 09:40 Europe/London": an instant as a person in that zone reads it, with the zone named
 * so nobody takes it for their own. `weekday: false` leaves the day name out, `zone: false` the zone.
 */
export function formatInZone(at: Date, timeZone: string, options: { weekday?: boolean; zone?: boolean; year?: boolean } = {}): string {
  const wall = new Date(at.getTime() + offsetAt(at.getTime(), timeZone));
  const hh = String(wall.getUTCHours()).padStart(2, '0');
  const mm = String(wall.getUTCMinutes()).padStart(2, '0');
  const day = Math.floor(wall.getTime() / dayInMs);
  const weekday = options.weekday === false ? '' : `${weekdays[weekdayOfDay(day) - 1] ?? ''} `;
  const year = options.year ? ` ${wall.getUTCFullYear()}` : '';
  const zone = options.zone === false ? '' : ` ${timeZone}`;
  return `${weekday}${wall.getUTCDate()} ${months[wall.getUTCMonth()] ?? ''}${year} ${hh}:${mm}${zone}`;
}
