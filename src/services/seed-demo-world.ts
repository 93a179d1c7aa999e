import type { Clock } from '../domain/clock';
import { personKey, type Account, type Person } from '../domain/directory';
import { addDays, calendarDateOf, dayNumberOf, fromDayNumber, type CalendarDate } from '../domain/calendar-date';
import { earliestWithRemaining, isWithinHours, minutesOfClockTime, nextClockChange, type ClockHours } from '../domain/business-time';
import { lastCompleteMonth, monthPeriod, shiftMonth } from '../domain/review-month';
import { localDateOf, startOfLocalDay, weekdayOfDay } from '../domain/zoned-time';
import { clockFor, supportHoursOf } from '../domain/support-hours';
import type { Contract, LedgerEntry } from '../domain/contract';
import type { Cadence, DeliveryPlan, Health, ItemStatus, PlanItem, ServiceType } from '../domain/delivery-plan';
import type { AccountRepository, ContractRepository, DeliveryPlanRepository, DirectoryRepository, EscalationRepository } from '../domain/ports';
import { minuteInMs } from '../domain/duration-text';
import { escalationIdFor, type Actor, type Escalation, type Watcher } from '../domain/escalation';
import { readIntakeForm, validateIntake } from '../domain/escalation-intake';
import { applyEscalationAction, type EscalationAction } from '../domain/escalation-lifecycle';
import { initialSla, slaTargetsFor } from '../domain/escalation-sla';
import { fingerprintOf } from '../domain/fingerprint';
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

const primary = (aadObjectId: string): string => personKey({ tenantId: demoTenantId, aadObjectId });
/** Alex is the primary TAM of Contoso and Fabrikam, Patti of Northwind. */
const accounts: Account[] = [
  { accountId: 'contoso', name: 'Contoso Ltd', code: 'CONTOSO', customerTenantIds: [demoTenantId], primaryTamKey: primary(demoUsers.alex), timeZone: 'Europe/London' },
  { accountId: 'fabrikam', name: 'Fabrikam Inc', code: 'FABRIKAM', customerTenantIds: [demoTenantId], primaryTamKey: primary(demoUsers.alex), timeZone: 'Europe/Berlin' },
  { accountId: 'northwind', name: 'Northwind Traders', code: 'NORTHWIND', customerTenantIds: [demoTenantId], primaryTamKey: primary(demoUsers.patti), timeZone: 'America/New_York' },
];

/** Bank holidays in England and Wales, 2026 and 2027 (substitute days where the day falls on a weekend). */
export const ukBankHolidays2026To2027: readonly CalendarDate[] = [
  '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
  '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
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
      // Severity A around the clock; B and C in London office hours, bank holidays off.
      supportHours: {
        timeZone: 'Europe/London',
        days: [1, 2, 3, 4, 5],
        opensAt: '08:00',
        closesAt: '18:00',
        holidays: [...ukBankHolidays2026To2027],
        clocks: { A: '24x7', B: 'business', C: 'business' },
      },
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
      // Every severity around the clock.
      supportHours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5, 6, 7], opensAt: '00:00', closesAt: '24:00', holidays: [], clocks: { A: '24x7', B: '24x7', C: '24x7' } },
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
      // Delivered on the day it was due, so a review of that month finds it there.
      ...(status === 'delivered' ? { deliveredAt: `${clampToTerm(addDays(today, dueInDays))}T16:00:00.000Z` } : {}),
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

/** The Playground's Teams user ids of the demo users (scripts/playground.ts), for card refresh. */
const playgroundUserIds: Readonly<Record<string, string>> = {
  [demoUsers.alex]: 'user-id-0',
  [demoUsers.adele]: 'user-id-2',
  [demoUsers.lynne]: 'user-id-5',
};

interface DemoEscalation {
  /** Stable name of the seeded escalation: its intake key, so an interrupted seed never doubles it. */
  readonly slug: string;
  readonly accountId: string;
  readonly openedBy: string;
  readonly openedMinutesAgo: number;
  readonly form: Readonly<Record<string, string>>;
  /** What happened since, oldest first: who, how many minutes before the seed, what. */
  readonly steps: readonly (readonly [string, number, EscalationAction])[];
}

const hour = 60;
const day = 24 * hour;

/**
 * One escalation in each SLA state, timed from the seed (the first sweep then raises their alerts):
 * listed in opening order per account, so their numbers follow it.
 */
