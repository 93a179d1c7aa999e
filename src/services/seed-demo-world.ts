import type { Clock } from '../domain/clock';
import { personKey, type Account, type Person } from '../domain/directory';
import { addDays, calendarDateOf } from '../domain/calendar-date';
import type { Contract, LedgerEntry } from '../domain/contract';
import type { AccountRepository, ContractRepository, DirectoryRepository } from '../domain/ports';
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

interface DemoContract {
  readonly contract: Omit<Contract, 'startDate' | 'endDate'>;
  /** Days before today the term started, and days after today it ends. */
  readonly startedDaysAgo: number;
  readonly endsInDays: number;
  readonly loggedBy: string;
  /** Per bucket: [days ago, hours, what for]. */
  readonly entries: Readonly<Record<string, readonly (readonly [number, number, string])[]>>;
}

const demoContracts: readonly DemoContract[] = [
  {
    // Part-way through; Reactive past 90% and running out, Advisory under-used.
    contract: {
      contractId: 'CONTOSO-UE-2026',
      accountId: 'contoso',
      contractType: 'Unified Enterprise',
      buckets: [
        { name: 'Proactive', purchasedHours: 120 },
        { name: 'Reactive', purchasedHours: 80 },
        { name: 'Advisory', purchasedHours: 40 },
      ],
      commercial: { value: 250_000, currency: 'GBP', costRatePerHour: 190 },
    },
    startedDaysAgo: 250,
    endsInDays: 115,
    loggedBy: demoUsers.alex,
    entries: {
      Proactive: [
        [240, 8, 'Onboarding workshop'],
        [200, 12, 'Active Directory health check'],
        [150, 10, 'Exchange assessment'],
        [110, 8, 'Security workshop preparation'],
        [70, 10, 'Azure governance workshop'],
        [40, 8, 'Proactive remediation: patching'],
        [20, 6, 'Monthly service review'],
        [5, 4, 'Health check follow-up'],
      ],
      Reactive: [
        [230, 12, 'SQL Server outage support'],
        [180, 16, 'Exchange mail flow incident'],
        [120, 14, 'Domain controller replication failure'],
        [60, 12, 'SharePoint search outage'],
        [25, 10, 'Hyper-V cluster node failure'],
        [8, 10, 'Azure VPN gateway incident'],
      ],
      Advisory: [
        [100, 4, 'Architecture review: hybrid identity'],
        [15, 2, 'Licensing advice'],
      ],
    },
  },
  {
    // Renewal within 90 days, Proactive hours at risk of going unused; faster severity A response.
    contract: {
      contractId: 'FABRIKAM-PR-2026',
      accountId: 'fabrikam',
      contractType: 'Premier',
      buckets: [
        { name: 'Proactive', purchasedHours: 60 },
        { name: 'Reactive', purchasedHours: 40 },
      ],
      commercial: { value: 120_000, currency: 'EUR', costRatePerHour: 175 },
      slaOverrides: { A: { responseMinutes: 30 } },
    },
    startedDaysAgo: 300,
    endsInDays: 65,
    loggedBy: demoUsers.alex,
    entries: {
      Proactive: [
        [280, 6, 'Onboarding'],
        [200, 6, 'Windows Server assessment'],
        [90, 4, 'Patch management workshop'],
        [20, 4, 'Service review'],
      ],
      Reactive: [
        [250, 8, 'File server outage'],
        [150, 8, 'Certificate expiry incident'],
        [50, 6, 'Group Policy failure'],
        [10, 6, 'VPN drops'],
      ],
    },
  },
  {
    contract: {
      contractId: 'NORTHWIND-UP-2026',
      accountId: 'northwind',
      contractType: 'Unified Performance',
      buckets: [
        { name: 'Proactive', purchasedHours: 200 },
        { name: 'Reactive', purchasedHours: 100 },
      ],
      commercial: { value: 300_000, currency: 'USD', costRatePerHour: 200 },
    },
    startedDaysAgo: 60,
    endsInDays: 305,
    loggedBy: demoUsers.patti,
    entries: {
      Proactive: [
        [50, 8, 'Onboarding workshop'],
        [30, 6, 'Azure landing zone review'],
        [10, 4, 'Monthly service review'],
      ],
      Reactive: [
        [40, 6, 'Exchange Online migration issue'],
        [12, 4, 'SQL Server performance incident'],
      ],
    },
  },
];

const contractsMarker = 'demo-contracts';

/** Seeds a contract with a ledger for each demo account, dated around today, once. */
export async function seedDemoContracts(deps: { directory: DirectoryRepository; contracts: ContractRepository; clock: Clock }): Promise<boolean> {
  if (await deps.directory.getMarker(contractsMarker)) return false;
  const today = calendarDateOf(deps.clock.now());
  for (const demo of demoContracts) {
    const startDate = addDays(today, -demo.startedDaysAgo);
    await deps.contracts.upsertContract({ ...demo.contract, startDate, endDate: addDays(today, demo.endsInDays) });
    const loggedBy = { key: personKey({ tenantId: demoTenantId, aadObjectId: demo.loggedBy }), name: people.find((p) => p.aadObjectId === demo.loggedBy)?.displayName ?? 'TAM' };
    for (const [bucket, lines] of Object.entries(demo.entries)) {
      for (const [index, [daysAgo, hours, note]] of lines.entries()) {
        const date = addDays(today, -daysAgo);
        const entry: LedgerEntry = {
          entryId: `seed-${demo.contract.accountId}-${bucket.toLowerCase()}-${index + 1}`,
          accountId: demo.contract.accountId,
          contractId: demo.contract.contractId,
          date: date < startDate ? startDate : date,
          bucket,
          hours,
          source: 'manual',
          note,
          loggedBy,
          loggedAt: `${date}T17:00:00.000Z`,
        };
        await deps.contracts.createEntry(entry);
      }
    }
  }
  await deps.directory.setMarker(contractsMarker, deps.clock.now().toISOString());
  return true;
}
