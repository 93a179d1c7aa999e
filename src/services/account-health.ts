import {
  contractHealth,
  emptyHealthFacts,
  mergeSlaEvents,
  planHealth,
  summariseHealth,
  withEscalation,
  type HealthFacts,
  type HealthSummary,
  type SlaEvent,
} from '../domain/account-health';
import { findingKeyOf, type Alert } from '../domain/alert';
import { calendarDateOf, type CalendarDate } from '../domain/calendar-date';
import type { Clock } from '../domain/clock';
import type { Contract, LedgerLine } from '../domain/contract';
import { ledgerLinesOf } from '../domain/ledger-summary';
import type { DeliveryPlan } from '../domain/delivery-plan';
import type { Account } from '../domain/directory';
import { isOpen, severities, type Escalation } from '../domain/escalation';
import { OneAtATime } from './one-at-a-time';
import type { AccountRepository, AlertRepository, ContractRepository, DeliveryPlanRepository, DirectoryRepository, EscalationRepository, HealthSummaryRepository } from '../domain/ports';

/** What a change to one record needs: the summary and the time. */
export interface HealthNoteDeps {
  readonly health: HealthSummaryRepository;
  readonly clock: Clock;
}

/** What computing a summary from scratch reads: every record of the account the score looks at. */
export interface HealthSweepDeps extends HealthNoteDeps {
  readonly accounts: Pick<AccountRepository, 'getAccount' | 'listAccounts'>;
  readonly contracts: Pick<ContractRepository, 'getContract' | 'listEntries'>;
  readonly plans: Pick<DeliveryPlanRepository, 'getPlan'>;
  readonly escalations: Pick<EscalationRepository, 'listOpen'>;
  readonly alerts: Pick<AlertRepository, 'listRecent'>;
  readonly directory: Pick<DirectoryRepository, 'getMarker' | 'setMarker'>;
}

/** The summary with its facts changed, or undefined when the facts are as they were (nothing to write). */
function changedSummary(accountId: string, current: HealthSummary | undefined, change: (facts: HealthFacts) => HealthFacts, now: Date): HealthSummary | undefined {
  const facts = change(current?.facts ?? emptyHealthFacts);
  if (current && sameFacts(facts, current.facts)) return undefined;
  // A summary started from one change has not read the account's other records: the sweep does (it is due at once).
  return summariseHealth({ accountId, accountName: current?.view.accountName ?? accountId, facts, complete: current?.complete ?? false }, now);
}

/**
 * The same facts, as their JSON would say: the open escalations (the longest part of a busy
 * account's summary) compared id by id rather than written out twice.
 */
function sameFacts(a: HealthFacts, b: HealthFacts): boolean {
  const { openEscalations: openA, ...restA } = a;
  const { openEscalations: openB, ...restB } = b;
  for (const severity of severities) {
    const idsA = openA[severity];
    const idsB = openB[severity];
    if (idsA === idsB) continue;
    if (idsA.length !== idsB.length || idsA.some((id, i) => id !== idsB[i])) return false;
  }
  return JSON.stringify(restA) === JSON.stringify(restB);
}

/**
 * An escalation was opened or changed in a turn. The summary is written only when the escalation's
 * part of the score changed with it (opened, resolved, closed, reopened, a new severity): one read
 * and one write then, none otherwise. SLA deadlines missed or at risk are recorded by the sweep,
 * which looks at every escalation at those very instants.
 */
export async function noteEscalationHealth(deps: HealthNoteDeps, before: Escalation | undefined, after: Escalation): Promise<void> {
  if (before && isOpen(before.status) === isOpen(after.status) && before.severity === after.severity) return;
  await noteTogether(deps, after.accountId, (facts, now) => withEscalation(facts, after, now));
}

type FactsChange = (facts: HealthFacts, now: Date) => HealthFacts;

/** Per summary repository: one write of an account's summary at a time, and the changes waiting for the next. */
interface NoteQueue {
  readonly writes: OneAtATime;
  readonly waiting: Map<string, { readonly changes: FactsChange[]; readonly applied: Promise<void> }>;
}
const noteQueues = new WeakMap<HealthSummaryRepository, NoteQueue>();