const demoEscalations: readonly DemoEscalation[] = [
  {
    // Resolved two days ago.
    slug: 'contoso-exchange-password-prompts',
    accountId: 'contoso',
    openedBy: demoUsers.adele,
    openedMinutesAgo: 3 * day,
    form: {
      title: 'Outlook keeps asking for passwords after the Exchange certificate renewal',
      description:
        'Since the SAN certificate of EXCH01 and EXCH02 was renewed, Outlook clients in the London office prompt for credentials every few minutes. Outlook on the web works. About 300 users are affected.',
      severity: 'B',
      product: 'Exchange Server',
      supportCaseId: '2603010040001234',
    },
    steps: [
      [demoUsers.alex, 3 * day - 25, { kind: 'acknowledge' }],
      [demoUsers.alex, 3 * day - 2 * hour, { kind: 'update', status: 'investigating', note: 'EXCH02 still serves the old certificate for IIS. Rebinding it in tonight\'s change window.' }],
      [demoUsers.adele, 2 * day + 3 * hour, { kind: 'update', note: 'No prompts this morning in London; we are checking the Leeds office.' }],
      [demoUsers.alex, 2 * day, { kind: 'resolve', resolution: 'Bound the renewed certificate to IIS and SMTP on EXCH02 and recycled the Autodiscover application pool; no prompts since.' }],
    ],
  },
  {
    // Response breached: 30 minutes overdue; the customer's own note does not count as a response.
    slug: 'contoso-sharepoint-search',
    accountId: 'contoso',
    openedBy: demoUsers.adele,
    openedMinutesAgo: 150,
    form: {
      title: 'SharePoint search returns no results for the Projects site collection',
      description:
        'The crawl of the Projects site collection has not finished since last night\'s maintenance. Users get no results, and the crawl log says the crawler could not contact the repository.',
      severity: 'B',
      product: 'SharePoint Server',
    },
    steps: [[demoUsers.adele, 80, { kind: 'update', note: 'Still no results; the crawl has restarted itself twice.' }]],
  },
  {
    // Response at risk: 100 of 120 minutes used.
    slug: 'contoso-sql-always-on',
    accountId: 'contoso',
    openedBy: demoUsers.adele,
    openedMinutesAgo: 100,
    form: {
      title: 'Always On secondary replica stuck in "Not synchronizing"',
      description:
        'After the storage firmware update on SQL02, the secondary replica of the Finance availability group shows "Not synchronizing". The transaction log on the primary keeps growing; 42 GB are left.',
      severity: 'B',
      product: 'SQL Server',
    },
    steps: [],
  },
  {
    // A new severity A, response due in 50 minutes: the TAM and the manager are told at once.
    slug: 'contoso-kerberos-logons',
    accountId: 'contoso',
    openedBy: demoUsers.adele,
    openedMinutesAgo: 10,
    form: {
      title: 'Users cannot sign in: domain controllers reject Kerberos logons',
      description:
        'For the last quarter of an hour users at every UK site cannot sign in to Windows or reach file shares. DC01 to DC04 log event 4771 with failure code 0x18. The KRBTGT password was reset yesterday evening.',
      severity: 'A',
      product: 'Active Directory',
      businessImpact: 'About 4,000 staff cannot sign in; the call centre and the warehouse systems are down.',
      contactPhone: '+44 20 7946 0123',
    },
    steps: [],
  },
  {
    // Acknowledged five hours ago; the next update (every 4 h for severity B) is an hour overdue.
    slug: 'fabrikam-hyper-v-node',
    accountId: 'fabrikam',
    openedBy: demoUsers.lynne,
    openedMinutesAgo: 5 * hour + 20,
    form: {
      title: 'Hyper-V cluster node drops out of the cluster every few hours',
      description:
        'Node HV03 of the production cluster HVCL01 loses its cluster membership several times a day, and its virtual machines fail over and restart. The other nodes log event 1135.',
      severity: 'B',
      product: 'Hyper-V',
      supportCaseId: '2603020040005678',
    },
    steps: [
      [demoUsers.alex, 5 * hour, { kind: 'acknowledge' }],
      [demoUsers.lynne, 90, { kind: 'update', note: 'It happened again; the cluster logs of all nodes are uploaded to the support case.' }],
    ],
  },
  {
    // Response due: a severity C question, 25 of 240 minutes used.
    slug: 'fabrikam-in-place-upgrade',
    accountId: 'fabrikam',
    openedBy: demoUsers.lynne,
    openedMinutesAgo: 25,
    form: {
      title: 'Advice needed: in-place upgrade of our file servers to Windows Server 2025',
      description:
        'We plan to upgrade four Windows Server 2019 file servers in place next quarter. Is an in-place upgrade supported with DFS Replication, and what should we check first?',
      severity: 'C',
      product: 'Windows Server',
    },
    steps: [],
  },
];

