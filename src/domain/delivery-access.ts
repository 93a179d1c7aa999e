import type { Caller } from './caller';
import { canLogHours, canViewContract } from './contract-access';

/** The plan is seen by whoever sees the contract: customers included. */
export const canViewPlan = canViewContract;

/** Editing the plan and recording check-ins: TAMs and managers of the account. */
export const canEditPlan = canLogHours;

export function isProviderOf(caller: Caller, accountId: string): boolean {
  return canEditPlan(caller, accountId);
}