/**
 * Changes to one account's summary that arrive while a write of it is in flight are applied
 * together by the next write: one read and one write for a burst (escalations opened at once),
 * not one each that collide on the summary's ETag and are tried again.
 */
function noteTogether(deps: HealthNoteDeps, accountId: string, change: FactsChange): Promise<void> {
  const queue: NoteQueue = noteQueues.get(deps.health) ?? { writes: new OneAtATime(), waiting: new Map() };
  noteQueues.set(deps.health, queue);
  const joined = queue.waiting.get(accountId);
  if (joined) {
    joined.changes.push(change);
    return joined.applied;
  }
  const changes: FactsChange[] = [change];
  const applied = queue.writes.run(accountId, async () => {
    // From here on, new changes wait for the next write.
    queue.waiting.delete(accountId);
    const now = deps.clock.now();
    await deps.health.update(accountId, (current) => changedSummary(accountId, current, (facts) => changes.reduce((f, c) => c(f, now), facts), now));
  });
  queue.waiting.set(accountId, { changes, applied });
  return applied;
}

/** An account was stored: its summary carries the new name, or is started (the sweep fills it in). */
export async function noteAccountHealth(deps: HealthNoteDeps, account: Pick<Account, 'accountId' | 'name'>): Promise<void> {
  const now = deps.clock.now();
  await deps.health.update(account.accountId, (current) => {
    if (current?.view.accountName === account.name) return undefined;
    if (current) return { ...current, view: { ...current.view, accountName: account.name } };
    return summariseHealth({ accountId: account.accountId, accountName: account.name, facts: emptyHealthFacts, complete: false }, now);
  });
}

/**
 * What one sweep pass saw of each account, applied to its summary once at the end: one read and at
 * most one write per account, whatever number of its records came due. The sweep has read those
 * records already (for the alert rules), so this adds no other read.
 */
export class HealthNotes {
  private readonly changes = new Map<string, ((facts: HealthFacts) => HealthFacts)[]>();

  constructor(
    private readonly deps: HealthNoteDeps,
    private readonly now: Date,
  ) {}

  escalation(escalation: Escalation): void {
    this.note(escalation.accountId, (facts) => withEscalation(facts, escalation, this.now));
  }

  contract(contract: Contract, entries: readonly LedgerLine[], today: CalendarDate): void {
    const part = contractHealth(contract, entries, today);
    this.note(contract.accountId, (facts) => ({ ...facts, contract: part }));
  }

  plan(plan: DeliveryPlan): void {
    const part = planHealth(plan);
    this.note(plan.accountId, (facts) => ({ ...facts, plan: part }));
  }

  /** Writes each changed summary; returns how many were written. */
  async flush(): Promise<number> {
    let written = 0;
    for (const [accountId, changes] of this.changes) {
      let wrote = false;
      await this.deps.health.update(accountId, (current) => {
        const next = changedSummary(accountId, current, (facts) => changes.reduce((f, change) => change(f), facts), this.now);
        wrote = next !== undefined;
        return next;
      });
      if (wrote) written += 1;
    }
    this.changes.clear();
    return written;
  }

  private note(accountId: string, change: (facts: HealthFacts) => HealthFacts): void {
    this.changes.set(accountId, [...(this.changes.get(accountId) ?? []), change]);
  }
}

/** How many recent alerts of an account are read for its SLA history when a summary is computed from scratch. */
const recentAlertsRead = 200;

/** The SLA deadline an SLA alert was raised for. */
function slaEventOf(alert: Alert): SlaEvent | undefined {
  if ((alert.rule !== 'sla-breached' && alert.rule !== 'sla-at-risk') || alert.subject.kind !== 'escalation') return undefined;
  const parts = findingKeyOf(alert).split(':');
  const clock = parts[1];
  const dueAt = parts.slice(3).join(':');
  if ((clock !== 'response' && clock !== 'update') || Number.isNaN(new Date(dueAt).getTime())) return undefined;
  return { escalationId: alert.subject.escalationId, clock, dueAt, state: alert.rule === 'sla-breached' ? 'breached' : 'at-risk' };
}

