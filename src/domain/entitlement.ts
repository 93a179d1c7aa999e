import type { CalendarDate } from './calendar-date';
import type { Contract, LedgerLine } from './contract';
import { contractStatus } from './contract-forecast';

/** The bucket an escalation draws on. */
export const reactiveBucket = 'Reactive';

/** Why an escalation is not covered by the account's support contract. */
export const entitlementGaps = ['no-contract', 'no-reactive-bucket', 'reactive-used-up', 'outside-term'] as const;
export type EntitlementGap = (typeof entitlementGaps)[number];

export const entitlementGapText: Readonly<Record<EntitlementGap, string>> = {
  'no-contract': 'the account has no support contract',
  'no-reactive-bucket': 'the contract has no Reactive hours',
  'reactive-used-up': 'the Reactive hours are used up',
  'outside-term': 'the date is outside the contract term',
};

export type Entitlement =
  | { readonly covered: true; readonly reactiveHoursLeft: number }
  | { readonly covered: false; readonly gap: EntitlementGap; readonly reactiveHoursLeft?: number };

/**
 * Whether an escalation opened today is covered: a contract whose term holds today, with a
 * Reactive bucket that has hours left. An escalation is opened either way (an outage is never
 * blocked); one that is not covered is flagged for the TAM to confirm coverage.
 */
export function reactiveEntitlement(contract: Contract | undefined, entries: readonly LedgerLine[], today: CalendarDate): Entitlement {
  if (!contract) return { covered: false, gap: 'no-contract' };
  const status = contractStatus(contract, entries, today);
  const bucket = status.buckets.find((b) => b.name.toLowerCase() === reactiveBucket.toLowerCase());
  if (!bucket) return { covered: false, gap: 'no-reactive-bucket' };
  const reactiveHoursLeft = Math.max(0, bucket.remainingHours);
  if (today < contract.startDate || today > contract.endDate) return { covered: false, gap: 'outside-term', reactiveHoursLeft };
  if (reactiveHoursLeft <= 0) return { covered: false, gap: 'reactive-used-up', reactiveHoursLeft: 0 };
  return { covered: true, reactiveHoursLeft };
}