const escalationsMarker = 'demo-escalations';

function demoActor(aadObjectId: string): Actor {
  const p = people.find((candidate) => candidate.aadObjectId === aadObjectId);
  return { key: personKey({ tenantId: demoTenantId, aadObjectId }), name: p?.displayName ?? aadObjectId, role: p?.role ?? 'customer' };
}

/**
 * Seeds the demo escalations once, built as a real one is (the intake rules, the contract's SLA,
 * readable ids from the account's counter, the channel card pending so the dispatcher posts it to
 * the linked channel) and then taken through their lifecycle by the same rules the buttons use,
 * at times counted back from now. Each is looked up by its intake key first, so a seed interrupted
 * half-way finishes without doubling any; the marker is written last.
 */
export async function seedDemoEscalations(deps: {
  directory: DirectoryRepository;
  accounts: AccountRepository;
  contracts: ContractRepository;
  escalations: EscalationRepository;
  clock: Clock;
}): Promise<boolean> {
  if (await deps.directory.getMarker(escalationsMarker)) return false;
  const now = deps.clock.now();
  for (const demo of demoEscalations) {
    const intakeKey = fingerprintOf(['demo-escalation', demo.slug]);
    const existing = await deps.escalations.findByIntakeKey(demo.accountId, intakeKey);
    if (existing) {
      await deps.escalations.recordNumberUsed(demo.accountId, existing.number);
      continue;
    }
    const account = await deps.accounts.getAccount(demo.accountId);
    if (!account) continue;
    const validation = validateIntake(readIntakeForm(demo.form));
    if (!validation.ok) throw new Error(`demo escalation ${demo.slug} is invalid: ${JSON.stringify(validation.errors)}`);
    const contract = await deps.contracts.getContract(demo.accountId);
    const overrides = contract?.slaOverrides ?? {};
    const clock = clockFor(supportHoursOf(contract, account), validation.intake.severity);
    // "Minutes ago" on the escalation's own clock, so each is in its SLA state whenever the demo is seeded.
    const ago = (minutes: number): Date => onClockAgo(clock, now, minutes);
    const channelId = await deps.directory.getAccountChannel(demo.accountId);
    const openedBy = demoActor(demo.openedBy);
    const openedAt = ago(demo.openedMinutesAgo);
    const watchers: Watcher[] = [demo.openedBy, demoUsers.alex].flatMap((id) => {
      const teamsUserId = playgroundUserIds[id];
      return teamsUserId ? [{ key: personKey({ tenantId: demoTenantId, aadObjectId: id }), teamsUserId }] : [];
    });
    let escalation: Escalation = {
      escalationId: '',
      accountId: account.accountId,
      number: 0,
      ...validation.intake,
      status: 'new',
      openedBy,
      openedAt: openedAt.toISOString(),
      // The account's primary TAM owns it from the start.
      owner: demoActor(demoUsers.alex),
      sla: initialSla(openedAt, slaTargetsFor(validation.intake.severity, overrides), clock),
      timeline: [{ at: openedAt.toISOString(), by: openedBy, kind: 'opened', summary: `Opened by ${openedBy.name} as severity ${validation.intake.severity}` }],
      watchers,
      version: 1,
      ...(channelId ? { channelCard: { conversationId: channelId, syncedVersion: 0 } } : {}),
      recentActions: [],
      intakeKey,
      updatedAt: openedAt.toISOString(),
    };
    for (const [by, minutesAgo, action] of demo.steps) {
      const actor = demoActor(by);
      escalation = applyEscalationAction(escalation, action, {
        actor,
        actorIsProvider: actor.role === 'tam',
        at: ago(minutesAgo),
        targetsFor: (severity) => slaTargetsFor(severity, overrides),
        clockFor: (severity) => clockFor(supportHoursOf(contract, account), severity),
      });
    }
    let number = await deps.escalations.nextNumberHint(account.accountId);
    // The counter is a hint, as for a real escalation: probe upwards past ids already taken.
    for (let attempt = 0; !(await deps.escalations.create({ ...escalation, escalationId: escalationIdFor(account.code, number), number })); attempt++) {
      if (attempt >= 500) throw new Error(`no free escalation number for ${account.accountId}`);
      number += 1;
    }
    await deps.escalations.recordNumberUsed(account.accountId, number);
  }
  await deps.directory.setMarker(escalationsMarker, now.toISOString());
  return true;
}

