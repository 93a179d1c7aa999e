import type { Clock } from '../domain/clock';
import { personKey, type Account, type Person } from '../domain/directory';
import { addDays, calendarDateOf } from '../domain/calendar-date';
import type { Contract, LedgerEntry } from '../domain/contract';
import type { Cadence, DeliveryPlan, Health, ItemStatus, PlanItem, ServiceType } from '../domain/delivery-plan';
import type { AccountRepository, ContractRepository, DeliveryPlanRepository, DirectoryRepository } from '../domain/ports';
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
  await deps.directory.createChannelLink({
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
  /** Per bucket: [days ago, hours, what for, the plan item delivered, if any]. */
  readonly entries: Readonly<Record<string, readonly (readonly [number, number, string, string?])[]>>;
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
        [240, 8, 'Onboarding workshop', 'PI-1'],
        [200, 12, 'Active Directory health check', 'PI-2'],
        [150, 10, 'Exchange assessment', 'PI-3'],
        [110, 8, 'Security workshop preparation'],
        [70, 10, 'Azure governance workshop', 'PI-4'],
        [40, 8, 'Proactive remediation: patching', 'PI-5'],
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
        [280, 6, 'Onboarding', 'PI-1'],
        [200, 6, 'Windows Server assessment', 'PI-2'],
        [90, 4, 'Patch management workshop', 'PI-3'],
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
        [50, 8, 'Onboarding workshop', 'PI-1'],
        [30, 6, 'Azure landing zone review', 'PI-2'],
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
      for (const [index, [daysAgo, hours, note, itemId]] of lines.entries()) {
        const date = addDays(today, -daysAgo);
        const entry: LedgerEntry = {
          entryId: `seed-${demo.contract.accountId}-${bucket.toLowerCase()}-${index + 1}`,
          accountId: demo.contract.accountId,
          contractId: demo.contract.contractId,
          date: date < startDate ? startDate : date,
          bucket,
          hours,
          source: itemId ? 'delivery' : 'manual',
          ...(itemId ? { reference: itemId } : {}),
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

interface DemoPlan {
  readonly accountId: string;
  readonly cadence: Cadence;
  /** Days from today to the next check-in (negative: overdue). */
  readonly nextCheckInInDays: number;
  readonly owner: string;
  /** [type, title, planned hours, due in days (negative: past), status, health]. */
  readonly items: readonly (readonly [ServiceType, string, number, number, ItemStatus, Health])[];
}

const demoPlans: readonly DemoPlan[] = [
  {
    // An overdue check-in and a late workshop.
    accountId: 'contoso',
    cadence: 'monthly',
    nextCheckInInDays: -5,
    owner: demoUsers.alex,
    items: [
      ['Onboarding', 'Onboarding and service introduction', 8, -230, 'delivered', 'green'],
      ['Health check', 'Active Directory health check', 12, -200, 'delivered', 'green'],
      ['Assessment', 'Exchange assessment', 10, -150, 'delivered', 'green'],
      ['Workshop', 'Azure governance workshop', 16, -20, 'in-delivery', 'amber'],
      ['Proactive remediation', 'Patch compliance remediation', 12, 10, 'scheduled', 'green'],
      ['Training', 'Security operations training', 16, 45, 'planned', 'green'],
      ['Health check', 'SQL Server health check', 12, 90, 'planned', 'red'],
    ],
  },
  {
    accountId: 'fabrikam',
    cadence: 'fortnightly',
    nextCheckInInDays: 3,
    owner: demoUsers.alex,
    items: [
      ['Onboarding', 'Onboarding', 6, -280, 'delivered', 'green'],
      ['Assessment', 'Windows Server assessment', 6, -200, 'delivered', 'green'],
      ['Workshop', 'Patch management workshop', 4, -90, 'delivered', 'green'],
      ['Health check', 'File services health check', 16, 20, 'planned', 'green'],
      ['Training', 'PowerShell for administrators', 12, -10, 'scheduled', 'amber'],
    ],
  },
  {
    accountId: 'northwind',
    cadence: 'weekly',
    nextCheckInInDays: 2,
    owner: demoUsers.patti,
    items: [
      ['Onboarding', 'Onboarding workshop', 8, -50, 'delivered', 'green'],
      ['Advisory', 'Azure landing zone review', 20, 14, 'in-delivery', 'green'],
      ['Workshop', 'Identity modernisation workshop', 16, 40, 'planned', 'green'],
    ],
  },
];

const plansMarker = 'demo-plans';

/** Seeds a delivery plan for each demo account, with items done, due and late, once. */
export async function seedDemoPlans(deps: { directory: DirectoryRepository; contracts: ContractRepository; plans: DeliveryPlanRepository; clock: Clock }): Promise<boolean> {
  if (await deps.directory.getMarker(plansMarker)) return false;
  const now = deps.clock.now();
  const today = calendarDateOf(now);
  for (const demo of demoPlans) {
    const contract = await deps.contracts.getContract(demo.accountId);
    if (!contract) continue;
    const ownerPerson = people.find((p) => p.aadObjectId === demo.owner);
    const owner = { key: personKey({ tenantId: demoTenantId, aadObjectId: demo.owner }), name: ownerPerson?.displayName ?? 'TAM' };
    const clampToTerm = (date: string): string => (date < contract.startDate ? contract.startDate : date > contract.endDate ? contract.endDate : date);
    const items: PlanItem[] = demo.items.map(([type, title, plannedHours, dueInDays, status, health], index) => ({
      itemId: `PI-${index + 1}`,
      type,
      title,
      plannedHours,
      dueDate: clampToTerm(addDays(today, dueInDays)),
      owner,
      status,
      health,
      createdAt: `${contract.startDate}T09:00:00.000Z`,
      updatedAt: now.toISOString(),
    }));
    const plan: DeliveryPlan = {
      accountId: demo.accountId,
      contractId: contract.contractId,
      cadence: demo.cadence,
      nextCheckInDue: addDays(today, demo.nextCheckInInDays),
      items,
      nextItemNumber: items.length + 1,
      updatedAt: now.toISOString(),
    };
    await deps.plans.createPlan(plan);
  }
  await deps.directory.setMarker(plansMarker, now.toISOString());
  return true;
}
