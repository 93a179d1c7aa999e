import { personKey, type Person, type UserIdentity } from '../domain/directory';
import type { AlertSettingsRepository, DirectoryRepository } from '../domain/ports';
import { isKnownTimeZone } from '../domain/zoned-time';

const known = (zone: string | undefined): string | undefined => (zone && isKnownTimeZone(zone) ? zone : undefined);

/**
 * A person's zone when nothing else says: the one in their alert settings (which the settings
 * card offers from their directory entry until they save their own), else UTC.
 */
export async function personTimeZone(
  deps: { readonly alertSettings: Pick<AlertSettingsRepository, 'get'>; readonly directory: Pick<DirectoryRepository, 'getPerson'> },
  identity: UserIdentity,
  person?: Person,
): Promise<string> {
  const settings = await deps.alertSettings.get(personKey(identity));
  const saved = known(settings?.timeZone);
  if (saved) return saved;
  return known((person ?? (await deps.directory.getPerson(identity)))?.timeZone) ?? 'UTC';
}

/** The zone a shared conversation of the account reads times in: the account's (UTC until it has one). */
export function accountTimeZone(account: { readonly timeZone?: string } | undefined): string {
  return known(account?.timeZone) ?? 'UTC';
}
