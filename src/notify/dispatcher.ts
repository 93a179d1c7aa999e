import type { Logger } from '../domain/logger';
import { deliverDueOutbox, type DeliverOutboxDeps } from '../services/deliver-outbox';
import { queueDueCheckIns } from '../services/check-ins';
import { syncPendingEscalationCards, type SyncEscalationCardDeps } from '../services/sync-escalation-card';
import type { DirectoryRepository } from '../domain/ports';

export type DispatcherDeps = DeliverOutboxDeps & SyncEscalationCardDeps & { readonly directory: DirectoryRepository; readonly providerTenantIds: readonly string[] };

export interface DispatchReport {
  /** Check-in cards queued because a check-in came due. */
  readonly checkInsQueued: number;
  readonly delivered: number;
  readonly cardsSynced: number;
}

/**
 * Queues check-in cards that have come due, and retries what a turn could not finish: queued
 * proactive messages and channel cards that are behind their records. Runs on an interval in the process; `runOnce` is the whole of one pass.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DispatchReport> | undefined;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly logger: Logger,
  ) {}

  async runOnce(): Promise<DispatchReport> {
    // One pass at a time in this process; a pass that is still going is awaited, not doubled.
    this.running ??= (async () => {
      try {
        const checkInsQueued = await queueDueCheckIns(this.deps);
        const delivered = await deliverDueOutbox(this.deps);
        const cardsSynced = await syncPendingEscalationCards(this.deps);
        return { checkInsQueued, delivered, cardsSynced };
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  start(intervalInMs: number): void {
    if (this.timer || intervalInMs <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => this.logger.error('dispatcher.failed', { error }));
    }, intervalInMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