/**
 * The instant `minutes` of the clock's time before `now`: on a business clock the latest such
 * instant (an opening rather than the previous evening's close).
 */
function onClockAgo(clock: ClockHours, now: Date, minutes: number): Date {
  if (clock.kind === '24x7') return new Date(now.getTime() - minutes * minuteInMs);
  const earliest = earliestWithRemaining(clock, now, minutes * minuteInMs);
  if (isWithinHours(clock, earliest)) return earliest;
  const opening = nextClockChange(clock, earliest);
  return opening && opening <= now ? opening : earliest;
}

/** A moment of the demo month: the `nth` working day (1-based) or, with `calendar`, the day of the month; local "HH:MM". */
type MonthMoment = readonly [day: number, time: string, calendar?: 'calendar'];

interface DemoMonthEscalation {
  readonly slug: string;
  readonly openedBy: string;
  readonly opened: MonthMoment;
  readonly form: Readonly<Record<string, string>>;
  readonly steps: readonly (readonly [string, MonthMoment, EscalationAction])[];
  /** Reactive hours logged against it. */
  readonly hours: number;
}

interface DemoMonth {
  readonly accountId: string;
  readonly escalations: readonly DemoMonthEscalation[];
  /** A plan item delivered in the month: [type, title, hours, due, delivered]. */
  readonly delivered: readonly (readonly [ServiceType, string, number, MonthMoment, MonthMoment])[];
  /** Other hours of the month: [bucket, hours, note, when]. */
  readonly hours: readonly (readonly [string, number, string, MonthMoment])[];
}

const resolve = (resolution: string): EscalationAction => ({ kind: 'resolve', resolution });
const note = (text: string, status?: 'investigating' | 'mitigated'): EscalationAction => ({ kind: 'update', note: text, ...(status ? { status } : {}) });

/**
 * The previous calendar month of Contoso and Fabrikam, so `review` and `portfolio` show real
 * content at once: escalations worked through their lifecycle on working days of the account's
 * support hours (deadlines met and missed), hours logged, items delivered and check-ins done.
 */
