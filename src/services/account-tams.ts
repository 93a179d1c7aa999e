import type { Person } from '../domain/directory';
import type { DirectoryRepository } from '../domain/ports';

/** The TAMs who work on an account, across the provider's tenants. */
export async function accountTams(deps: { directory: DirectoryRepository; providerTenantIds: readonly string[] }, accountId: string): Promise<Person[]> {
  const people = (await Promise.all(deps.providerTenantIds.map((t) => deps.directory.listPeopleForAccount(t, accountId)))).flat();
  return people.filter((p) => p.role === 'tam');
}
