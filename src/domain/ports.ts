import type { Account, ChannelLink, Person, UserIdentity } from './directory';
import type { StoredConversationReference } from './conversation-reference';
import type { CalendarDate } from './calendar-date';
import type { Contract, LedgerEntry } from './contract';
import type { CheckIn, DeliveryPlan } from './delivery-plan';
import type { DeliveryPlanView } from './delivery-views';
import type { Alert } from './alert';
import type { AlertSettings } from './alert-settings';
import type { Escalation, TimelineEntry } from './escalation';
import type { EscalationActionName } from './escalation-lifecycle';
import type { OutboxItem } from './outbox';
import type { HealthSummary, HealthView } from './account-health';
import type { ReportClaim, ReportLinkCheck } from './report-link';
import type { EscalationHistory, ServiceReview } from './service-review';

/** People, channel links and the tenant allow-list. */
export interface DirectoryRepository {
  getPerson(identity: UserIdentity): Promise<Person | undefined>;
  upsertPerson(person: Person): Promise<void>;
  /** TAMs (and others) whose managerKey is this person's key. */
  listReports(manager: UserIdentity): Promise<Person[]>;
  /** People of the provider tenants working on an account (TAMs and others listing it). */
  listPeopleForAccount(tenantId: string, accountId: string): Promise<Person[]>;
  /**
   * The account a channel (or group chat) is linked to. `fresh` reads the store itself: whatever
   * decides where account data goes uses a fresh read, never a cached link.
   */
  getChannelLink(channelId: string, options?: { readonly fresh?: boolean }): Promise<ChannelLink | undefined>;
  /**
   * The channel most recently linked to the account, where its escalation cards are posted; only
   * while that channel's link still names the account (a pointer left by a move is cleared).
   */
  getAccountChannel(accountId: string): Promise<string | undefined>;
  /** Links a channel that has no link yet; of concurrent links exactly one is created. */
  createChannelLink(link: ChannelLink): Promise<ChannelLinkWrite>;
  /** Moves a channel's link from `fromAccountId` to `link.accountId`, only if it still names `fromAccountId`. */
  moveChannelLink(link: ChannelLink, fromAccountId: string): Promise<ChannelLinkWrite>;
  /** True when the tenant belongs to the provider or to any account's customer tenants. */
  isTenantAllowed(tenantId: string): Promise<boolean>;
  allowTenant(tenantId: string, reason: string): Promise<void>;
  /** Named one-off facts about the store itself, e.g. that the demo world was seeded. */
  getMarker(name: string): Promise<string | undefined>;
  setMarker(name: string, value: string): Promise<void>;
}

/** What a link write did: done, or the channel was linked (to `current`) already. */
export type ChannelLinkWrite = { readonly kind: 'written' } | { readonly kind: 'taken'; readonly current?: ChannelLink };

export interface AccountRepository {
  getAccount(accountId: string): Promise<Account | undefined>;
  upsertAccount(account: Account): Promise<void>;
  listAccounts(): Promise<Account[]>;
  /** The account whose code this is (ESC-<CODE>-0042), in one point read. */
  findByCode(code: string): Promise<Account | undefined>;
}

/** What saving a conversation reference did: a new conversation, a retired one back, or a refresh. */
export type ConversationSaveOutcome = 'created' | 'revived' | 'updated';

export interface ConversationReferenceRepository {
  save(reference: StoredConversationReference): Promise<ConversationSaveOutcome>;
  get(conversationId: string): Promise<StoredConversationReference | undefined>;
  /** The personal chat between the bot and this user, if the app is installed for them. */
  getPersonal(identity: UserIdentity): Promise<StoredConversationReference | undefined>;
  /**
   * Deletes each user's pointer to a personal chat that is missing, not personal, or (now) the
   * chat of someone else; returns how many were deleted. A chat keeps only its owner's pointer.
   */
  removeForeignPersonalIndexes(): Promise<number>;
  retire(conversationId: string, reason: string, at: Date): Promise<void>;
}

/** A submission's intake record: when it was first stored and, once opened, its escalation. */
export interface StoredIntake {
  readonly claimedAt: string;
  readonly escalationId?: string;
  readonly etag: string;
}

