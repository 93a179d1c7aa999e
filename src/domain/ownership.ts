import { personKey, type Account, type Person } from './directory';
import type { Actor } from './escalation';

/**
 * Who owns an account's new escalations: the TAM it names as primary, while they still work on it;
 * otherwise its first TAM (by name, so every instance picks the same one). Nobody, when it has none.
 */
export function primaryTamOf(account: Pick<Account, 'primaryTamKey'>, tams: readonly Person[]): Person | undefined {
  const working = tams.filter((p) => p.role === 'tam');
  const named = working.find((p) => personKey(p) === account.primaryTamKey);
  return named ?? [...working].sort((a, b) => a.displayName.localeCompare(b.displayName) || personKey(a).localeCompare(personKey(b)))[0];
}

export function actorOfPerson(person: Person): Actor {
  return { key: personKey(person), name: person.displayName, role: person.role };
}
