import type { Caller } from '../domain/caller';
import { DomainError } from '../domain/errors';
import type { Escalation } from '../domain/escalation';
import { canViewEscalation } from '../domain/escalation-lifecycle';
import type { EscalationRepository } from '../domain/ports';

/**
 * Loads an escalation the caller may see. One that exists on an account the caller has nothing
 * to do with is reported exactly like one that does not exist.
 */
export async function loadVisibleEscalation(
  deps: { escalations: EscalationRepository },
  caller: Caller,
  accountId: string,
  escalationId: string,
): Promise<Escalation> {
  return visibleTo(caller, await deps.escalations.get(accountId, escalationId), escalationId);
}

/** The escalation when the caller may see it; refused as not there otherwise (see `loadVisibleEscalation`). */
export function visibleTo(caller: Caller, escalation: Escalation | undefined, escalationId: string): Escalation {
  if (!escalation || !canViewEscalation(caller, escalation)) throw notVisible(escalationId);
  return escalation;
}

export function notVisible(escalationId: string): DomainError {
  return new DomainError('not_found', `There is no escalation ${escalationId} that you can see.`);
}
