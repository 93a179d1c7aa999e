import type { CardTemplates } from '../cards/card-templates';
import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import type { AccountRepository, ConversationReferenceRepository, DirectoryRepository } from '../domain/ports';
import type { TenantGate } from '../services/tenant-gate';

/** Everything the Teams edge needs, handed in by the composition root. */
export interface BotDependencies {
  readonly directory: DirectoryRepository;
  readonly accounts: AccountRepository;
  readonly conversations: ConversationReferenceRepository;
  readonly tenantGate: TenantGate;
  readonly cards: CardTemplates;
  readonly clock: Clock;
  readonly logger: Logger;
}
