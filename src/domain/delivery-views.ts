import type { CalendarDate } from './calendar-date';
import type { Contract } from './contract';
import type { DeliveryPlan } from './delivery-plan';
import type { Account } from './directory';

/** A plan with what the ledger says was delivered, as of a day: what plan and check-in cards show. */
export interface DeliveryPlanView {
  readonly account: Account;
  readonly contract: Contract;
  readonly plan: DeliveryPlan;
  /** Hours delivered per item, from the delivery entries of the ledger. */
  readonly deliveredHours: Readonly<Record<string, number>>;
  /** Hours left in the bucket delivery is logged to, and its name. */
  readonly deliveryBucket: { readonly name: string; readonly remainingHours: number };
  readonly today: CalendarDate;
}
