import type { Clock } from '../domain/clock';
import { personKey, type Account, type Person } from '../domain/directory';
import type { AccountRepository, DirectoryRepository } from '../domain/ports';
import { saveAccount } from './save-account';

/** The Microsoft 365 Agents Playground's tenant and users, so every role can be tried there. */
export const demoTenantId = '00000000-0000-0000-0000-0000000000001';
export const demoUsers = {
  alex: '00000000-0000-0000-0000-0000000000020',
  megan: '00000000-0000-0000-0000-0000000000021',
  adele: '00000000-0000-0000-0000-0000000000022',
  isaiah: '00000000-0000-0000-0000-0000000000023',
  patti: '00000000-0000-0000-0000-0000000000024',
  lynne: '00000000-0000-0000-0000-0000000000025',
} as const;
/** The Playground's team "My Team"; its General channel has the team's id. */
export const demoTeamId = 'team-id';

const accounts: Account[] = [
  { accountId: 'contoso', name: 'Contoso Ltd', code: 'CONTOSO', customerTenantIds: [demoTenantId] },
  { accountId: 'fabrikam', name: 'Fabrikam Inc', code: 'FABRIKAM', customerTenantIds: [demoTenantId] },
  { accountId: 'northwind', name: 'Northwind Traders', code: 'NORTHWIND', customerTenantIds: [demoTenantId] },
];

function person(aadObjectId: string, displayName: string, email: string, role: Person['role'], accountIds: string[], manager?: string): Person {
  return {
    tenantId: demoTenantId,
    aadObjectId,
    displayName,
    email,
    role,
    accountIds,
    timeZone: 'Europe/London',
    ...(manager ? { managerKey: personKey({ tenantId: demoTenantId, aadObjectId: manager }) } : {}),
  };
}

const people: Person[] = [
  person(demoUsers.alex, 'Alex Wilber', 'alexw@example.com', 'tam', ['contoso', 'fabrikam'], demoUsers.megan),
  person(demoUsers.megan, 'Megan Bowen', 'meganb@example.com', 'manager', []),
  person(demoUsers.adele, 'Adele Vance', 'adelev@example.com', 'customer', ['contoso']),
  person(demoUsers.isaiah, 'Isaiah Langer', 'isaiahl@example.com', 'admin', []),
  person(demoUsers.patti, 'Patti Fernandez', 'pattif@example.com', 'tam', ['northwind']),
  person(demoUsers.lynne, 'Lynne Robbins', 'lynner@example.com', 'customer', ['fabrikam']),
];

const seedMarker = 'demo-world';

/**
 * Seeds the demo world once: accounts, people mapped to the Playground's users and the
 * Playground team's General channel linked to Contoso. Every write is an upsert and the marker
 * is written last, so a start-up interrupted half-way simply seeds again.
 */
export async function seedDemoWorld(deps: { directory: DirectoryRepository; accounts: AccountRepository; clock: Clock }): Promise<boolean> {
  if (await deps.directory.getMarker(seedMarker)) return false;
  for (const account of accounts) await saveAccount(deps, account);
  for (const p of people) await deps.directory.upsertPerson(p);
  await deps.directory.upsertChannelLink({
    channelId: demoTeamId,
    accountId: 'contoso',
    teamId: demoTeamId,
    channelName: 'General',
    tenantId: demoTenantId,
    linkedBy: personKey({ tenantId: demoTenantId, aadObjectId: demoUsers.isaiah }),
    linkedAt: deps.clock.now().toISOString(),
  });
  await deps.directory.setMarker(seedMarker, deps.clock.now().toISOString());
  return true;
}
