import type { Logger } from '../domain/logger';

/**
 * Work started by a turn that must not hold up the reply (proactive notifications, channel
 * card updates). Failures are logged; what they were doing is recorded in Cosmos and retried
 * by the dispatcher. `idle()` lets tests and shutdown wait for it all to finish.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    const task: Promise<void> = work().then(
      () => undefined,
      (error: unknown) => this.logger.error('background.failed', { task: name, error }),
    );
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
