import { ledgerLinesOf } from '../domain/ledger-summary';
import { accountTams } from './account-tams';
import { HealthNotes, sweepAccountHealth } from './account-health';
import { alertIdFor, cardStateOf, findingKeyOf, occurrenceOf, reminderIntervalInMs, type Alert, type AlertFinding, type AlertSubject } from '../domain/alert';
import { clearedReason, contractFindings, escalationCardState, escalationFindings, holdingKeys, planFindings, type ClearedFacts } from '../domain/alert-rules';
import { belongsInDigest, defaultAlertSettings, localDate, nextDigestTime, sendsAtOnce, type AlertSettings } from '../domain/alert-settings';
import { addBusinessTime, aroundTheClock, isWithinHours, nextClockChange, type ClockHours } from '../domain/business-time';
import { calendarDateOf } from '../domain/calendar-date';
import { clockOf } from '../domain/escalation-sla';
import type { Clock } from '../domain/clock';
import { personKey } from '../domain/directory';
import type { Logger } from '../domain/logger';
import type { OutboxItem } from '../domain/outbox';
import type {
  AlertRepository,
  AlertSettingsRepository,
  ContractRepository,
  DeliveryPlanRepository,
  DirectoryRepository,
  EscalationRepository,
  AccountRepository,
  HealthSummaryRepository,
  OutboxRepository,
} from '../domain/ports';

export interface AlertDeps {
  readonly alerts: AlertRepository;
  readonly alertSettings: AlertSettingsRepository;
  readonly directory: DirectoryRepository;
  readonly outbox: OutboxRepository;
  readonly clock: Clock;
  readonly providerTenantIds: readonly string[];
}

export interface SweepDeps extends AlertDeps {
  readonly escalations: EscalationRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly logger: Logger;
  /** Account health summaries, kept current by each pass (absent: not kept, as in the sweep benchmark). */
  readonly health?: HealthSummaryRepository;
  readonly accounts?: AccountRepository;
}

export interface SweepReport {
  readonly subjectsChecked: number;
  readonly alertsRaised: number;
  readonly alertsResolved: number;
  readonly remindersQueued: number;
  readonly digestsQueued: number;
  readonly messagesQueued: number;
  /** Account health summaries written (changed by what the pass saw, or by time alone). */
  readonly healthWritten: number;
}

/** The account's TAMs and each TAM's manager: who hears about the account. */
export async function alertRecipients(deps: Pick<AlertDeps, 'directory' | 'providerTenantIds'>, accountId: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const person of await accountTams(deps, accountId)) {
    keys.add(personKey(person));
    if (person.managerKey) keys.add(person.managerKey);
  }
  return [...keys].sort();
}

/** The managers of the account's TAMs; the TAMs themselves when none of them has a manager. */
async function managerRecipients(deps: Pick<AlertDeps, 'directory' | 'providerTenantIds'>, accountId: string): Promise<string[]> {
  const tams = await accountTams(deps, accountId);
  const managers = [...new Set(tams.flatMap((tam) => (tam.managerKey ? [tam.managerKey] : [])))].sort();
  return managers.length > 0 ? managers : [...new Set(tams.map(personKey))].sort();
}

/** The owner and their manager; undefined when the owner is gone from the directory or the account. */
async function ownerRecipients(deps: Pick<AlertDeps, 'directory'>, ownerKey: string, accountId: string): Promise<string[] | undefined> {
  const [tenantId = '', aadObjectId = ''] = ownerKey.split(':');
  const owner = await deps.directory.getPerson({ tenantId, aadObjectId });
  // An owner who no longer works on the account hears nothing more of it: the account's people do.
  if (!owner || !owner.accountIds.includes(accountId)) return undefined;
  return [...new Set([personKey(owner), ...(owner.managerKey ? [owner.managerKey] : [])])].sort();
}

function outboxItem(id: string, recipient: string, intent: OutboxItem['intent'], now: Date): OutboxItem {
  const [tenantId = '', aadObjectId = ''] = recipient.split(':');
  return {
    id,
    target: { kind: 'person', tenantId, aadObjectId },
    intent,
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    nextAttemptAt: now.toISOString(),
  };
}

async function settingsOf(deps: Pick<AlertDeps, 'alertSettings'>, recipient: string, cache: Map<string, AlertSettings>): Promise<AlertSettings> {
  const cached = cache.get(recipient);
  if (cached) return cached;
  const settings = (await deps.alertSettings.get(recipient)) ?? defaultAlertSettings(recipient);
  cache.set(recipient, settings);
  return settings;
}