/** What storing a new escalation together with its intake came to. */
export type OpenedOutcome =
  | { readonly kind: 'created' }
  /** Another opener took the number first: nothing was written. */
  | { readonly kind: 'number-taken' }
  /** The submission's intake is there already (a repeat, or one past its window): nothing was written. */
  | { readonly kind: 'intake-exists'; readonly intake?: StoredIntake };

/** A submission's intake as it is stored with the escalation it opens; `replacing`: the ETag of an expired one it replaces. */
export interface OpeningIntake {
  readonly key: string;
  readonly claimedAt: string;
  readonly replacing?: string;
}

/** An escalation to store with its intake. */
export interface Opening {
  readonly escalation: Escalation;
  readonly intake: OpeningIntake;
}

/** What storing escalations of one account together came to: all of them, or none. */
export type OpenedTogetherOutcome =
  | { readonly kind: 'created' }
  /** Another opener took one of the numbers first: nothing was written. */
  | { readonly kind: 'number-taken' }
  /** The intake of the opening at `index` is there already: nothing was written. */
  | { readonly kind: 'intake-exists'; readonly index: number; readonly intake?: StoredIntake };

/** Escalations stored in one transactional batch: two operations each and the number hint, well within Cosmos' 100. */
export const maxOpenedTogether = 20;

export interface EscalationRepository {
  get(accountId: string, escalationId: string): Promise<Escalation | undefined>;
  /** Stores a new escalation; false when its id is taken already. */
  create(escalation: Escalation): Promise<boolean>;
  /**
   * Stores a new escalation with its submission's intake record and the number hint, together or
   * not at all. The intake is created, or, with `replacing`, replaces the expired one of that ETag.
   */
  createOpened(escalation: Escalation, intake: OpeningIntake): Promise<OpenedOutcome>;
  /**
   * Escalations of one account (numbered one after another) with their intakes and the number
   * hint, in one transactional batch: all of them or none, and which opening stopped it.
   */
  createOpenedTogether(openings: readonly Opening[]): Promise<OpenedTogetherOutcome>;
  /**
   * Starts the turn's read of an escalation a change is about to be made on, unless this process
   * holds the version the change will be tried on first (then it needs no read at all).
   */
  readAheadForChange(accountId: string, escalationId: string): void;
  /**
   * Reads, changes and writes back under the record's ETag, retrying when someone else wrote
   * in between, so concurrent changes all land. `change` returns undefined to leave it as is; it
   * may be called more than once, and what it throws is thrown. A record that is not there is
   * refused with an error whose `code` is 404.
   */
  update(accountId: string, escalationId: string, change: (current: Escalation) => Escalation | undefined): Promise<Escalation>;
  listOpen(accountId: string): Promise<Escalation[]>;
  /** The whole timeline, oldest first: the entries moved out of the item and those still in it. */
  listTimeline(accountId: string, escalationId: string): Promise<TimelineEntry[]>;
  /**
   * The account's escalations that may have had anything between `start` and `end` (opened before
   * the end, and open now, resolved since the start, or with a response deadline since the start),
   * each with its whole timeline: single-partition queries on indexed fields.
   */
  listForPeriod(accountId: string, start: Date, end: Date): Promise<EscalationHistory[]>;
  findByIntakeKey(accountId: string, intakeKey: string): Promise<Escalation | undefined>;
  /** The number to try first for the next escalation of the account. */
  nextNumberHint(accountId: string): Promise<number>;
  recordNumberUsed(accountId: string, number: number): Promise<void>;
  /** A submission's intake record, when there is one. */
  readIntake(accountId: string, intakeKey: string): Promise<StoredIntake | undefined>;
  /** Escalations whose channel card is behind their record. */
  listCardSyncPending(limit: number): Promise<{ accountId: string; escalationId: string }[]>;
  /** Escalations with an alert threshold due by `now`, earliest first (an indexed query on alertCheckAt). */
  listDueForAlerts(now: Date, limit: number): Promise<{ accountId: string; escalationId: string }[]>;
}

