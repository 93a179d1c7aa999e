import { ledgerLinesOf } from '../domain/ledger-summary';
import type { Caller } from '../domain/caller';
import type { Clock } from '../domain/clock';
import { personKey, type Account } from '../domain/directory';
import { DomainError } from '../domain/errors';
import { escalationIdFor, type Actor, type Escalation, type Watcher } from '../domain/escalation';
import { validateIntake, type IntakeField, type IntakeForm, type ValidIntake } from '../domain/escalation-intake';
import { initialSla, slaTargetsFor, type SlaOverrides } from '../domain/escalation-sla';
import { clockFor, supportHoursOf, type SupportHours } from '../domain/support-hours';
import { fingerprintOf } from '../domain/fingerprint';
import { escalationFindings } from '../domain/alert-rules';
import type { AccountRepository, ContractRepository, ConversationReferenceRepository, DirectoryRepository, EscalationRepository, HealthSummaryRepository, StoredIntake } from '../domain/ports';
import { reactiveEntitlement, type Entitlement } from '../domain/entitlement';
import { calendarDateOf } from '../domain/calendar-date';
import { raiseAlerts, type AlertDeps } from './alerts';
import { accountTams } from './account-tams';
import { OpeningQueue } from './opening-queue';
import { actorOfPerson, primaryTamOf } from '../domain/ownership';

export interface OpenEscalationDeps extends AlertDeps {
  readonly accounts: AccountRepository;
  readonly directory: DirectoryRepository;
  readonly escalations: EscalationRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly clock: Clock;
  readonly providerTenantIds: readonly string[];
  /** The contract decides the SLA targets (its overrides) and whether the escalation is covered. */
  readonly contracts: Pick<ContractRepository, 'getContract' | 'listEntries'>;
  /** The account's health summary counts its open escalations. */
  readonly health: HealthSummaryRepository;
  /** This instance's openers, one batch after another per account (one queue shared by every turn). */
  readonly openings?: OpeningQueue;
}

export interface OpenEscalationInput {
  readonly accountId: string;
  readonly form: IntakeForm;
  /**
   * Where the intake card was submitted: a channel, the card's message, and the account the channel
   * is linked to as this turn read it fresh (so it is not read again here).
   */
  readonly origin?: { readonly channelId?: string; readonly activityId?: string; readonly linkedAccountId?: string | null };
  readonly sourceMessage?: { readonly link?: string; readonly author?: string };
  /** The submitter's Teams user id, so their view of the card stays current. */
  readonly teamsUserId?: string;
}

export type OpenEscalationResult =
  | { readonly kind: 'invalid'; readonly errors: Readonly<Partial<Record<IntakeField, string>>> }
  | { readonly kind: 'created' | 'duplicate'; readonly escalation: Escalation; readonly account: Account; readonly notifications: readonly string[] };

/** A repeat of the same submission within this window returns the first escalation. */
export const intakeDuplicateWindowInMs = 10 * 60_000;
const intakeInFlightInMs = 20_000;

export function actorOf(caller: Caller): Actor {
  return { key: personKey(caller.identity), name: caller.displayName, role: caller.role };
}

/** May this caller open an escalation for the account? Its customers, its TAMs and their managers. */
export function mayOpenEscalation(caller: Caller, accountId: string): boolean {
  return (caller.role === 'customer' || caller.role === 'tam' || caller.role === 'manager') && caller.accountIds.includes(accountId);
}

/**
 * Opens an escalation: validates the form (nothing is written when it is invalid), claims the
 * submission so a retry or double click yields the same escalation, allocates the next readable
 * id without gaps or duplicates, stores it, and queues the severity A notifications.
 */
