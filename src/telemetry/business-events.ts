import type { Escalation } from '../domain/escalation';
import type { Alert } from '../domain/alert';
import type { OutboxItem } from '../domain/outbox';
import type { AlertRepository, EscalationRepository, Opening, OpeningIntake, OutboxRepository } from '../domain/ports';

/**
 * What happened that operations wants to count and chart: ids, kinds and reasons, never a title,
 * a note or anything else a person wrote.
 */
export type BusinessEvent =
  | { readonly name: 'escalation.opened'; readonly accountId: string; readonly escalationId: string; readonly severity: string }
  | { readonly name: 'escalation.acknowledged'; readonly accountId: string; readonly escalationId: string }
  | { readonly name: 'escalation.breached'; readonly accountId: string; readonly escalationId: string; readonly alertId: string }
  | { readonly name: 'alert.sent'; readonly accountId: string; readonly alertId: string; readonly reminder: boolean }
  | { readonly name: 'alert.undeliverable'; readonly accountId: string; readonly alertId: string; readonly reason: string };

export interface BusinessEvents {
  record(event: BusinessEvent): void;
}

/**
 * Decorates the repositories whose writes are these events: an escalation created or moved to
 * acknowledged, a breach alert created, an alert's message marked sent or undeliverable. An event
 * is reported when the store has taken the write, so each is reported once (a repeated create
 * returns false) and no service needs to know telemetry exists. Scoped copies (`inScope`) are
 * decorated too.
 */
export function reportingTo(events: BusinessEvents | undefined): {
  escalations<T extends EscalationRepository>(repository: T): T;
  alerts<T extends AlertRepository>(repository: T): T;
  outbox<T extends OutboxRepository>(repository: T): T;
} {
  if (!events) return { escalations: (r) => r, alerts: (r) => r, outbox: (r) => r };
  const report = (event: BusinessEvent): void => {
    try {
      events.record(event);
    } catch {
      // Telemetry never fails the write it describes.
    }
  };

  const escalations = <T extends EscalationRepository>(repository: T): T =>
    decorate(repository, escalations, {
      create: async (escalation: Escalation) => {
        const created = await repository.create(escalation);
        if (created) report({ name: 'escalation.opened', accountId: escalation.accountId, escalationId: escalation.escalationId, severity: escalation.severity });
        return created;
      },
      createOpened: async (escalation: Escalation, intake: OpeningIntake) => {
        const outcome = await repository.createOpened(escalation, intake);
        if (outcome.kind === 'created') report({ name: 'escalation.opened', accountId: escalation.accountId, escalationId: escalation.escalationId, severity: escalation.severity });
        return outcome;
      },
      createOpenedTogether: async (openings: readonly Opening[]) => {
        const outcome = await repository.createOpenedTogether(openings);
        if (outcome.kind === 'created') {
          for (const { escalation } of openings) report({ name: 'escalation.opened', accountId: escalation.accountId, escalationId: escalation.escalationId, severity: escalation.severity });
        }
        return outcome;
      },
      update: async (accountId: string, escalationId: string, change: (current: Escalation) => Escalation | undefined) => {
        // The change may run again on a conflict: the last run is the one stored.
        let acknowledged = false;
        const stored = await repository.update(accountId, escalationId, (current) => {
          const next = change(current);
          acknowledged = next !== undefined && current.status !== 'acknowledged' && next.status === 'acknowledged';
          return next;
        });
        if (acknowledged) report({ name: 'escalation.acknowledged', accountId, escalationId });
        return stored;
      },
    });

  const alerts = <T extends AlertRepository>(repository: T): T =>
    decorate(repository, alerts, {
      create: async (alert: Alert) => {
        const created = await repository.create(alert);
        if (created && alert.rule === 'sla-breached' && alert.subject.kind === 'escalation') {
          report({ name: 'escalation.breached', accountId: alert.accountId, escalationId: alert.subject.escalationId, alertId: alert.alertId });
        }
        return created;
      },
    });

  const outbox = <T extends OutboxRepository>(repository: T): T =>
    decorate(repository, outbox, {
      update: async (id: string, change: (current: OutboxItem) => OutboxItem | undefined) => {
        let finished: { before: OutboxItem; after: OutboxItem } | undefined;
        const stored = await repository.update(id, (current) => {
          const next = change(current);
          finished = next && current.status === 'pending' && next.status !== 'pending' ? { before: current, after: next } : undefined;
          return next;
        });
        const intent = finished?.after.intent;
        if (finished && intent?.kind === 'alert') {
          if (finished.after.status === 'sent') report({ name: 'alert.sent', accountId: intent.accountId, alertId: intent.alertId, reminder: intent.occurrence > 0 });
          if (finished.after.status === 'undeliverable') {
            report({ name: 'alert.undeliverable', accountId: intent.accountId, alertId: intent.alertId, reason: (finished.after.lastError ?? 'unknown').slice(0, 200) });
          }
        }
        return stored;
      },
    });

  return { escalations, alerts, outbox };
}

/** The repository with some methods replaced; `inScope` (a scoped copy) comes back decorated the same way. */
function decorate<T extends object>(repository: T, again: (scoped: T) => T, overrides: Readonly<Record<string, unknown>>): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property];
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'inScope') return (...args: unknown[]) => again(Reflect.apply(value, target, args) as T);
      return (...args: unknown[]) => Reflect.apply(value, target, args) as unknown;
    },
  });
}