/**
 * Every input of the account's score, read from its records: the account, contract and ledger,
 * plan, open escalations, and its recent SLA alerts for the deadlines of escalations since
 * resolved. Point reads and single-partition queries of the account's partition, side by side.
 */
export async function readHealthFacts(deps: HealthSweepDeps, accountId: string, now: Date): Promise<{ account: Account; facts: HealthFacts } | undefined> {
  const [account, contract, plan, open, recent] = await Promise.all([
    deps.accounts.getAccount(accountId),
    deps.contracts.getContract(accountId),
    deps.plans.getPlan(accountId),
    deps.escalations.listOpen(accountId),
    deps.alerts.listRecent(accountId, recentAlertsRead),
  ]);
  if (!account) return undefined;
  const entries = contract ? ledgerLinesOf(contract) : [];
  let facts: HealthFacts = {
    ...emptyHealthFacts,
    slaEvents: mergeSlaEvents([], recent.flatMap((a) => slaEventOf(a) ?? [])),
    ...(contract ? { contract: contractHealth(contract, entries, calendarDateOf(now)) } : {}),
    ...(plan ? { plan: planHealth(plan) } : {}),
  };
  for (const escalation of open) facts = withEscalation(facts, escalation, now);
  return { account, facts };
}

/** Marker: when the sweep last found every account with a summary. */
const backfillMarker = 'health-summaries-checked';
/** How often the sweep looks for accounts without a summary (older data; accounts stored without the app). */
export const healthBackfillIntervalInMs = 3_600_000;

export interface HealthSweepReport {
  /** Summaries started for accounts that had none. */
  readonly started: number;
  /** Summaries computed from every record of their account. */
  readonly computed: number;
  /** Summaries whose score time alone changed, recomputed from their own facts (no other read). */
  readonly refreshed: number;
}

/**
 * The sweep's part in keeping health current without scanning: summaries whose `healthCheckAt`
 * has come (an indexed query) are recomputed, from their own facts when complete, from the
 * account's records when started from a single change; and now and then the accounts without any
 * summary get one started.
 */
export async function sweepAccountHealth(deps: HealthSweepDeps, limit: number): Promise<HealthSweepReport> {
  const now = deps.clock.now();
  const started = await startMissingSummaries(deps, now, limit);
  let computed = 0;
  let refreshed = 0;
  for (const due of await deps.health.listDue(now, limit)) {
    if (due.complete) {
      await deps.health.update(due.accountId, (current) =>
        current ? summariseHealth({ accountId: current.accountId, accountName: current.view.accountName, facts: current.facts, complete: true }, now) : undefined,
      );
      refreshed += 1;
      continue;
    }
    const read = await readHealthFacts(deps, due.accountId, now);
    if (!read) continue;
    await deps.health.update(due.accountId, () => summariseHealth({ accountId: read.account.accountId, accountName: read.account.name, facts: read.facts, complete: true }, now));
    computed += 1;
  }
  return { started, computed, refreshed };
}

async function startMissingSummaries(deps: HealthSweepDeps, now: Date, limit: number): Promise<number> {
  const checked = await deps.directory.getMarker(backfillMarker);
  if (checked && now.getTime() - new Date(checked).getTime() < healthBackfillIntervalInMs) return 0;
  const [accounts, scored] = await Promise.all([deps.accounts.listAccounts(), deps.health.listAccountIds()]);
  const have = new Set(scored);
  const missing = accounts.filter((a) => !have.has(a.accountId));
  for (const account of missing.slice(0, limit)) await noteAccountHealth(deps, account);
  // Not all started this time: the next pass goes on with the rest.
  if (missing.length <= limit) await deps.directory.setMarker(backfillMarker, now.toISOString());
  return Math.min(missing.length, limit);
}
