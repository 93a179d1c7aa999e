import type { CardTemplates } from '../cards/card-templates';
import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import type {
  AccountRepository,
  AlertRepository,
  AlertSettingsRepository,
  ContractRepository,
  ConversationReferenceRepository,
  DeliveryPlanRepository,
  DirectoryRepository,
  EscalationRepository,
  OutboxRepository,
  TeamsMessenger,
} from '../domain/ports';
import type { TenantGate } from '../services/tenant-gate';
import type { BackgroundWork } from './background-work';

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
  readonly messenger: TeamsMessenger;
  readonly tenantGate: TenantGate;
  readonly cards: CardTemplates;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly background: BackgroundWork;
  readonly providerTenantIds: readonly string[];
  /** 0..1, for retry jitter. */
  readonly random: () => number;
  /** This process, for claims on outbox items. */
  readonly instanceId: string;
}
