import type { Logger } from '../domain/logger';
import type { LeaseRepository } from '../domain/ports';
import { runAlertSweep, type SweepDeps, type SweepReport } from '../services/alerts';
import { queueDueCheckIns } from '../services/check-ins';
import { deliverDueOutbox, type DeliverOutboxDeps } from '../services/deliver-outbox';
import { syncPendingEscalationCards, type SyncEscalationCardDeps } from '../services/sync-escalation-card';

export type DispatcherDeps = DeliverOutboxDeps & SyncEscalationCardDeps & SweepDeps & { readonly leases: LeaseRepository };

export interface DispatchReport {
  /** False when another instance holds the sweep lease: this one did nothing. */
  readonly ran: boolean;
  readonly sweep?: SweepReport;
  /** Check-in cards queued because a check-in came due. */
  readonly checkInsQueued: number;
  readonly delivered: number;
  readonly cardsSynced: number;
}

export const sweepLease = 'alert-sweep';

/**
 * The scheduler inside the bot. One pass: take the sweep lease (only one instance sweeps at a
 * time; a dead holder's lease runs out and another takes over), run the alert rules over what
 * has come due, queue due check-ins, deliver the outbox within the Teams limits, and bring stale
 * channel cards up to date. Runs at start and on an interval; `runOnce` is also what the HTTP trigger calls.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DispatchReport> | undefined;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly logger: Logger,
    private readonly leaseTtlInMs = 120_000,
  ) {}

  async runOnce(): Promise<DispatchReport> {
    // One pass at a time in this process; a pass that is still going is awaited, not doubled.
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<DispatchReport> {
    const holds = (): Promise<boolean> => this.deps.leases.acquire(sweepLease, this.deps.instanceId, this.deps.clock.now(), this.leaseTtlInMs);
    if (!(await holds())) return { ran: false, checkInsQueued: 0, delivered: 0, cardsSynced: 0 };
    const sweep = await runAlertSweep(this.deps);
    if (!(await holds())) return { ran: true, sweep, checkInsQueued: 0, delivered: 0, cardsSynced: 0 };
    const checkInsQueued = await queueDueCheckIns(this.deps);
    const delivered = await deliverDueOutbox(this.deps);
    const cardsSynced = await syncPendingEscalationCards(this.deps);
    if (sweep.alertsRaised > 0 || delivered > 0) this.logger.info('dispatcher.pass', { ...sweep, checkInsQueued, delivered, cardsSynced });
    return { ran: true, sweep, checkInsQueued, delivered, cardsSynced };
  }

  /**
   * Runs a pass at once, then every interval (0: never, the HTTP trigger's job). The first pass is
   * not awaited: start-up goes on while it sweeps, and a fresh start shows what is due without
   * waiting a whole interval.
   */
  start(intervalInMs: number): void {
    if (this.timer || intervalInMs <= 0) return;
    const pass = (): void => {
      this.runOnce().catch((error: unknown) => this.logger.error('dispatcher.failed', { error }));
    };
    this.timer = setInterval(pass, intervalInMs);
    this.timer.unref();
    pass();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