export async function openEscalation(deps: OpenEscalationDeps, caller: Caller, input: OpenEscalationInput): Promise<OpenEscalationResult> {
  if (!mayOpenEscalation(caller, input.accountId)) {
    throw new DomainError('forbidden', 'You can open escalations only for your own accounts.');
  }
  const validation = validateIntake(input.form);
  if (!validation.ok) return { kind: 'invalid', errors: validation.errors };
  const intake = validation.intake;
  const account = await deps.accounts.getAccount(input.accountId);
  if (!account) throw new DomainError('not_found', `There is no account "${input.accountId}".`, {}, input.accountId);

  const now = deps.clock.now();
  const intakeKey = fingerprintOf([account.accountId, personKey(caller.identity), intake]);
  const progress = { writeAttempted: false };
  try {
    return await createClaimed(deps, caller, input, { account, intake, intakeKey, now, progress });
  } catch (error) {
    // The attempt failed (e.g. the store did not answer). A batch that timed out may still have
    // been stored, and then whole: its intake names the escalation, answered as opened.
    if (progress.writeAttempted) {
      const stored = await deps.escalations
        .readIntake(account.accountId, intakeKey)
        .then((found) => (found?.escalationId && found.claimedAt === now.toISOString() ? deps.escalations.get(account.accountId, found.escalationId) : undefined))
        .catch(() => undefined);
      if (stored) {
        // Should this fail too, the alert sweep raises a severity A alert on its next pass.
        const notifications = stored.severity === 'A' || stored.outsideEntitlement ? await raiseAlerts(deps, escalationFindings(stored, now)).then((r) => r.queued, () => []) : [];
        return { kind: 'created', escalation: stored, account, notifications };
      }
    }
    throw error;
  }
}

/**
 * What an intake already stored means for this submission: a repeat within the window answers
 * with the escalation it opened; an older one (or one left by an attempt that never finished) is
 * replaced by this submission's, under its ETag.
 */
async function repeatOf(deps: OpenEscalationDeps, accountId: string, intakeKey: string, stored: StoredIntake | undefined, now: Date): Promise<{ existing: Escalation } | { replacing?: string }> {
  if (!stored) return {};
  const age = now.getTime() - new Date(stored.claimedAt).getTime();
  if (stored.escalationId && age < intakeDuplicateWindowInMs) {
    const existing = await deps.escalations.get(accountId, stored.escalationId);
    if (existing) return { existing };
  }
  if (!stored.escalationId && age < intakeInFlightInMs) {
    // A claim of the earlier form, without its escalation yet: that opener may still be at work.
    const existing = await deps.escalations.findByIntakeKey(accountId, intakeKey);
    if (existing) return { existing };
    throw new DomainError('conflict', 'This escalation is being opened right now; its card appears in a moment.');
  }
  return { replacing: stored.etag };
}

/** Openers of one account in this process, when the dependencies bring no queue of their own. */
const openings = new OpeningQueue();