export interface OutboxRepository {
  /** Queues an item; false when an item with this id exists already (it is not queued twice). */
  enqueue(item: OutboxItem): Promise<boolean>;
  get(id: string): Promise<OutboxItem | undefined>;
  update(id: string, change: (current: OutboxItem) => OutboxItem | undefined): Promise<OutboxItem | undefined>;
  listDue(now: Date, limit: number): Promise<OutboxItem[]>;
  /** What still waits for a person (e.g. because they had not installed the app), oldest first. */
  listPendingFor(target: { readonly tenantId: string; readonly aadObjectId: string }, limit: number): Promise<OutboxItem[]>;
  /** The alert's cards that went out (first notices and reminders), with the activity id of each. */
  listSentAlertCards(accountId: string, alertId: string): Promise<OutboxItem[]>;
}

/** What came of one attempt to deliver a message to Teams. */
export type DeliveryResult =
  | { readonly status: 'sent'; readonly activityId: string }
  | { readonly status: 'gone'; readonly reason: string }
  | {
      readonly status: 'retry';
      readonly error: string;
      readonly retryAfterInMs?: number;
      /** The request left but no answer came in time: Teams may have posted it (a retry may show it twice). */
      readonly outcomeUnknown?: boolean;
    };

/** The escalation's channel message (the customer-safe view), rendered by the Teams edge from the record. */
export interface EscalationCardMessage {
  readonly kind: 'escalation';
  readonly escalation: Escalation;
  readonly accountName: string;
  readonly headline?: string;
  /** Teams user ids whose clients refresh the card into their own view. */
  readonly refreshUserIds: readonly string[];
  /** The account's zone, which everyone in the conversation reads the card's times in (default UTC). */
  readonly timeZone?: string;
}

/** The check-in card a TAM gets in personal chat when a check-in is due. */
export interface CheckInCardMessage {
  readonly kind: 'check-in';
  readonly view: DeliveryPlanView;
  readonly dueDate: CalendarDate;
}

/** The customer-facing summary of a check-in, posted to the account channel. */
export interface PlanSummaryCardMessage {
  readonly kind: 'plan-summary';
  readonly view: DeliveryPlanView;
  readonly checkIn: CheckIn;
}

/** An alert, with the records it is about, for the person addressed. */
export interface AlertCardMessage {
  readonly kind: 'alert';
  readonly alert: Alert;
  readonly accountName: string;
  readonly escalation?: Escalation;
  readonly reminder: boolean;
  /** The recipient's zone for the times the card shows (default UTC). */
  readonly timeZone?: string;
}

/** A person's daily digest of open normal alerts, grouped by account. */
export interface DigestCardMessage {
  readonly kind: 'digest';
  readonly groups: readonly { readonly accountName: string; readonly alerts: readonly Alert[] }[];
  readonly localDate: string;
}

/** An escalation handed to its new owner, in their own view: the hand-over as its headline. */
export interface EscalationAssignedMessage {
  readonly kind: 'escalation-assigned';
  readonly escalation: Escalation;
  readonly accountName: string;
  readonly headline: string;
  readonly view: 'provider' | 'manager';
  readonly actions: readonly EscalationActionName[];
  /** The new owner's zone for the card's times (default UTC). */
  readonly timeZone?: string;
}

/**
 * A turn's answer that waited in the outbox: the activity as the turn prepared it, already decided
 * by the audience step for the conversation it answers (so it may land in a shared one).
 */
export interface QueuedReplyMessage {
  readonly kind: 'reply';
  readonly activity: Readonly<Record<string, unknown>>;
  /** The message it answers, to reply in its thread. */
  readonly replyToId?: string;
}

/** A month's service review in the customer view, posted to the account's channel. */
export interface ReviewCardMessage {
  readonly kind: 'review';
  readonly review: ServiceReview;
  /** The signed link to its PDF in the customer view; absent when reports are off. */
  readonly pdfLink?: string;
  readonly postedBy: string;
}

export type CardMessage = EscalationCardMessage | EscalationAssignedMessage | CheckInCardMessage | PlanSummaryCardMessage | AlertCardMessage | DigestCardMessage | QueuedReplyMessage | ReviewCardMessage;