/** The alert one occurrence of a finding becomes. */
function alertOf(finding: AlertFinding, occurrence: number, recipients: string[], now: Date): Alert {
  const alert: Alert = {
    alertId: alertIdFor(finding.key, occurrence),
    findingKey: finding.key,
    occurrence,
    accountId: finding.accountId,
    rule: finding.rule,
    subject: finding.subject,
    severity: finding.severity,
    title: finding.title,
    detail: finding.detail,
    raisedAt: now.toISOString(),
    recipients,
    status: 'open',
    reminders: 0,
    ...(finding.severity === 'critical' ? { nextReminderAt: new Date(now.getTime() + reminderIntervalInMs).toISOString() } : {}),
    ...(finding.subjectState !== undefined ? { subjectState: finding.subjectState } : {}),
  };
  // Its cards, when they go out, show it as it is: from here on they are kept current.
  return { ...alert, cardsShowState: cardStateOf(alert) };
}

/**
 * The stored alert for a finding's current occurrence, created if the condition is new or came
 * back after its last occurrence resolved. Ids are derived from the key and the occurrence
 * number, and each is created only if absent, so a retry, a second sweep or another instance
 * that sees the same history lands on the same alert and never raises it twice.
 */
async function currentOccurrence(deps: AlertDeps, finding: AlertFinding, recipients: string[], now: Date): Promise<{ alert: Alert; created: boolean } | undefined> {
  const first = alertOf(finding, 1, recipients, now);
  if (await deps.alerts.create(first)) return { alert: first, created: true };
  const stored = await deps.alerts.get(finding.accountId, first.alertId);
  if (!stored) return undefined;
  if (stored.status !== 'resolved') return { alert: stored, created: false };
  const later = await deps.alerts.listLaterOccurrences(finding.accountId, finding.key);
  const latest = later.reduce((best, a) => (occurrenceOf(a) > occurrenceOf(best) ? a : best), stored);
  if (latest.status !== 'resolved') return { alert: latest, created: false };
  const next = alertOf(finding, occurrenceOf(latest) + 1, recipients, now);
  if (await deps.alerts.create(next)) return { alert: next, created: true };
  const raced = await deps.alerts.get(finding.accountId, next.alertId);
  return raced ? { alert: raced, created: false } : undefined;
}

/**
 * Stores each finding as an alert, once per key and occurrence (a second sweep, a retry or
 * another instance finds it there and does nothing), and queues a message for each recipient who
 * wants it now. Everything is written to Cosmos before anything is sent. Returns the outbox ids queued.
 */
export async function raiseAlerts(
  deps: AlertDeps,
  findings: readonly AlertFinding[],
  context: { recipients?: Map<string, string[]>; settings?: Map<string, AlertSettings> } = {},
): Promise<{ raised: number; queued: string[] }> {
  const now = deps.clock.now();
  const recipientsByAccount = context.recipients ?? new Map<string, string[]>();
  const settingsCache = context.settings ?? new Map<string, AlertSettings>();
  let raised = 0;
  const queued: string[] = [];
  for (const finding of findings) {
    // An escalation's alerts go to its owner and the owner's manager; the account's other TAMs
    // find them in `alerts`. Everything else goes to the account's TAMs and their managers.
    const cacheKey = finding.audience === 'managers' ? `managers|${finding.accountId}` : finding.owner ? `owner|${finding.owner}|${finding.accountId}` : finding.accountId;
    let recipients = recipientsByAccount.get(cacheKey);
    if (!recipients) {
      recipients =
        finding.audience === 'managers'
          ? await managerRecipients(deps, finding.accountId)
          : ((finding.owner ? await ownerRecipients(deps, finding.owner, finding.accountId) : undefined) ?? (await alertRecipients(deps, finding.accountId)));
      recipientsByAccount.set(cacheKey, recipients);
    }
    // The alert is stored first; the messages are queued after. A crash in between is repaired by
    // the next sweep, which raises nothing new but re-queues (queueing is idempotent by id).
    const current = await currentOccurrence(deps, finding, recipients, now);
    if (!current) continue;
    if (current.created) raised += 1;
    const stored = current.alert;
    if (stored.status !== 'open' || stored.reminders > 0) continue;
    for (const recipient of stored.recipients) {
      if (!sendsAtOnce(await settingsOf(deps, recipient, settingsCache), finding)) continue;
      const item = outboxItem(`alert:${stored.alertId}:${recipient}:0`, recipient, { kind: 'alert', accountId: stored.accountId, alertId: stored.alertId, occurrence: 0 }, now);
      if (await deps.outbox.enqueue(item)) queued.push(item.id);
    }
  }
  return { raised, queued };
}