const demoMonths: readonly DemoMonth[] = [
  {
    accountId: 'contoso',
    escalations: [
      {
        slug: 'month-contoso-dc-replication',
        openedBy: demoUsers.adele,
        opened: [2, '07:10'],
        form: {
          title: 'DC03 stopped replicating after the monthly patching',
          description: 'Since last night\'s patching DC03 logs event 1864 and repadmin shows replication failing to the London site. Logons in Leeds are slow.',
          severity: 'A',
          product: 'Active Directory',
          businessImpact: 'Leeds office logons take minutes; the warehouse scanners cannot authenticate.',
          contactPhone: '+44 20 7946 0123',
        },
        steps: [
          [demoUsers.alex, [2, '07:35'], { kind: 'acknowledge' }],
          [demoUsers.alex, [2, '08:20'], note('The patch reset the RPC port range on DC03; reverting it now.', 'investigating')],
          [demoUsers.alex, [2, '09:40'], note('Replication to London runs again; Leeds is catching up.', 'mitigated')],
          [demoUsers.alex, [2, '10:15'], resolve('Restored the RPC dynamic port range on DC03 and forced replication; repadmin is clean.')],
        ],
        hours: 2,
      },
      {
        slug: 'month-contoso-partner-mail',
        openedBy: demoUsers.adele,
        opened: [6, '10:00'],
        form: {
          title: 'Mail to our logistics partner queues for hours',
          description: 'Messages to the partner\'s domain sit in the queue of EXCH01 with a 451 4.4.0 error; other domains are fine.',
          severity: 'B',
          product: 'Exchange Server',
        },
        steps: [
          [demoUsers.alex, [6, '10:50'], { kind: 'acknowledge' }],
          [demoUsers.alex, [6, '14:00'], note('The partner rotated their TLS certificate; our send connector pins the old one.', 'investigating')],
          [demoUsers.alex, [7, '09:30'], resolve('Updated the send connector\'s TLS settings; the queue drained overnight.')],
        ],
        hours: 1.5,
      },
      {
        slug: 'month-contoso-sql-restores',
        openedBy: demoUsers.adele,
        opened: [9, '16:30'],
        form: {
          title: 'Restores of the reporting database fail',
          description: 'Nightly restores of ReportingDB to the test server fail at 60% with error 3203 (read on the backup device failed).',
          severity: 'B',
          product: 'SQL Server',
        },
        steps: [
          [demoUsers.alex, [10, '09:10'], { kind: 'acknowledge' }],
          [demoUsers.alex, [10, '12:00'], note('The backup share\'s deduplication corrupts the striped files.', 'investigating')],
          [demoUsers.alex, [10, '15:30'], resolve('Excluded the backup folder from deduplication and took a fresh full backup; the restore works.')],
        ],
        hours: 1,
      },
      {
        slug: 'month-contoso-licensing-question',
        openedBy: demoUsers.adele,
        opened: [13, '11:00'],
        form: {
          title: 'Question: licensing Windows Server 2025 on the new cluster nodes',
          description: 'We add two Hyper-V nodes next quarter. Do we license them per core with Datacenter, and what about the standby node?',
          severity: 'C',
          product: 'Windows Server',
        },
        steps: [
          [demoUsers.alex, [13, '13:00'], { kind: 'acknowledge' }],
          [demoUsers.alex, [15, '10:00'], resolve('Sent the licensing guidance for Datacenter per core, standby nodes included.')],
        ],
        hours: 0,
      },
      {
        slug: 'month-contoso-vpn-tunnels',
        openedBy: demoUsers.adele,
        opened: [17, '09:00'],
        form: {
          title: 'The Azure VPN gateway drops its tunnels every few hours',
          description: 'Both tunnels of the site-to-site VPN to West Europe drop several times a day for about a minute; the gateway logs IKE SA deletions.',
          severity: 'B',
          product: 'Azure',
        },
        steps: [
          [demoUsers.alex, [17, '09:30'], { kind: 'acknowledge' }],
          [demoUsers.alex, [17, '14:30'], note('The on-premises firewall renegotiates with a shorter SA lifetime.', 'investigating')],
          [demoUsers.alex, [18, '11:00'], resolve('Aligned the IKE and IPsec SA lifetimes on both sides; no drops since.')],
        ],
        hours: 0.5,
      },
    ],
    // Proactive hours stay on pace and Reactive under its 80: the demo's story of the contract holds.
    delivered: [['Proactive remediation', 'Exchange certificate remediation', 3, [12, '17:00'], [11, '16:00']]],
    hours: [['Advisory', 1, 'Licensing advice: Windows Server 2025 cluster nodes', [15, '11:00']]],
  },
  {
    accountId: 'fabrikam',
    escalations: [
      {
        slug: 'month-fabrikam-outlook-disconnects',
        openedBy: demoUsers.lynne,
        opened: [6, '02:00', 'calendar'],
        form: {
          title: 'Outlook clients disconnected after the certificate renewal',
          description: 'After last night\'s renewal of the Exchange certificate every Outlook client shows "Disconnected". Outlook on the web works.',
          severity: 'A',
          product: 'Exchange Server',
          businessImpact: 'The Munich and Hamburg offices cannot send or receive mail in Outlook.',
          contactPhone: '+49 30 901820',
        },
        steps: [
          [demoUsers.alex, [6, '02:20', 'calendar'], { kind: 'acknowledge' }],
          [demoUsers.alex, [6, '03:10', 'calendar'], note('The new certificate lacks the autodiscover name.', 'investigating')],
          [demoUsers.alex, [6, '04:00', 'calendar'], resolve('Issued a certificate with the autodiscover name and bound it to IIS; Outlook reconnects.')],
        ],
        hours: 2,
      },
      {
        slug: 'month-fabrikam-live-migration',
        openedBy: demoUsers.lynne,
        opened: [14, '10:00', 'calendar'],
        form: {
          title: 'Live migration fails between HV01 and HV02',
          description: 'Live migrations from HV01 to HV02 fail with event 21502 since the network card driver update on HV02.',
          severity: 'B',
          product: 'Hyper-V',
        },
        steps: [
          [demoUsers.alex, [14, '10:45', 'calendar'], { kind: 'acknowledge' }],
          [demoUsers.alex, [14, '16:00', 'calendar'], note('The new driver turned off VMQ on the migration network.', 'investigating')],
          [demoUsers.alex, [15, '09:00', 'calendar'], resolve('Rolled the driver back on HV02; live migration works both ways.')],
        ],
        hours: 2,
      },
      {
        slug: 'month-fabrikam-dfs-namespace',
        openedBy: demoUsers.lynne,
        opened: [21, '09:00', 'calendar'],
        form: {
          title: 'DFS namespace slow to resolve in the branch offices',
          description: 'Opening \\\\fabrikam.com\\files takes up to 30 seconds in the branch offices; the head office is fine.',
          severity: 'C',
          product: 'Windows Server',
        },
        steps: [
          [demoUsers.alex, [21, '12:00', 'calendar'], { kind: 'acknowledge' }],
          [demoUsers.alex, [23, '10:00', 'calendar'], resolve('Enabled site costing on the namespace; branches get their nearest target first.')],
        ],
        hours: 1,
      },
    ],
    delivered: [['Health check', 'Active Directory health check', 4, [13, '17:00', 'calendar'], [12, '15:00', 'calendar']]],
    hours: [],
  },
];

