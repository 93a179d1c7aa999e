import { z } from 'zod';
import { aroundTheClock, businessHoursSchema, clockTimePattern, minutesOfClockTime, type ClockHours } from './business-time';
import { toDayNumber, type CalendarDate } from './calendar-date';
import { isKnownTimeZone } from './zoned-time';

/** Which clock a severity's SLA runs on. */
export const slaClockKinds = ['24x7', 'business'] as const;
export type SlaClockKind = (typeof slaClockKinds)[number];
/** The severities, by name (escalation.ts has them too; naming them here keeps contract.ts free of escalations). */
type Severity = 'A' | 'B' | 'C';

/** A contract's support hours (SPEC 2.2): one weekly window in a zone, holidays, and each severity's clock. */
export const supportHoursSchema = businessHoursSchema.extend({
  clocks: z.object({ A: z.enum(slaClockKinds), B: z.enum(slaClockKinds), C: z.enum(slaClockKinds) }),
});
export type SupportHours = z.infer<typeof supportHoursSchema>;

export const maxHolidays = 200;

/** Unless a contract says otherwise: A around the clock, B and C Mon-Fri 09:00-17:00 in the account's zone. */
export function defaultSupportHours(timeZone: string): SupportHours {
  return {
    timeZone: isKnownTimeZone(timeZone) ? timeZone : 'UTC',
    days: [1, 2, 3, 4, 5],
    opensAt: '09:00',
    closesAt: '17:00',
    holidays: [],
    clocks: { A: '24x7', B: 'business', C: 'business' },
  };
}

/** The support hours in force: the contract's, else the defaults in the account's zone (UTC until it has one). */
export function supportHoursOf(contract: { readonly supportHours?: SupportHours } | undefined, account: { readonly timeZone?: string } | undefined): SupportHours {
  return contract?.supportHours ?? defaultSupportHours(account?.timeZone ?? 'UTC');
}

/** What a severity's SLA clocks run on under these support hours. */
export function clockFor(hours: SupportHours, severity: Severity): ClockHours {
  if (hours.clocks[severity] === '24x7') return aroundTheClock;
  const { clocks: _clocks, ...window } = hours;
  return { kind: 'business', ...window };
}

const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const fullDayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** "Mon", "monday", "Tues", "Th": a day, when the word starts one day's name and no other's. */
function dayOf(token: string): number | undefined {
  const word = token.trim().toLowerCase().replace(/\.$/, '');
  if (word.length < 2) return undefined;
  const matches = fullDayNames.flatMap((name, index) => (name.startsWith(word) ? [index + 1] : []));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * "Mon-Fri", "Sun-Thu", "Mon,Wed,Fri", "Sat": ISO weekdays (1 Monday ... 7 Sunday). A range runs
 * forward through the week and may wrap past Sunday ("Fri-Mon").
 */
export function parseDays(text: string): { ok: true; days: number[] } | { ok: false; error: string } {
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, error: 'Give at least one day, for example Mon-Fri.' };
  const days = new Set<number>();
  for (const part of parts) {
    const range = part.split(/\s*[-–]\s*/);
    if (range.length > 2) return { ok: false, error: `"${part.slice(0, 40)}" is not a day or a range of days such as Mon-Fri.` };
    const [first, last] = range.map(dayOf);
    if (first === undefined || (range.length === 2 && last === undefined)) {
      return { ok: false, error: `"${part.slice(0, 40)}" is not a day: use Mon, Tue, Wed, Thu, Fri, Sat, Sun, or ranges such as Mon-Fri.` };
    }
    const end = last ?? first;
    for (let d = first, steps = 0; steps < 7; d = (d % 7) + 1, steps++) {
      days.add(d);
      if (d === end) break;
    }
  }
  return { ok: true, days: [...days].sort((a, b) => a - b) };
}

/** Days as people write them: "Mon-Fri", "Sun-Thu", "Mon,Wed,Fri", "Mon-Sun". */
export function formatDays(days: readonly number[]): string {
  const set = new Set(days);
  if (set.size === 7) return 'Mon-Sun';
  if (set.size === 0) return '';
  // Start after a day off, so a run across Sunday ("Sun-Thu") stays one run.
  const offDay = [1, 2, 3, 4, 5, 6, 7].find((d) => !set.has(d)) ?? 7;
  const runs: number[][] = [];
  for (let i = 1; i <= 7; i++) {
    const d = ((offDay - 1 + i) % 7) + 1;
    if (!set.has(d)) continue;
    const current = runs[runs.length - 1];
    const previous = current?.[current.length - 1];
    if (current && previous !== undefined && (previous % 7) + 1 === d) current.push(d);
    else runs.push([d]);
  }
  // Weeks read from Monday: a run that wraps past Sunday is named by its own first day.
  runs.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  return runs
    .map((run) => {
      const name = (d: number | undefined): string => dayNames[(d ?? 1) - 1] ?? '';
      if (run.length >= 3) return `${name(run[0])}-${name(run[run.length - 1])}`;
      return run.map(name).join(',');
    })
    .join(',');
}

