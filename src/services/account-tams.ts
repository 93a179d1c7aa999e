import type { Person } from '../domain/directory';
import type { DirectoryRepository } from '../domain/ports';

type Deps = { readonly directory: DirectoryRepository; readonly providerTenantIds: readonly string[] };

/** The provider's people who work on an account (TAMs and anyone else listing it), across its tenants. */
export async function accountPeople(deps: Deps, accountId: string): Promise<Person[]> {
  return (await Promise.all(deps.providerTenantIds.map((t) => deps.directory.listPeopleForAccount(t, accountId)))).flat();
}

/** The TAMs who work on an account. */
export async function accountTams(deps: Deps, accountId: string): Promise<Person[]> {
  return (await accountPeople(deps, accountId)).filter((p) => p.role === 'tam');
}
