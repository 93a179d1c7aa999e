import type { CardTemplates } from '../cards/card-templates';
import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import type {
  AccountRepository,
  CacheRefresh,
  AlertRepository,
  AlertSettingsRepository,
  ContractRepository,
  ConversationReferenceRepository,
  DeliveryPlanRepository,
  DirectoryRepository,
  EscalationRepository,
  HealthSummaryRepository,
  OutboxRepository,
  ReportLinks,
  TeamsMessenger,
} from '../domain/ports';
import type { TenantGate } from '../services/tenant-gate';
import type { OpeningQueue } from '../services/opening-queue';
import type { StoreScope } from '../domain/store-scope';

/** Everything the Teams edge needs, handed in by the composition root. */
export interface BotDependencies {
  readonly directory: DirectoryRepository;
  readonly accounts: AccountRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly escalations: EscalationRepository;
  readonly contracts: ContractRepository;
  readonly plans: DeliveryPlanRepository;
  readonly alerts: AlertRepository;
  readonly alertSettings: AlertSettingsRepository;
  readonly outbox: OutboxRepository;
  /** Account health summaries (the portfolio reads them; escalation changes write them). */
  readonly health: HealthSummaryRepository;
  readonly messenger: TeamsMessenger;
  readonly tenantGate: TenantGate;
  readonly cards: CardTemplates;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This instance's escalation openers, one batch after another per account, shared by every turn. */
  readonly openings?: OpeningQueue;
  /** Work that must not hold up the answer; it runs with the unscoped dependencies. */
  readonly background: Background;
  /** Cached records the turn read near the end of their lifetime, read again once it has answered. */
  readonly cacheRefresh?: CacheRefresh;
  /** The repositories again, every store call made for `scope` (a turn's budget and meter). */
  readonly repositoriesFor: (scope: StoreScope) => StoreRepositories;
  /** A new turn's store budget: aborts when its store calls have taken as long as they may in all. */
  readonly turnStoreBudget: () => AbortSignal;
  readonly providerTenantIds: readonly string[];
  /** 0..1, for retry jitter. */
  readonly random: () => number;
  /** This process, for claims on outbox items. */
  readonly instanceId: string;
  /** With telemetry on, the active trace's id: a turn's correlation id, so its log lines and its request telemetry share one id. */
  readonly traceId?: () => string | undefined;
  /** Signs links to report PDFs (GET /reports/...); absent when REPORT_LINK_SECRET or PUBLIC_BASE_URL is not set. */
  readonly reportLinks?: ReportLinks;
}

export type StoreRepositories = Pick<BotDependencies, 'directory' | 'accounts' | 'conversations' | 'escalations' | 'contracts' | 'plans' | 'alerts' | 'alertSettings' | 'outbox' | 'health'>;

/**
 * Work started by a turn that must not hold up its answer. It is handed the dependencies without
 * the turn's store budget: it may outlive the turn, and the dispatcher retries what it records.
 */
export interface Background {
  run(name: string, work: (detached: BotDependencies) => Promise<unknown>): void;
}
