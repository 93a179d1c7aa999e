import { formatInZone } from '../domain/zoned-time';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "26 Nov 14:02 UTC": a moment people read on a card, the same for every viewer. */
export function formatUtc(iso: string, options: { withYear?: boolean } = {}): string {
  const d = new Date(iso);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const year = options.withYear ? ` ${d.getUTCFullYear()}` : '';
  return `${d.getUTCDate()} ${months[d.getUTCMonth()] ?? ''}${year} ${hh}:${mm} UTC`;
}

/**
 * "26 Nov 14:02 Europe/London": a moment in the reader's zone, named beside it ("UTC" reads as
 * formatUtc does).
 */
export function formatAt(iso: string, timeZone: string, options: { withYear?: boolean } = {}): string {
  if (timeZone === 'UTC') return formatUtc(iso, options);
  return formatInZone(new Date(iso), timeZone, { weekday: false, ...(options.withYear ? { year: true } : {}) });
}