/**
 * One sweep: evaluates the rules for every record whose next threshold has come (and nothing
 * else), raises what they find, resolves the alerts whose condition has cleared, queues
 * reminders of unacknowledged critical alerts, and the daily digests that are due.
 */
export async function runAlertSweep(deps: SweepDeps, options: { limit?: number } = {}): Promise<SweepReport> {
  const limit = options.limit ?? 500;
  const now = deps.clock.now();
  const today = calendarDateOf(now);
  const context = { recipients: new Map<string, string[]>(), settings: new Map<string, AlertSettings>() };
  let subjectsChecked = 0;
  let alertsRaised = 0;
  let alertsResolved = 0;
  let messagesQueued = 0;
  const healthDeps = deps.health && deps.accounts ? { ...deps, health: deps.health, accounts: deps.accounts } : undefined;
  // What the pass reads for the rules is what the health score needs too: noted here, written once per account.
  const health = healthDeps ? new HealthNotes(healthDeps, now) : undefined;
  const raise = async (findings: AlertFinding[]): Promise<void> => {
    const result = await raiseAlerts(deps, findings, context);
    alertsRaised += result.raised;
    messagesQueued += result.queued.length;
  };

  for (const { accountId, escalationId } of await deps.escalations.listDueForAlerts(now, limit)) {
    const escalation = await deps.escalations.get(accountId, escalationId);
    if (!escalation) continue;
    subjectsChecked += 1;
    const findings = escalationFindings(escalation, now);
    health?.escalation(escalation);
    await raise(findings);
    alertsResolved += await resolveCleared(deps, accountId, { kind: 'escalation', escalationId }, holdingKeys(findings), { kind: 'escalation', escalation, now });
    await noteSubjectState(deps, accountId, escalationId, escalationCardState(escalation, now));
    await deps.escalations.update(accountId, escalationId, (current) => ({ ...current, alertCursor: now.toISOString(), alertSeenVersion: escalation.version }));
  }

  for (const accountId of await deps.contracts.listDueForAlerts(now, limit)) {
    const contract = await deps.contracts.getContract(accountId);
    if (!contract) continue;
    subjectsChecked += 1;
    const entries = ledgerLinesOf(contract);
    const findings = contractFindings(contract, entries, today);
    health?.contract(contract, entries, today);
    await raise(findings);
    alertsResolved += await resolveCleared(deps, accountId, { kind: 'contract' }, holdingKeys(findings), { kind: 'contract', contract, entries, today });
    await deps.contracts.markAlertsSeen(accountId, now.toISOString(), contract.ledgerVersion ?? 0);
  }

  for (const accountId of await deps.plans.listDueForAlerts(now, limit)) {
    const plan = await deps.plans.getPlan(accountId);
    if (!plan) continue;
    subjectsChecked += 1;
    const findings = planFindings(plan, today);
    health?.plan(plan);
    await raise(findings);
    alertsResolved += await resolveCleared(deps, accountId, { kind: 'plan' }, holdingKeys(findings), { kind: 'plan', plan, today });
    // The cursor stops a millisecond short of now: a change made in the very millisecond the rules
    // looked is still after it, so it is seen on the next sweep (a second look at one already seen does nothing).
    await deps.plans.updatePlan(accountId, (current) => ({ ...current, alertCursor: new Date(now.getTime() - 1).toISOString() }));
  }

  let healthWritten = (await health?.flush()) ?? 0;
  if (healthDeps) {
    const swept = await sweepAccountHealth(healthDeps, Math.min(limit, healthSweepLimit));
    healthWritten += swept.started + swept.computed + swept.refreshed;
  }

  const remindersQueued = await queueReminders(deps, now, limit);
  const digestsQueued = await queueDigests(deps, now, limit, context.settings);
  for (const alert of await deps.alerts.listCardsBehind(limit)) messagesQueued += (await syncAlertCards(deps, alert)).length;
  return { subjectsChecked, alertsRaised, alertsResolved, remindersQueued, digestsQueued, messagesQueued, healthWritten };
}

/** Health summaries recomputed at most per pass: one computed from scratch reads six records. */
const healthSweepLimit = 100;

/**
 * Every open or acknowledged alert about the subject whose condition the rules no longer find
 * resolves itself: the time and the reason are recorded and its reminders stop. If the condition
 * returns, it is a new occurrence (raiseAlerts).
 */
