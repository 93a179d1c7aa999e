import type { Clock } from '../../src/domain/clock';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: string | Date = '2026-03-02T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }

  set(at: string | Date): void {
    this.current = new Date(at).getTime();
  }
}
