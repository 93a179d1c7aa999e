import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clockFor, defaultSupportHours, formatDays, parseDays, supportHoursOf, validateSupportHours } from '../../src/domain/support-hours';

const form = (overrides: Record<string, string> = {}): Record<string, string> => ({
  timeZone: 'Europe/London',
  days: 'Mon-Fri',
  opensAt: '08:00',
  closesAt: '18:00',
  holidays: '2026-12-25, 2026-12-28',
  clockA: '24x7',
  clockB: 'business',
  clockC: 'business',
  ...overrides,
});

describe('support hours', () => {
  it('reads days as lists and ranges, a range wrapping past Sunday', () => {
    const days = (text: string): number[] | string => {
      const parsed = parseDays(text);
      return parsed.ok ? parsed.days : parsed.error;
    };
    assert.deepEqual(days('Mon-Fri'), [1, 2, 3, 4, 5]);
    assert.deepEqual(days('Sun-Thu'), [1, 2, 3, 4, 7]);
    assert.deepEqual(days('Mon,Wed,Fri'), [1, 3, 5]);
    assert.deepEqual(days('sat'), [6]);
    assert.deepEqual(days(' Monday - Tuesday , thurs '), [1, 2, 4]);
    assert.deepEqual(days('Fri-Mon'), [1, 5, 6, 7]);
    assert.match(String(days('')), /at least one day/);
    assert.match(String(days(' , ')), /at least one day/);
    assert.match(String(days('Funday')), /"Funday" is not a day/);
    assert.match(String(days('T')), /is not a day/, 'Tue or Thu?');
  });

  it('writes days back the way people write them', () => {
    assert.equal(formatDays([1, 2, 3, 4, 5]), 'Mon-Fri');
    assert.equal(formatDays([7, 1, 2, 3, 4]), 'Sun-Thu');
    assert.equal(formatDays([6, 7, 1, 3]), 'Wed,Sat-Mon');
    assert.equal(formatDays([1, 3, 5]), 'Mon,Wed,Fri');
    assert.equal(formatDays([6]), 'Sat');
    assert.equal(formatDays([1, 2, 3, 4, 5, 6, 7]), 'Mon-Sun');
  });

  it('reads back whatever days it writes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), (days) => {
        const parsed = parseDays(formatDays(days));
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.days, [...days].sort((a, b) => a - b));
      }),
    );
  });

  it('accepts a valid form as the hours to store, days and holidays in order', () => {
    const result = validateSupportHours(form({ timeZone: 'europe/london', days: 'Fri,Mon-Thu', opensAt: '8:00', holidays: '2026-12-28\n2026-12-25 2026-12-25' }));
    assert.ok(result.ok);
    assert.deepEqual(result.hours, {
      timeZone: 'Europe/London',
      days: [1, 2, 3, 4, 5],
      opensAt: '08:00',
      closesAt: '18:00',
      holidays: ['2026-12-25', '2026-12-28'],
      clocks: { A: '24x7', B: 'business', C: 'business' },
    });
  });

  it('names every invalid field at once: unknown zone, no days, closing before opening, a holiday outside 2000-2100, no clock', () => {
    const result = validateSupportHours(form({ timeZone: 'Mars/Olympus', days: '', opensAt: '18:00', closesAt: '09:00', holidays: '2026-12-25, 2150-01-01', clockB: 'sometimes' }));
    assert.ok(!result.ok);
    assert.match(result.errors.timeZone ?? '', /"Mars\/Olympus" is not a time zone I know/);
    assert.match(result.errors.days ?? '', /at least one day/);
    assert.match(result.errors.closesAt ?? '', /Closing must be after opening/);
    assert.match(result.errors.holidays ?? '', /2150-01-01 is outside 2000-2100/);
    assert.match(result.errors.clockB ?? '', /24x7 or business/);
    assert.equal(result.errors.opensAt, undefined);
    assert.equal(result.errors.clockA, undefined);
  });

  it('refuses malformed times and dates, and equal opening and closing', () => {
    const errors = (overrides: Record<string, string>): Record<string, string> => {
      const result = validateSupportHours(form(overrides));
      return result.ok ? {} : result.errors;
    };
    assert.match(errors({ opensAt: '25:00' }).opensAt ?? '', /HH:MM/);
    assert.match(errors({ closesAt: 'noon' }).closesAt ?? '', /HH:MM/);
    assert.match(errors({ opensAt: '09:00', closesAt: '09:00' }).closesAt ?? '', /after opening/);
    assert.deepEqual(errors({ opensAt: '00:00', closesAt: '24:00' }), {}, 'a whole day is a window');
    assert.match(errors({ holidays: '2026-02-30' }).holidays ?? '', /"2026-02-30" is not a date/);
    assert.match(errors({ holidays: '25/12/2026' }).holidays ?? '', /is not a date/);
    assert.match(errors({ timeZone: '' }).timeZone ?? '', /Give the time zone/);
  });

  it('defaults to A around the clock and B and C in business hours, Mon-Fri 09:00-17:00 in the account\'s zone (UTC without one)', () => {
    const hours = supportHoursOf(undefined, { timeZone: 'America/New_York' });
    assert.deepEqual(hours, defaultSupportHours('America/New_York'));
    assert.deepEqual(clockFor(hours, 'A'), { kind: '24x7' });
    assert.deepEqual(clockFor(hours, 'B'), { kind: 'business', timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00', holidays: [] });
    assert.equal(supportHoursOf(undefined, {}).timeZone, 'UTC');
    assert.equal(supportHoursOf(undefined, { timeZone: 'Not/AZone' }).timeZone, 'UTC');
  });
});
