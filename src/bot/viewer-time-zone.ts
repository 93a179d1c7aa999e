import { personTimeZone } from '../services/time-zones';
import type { Turn } from './turn';

/**
 * The zone a person's own view shows times in: what their Teams client reports with this
 * activity, else their alert-settings zone. (A shared view uses the account's zone.)
 */
export async function viewerTimeZone(turn: Turn): Promise<string> {
  return turn.facts.timeZone ?? personTimeZone(turn.deps, turn.caller.identity, turn.caller.person);
}
