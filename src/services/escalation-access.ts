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
  const escalation = await deps.escalations.get(accountId, escalationId);
  if (!escalation || !canViewEscalation(caller, escalation)) {
    throw new DomainError('not_found', `There is no escalation ${escalationId} that you can see.`);
  }
  return escalation;
}