const monthMarker = 'demo-month';

/** The previous month of the demo: escalations, hours, delivered items and check-ins, seeded once (after the live escalations, so their ids stay put). */
export async function seedDemoMonth(deps: {
  directory: DirectoryRepository;
  accounts: AccountRepository;
  contracts: ContractRepository;
  plans: DeliveryPlanRepository;
  escalations: EscalationRepository;
  clock: Clock;
}): Promise<boolean> {
  if (await deps.directory.getMarker(monthMarker)) return false;
  const now = deps.clock.now();
  for (const demo of demoMonths) {
    const [account, contract] = await Promise.all([deps.accounts.getAccount(demo.accountId), deps.contracts.getContract(demo.accountId)]);
    if (!account || !contract) continue;
    const hours = supportHoursOf(contract, account);
    const zone = account.timeZone ?? 'UTC';
    const period = monthPeriod(lastCompleteMonth(now, zone), zone);
    const lastDay = dayNumberOf(period.lastDay);
    const workingDays: number[] = [];
    for (let d = dayNumberOf(period.firstDay); d <= lastDay; d++) if (hours.days.includes(weekdayOfDay(d)) && !hours.holidays.includes(fromDayNumber(d))) workingDays.push(d);
    const at = ([n, time, calendar]: MonthMoment): Date => {
      const day = calendar ? Math.min(lastDay, dayNumberOf(period.firstDay) + n - 1) : (workingDays[Math.min(n, workingDays.length) - 1] ?? lastDay);
      return new Date(startOfLocalDay(day, zone) + minutesOfClockTime(time) * minuteInMs);
    };
    const alex = { key: personKey({ tenantId: demoTenantId, aadObjectId: demoUsers.alex }), name: 'Alex Wilber' };
    const entry = (id: string, bucket: string, amount: number, noteText: string, when: Date, source: LedgerEntry['source'], reference?: string): LedgerEntry => ({
      entryId: `seed-month-${demo.accountId}-${id}`,
      accountId: demo.accountId,
      contractId: contract.contractId,
      date: localDateOf(when, zone),
      bucket,
      hours: amount,
      source,
      ...(reference ? { reference } : {}),
      note: noteText,
      loggedBy: alex,
      loggedAt: when.toISOString(),
    });
    for (const demoEscalation of demo.escalations) {
      const escalation = await seedMonthEscalation(deps, account, contract, demoEscalation, at);
      if (escalation && demoEscalation.hours > 0) {
        await deps.contracts.createEntry(entry(demoEscalation.slug, 'Reactive', demoEscalation.hours, `Reactive support: ${escalation.title}`, new Date(escalation.resolvedAt ?? escalation.updatedAt), 'escalation', escalation.escalationId));
      }
    }
    for (const [bucket, amount, noteText, when] of demo.hours) await deps.contracts.createEntry(entry(`${bucket.toLowerCase()}-${noteText.length}`, bucket, amount, noteText, at(when), 'manual'));
    const plan = await deps.plans.getPlan(demo.accountId);
    if (!plan) continue;
    const owner = { key: alex.key, name: alex.name };
    const added: PlanItem[] = [];
    for (const [index, [type, title, planned, due, delivered]] of demo.delivered.entries()) {
      if (plan.items.some((i) => i.title === title)) continue;
      const itemId = `PI-${plan.nextItemNumber + index}`;
      const deliveredAt = at(delivered);
      added.push({ itemId, type, title, plannedHours: planned, dueDate: localDateOf(at(due), zone), owner, status: 'delivered', health: 'green', createdAt: period.start.toISOString(), updatedAt: deliveredAt.toISOString(), deliveredAt: deliveredAt.toISOString() });
      await deps.contracts.createEntry(entry(`delivery-${itemId}`, 'Proactive', planned, `Delivered: ${title}`, deliveredAt, 'delivery', itemId));
    }
    if (added.length > 0) await deps.plans.updatePlan(demo.accountId, (current) => ({ ...current, items: [...current.items, ...added], nextItemNumber: current.nextItemNumber + added.length, updatedAt: now.toISOString() }));
    // The check-ins before the one owed now, each done on its due day.
    for (let due = previousDueDate(plan.nextCheckInDue, plan.cadence); due >= period.firstDay; due = previousDueDate(due, plan.cadence)) {
      if (due > period.lastDay || (await deps.plans.getCheckIn(demo.accountId, due))) continue;
      await deps.plans.createCheckIn({ accountId: demo.accountId, dueDate: due, submittedAt: `${due}T11:00:00.000Z`, by: owner, items: [] });
    }
  }
  await deps.directory.setMarker(monthMarker, now.toISOString());
  return true;
}

