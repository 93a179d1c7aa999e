import type { Escalation } from '../domain/escalation';
import { maxOpenedTogether, type EscalationRepository, type OpeningIntake, type StoredIntake } from '../domain/ports';

/** What became of one submission handed to the queue. */
export type QueuedOpening =
  | { readonly kind: 'created'; readonly escalation: Escalation }
  /** Its intake is stored already (a repeat): nothing of it was written. */
  | { readonly kind: 'intake-exists'; readonly intake?: StoredIntake }
  /** No free number was found in as many tries as an opening gets. */
  | { readonly kind: 'gave-up' };

type Store = Pick<EscalationRepository, 'nextNumberHint' | 'createOpenedTogether'>;

interface Waiting {
  /** The opener's own repository (its turn's budget and meter): a batch is sent with its oldest opener's. */
  readonly store: Store;
  /** The escalation as numbered `number`. */
  readonly build: (number: number) => Escalation;
  readonly intake: OpeningIntake;
  readonly resolve: (outcome: QueuedOpening) => void;
  readonly reject: (error: unknown) => void;
  tries: number;
}

/** Tries of one opening before it gives up (each a number found taken by an opener elsewhere). */
const maxTries = 500;

/**
 * The openings of one account in this instance, stored one batch after another: none tries a
 * number another of them is storing, so ids stay gapless. The openings that arrive while a batch
 * is in flight go together in the next one (up to `maxOpenedTogether`), numbered one after
 * another: an outage that brings many customers at once costs one batch for each wave of them,
 * not one each behind the other. The batch is all or nothing: an opening whose intake is there
 * already (a repeat) is answered so and the others go again; a number taken by an opener
 * elsewhere sends the rest one at a time from the counter, as a single opening goes.
 */
export class OpeningQueue {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly draining = new Set<string>();

  open(store: Store, accountId: string, build: (number: number) => Escalation, intake: OpeningIntake): Promise<QueuedOpening> {
    return new Promise<QueuedOpening>((resolve, reject) => {
      const queue = this.waiting.get(accountId) ?? [];
      this.waiting.set(accountId, queue);
      queue.push({ store, build, intake, resolve, reject, tries: 0 });
      if (!this.draining.has(accountId)) void this.drain(accountId);
    });
  }

  private async drain(accountId: string): Promise<void> {
    this.draining.add(accountId);
    let group: Waiting[] = [];
    let size = maxOpenedTogether;
    // The lowest number not known to be taken.
    let floor = 1;
    try {
      for (;;) {
        const queue = this.waiting.get(accountId) ?? [];
        this.waiting.set(accountId, queue);
        group = [...group, ...queue.splice(0, Math.max(0, size - group.length))];
        // One at a time: the rest wait at the front of the queue, in their order.
        if (group.length > size) queue.unshift(...group.splice(size));
        if (group.length === 0) return;
        // Sent for an opener still waiting on it, whose turn's budget is still running.
        const store = group[0]!.store;
        let number: number;
        let escalations: Escalation[];
        let outcome;
        try {
          number = Math.max(floor, await store.nextNumberHint(accountId));
          escalations = group.map((w, i) => w.build(number + i));
          outcome = await store.createOpenedTogether(group.map((w, i) => ({ escalation: escalations[i]!, intake: w.intake })));
        } catch (error) {
          // The budget of the opener the batch went for ran out: it alone is told; the others go
          // again for themselves (should the batch have been stored after all, they find their intakes).
          if (isAbort(error) && group.length > 1) {
            group[0]!.reject(error);
            group = group.slice(1);
            continue;
          }
          // Nothing of the batch was written, or (timed out) all of it: each opener finds out which.
          for (const w of group) w.reject(error);
          group = [];
          continue;
        }
        if (outcome.kind === 'created') {
          for (const [i, w] of group.entries()) w.resolve({ kind: 'created', escalation: escalations[i]! });
          floor = number + group.length;
          group = [];
        } else if (outcome.kind === 'intake-exists') {
          const [repeat] = group.splice(outcome.index, 1);
          repeat?.resolve({ kind: 'intake-exists', ...(outcome.intake ? { intake: outcome.intake } : {}) });
        } else {
          // An opener elsewhere got there first: from here on one at a time, each number found taken passed over.
          floor = group.length === 1 ? number + 1 : number;
          size = 1;
          for (const w of group) w.tries += 1;
          for (const w of group.filter((x) => x.tries >= maxTries)) w.resolve({ kind: 'gave-up' });
          group = group.filter((x) => x.tries < maxTries);
        }
      }
    } catch (error) {
      // The number hint could not be read: the waiting openers fail as the store did.
      for (const w of [...group, ...(this.waiting.get(accountId) ?? []).splice(0)]) w.reject(error);
    } finally {
      this.draining.delete(accountId);
      if (this.waiting.get(accountId)?.length === 0) this.waiting.delete(accountId);
    }
  }
}

/** A request given up because its caller's budget ran out (the SDK words a batch's as a plain error). */
function isAbort(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | undefined;
  return e?.name === 'AbortError' || (typeof e?.message === 'string' && /aborted/i.test(e.message));
}
