import assert from 'node:assert/strict';
import { offsetAt } from '../../src/domain/zoned-time';

/** The offset as the runtime states it ("GMT+05:45"), read without the code under test. */
function statedOffset(at: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const sign = match[1] === '-' ? -1 : 1;
  return sign * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
}

describe('zone offsets', () => {
  // Zones whose clocks change on the hour, at half past, at midnight, by half an hour, and never.
  const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'America/St_Johns', 'America/Santiago', 'Asia/Kathmandu', 'UTC'];
  // Days around the 2026 changes of these zones, and an ordinary day.
  const days = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-06', '2026-10-25', '2026-11-01', '2026-07-15'];

  it('gives the offset in force at every second asked, the hours that change offset included, however often asked', () => {
    let asked = 0;
    for (const zone of zones) {
      for (const day of days) {
        const start = Date.parse(`${day}T00:00:00Z`) - 14 * 3_600_000;
        // Every 7 minutes 13 seconds over two days, twice: the second pass answers from what the first left.
        for (let pass = 0; pass < 2; pass++) {
          for (let t = start; t < start + 48 * 3_600_000; t += 433_000) {
            assert.equal(offsetAt(t, zone), statedOffset(t, zone), `${zone} at ${new Date(t).toISOString()}`);
            asked += 1;
          }
        }
      }
    }
    assert.ok(asked > 10_000);
  });

  it('tells the seconds either side of a change apart within the hour of the change', () => {
    // London, 29 March 2026: 01:00 UTC the clocks go forward; New York, 1 November 2026: 06:00 UTC back.
    const london = Date.parse('2026-03-29T01:00:00Z');
    assert.equal(offsetAt(london - 30 * 60_000, 'Europe/London'), 0);
    assert.equal(offsetAt(london - 1000, 'Europe/London'), 0);
    assert.equal(offsetAt(london, 'Europe/London'), 3_600_000);
    assert.equal(offsetAt(london - 1000, 'Europe/London'), 0, 'asked again after the later second');
    const newYork = Date.parse('2026-11-01T06:00:00Z');
    // The hour before the change is steady; the change falls on the next hour's first second.
    assert.equal(offsetAt(newYork - 1000, 'America/New_York'), -4 * 3_600_000);
    assert.equal(offsetAt(newYork, 'America/New_York'), -5 * 3_600_000);
    // Lord Howe goes back half an hour at 15:00 UTC on 4 April 2026: mid-way through nothing, but a half-hour shift.
    const lordHowe = Date.parse('2026-04-04T15:00:00Z');
    assert.equal(offsetAt(lordHowe - 1000, 'Australia/Lord_Howe'), 11 * 3_600_000);
    assert.equal(offsetAt(lordHowe, 'Australia/Lord_Howe'), 10.5 * 3_600_000);
  });
});