async function createClaimed(
  deps: OpenEscalationDeps,
  caller: Caller,
  input: OpenEscalationInput,
  context: { account: Account; intake: ValidIntake; intakeKey: string; now: Date; progress: { writeAttempted: boolean } },
): Promise<OpenEscalationResult> {
  const { account, intake, intakeKey, now, progress } = context;
  const actor = actorOf(caller);
  // Independent reads, side by side: each is a round trip to the store.
  const [{ overrides, entitlement, supportHours }, channelCard, tamReferences] = await Promise.all([
    contractTerms(deps, account.accountId, now),
    channelCardFor(deps, account.accountId, input.origin),
    accountTams(deps, account.accountId).then((tams) => Promise.all(tams.map(async (tam) => ({ tam, reference: await deps.conversations.getPersonal(tam) })))),
  ]);
  const targets = slaTargetsFor(intake.severity, overrides);
  // Somebody is responsible from the first minute: the account's primary TAM.
  const primary = primaryTamOf(account, tamReferences.map((t) => t.tam));
  const watchers: Watcher[] = input.teamsUserId ? [{ key: actor.key, teamsUserId: input.teamsUserId }] : [];
  for (const { tam, reference } of tamReferences) {
    const teamsUserId = (reference?.reference.user as { id?: unknown } | undefined)?.id;
    if (typeof teamsUserId === 'string' && !watchers.some((w) => w.key === personKey(tam))) watchers.push({ key: personKey(tam), teamsUserId });
  }

  const build = (number: number): Escalation => ({
    escalationId: escalationIdFor(account.code, number),
    accountId: account.accountId,
    number,
    ...intake,
    ...(input.sourceMessage && (input.sourceMessage.link || input.sourceMessage.author) ? { sourceMessage: input.sourceMessage } : {}),
    status: 'new',
    openedBy: actor,
    openedAt: now.toISOString(),
    ...(primary ? { owner: actorOfPerson(primary) } : {}),
    ...(entitlement.covered ? {} : { outsideEntitlement: { gap: entitlement.gap } }),
    // Its clocks run in the account's support hours for its severity (SPEC 2.1).
    sla: initialSla(now, targets, clockFor(supportHoursOf(supportHours ? { supportHours } : undefined, account), intake.severity)),
    timeline: [{ at: now.toISOString(), by: actor, kind: 'opened', summary: `Opened by ${actor.name} as severity ${intake.severity}` }],
    watchers,
    version: 1,
    ...(channelCard ? { channelCard } : {}),
    recentActions: [],
    intakeKey,
    updatedAt: now.toISOString(),
  });

  // Openers of one account here take their numbers one after another (openers elsewhere are told
  // number-taken); those that arrive together are stored together. The submission's intake, the
  // escalation and the number hint go in one batch, all or nothing.
  const queue = deps.openings ?? openings;
  const stored = await (async (): Promise<{ created?: Escalation; duplicate?: Escalation }> => {
    let replacing: string | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      progress.writeAttempted = true;
      const outcome = await queue.open(deps.escalations, account.accountId, build, { key: intakeKey, claimedAt: now.toISOString(), ...(replacing ? { replacing } : {}) });
      if (outcome.kind === 'created') return { created: outcome.escalation };
      if (outcome.kind === 'gave-up') return {};
      const repeat = await repeatOf(deps, account.accountId, intakeKey, outcome.intake, now);
      if ('existing' in repeat) return { duplicate: repeat.existing };
      replacing = repeat.replacing;
    }
    return {};
  })();
  if (stored.duplicate) return { kind: 'duplicate', escalation: stored.duplicate, account, notifications: [] };
  const created = stored.created;
  if (!created) throw new DomainError('unavailable', 'Could not allocate an escalation number; please try again.');
  // A new severity A escalation is an alert at once (to the TAMs and their managers), through the
  // same store-then-send path as every other alert, so the sweep can never raise it a second time.
  // So is one opened without cover (to the account's managers).
  const notifications = created.severity === 'A' || created.outsideEntitlement ? (await raiseAlerts(deps, escalationFindings(created, now))).queued : [];
  return { kind: 'created', escalation: created, account, notifications };
}

/** The contract's SLA overrides, and whether an escalation opened now is covered by it. */
export async function contractTerms(
  deps: Pick<OpenEscalationDeps, 'contracts'>,
  accountId: string,
  now: Date,
): Promise<{ overrides: SlaOverrides; entitlement: Entitlement; supportHours?: SupportHours }> {
  const contract = await deps.contracts.getContract(accountId);
  const entries = contract ? ledgerLinesOf(contract) : [];
  return {
    overrides: contract?.slaOverrides ?? {},
    entitlement: reactiveEntitlement(contract, entries, calendarDateOf(now)),
    ...(contract?.supportHours ? { supportHours: contract.supportHours } : {}),
  };
}

async function channelCardFor(
  deps: OpenEscalationDeps,
  accountId: string,
  origin: OpenEscalationInput['origin'],
): Promise<Escalation['channelCard']> {
  if (origin?.channelId) {
    const linkedAccountId = origin.linkedAccountId !== undefined ? origin.linkedAccountId : (await deps.directory.getChannelLink(origin.channelId, { fresh: true }))?.accountId;
    if (linkedAccountId === accountId) {
      return { conversationId: origin.channelId, ...(origin.activityId ? { activityId: origin.activityId } : {}), syncedVersion: 0 };
    }
  }
  const channelId = await deps.directory.getAccountChannel(accountId);
  return channelId ? { conversationId: channelId, syncedVersion: 0 } : undefined;
}