/**
 * The view a proactive card is rendered in, decided by the audience rule (domain/audience.ts)
 * before anything is sent: `own` only in the recipient's own personal chat, `customer-safe` in a
 * conversation linked to the card's account.
 */
export type ProactiveView = 'own' | 'customer-safe';

/** Sends cards to Teams conversations through stored references. */
export interface TeamsMessenger {
  post(reference: StoredConversationReference, message: CardMessage, view: ProactiveView): Promise<DeliveryResult>;
  update(reference: StoredConversationReference, activityId: string, message: CardMessage, view: ProactiveView): Promise<DeliveryResult>;
}

export interface ContractRepository {
  /** The account's current contract. */
  getContract(accountId: string): Promise<Contract | undefined>;
  upsertContract(contract: Contract): Promise<void>;
  /** Read-change-write under the contract's ETag, retried on conflicts; undefined from `change` leaves it. Undefined when there is no contract. */
  updateContract(accountId: string, change: (current: Contract) => Contract | undefined): Promise<Contract | undefined>;
  listEntries(accountId: string, contractId: string): Promise<LedgerEntry[]>;
  getEntry(accountId: string, entryId: string): Promise<LedgerEntry | undefined>;
  /** Appends an entry; false when an entry with this id exists (the ledger is append-only). */
  createEntry(entry: LedgerEntry): Promise<boolean>;
  /** Appends entries with their count in the contract's summary, together; false for each id there already. */
  createEntries(accountId: string, entries: readonly LedgerEntry[]): Promise<boolean[]>;
  /**
   * The entries and the contract's count of them as a part of another write's transactional batch
   * in the account's partition (a check-in's): at most `maxLedgerPartEntries` entries.
   */
  ledgerPart(accountId: string, entries: readonly LedgerEntry[]): LedgerBatchPart;
  /** Contracts due for the alert rules by `now`. */
  listDueForAlerts(now: Date, limit: number): Promise<string[]>;
  /** The rules have seen the contract as of `cursor`, at this ledger version. */
  markAlertsSeen(accountId: string, cursor: string, ledgerVersion: number): Promise<void>;
}

/** At most this many entries go in one batch beside another write's operations. */
export const maxLedgerPartEntries = 90;

/** Operations another repository adds to a transactional batch of the same partition, and what their results mean. */
export interface LedgerBatchPart {
  /** The operations, as the store writes them, from the records as they are now (read again on every attempt). */
  prepare(): Promise<readonly unknown[]>;
  /**
   * The results of those operations, in order: stored; to be tried again (an entry there already
   * drops out, counted once; the contract changed meanwhile); or failed.
   */
  settle(statuses: readonly number[]): 'stored' | 'again' | 'failed';
}

export interface DeliveryPlanRepository {
  getPlan(accountId: string): Promise<DeliveryPlan | undefined>;
  /** Stores a new plan; false when the account has one already. */
  createPlan(plan: DeliveryPlan): Promise<boolean>;
  /** Read-change-write under the plan's ETag, retried on conflicts; undefined from `change` leaves it. */
  updatePlan(accountId: string, change: (current: DeliveryPlan) => DeliveryPlan | undefined): Promise<DeliveryPlan>;
  getCheckIn(accountId: string, dueDate: CalendarDate): Promise<CheckIn | undefined>;
  /** Records a check-in; false when the one for this due date exists. */
  createCheckIn(checkIn: CheckIn): Promise<boolean>;
  updateCheckIn(accountId: string, dueDate: CalendarDate, change: (current: CheckIn) => CheckIn | undefined): Promise<CheckIn | undefined>;
  /**
   * Records a check-in and moves the plan on with it, in one transactional batch with the ledger
   * entries of its hours when given: all or none. False (and nothing written) when the check-in
   * for that due date exists.
   */
  recordCheckIn(checkIn: CheckIn, change: (current: DeliveryPlan) => DeliveryPlan | undefined, ledger?: LedgerBatchPart): Promise<boolean>;
  /** The account's check-ins due from `from` to `to` (both included), earliest first. */
  listCheckIns(accountId: string, from: CalendarDate, to: CalendarDate): Promise<CheckIn[]>;
  /** Plans whose next check-in is due on or before `today` (background sweep). */
  listPlansDueForCheckIn(today: CalendarDate, limit: number): Promise<{ accountId: string; nextCheckInDue: CalendarDate }[]>;
  /** Plans due for the alert rules by `now`. */
  listDueForAlerts(now: Date, limit: number): Promise<string[]>;
}

