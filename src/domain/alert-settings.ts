import { z } from 'zod';
import { alertRules, type AlertFinding, type AlertRule } from './alert';
import { isKnownTimeZone } from './zoned-time';

export const alertSettingsSchema = z.object({
  /** personKey of whose settings these are. */
  personKey: z.string(),
  /** Normal alerts at once, or gathered in one card a day; critical ones are always at once. */
  mode: z.enum(['immediate', 'digest']),
  digestHour: z.number().int().min(0).max(23),
  timeZone: z.string().max(64),
  /** Normal rules this person does not want (critical alerts cannot be muted). */
  mutedRules: z.array(z.enum(alertRules)),
  nextDigestAt: z.string().optional(),
  lastDigestAt: z.string().optional(),
});
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export function defaultAlertSettings(personKey: string, timeZone = 'UTC'): AlertSettings {
  return { personKey, mode: 'immediate', digestHour: 8, timeZone: isKnownTimeZone(timeZone) ? timeZone : 'UTC', mutedRules: [] };
}

/** Send this finding to this person at once? Critical always; normal unless muted or gathered for the digest. */
export function sendsAtOnce(settings: AlertSettings, finding: Pick<AlertFinding, 'severity' | 'rule'>): boolean {
  if (finding.severity === 'critical') return true;
  return settings.mode === 'immediate' && !settings.mutedRules.includes(finding.rule);
}

/** Include this normal alert in the person's digest? */
export function belongsInDigest(settings: AlertSettings, alert: { severity: 'critical' | 'normal'; rule: AlertRule }): boolean {
  return alert.severity === 'normal' && settings.mode === 'digest' && !settings.mutedRules.includes(alert.rule);
}

function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; h: number; min: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/** The UTC instant of a local wall-clock time in a time zone (daylight saving included). */
export function zonedInstant(y: number, m: number, d: number, h: number, timeZone: string): Date {
  const wanted = Date.UTC(y, m - 1, d, h);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** The next time it is `hour`:00 in the person's time zone, strictly after `now`. */
export function nextDigestTime(now: Date, hour: number, timeZone: string): Date {
  const local = localParts(now, timeZone);
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const day = new Date(Date.UTC(local.y, local.m - 1, local.d + dayOffset));
    const candidate = zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hour, timeZone);
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  return new Date(now.getTime() + 24 * 3600_000);
}

/** The person's local calendar day of an instant, for one digest per day. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}
