import { addBusinessMinutes, businessMsBetween, type ClockHours } from './business-time';
import { isOpen, type Escalation, type TimelineEntry } from './escalation';
import { clockOf } from './escalation-sla';

/** One SLA deadline of an escalation and whether it was met; `derived` when worked out from an older timeline. */
export interface DeadlineOutcome {
  readonly dueAt: Date;
  readonly met: boolean;
  readonly derived: boolean;
}

const providerRoles = new Set(['tam', 'manager']);

/**
 * The response deadline's outcome as of `now`: met or missed once responded; missed once passed
 * without a response; undefined while it still runs (or when none was owed).
 */
export function responseOutcome(escalation: Pick<Escalation, 'sla' | 'status'>, now: Date): DeadlineOutcome | undefined {
  const dueAt = new Date(escalation.sla.responseDueAt);
  if (escalation.sla.respondedAt) return { dueAt, met: new Date(escalation.sla.respondedAt).getTime() <= dueAt.getTime(), derived: false };
  if (!isOpen(escalation.status)) return undefined;
  return now.getTime() > dueAt.getTime() ? { dueAt, met: false, derived: false } : undefined;
}

/**
 * Every update deadline the escalation had, as of `now`, each once: answered by the provider's
 * acknowledgement, update or resolution that followed it (met when that came by the deadline), or
 * passed unanswered while it is still open (missed). Entries recorded since the service review
 * carry the deadline they answered; for older entries the deadline is worked out from the timeline:
 * one cadence after each provider update, on the escalation's present clock and targets (a severity
 * or support-hours change before then is not replayed), and marked derived.
 */
export function updateDeadlines(escalation: Pick<Escalation, 'sla' | 'status'>, timeline: readonly TimelineEntry[], now: Date): DeadlineOutcome[] {
  const clock = clockOf(escalation.sla);
  const cadence = escalation.sla.targets.updateCadenceMinutes;
  const outcomes: DeadlineOutcome[] = [];
  let open = true;
  let derivedDue: Date | undefined;
  const restart = (at: Date): void => {
    derivedDue = addBusinessMinutes(clock, at, cadence);
  };
  for (const entry of timeline) {
    const at = new Date(entry.at);
    if (entry.updateClock) {
      const answered = entry.updateClock.answered;
      if (answered) outcomes.push({ dueAt: new Date(answered.dueAt), met: answered.met, derived: false });
      if (entry.kind === 'resolved') {
        open = false;
        derivedDue = undefined;
      } else restart(at);
      continue;
    }
    switch (entry.kind) {
      case 'acknowledged':
      case 'note':
      case 'status': {
        const provider = entry.kind === 'acknowledged' || providerRoles.has(entry.by.role);
        if (!provider || !open) break;
        if (derivedDue) outcomes.push({ dueAt: derivedDue, met: at.getTime() <= derivedDue.getTime(), derived: true });
        restart(at);
        break;
      }
      case 'resolved':
        if (derivedDue) outcomes.push({ dueAt: derivedDue, met: at.getTime() <= derivedDue.getTime(), derived: true });
        derivedDue = undefined;
        open = false;
        break;
      case 'closed':
        open = false;
        derivedDue = undefined;
        break;
      case 'reopened':
        open = true;
        restart(at);
        break;
      default:
        break;
    }
  }
  // The deadline running now is the record's own: missed once it has passed.
  const running = escalation.sla.nextUpdateDueAt;
  if (isOpen(escalation.status) && running && new Date(running).getTime() < now.getTime()) {
    outcomes.push({ dueAt: new Date(running), met: false, derived: false });
  }
  return outcomes;
}

/** How long the first response took, on the escalation's clock (business time on a business clock). */
export function timeToAcknowledge(escalation: Pick<Escalation, 'sla' | 'openedAt'>): { readonly at: Date; readonly ms: number; readonly clock: ClockHours } | undefined {
  const responded = escalation.sla.respondedAt;
  if (!responded) return undefined;
  const clock = clockOf(escalation.sla);
  const at = new Date(responded);
  return { at, ms: businessMsBetween(clock, new Date(escalation.openedAt), at), clock };
}

/** The escalation's resolutions, oldest first (a reopened one may have several). */
export function resolutions(timeline: readonly TimelineEntry[]): Date[] {
  return timeline.filter((t) => t.kind === 'resolved').map((t) => new Date(t.at));
}
