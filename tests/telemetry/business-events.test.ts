import assert from 'node:assert/strict';
import type { Alert } from '../../src/domain/alert';
import type { Escalation } from '../../src/domain/escalation';
import type { OutboxItem } from '../../src/domain/outbox';
import type { AlertRepository, EscalationRepository, OutboxRepository } from '../../src/domain/ports';
import { reportingTo, type BusinessEvent } from '../../src/telemetry/business-events';

/** A store of one kind of record, with the create/update contract of the ports (create: false when present). */
class Records<T> {
  readonly items = new Map<string, T>();
  scopes = 0;
  constructor(private readonly idOf: (item: T) => string) {}
  create(item: T): Promise<boolean> {
    if (this.items.has(this.idOf(item))) return Promise.resolve(false);
    this.items.set(this.idOf(item), item);
    return Promise.resolve(true);
  }
  change(id: string, change: (current: T) => T | undefined): Promise<T | undefined> {
    const current = this.items.get(id);
    if (!current) return Promise.resolve(undefined);
    const next = change(current);
    if (next) this.items.set(id, next);
    return Promise.resolve(next ?? current);
  }
  inScope(): this {
    this.scopes += 1;
    return this;
  }
}

class Escalations extends Records<Escalation> {
  update(_accountId: string, id: string, change: (current: Escalation) => Escalation | undefined): Promise<Escalation | undefined> {
    return this.change(id, change);
  }
}
class Outbox extends Records<OutboxItem> {
  update(id: string, change: (current: OutboxItem) => OutboxItem | undefined): Promise<OutboxItem | undefined> {
    return this.change(id, change);
  }
}

const escalation = { accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001', severity: 'A', status: 'new', title: 'Mail flow stopped' } as unknown as Escalation;
const breach = { accountId: 'contoso', alertId: 'sla-breached:response:ESC-CONTOSO-0001:x#1', rule: 'sla-breached', subject: { kind: 'escalation', escalationId: 'ESC-CONTOSO-0001' } } as unknown as Alert;
const alertItem = (id: string, occurrence = 0): OutboxItem =>
  ({ id, status: 'pending', intent: { kind: 'alert', accountId: 'contoso', alertId: breach.alertId, occurrence }, attempts: 0 }) as unknown as OutboxItem;

describe('business events from the repositories', () => {
  let events: BusinessEvent[];
  let record: ReturnType<typeof reportingTo>;

  beforeEach(() => {
    events = [];
    record = reportingTo({ record: (event) => events.push(event) });
  });

  it('reports an escalation opened once, when the store creates it, and none of its text', async () => {
    const escalations = record.escalations(new Escalations((e) => e.escalationId) as unknown as EscalationRepository);
    assert.equal(await escalations.create(escalation), true);
    assert.equal(await escalations.create(escalation), false);
    assert.deepEqual(events, [{ name: 'escalation.opened', accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001', severity: 'A' }]);
  });

  it('reports an acknowledgement when a change moves the escalation to acknowledged, through a scoped copy too', async () => {
    const inner = new Escalations((e) => e.escalationId);
    inner.items.set(escalation.escalationId, escalation);
    const scoped = (record.escalations(inner as unknown as EscalationRepository) as unknown as Escalations).inScope() as unknown as EscalationRepository;
    assert.equal(inner.scopes, 1);
    await scoped.update('contoso', escalation.escalationId, (e) => ({ ...e, status: 'acknowledged' }));
    await scoped.update('contoso', escalation.escalationId, (e) => ({ ...e, status: 'acknowledged', version: 2 }));
    await scoped.update('contoso', escalation.escalationId, () => undefined);
    assert.deepEqual(events, [{ name: 'escalation.acknowledged', accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001' }]);
  });

  it('reports a breach when a breach alert is created, and no other alert', async () => {
    const alerts = record.alerts(new Records<Alert>((a) => a.alertId) as unknown as AlertRepository);
    await alerts.create({ ...breach, alertId: 'sla-at-risk#1', rule: 'sla-at-risk' });
    await alerts.create(breach);
    await alerts.create(breach);
    assert.deepEqual(events, [{ name: 'escalation.breached', accountId: 'contoso', escalationId: 'ESC-CONTOSO-0001', alertId: breach.alertId }]);
  });

  it('reports an alert sent or undeliverable when its outbox item ends so, and nothing for other messages', async () => {
    const inner = new Outbox((i) => i.id);
    for (const item of [alertItem('a'), alertItem('b', 1), alertItem('c'), { ...alertItem('d'), intent: { kind: 'check-in', accountId: 'contoso', dueDate: '2026-03-02' } } as OutboxItem]) inner.items.set(item.id, item);
    const outbox = record.outbox(inner as unknown as OutboxRepository);
    await outbox.update('a', (i) => ({ ...i, claimedBy: 'me' }));
    await outbox.update('a', (i) => ({ ...i, status: 'sent' }));
    await outbox.update('b', (i) => ({ ...i, status: 'sent' }));
    await outbox.update('c', (i) => ({ ...i, status: 'undeliverable', lastError: 'conversation retired: bot removed' }));
    await outbox.update('d', (i) => ({ ...i, status: 'sent' }));
    assert.deepEqual(events, [
      { name: 'alert.sent', accountId: 'contoso', alertId: breach.alertId, reminder: false },
      { name: 'alert.sent', accountId: 'contoso', alertId: breach.alertId, reminder: true },
      { name: 'alert.undeliverable', accountId: 'contoso', alertId: breach.alertId, reason: 'conversation retired: bot removed' },
    ]);
  });

  it('leaves the repositories as they are without telemetry, and never fails a write because reporting did', async () => {
    const plain = new Escalations((e) => e.escalationId) as unknown as EscalationRepository;
    assert.equal(reportingTo(undefined).escalations(plain), plain);
    const failing = reportingTo({
      record: () => {
        throw new Error('exporter broke');
      },
    }).escalations(new Escalations((e) => e.escalationId) as unknown as EscalationRepository);
    assert.equal(await failing.create(escalation), true);
  });
});
