/** "38 min", "3 h 20 min", "2 d 4 h": how long, for clocks people read at a glance. */
export function formatMinutes(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

export const minuteInMs = 60_000;

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * minuteInMs);
}