/** The due date one cadence before `due` (a month for monthly, the day clamped to the month's end). */
function previousDueDate(due: CalendarDate, cadence: Cadence): CalendarDate {
  if (cadence !== 'monthly') return addDays(due, cadence === 'weekly' ? -7 : -14);
  const month = shiftMonth(due.slice(0, 7), -1);
  const lastDay = monthPeriod(month, 'UTC').lastDay;
  const day = `${month}-${due.slice(8, 10)}`;
  return day > lastDay ? lastDay : day;
}

/** One escalation of the demo month, opened and worked through by the rules the buttons use; looked up by its intake key first. */
async function seedMonthEscalation(
  deps: { escalations: EscalationRepository },
  account: Account,
  contract: Contract,
  demo: DemoMonthEscalation,
  at: (moment: MonthMoment) => Date,
): Promise<Escalation | undefined> {
  const intakeKey = fingerprintOf(['demo-escalation', demo.slug]);
  const existing = await deps.escalations.findByIntakeKey(account.accountId, intakeKey);
  if (existing) return existing;
  const validation = validateIntake(readIntakeForm(demo.form));
  if (!validation.ok) throw new Error(`demo escalation ${demo.slug} is invalid: ${JSON.stringify(validation.errors)}`);
  const overrides = contract.slaOverrides ?? {};
  const hours = supportHoursOf(contract, account);
  const openedBy = demoActor(demo.openedBy);
  const openedAt = at(demo.opened);
  let escalation: Escalation = {
    escalationId: '',
    accountId: account.accountId,
    number: 0,
    ...validation.intake,
    status: 'new',
    openedBy,
    openedAt: openedAt.toISOString(),
    owner: demoActor(demoUsers.alex),
    sla: initialSla(openedAt, slaTargetsFor(validation.intake.severity, overrides), clockFor(hours, validation.intake.severity)),
    timeline: [{ at: openedAt.toISOString(), by: openedBy, kind: 'opened', summary: `Opened by ${openedBy.name} as severity ${validation.intake.severity}` }],
    // Its card was posted and kept current at the time: nothing to post now.
    watchers: [],
    version: 1,
    recentActions: [],
    intakeKey,
    updatedAt: openedAt.toISOString(),
  };
  for (const [by, when, action] of demo.steps) {
    const actor = demoActor(by);
    escalation = applyEscalationAction(escalation, action, {
      actor,
      actorIsProvider: actor.role === 'tam',
      at: at(when),
      targetsFor: (severity) => slaTargetsFor(severity, overrides),
      clockFor: (severity) => clockFor(hours, severity),
    });
  }
  let number = await deps.escalations.nextNumberHint(account.accountId);
  for (let attempt = 0; !(await deps.escalations.create({ ...escalation, escalationId: escalationIdFor(account.code, number), number })); attempt++) {
    if (attempt >= 500) throw new Error(`no free escalation number for ${account.accountId}`);
    number += 1;
  }
  await deps.escalations.recordNumberUsed(account.accountId, number);
  return { ...escalation, escalationId: escalationIdFor(account.code, number), number };
}