async function resolveCleared(
  deps: SweepDeps,
  accountId: string,
  subject: { kind: AlertSubject['kind']; escalationId?: string },
  holding: ReadonlySet<string>,
  facts: ClearedFacts,
): Promise<number> {
  let resolved = 0;
  for (const alert of await deps.alerts.listUnresolvedAbout(accountId, subject)) {
    if (holding.has(findingKeyOf(alert))) continue;
    const now = deps.clock.now().toISOString();
    const reason = clearedReason(alert, facts);
    const changed = await deps.alerts.update(accountId, alert.alertId, (a) => {
      if (a.status === 'resolved') return undefined;
      const { nextReminderAt: _stop, snoozedUntil: _snooze, ...rest } = a;
      return { ...rest, status: 'resolved', resolvedAt: now, resolvedReason: reason };
    });
    if (changed?.status === 'resolved' && changed.resolvedAt === now) resolved += 1;
  }
  return resolved;
}

/** How many of an escalation's alerts (newest first) keep their cards current with it. */
export const alertsKeptCurrentPerEscalation = 50;

/**
 * The escalation changed where its alert cards show it (status, owner, an SLA clock's state):
 * each of its alerts, resolved ones too, records the new state, which puts its cards behind.
 */
async function noteSubjectState(deps: SweepDeps, accountId: string, escalationId: string, state: string): Promise<void> {
  for (const alert of await deps.alerts.listAboutEscalation(accountId, escalationId, alertsKeptCurrentPerEscalation)) {
    if (alert.subjectState === state || alert.cardsShowState === undefined) continue;
    await deps.alerts.update(accountId, alert.alertId, (a) => (a.subjectState === state ? undefined : { ...a, subjectState: state }));
  }
}

/**
 * Queues an in-place update of every card of the alert already sent (first notices and reminders,
 * to every recipient) when the alert no longer looks as its cards show it. Each update is keyed
 * on the state it shows, so it is queued once; it goes through the outbox like every proactive
 * message (rate limits, retries, the audience rule). Returns the outbox ids queued.
 */
export async function syncAlertCards(deps: Pick<AlertDeps, 'alerts' | 'outbox' | 'clock'>, alert: Alert): Promise<string[]> {
  const state = cardStateOf(alert);
  if (alert.cardsShowState === undefined || alert.cardsShowState === state) return [];
  const now = deps.clock.now();
  const queued: string[] = [];
  const round = (alert.cardSyncs ?? 0) + 1;
  for (const sent of await deps.outbox.listSentAlertCards(alert.accountId, alert.alertId)) {
    if (!sent.activityId || sent.target.kind !== 'person' || sent.intent.kind !== 'alert') continue;
    const recipient = `${sent.target.tenantId}:${sent.target.aadObjectId}`;
    // Keyed on the round, not the state: a state seen before (A, B, A again) is still a new update.
    const id = `alert-card:${alert.alertId}:${recipient}:${sent.intent.occurrence}:${round}`;
    const intent = { kind: 'alert-card' as const, accountId: alert.accountId, alertId: alert.alertId, activityId: sent.activityId, reminder: sent.intent.occurrence > 0, state };
    if (await deps.outbox.enqueue(outboxItem(id, recipient, intent, now))) queued.push(id);
  }
  // Marked only if nothing changed meanwhile: a later change leaves the cards behind, for the next pass.
  await deps.alerts.update(alert.accountId, alert.alertId, (a) =>
    cardStateOf(a) === state && a.cardsShowState !== state && (a.cardSyncs ?? 0) < round ? { ...a, cardsShowState: state, cardSyncs: round } : undefined,
  );
  return queued;
}

/**
 * The clock an alert's reminders follow: an escalation's SLA clock (a business-hours clock reminds
 * only in support hours), around the clock for everything else.
 */
async function reminderClock(deps: SweepDeps, alert: Alert): Promise<ClockHours> {
  if (alert.subject.kind !== 'escalation') return aroundTheClock;
  const escalation = await deps.escalations.get(alert.accountId, alert.subject.escalationId);
  return escalation ? clockOf(escalation.sla) : aroundTheClock;
}

/** When a reminder due by `now` may go out on its clock: now, or later (undefined: now). */
function reminderWaitsUntil(clock: ClockHours, alert: Alert, now: Date): Date | undefined {
  if (clock.kind === '24x7') return undefined;
  // The first reminder comes an hour of support hours after the alert, not an hour of wall time.
  const due = alert.reminders === 0 ? addBusinessTime(clock, new Date(alert.raisedAt), reminderIntervalInMs) : now;
  if (due > now) return due;
  return isWithinHours(clock, now) ? undefined : nextClockChange(clock, now);
}

