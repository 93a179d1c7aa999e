import { z } from 'zod';
import { calendarDateSchema } from './calendar-date';
import { supportHoursSchema } from './support-hours';

export const contractTypes = ['Unified Enterprise', 'Unified Performance', 'Unified Advanced', 'Premier', 'Other'] as const;

export const bucketSchema = z.object({
  name: z.string().trim().min(1).max(40),
  purchasedHours: z.number().min(0).max(100_000),
});
export type Bucket = z.infer<typeof bucketSchema>;

const slaTargetOverride = z.object({
  responseMinutes: z.number().int().positive().optional(),
  updateCadenceMinutes: z.number().int().positive().optional(),
});


export const ledgerSources = ['manual', 'escalation', 'delivery', 'reversal'] as const;

/** One line of the consumption ledger. Corrections are new, reversing lines; nothing is edited. */
export const ledgerEntrySchema = z.object({
  entryId: z.string(),
  accountId: z.string(),
  contractId: z.string(),
  date: calendarDateSchema,
  bucket: z.string(),
  /** Negative only on a reversal. */
  hours: z.number(),
  source: z.enum(ledgerSources),
  reference: z.string().optional(),
  note: z.string().optional(),
  loggedBy: z.object({ key: z.string(), name: z.string() }),
  loggedAt: z.string(),
  /** On a reversal: the entry it cancels, and why. */
  reverses: z.string().optional(),
  /** On a reversal: the source of the entry it cancels (its reference is copied too). */
  reversedSource: z.enum(ledgerSources).optional(),
  reason: z.string().optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/**
 * The ledger as the contract keeps it: hours by bucket and day (enough for balances, the 30 and
 * 90-day burn, the exhaustion date and a month's hours) and the latest entries, so the contract
 * card is one point read however long the ledger grows. Kept with the contract item and changed
 * in the same transactional batch as each entry it counts.
 */
export const ledgerSummarySchema = z.object({
  /** Hours by bucket (its name in lower case) and calendar date. */
  days: z.record(z.string(), z.record(z.string(), z.number())),
  /** The latest entries by logging time, oldest first. */
  recent: z.array(ledgerEntrySchema),
  /** Entries reversed so far (by id), for those among `recent`. */
  reversed: z.array(z.string()),
  /** Hours delivered by plan item: delivery entries and their reversals. */
  delivered: z.record(z.string(), z.number()).default({}),
  /** How many entries it counts. */
  entries: z.number().int().nonnegative(),
});
export type LedgerSummary = z.infer<typeof ledgerSummarySchema>;

/** What the forecast needs of a ledger line. */
export interface LedgerLine {
  readonly date: string;
  readonly bucket: string;
  readonly hours: number;
  readonly loggedAt?: string;
}

export const contractSchema = z
  .object({
    contractId: z.string().trim().min(1).max(60),
    accountId: z.string(),
    contractType: z.enum(contractTypes),
    startDate: calendarDateSchema,
    endDate: calendarDateSchema,
    buckets: z.array(bucketSchema).min(1).max(12),
    /** Commercial fields: for TAMs and managers only, never shown to customers. */
    commercial: z
      .object({
        value: z.number().min(0),
        currency: z.string().regex(/^[A-Z]{3}$/),
        costRatePerHour: z.number().min(0).optional(),
      })
      .optional(),
    /** Per-severity SLA targets that replace the defaults for this contract. */
    slaOverrides: z.object({ A: slaTargetOverride.optional(), B: slaTargetOverride.optional(), C: slaTargetOverride.optional() }).optional(),
    /** When the SLA clocks run; absent: the defaults in the account's zone (domain/support-hours.ts). */
    supportHours: supportHoursSchema.optional(),
    /** Counts ledger changes; the alert rules have seen the contract up to this instant and ledger version. */
    ledgerVersion: z.number().int().optional(),
    /** The ledger's totals and latest entries, changed with each entry (see ledger-summary.ts). */
    ledgerSummary: ledgerSummarySchema.optional(),
    alertCursor: z.string().optional(),
    alertSeenLedgerVersion: z.number().int().optional(),
  })
  .refine((c) => c.startDate <= c.endDate, { message: 'the contract must end after it starts', path: ['endDate'] })
  .refine((c) => new Set(c.buckets.map((b) => b.name.toLowerCase())).size === c.buckets.length, { message: 'bucket names must differ', path: ['buckets'] });
export type Contract = z.infer<typeof contractSchema>;
