import type { UserIdentity } from '../domain/directory';
import type { DirectoryRepository } from '../domain/ports';

/**
 * Makes the configured people admins, so a fresh installation has someone who can set it up.
 * A listed person keeps their accounts and name; only the role is raised.
 */
export async function bootstrapAdmins(deps: { directory: DirectoryRepository }, admins: readonly UserIdentity[]): Promise<number> {
  let changed = 0;
  for (const admin of admins) {
    const existing = await deps.directory.getPerson(admin);
    if (existing?.role === 'admin') continue;
    await deps.directory.upsertPerson({
      tenantId: admin.tenantId,
      aadObjectId: admin.aadObjectId,
      displayName: existing?.displayName ?? 'Administrator',
      role: 'admin',
      accountIds: existing?.accountIds ?? [],
      ...(existing?.email ? { email: existing.email } : {}),
    });
    changed += 1;
  }
  return changed;
}