export interface AlertRepository {
  /** Stores a new alert; false when one with its key exists (each alert is raised once). */
  create(alert: Alert): Promise<boolean>;
  get(accountId: string, alertId: string): Promise<Alert | undefined>;
  update(accountId: string, alertId: string, change: (current: Alert) => Alert | undefined): Promise<Alert | undefined>;
  /** Open and acknowledged alerts about the account's contract, plan, or one escalation (to resolve those whose condition has cleared). */
  listUnresolvedAbout(accountId: string, subject: { readonly kind: Alert['subject']['kind']; readonly escalationId?: string }): Promise<Alert[]>;
  /** Every occurrence of one condition after the first (the first has the bare key as its id). */
  listLaterOccurrences(accountId: string, findingKey: string): Promise<Alert[]>;
  /** The account's most recent alerts (or those not resolved yet), newest first. */
  listRecent(accountId: string, limit: number, options?: { readonly unresolvedOnly?: boolean }): Promise<Alert[]>;
  /** Open normal alerts of the account raised at or after `since`. */
  listOpenNormalSince(accountId: string, since: Date): Promise<Alert[]>;
  /** Every alert about one escalation, resolved too, newest first (their cards show its state). */
  listAboutEscalation(accountId: string, escalationId: string, limit: number): Promise<Alert[]>;
  /** Alerts whose cards show an older state than the alert's (an indexed flag). */
  listCardsBehind(limit: number): Promise<Alert[]>;
  /** Critical alerts whose next reminder is due. */
  listRemindersDue(now: Date, limit: number): Promise<Alert[]>;
}

export interface AlertSettingsRepository {
  get(personKey: string): Promise<AlertSettings | undefined>;
  upsert(settings: AlertSettings): Promise<void>;
  listDigestsDue(now: Date, limit: number): Promise<AlertSettings[]>;
}

/** A lease that one instance holds at a time; an expired one can be taken over. */
export interface LeaseRepository {
  acquire(name: string, holder: string, now: Date, ttlInMs: number): Promise<boolean>;
}

/** What the portfolio shows of one account, read from its health summary alone. */
export interface PortfolioEntry {
  readonly accountId: string;
  /** False until the summary was computed from every record of the account ("not scored yet"). */
  readonly complete: boolean;
  readonly view: HealthView;
}

/** Account health summaries, all in one partition of the directory: a portfolio is one single-partition query. */
export interface HealthSummaryRepository {
  get(accountId: string): Promise<HealthSummary | undefined>;
  /** Read-change-write under the ETag, created when missing; undefined from `change` writes nothing. */
  update(accountId: string, change: (current: HealthSummary | undefined) => HealthSummary | undefined): Promise<HealthSummary | undefined>;
  /** What the portfolio shows of these accounts (of every account: 'all'), in one query. */
  listEntries(accountIds: readonly string[] | 'all'): Promise<PortfolioEntry[]>;
  /** Summaries whose healthCheckAt has come, earliest first (an indexed query). */
  listDue(now: Date, limit: number): Promise<HealthSummary[]>;
  /** The accounts that have a summary. */
  listAccountIds(): Promise<string[]>;
}

/** Signed links to reports (GET /reports/...): made for a claim, checked when one is opened. */
export interface ReportLinks {
  /** The link to the review's PDF for this claim, signed; it expires at `claim.expiresAt`. */
  reviewPdf(claim: ReportClaim): string;
  check(token: string, now: Date): ReportLinkCheck;
}

/** Cached records read near the end of their lifetime, to be read again behind a turn's answer. */
export interface CacheRefresh {
  readonly pending: boolean;
  run(): Promise<void>;
}