/** "Mon-Fri 08:00-18:00 Europe/London": the window at a glance. */
export function describeWindow(hours: Pick<SupportHours, 'days' | 'opensAt' | 'closesAt' | 'timeZone'>): string {
  return `${formatDays(hours.days)} ${hours.opensAt}-${hours.closesAt} ${hours.timeZone}`;
}

export const supportHoursFields = ['timeZone', 'days', 'opensAt', 'closesAt', 'holidays', 'clockA', 'clockB', 'clockC'] as const;
export type SupportHoursField = (typeof supportHoursFields)[number];

/** The form as text, as the card submits it (and as it is shown again). */
export function supportHoursFormOf(hours: SupportHours): Record<SupportHoursField, string> {
  return {
    timeZone: hours.timeZone,
    days: formatDays(hours.days),
    opensAt: hours.opensAt,
    closesAt: hours.closesAt,
    holidays: hours.holidays.join(', '),
    clockA: hours.clocks.A,
    clockB: hours.clocks.B,
    clockC: hours.clocks.C,
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** "9:00" reads as "09:00". */
function normaliseClockTime(value: string): string {
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(value.trim());
  return match ? `${(match[1] ?? '').padStart(2, '0')}:${match[2] ?? ''}` : value.trim();
}

/**
 * The support-hours form checked field by field: every problem is named beside its field, all at
 * once; valid entries come back as the support hours to store.
 */
export function validateSupportHours(data: Readonly<Record<string, unknown>>): { ok: true; hours: SupportHours } | { ok: false; errors: Partial<Record<SupportHoursField, string>> } {
  const errors: Partial<Record<SupportHoursField, string>> = {};
  const zoneText = text(data.timeZone).trim();
  let timeZone = zoneText;
  if (!zoneText) errors.timeZone = 'Give the time zone of the support hours, such as Europe/London.';
  else if (!isKnownTimeZone(zoneText) || zoneText.length > 64) errors.timeZone = `"${zoneText.slice(0, 64)}" is not a time zone I know: use an IANA name such as Europe/London or America/New_York.`;
  else timeZone = new Intl.DateTimeFormat('en-GB', { timeZone: zoneText }).resolvedOptions().timeZone;

  const days = parseDays(text(data.days).slice(0, 200));
  if (!days.ok) errors.days = days.error;

  const opensAt = normaliseClockTime(text(data.opensAt).slice(0, 10));
  const closesAt = normaliseClockTime(text(data.closesAt).slice(0, 10));
  const opensOk = clockTimePattern.test(opensAt) && opensAt !== '24:00';
  if (!opensOk) errors.opensAt = 'Give the opening time as HH:MM, for example 09:00.';
  if (!clockTimePattern.test(closesAt) || closesAt === '00:00') errors.closesAt = 'Give the closing time as HH:MM, for example 17:00 (24:00 for midnight).';
  else if (opensOk && minutesOfClockTime(closesAt) <= minutesOfClockTime(opensAt)) errors.closesAt = 'Closing must be after opening on the same day (hours past midnight are not supported).';

  const holidays: CalendarDate[] = [];
  const holidayWords = text(data.holidays).slice(0, 5000).split(/[\s,;]+/).filter((w) => w.length > 0);
  for (const word of holidayWords) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(word) || toDayNumber(word) === undefined) {
      errors.holidays = `"${word.slice(0, 20)}" is not a date: give holidays as YYYY-MM-DD, separated by commas.`;
      break;
    }
    const year = Number(word.slice(0, 4));
    if (year < 2000 || year > 2100) {
      errors.holidays = `${word} is outside 2000-2100.`;
      break;
    }
    holidays.push(word);
  }
  const uniqueHolidays = [...new Set(holidays)].sort();
  if (!errors.holidays && uniqueHolidays.length > maxHolidays) errors.holidays = `At most ${maxHolidays} holidays.`;

  const clocks: Partial<Record<Severity, SlaClockKind>> = {};
  for (const severity of ['A', 'B', 'C'] as const) {
    const field = `clock${severity}` as const;
    const value = text(data[field]);
    if (value === '24x7' || value === 'business') clocks[severity] = value;
    else errors[field] = `Choose 24x7 or business hours for severity ${severity}.`;
  }

  if (Object.keys(errors).length > 0 || !days.ok || !clocks.A || !clocks.B || !clocks.C) return { ok: false, errors };
  return { ok: true, hours: { timeZone, days: days.days, opensAt, closesAt, holidays: uniqueHolidays, clocks: { A: clocks.A, B: clocks.B, C: clocks.C } } };
}

/** Same hours, whatever order they were written in. */
export function sameSupportHours(a: SupportHours, b: SupportHours): boolean {
  return JSON.stringify(supportHoursSchema.parse(a)) === JSON.stringify(supportHoursSchema.parse(b));
}