async function queueReminders(deps: SweepDeps, now: Date, limit: number): Promise<number> {
  let queued = 0;
  for (const alert of await deps.alerts.listRemindersDue(now, limit)) {
    if (alert.snoozedUntil && new Date(alert.snoozedUntil).getTime() > now.getTime()) {
      await deps.alerts.update(alert.accountId, alert.alertId, (a) => ({ ...a, nextReminderAt: a.snoozedUntil }));
      continue;
    }
    const clock = await reminderClock(deps, alert);
    const later = reminderWaitsUntil(clock, alert, now);
    if (later) {
      await deps.alerts.update(alert.accountId, alert.alertId, (a) => (a.status === 'open' && a.reminders === alert.reminders ? { ...a, nextReminderAt: later.toISOString() } : undefined));
      continue;
    }
    const occurrence = alert.reminders + 1;
    for (const recipient of alert.recipients) {
      const item = outboxItem(`alert:${alert.alertId}:${recipient}:${occurrence}`, recipient, { kind: 'alert', accountId: alert.accountId, alertId: alert.alertId, occurrence }, now);
      if (await deps.outbox.enqueue(item)) queued += 1;
    }
    const next = addBusinessTime(clock, now, reminderIntervalInMs).toISOString();
    await deps.alerts.update(alert.accountId, alert.alertId, (a) => (a.status === 'open' && a.reminders < occurrence ? { ...a, reminders: occurrence, nextReminderAt: next } : undefined));
  }
  return queued;
}

async function queueDigests(deps: SweepDeps, now: Date, limit: number, cache: Map<string, AlertSettings>): Promise<number> {
  let queued = 0;
  for (const settings of await deps.alertSettings.listDigestsDue(now, limit)) {
    cache.set(settings.personKey, settings);
    const day = localDate(now, settings.timeZone);
    const since = settings.lastDigestAt ? new Date(settings.lastDigestAt) : new Date(now.getTime() - 24 * 3600_000);
    const item = outboxItem(`digest:${settings.personKey}:${day}`, settings.personKey, { kind: 'digest', personKey: settings.personKey, since: since.toISOString(), localDate: day }, now);
    if (await deps.outbox.enqueue(item)) queued += 1;
    await deps.alertSettings.upsert({ ...settings, lastDigestAt: now.toISOString(), nextDigestAt: nextDigestTime(now, settings.digestHour, settings.timeZone).toISOString() });
  }
  return queued;
}

/** The alerts a person's digest holds: open normal ones of their accounts raised since the last digest. */
export async function digestAlerts(
  deps: Pick<AlertDeps, 'alerts' | 'directory' | 'alertSettings'> & { accountsOf: (personKey: string) => Promise<string[]> },
  person: string,
  since: Date,
): Promise<{ accountId: string; alerts: Alert[] }[]> {
  const settings = (await deps.alertSettings.get(person)) ?? defaultAlertSettings(person);
  const accountIds = await deps.accountsOf(person);
  const groups = await Promise.all(
    accountIds.map(async (accountId) => ({
      accountId,
      alerts: (await deps.alerts.listOpenNormalSince(accountId, since)).filter((a) => a.recipients.includes(person) && belongsInDigest(settings, a)),
    })),
  );
  return groups.filter((g) => g.alerts.length > 0);
}

/**
 * An escalation handed over: its alerts not resolved yet go to the new owner and their manager
 * from now on (reminders, live card updates), instead of the previous owner.
 */
export async function reassignEscalationAlerts(deps: Pick<AlertDeps, 'alerts' | 'directory' | 'providerTenantIds'>, accountId: string, escalationId: string, ownerKey: string): Promise<number> {
  const recipients = (await ownerRecipients(deps, ownerKey, accountId)) ?? (await alertRecipients(deps, accountId));
  let changed = 0;
  for (const alert of await deps.alerts.listUnresolvedAbout(accountId, { kind: 'escalation', escalationId })) {
    // Coverage is the managers' question, whoever owns the escalation.
    if (alert.rule === 'outside-entitlement') continue;
    await deps.alerts.update(accountId, alert.alertId, (a) => (a.recipients.join() === recipients.join() ? undefined : { ...a, recipients }));
    changed += 1;
  }
  return changed;
}
