import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addBusinessMinutes,
  businessMsBetween,
  earliestWithRemaining,
  isWithinHours,
  nextClockChange,
  type BusinessHours,
  type ClockHours,
} from '../../src/domain/business-time';

const minute = 60_000;
const at = (iso: string): Date => new Date(iso);
const business = (hours: Partial<BusinessHours> = {}): ClockHours => ({
  kind: 'business',
  timeZone: 'Europe/London',
  days: [1, 2, 3, 4, 5],
  opensAt: '09:00',
  closesAt: '17:00',
  holidays: [],
  ...hours,
});

/** England and Wales bank holidays, 2026-2027. */
const ukHolidays = ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28', '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'];
const contoso = business({ opensAt: '08:00', closesAt: '18:00', holidays: ukHolidays });

describe('business time: hand-computed cases', () => {
  it('Friday 17:30 in London, 09:00-17:00: the clock stands until Monday 09:00', () => {
    const friday = at('2026-03-06T17:30:00Z'); // GMT: 17:30 local
    const hours = business();
    assert.equal(isWithinHours(hours, friday), false);
    assert.equal(nextClockChange(hours, friday)?.toISOString(), '2026-03-09T09:00:00.000Z');
    assert.equal(addBusinessMinutes(hours, friday, 120).toISOString(), '2026-03-09T11:00:00.000Z');
    assert.equal(businessMsBetween(hours, friday, at('2026-03-09T10:00:00Z')), 60 * minute);
  });

  it('Friday 17:30 in London, 08:00-18:00: half an hour on Friday, the rest on Monday', () => {
    const friday = at('2026-03-06T17:30:00Z');
    assert.equal(isWithinHours(contoso, friday), true);
    assert.equal(nextClockChange(contoso, friday)?.toISOString(), '2026-03-06T18:00:00.000Z');
    assert.equal(addBusinessMinutes(contoso, friday, 120).toISOString(), '2026-03-09T09:30:00.000Z');
    assert.equal(addBusinessMinutes(contoso, friday, 30).toISOString(), '2026-03-06T18:00:00.000Z', 'reached at the closing time, it is the closing time');
  });

  it('finds when a deadline turns at risk, even when that is a closing time before a weekend', () => {
    const due = at('2026-03-09T09:30:00Z'); // Monday, 30 min after opening
    assert.equal(earliestWithRemaining(contoso, due, 24 * minute).toISOString(), '2026-03-09T09:06:00.000Z');
    assert.equal(earliestWithRemaining(contoso, due, 30 * minute).toISOString(), '2026-03-09T09:00:00.000Z');
    assert.equal(earliestWithRemaining(contoso, due, 90 * minute).toISOString(), '2026-03-06T18:00:00.000Z', 'from Friday\'s close there are 90 minutes left');
    assert.equal(earliestWithRemaining(contoso, due, 120 * minute).toISOString(), '2026-03-06T17:30:00.000Z');
    assert.equal(earliestWithRemaining({ kind: '24x7' }, due, 24 * minute).toISOString(), '2026-03-09T09:06:00.000Z');
  });

  it('keeps local opening times across the Sunday the clocks go forward (29 Mar 2026)', () => {
    const sunToThu = business({ days: [7, 1, 2, 3, 4] });
    // Saturday night: the clock next runs on Sunday 09:00 BST, 08:00 UTC.
    const saturday = at('2026-03-28T20:00:00Z');
    assert.equal(nextClockChange(sunToThu, saturday)?.toISOString(), '2026-03-29T08:00:00.000Z');
    assert.equal(addBusinessMinutes(sunToThu, saturday, 120).toISOString(), '2026-03-29T10:00:00.000Z');
    // Friday 16:00 GMT, Mon-Fri: one hour on Friday, and Monday opens at 09:00 BST (08:00 UTC).
    assert.equal(addBusinessMinutes(business(), at('2026-03-27T16:00:00Z'), 120).toISOString(), '2026-03-30T09:00:00.000Z');
    // A window over the change is an hour shorter: 00:00-06:00 local holds 5 hours that Sunday.
    const night = business({ days: [7], opensAt: '00:00', closesAt: '06:00' });
    assert.equal(businessMsBetween(night, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z')), 5 * 60 * minute);
    // A window opening at a time that does not exist that night opens when the clocks jump.
    const skipped = business({ days: [7], opensAt: '01:30', closesAt: '03:00' });
    assert.equal(nextClockChange(skipped, at('2026-03-29T00:00:00Z'))?.toISOString(), '2026-03-29T01:00:00.000Z');
  });

  it('keeps local opening times across the Sunday the clocks go back (25 Oct 2026)', () => {
    const sunToThu = business({ days: [7, 1, 2, 3, 4] });
    const saturday = at('2026-10-24T22:00:00Z');
    assert.equal(nextClockChange(sunToThu, saturday)?.toISOString(), '2026-10-25T09:00:00.000Z');
    assert.equal(addBusinessMinutes(sunToThu, saturday, 120).toISOString(), '2026-10-25T11:00:00.000Z');
    const night = business({ days: [7], opensAt: '00:00', closesAt: '06:00' });
    assert.equal(businessMsBetween(night, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z')), 7 * 60 * minute, 'an hour longer');
    // Friday 16:00 BST (15:00 UTC): one hour on Friday, two on Monday from 09:00 GMT.
    assert.equal(addBusinessMinutes(business(), at('2026-10-23T15:00:00Z'), 180).toISOString(), '2026-10-26T11:00:00.000Z');
  });

  it('skips Christmas and the substitute Boxing Day: 24 Dec 17:00 to Tuesday 29 Dec', () => {
    const christmasEve = at('2026-12-24T17:00:00Z');
    assert.equal(addBusinessMinutes(contoso, christmasEve, 120).toISOString(), '2026-12-29T09:00:00.000Z');
    for (const day of ['2026-12-25T12:00:00Z', '2026-12-26T12:00:00Z', '2026-12-27T12:00:00Z', '2026-12-28T12:00:00Z']) {
      assert.equal(isWithinHours(contoso, at(day)), false, day);
    }
    assert.equal(nextClockChange(contoso, at('2026-12-25T12:00:00Z'))?.toISOString(), '2026-12-29T08:00:00.000Z');
    assert.equal(businessMsBetween(contoso, christmasEve, at('2026-12-29T09:00:00Z')), 120 * minute);
  });

  it('carries a 24-hour business target across the year end and New Year\'s Day', () => {
    // Thu 31 Dec 17:30: 30 min; Fri 1 Jan is a holiday; Mon 4 and Tue 5 Jan 10 h each; Wed 6 Jan 3.5 h.
    assert.equal(addBusinessMinutes(contoso, at('2026-12-31T17:30:00Z'), 24 * 60).toISOString(), '2027-01-06T11:30:00.000Z');
  });

  it('runs a 24x7 clock on wall-clock time', () => {
    const clock: ClockHours = { kind: '24x7' };
    assert.equal(addBusinessMinutes(clock, at('2026-03-29T00:30:00Z'), 90).toISOString(), '2026-03-29T02:00:00.000Z');
    assert.equal(isWithinHours(clock, at('2026-12-25T03:00:00Z')), true);
    assert.equal(nextClockChange(clock, at('2026-12-25T03:00:00Z')), undefined);
  });

  it('keeps each zone\'s own local times (New York, Kolkata)', () => {
    const ny = business({ timeZone: 'America/New_York' });
    // Mon 9 Mar 2026 is the first weekday of EDT (UTC-4): 09:00 local is 13:00 UTC.
    assert.equal(nextClockChange(ny, at('2026-03-09T05:00:00Z'))?.toISOString(), '2026-03-09T13:00:00.000Z');
    const kolkata = business({ timeZone: 'Asia/Kolkata' });
    assert.equal(nextClockChange(kolkata, at('2026-03-09T00:00:00Z'))?.toISOString(), '2026-03-09T03:30:00.000Z');
  });
});

// --- Property tests against a minute-by-minute model ----------------------------------------

const zones = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe'];

/** Local wall-clock time by Intl, read per quarter hour (every zone in use changes on a quarter hour). */
function referenceTimeline(hours: BusinessHours, from: number, minutes: number): boolean[] {
  const formatter = new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const opens = Number(hours.opensAt.slice(0, 2)) * 60 + Number(hours.opensAt.slice(3));
  const closes = Number(hours.closesAt.slice(0, 2)) * 60 + Number(hours.closesAt.slice(3));
  const flags: boolean[] = [];
  for (let block = 0; block * 15 < minutes; block++) {
    const parts = Object.fromEntries(formatter.formatToParts(new Date(from + block * 15 * minute)).map((p) => [p.type, p.value]));
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    const working = hours.days.includes(names.indexOf(parts.weekday ?? '') + 1) && !hours.holidays.includes(date);
    const start = Number(parts.hour) * 60 + Number(parts.minute);
    for (let m = 0; m < 15 && block * 15 + m < minutes; m++) {
      // Minutes of one quarter hour share its local date (no window crosses midnight).
      flags.push(working && start + m >= opens && start + m < closes);
    }
  }
  return flags;
}

const horizonMinutes = 24 * 24 * 60;
/** Around both of 2026's European and American clock changes, Sydney's, and the year end. */
const periods = [Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-09-28T00:00:00Z'), Date.parse('2026-12-15T00:00:00Z')];

/** Hours and the period of the year they are tried in. */
type TriedHours = BusinessHours & { readonly period: number };

const hoursArbitrary: fc.Arbitrary<TriedHours> = fc
  .record({
    timeZone: fc.constantFrom(...zones),
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    opens: fc.integer({ min: 0, max: 1380 }),
    length: fc.integer({ min: 30, max: 1440 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: 0, max: 24 }), { maxLength: 5 }),
    period: fc.constantFrom(...periods),
  })
  .map(({ timeZone, days, opens, length, holidayOffsets, period }) => {
    const closes = Math.min(1440, opens + length);
    const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    return {
      timeZone,
      days,
      opensAt: hhmm(opens),
      closesAt: hhmm(closes),
      holidays: holidayOffsets.map((d) => new Date(period + d * 86_400_000).toISOString().slice(0, 10)),
      period,
    };
  });

const caseArbitrary = fc.record({
  hours: hoursArbitrary,
  startMinute: fc.integer({ min: 0, max: 7 * 24 * 60 }),
  target: fc.integer({ min: 1, max: 900 }),
  second: fc.integer({ min: 0, max: horizonMinutes - 1 }),
  // Hours as read from the store are frozen (their holidays are then looked up by day number), others not.
  frozen: fc.boolean(),
});

function setup(c: { hours: TriedHours; startMinute: number; frozen?: boolean }): { clock: ClockHours; origin: number; start: number; flags: boolean[] } {
  const { period, ...hours } = c.hours;
  const clock: ClockHours = { kind: 'business', ...hours, holidays: c.frozen ? Object.freeze([...hours.holidays]) as string[] : hours.holidays };
  return { clock, origin: period, start: period + c.startMinute * minute, flags: referenceTimeline(hours, period, horizonMinutes) };
}

describe('business time: properties against a minute-by-minute model', function () {
  this.timeout(120_000);
  const runs = Number(process.env.BUSINESS_TIME_RUNS ?? 100);

  it('counts the same business time between two instants as the model', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { clock, origin, start, flags } = setup(c);
        const end = origin + c.second * minute;
        const [a, b] = start <= end ? [start, end] : [end, start];
        const expected = flags.slice((a - origin) / minute, (b - origin) / minute).filter(Boolean).length * minute;
        assert.equal(businessMsBetween(clock, new Date(a), new Date(b)), expected);
      }),
      { numRuns: runs },
    );
  });

  it('puts the deadline where the model counts the target\'s last business minute, from any instant', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { clock, origin, start, flags } = setup(c);
        let counted = 0;
        let expected: number | undefined;
        for (let i = (start - origin) / minute; i < flags.length; i++) {
          if (flags[i]) counted += 1;
          if (counted === c.target) {
            expected = origin + (i + 1) * minute;
            break;
          }
        }
        fc.pre(expected !== undefined);
        assert.equal(addBusinessMinutes(clock, new Date(start), c.target).getTime(), expected);
      }),
      { numRuns: runs },
    );
  });

  it('says whether the clock runs, and when it next starts or stops, as the model does', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { clock, origin, start, flags } = setup(c);
        const index = (start - origin) / minute;
        assert.equal(isWithinHours(clock, new Date(start)), flags[index]);
        let change: number | undefined;
        for (let i = index + 1; i < flags.length; i++) {
          if (flags[i] !== flags[index]) {
            change = origin + i * minute;
            break;
          }
        }
        fc.pre(change !== undefined);
        assert.equal(nextClockChange(clock, new Date(start))?.getTime(), change);
      }),
      { numRuns: runs },
    );
  });

  it('finds the earliest instant with no more than the given time left before a deadline', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { clock, origin, flags } = setup(c);
        const endIndex = c.second;
        const left = c.target;
        // The model: walking back from the end, the earliest minute boundary from which at most `left` remain.
        let counted = 0;
        let expected: number | undefined;
        for (let i = endIndex - 1; i >= 0; i--) {
          if (flags[i]) {
            if (counted === left) {
              expected = origin + (i + 1) * minute;
              break;
            }
            counted += 1;
          }
        }
        fc.pre(expected !== undefined);
        assert.equal(earliestWithRemaining(clock, new Date(origin + endIndex * minute), left * minute).getTime(), expected);
      }),
      { numRuns: runs },
    );
  });
});
