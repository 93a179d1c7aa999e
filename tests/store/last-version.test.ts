import assert from 'node:assert/strict';
import { RequestMeter } from '../../src/domain/store-scope';
import { JsonLogger } from '../../src/logging/json-logger';
import type { Escalation } from '../../src/domain/escalation';
import { CosmosEscalationRepository } from '../../src/store/cosmos-escalation-repository';
import { CosmosHealthRepository } from '../../src/store/cosmos-health-repository';
import { emptyHealthFacts, summariseHealth } from '../../src/domain/account-health';
import { sampleEscalation } from '../support/samples';
import { startTestStore, type TestStore } from '../support/embedded-store';

describe('a change made again on the version this process wrote last', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await startTestStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const note = (i: number) => ({ at: new Date(Date.UTC(2026, 2, 2, 10, i)).toISOString(), by: { key: 't:a', name: 'Alex', role: 'tam' as const }, kind: 'note' as const, summary: 'Note', text: `note ${i}` });
  const withNote = (i: number) => (current: Escalation): Escalation => ({ ...current, timeline: [...current.timeline, note(i)], version: current.version + 1 });
  const texts = (e: Escalation | undefined): string[] => (e?.timeline ?? []).flatMap((t) => (t.text?.startsWith('note ') ? [t.text] : []));

  /** Someone else's write (another instance): straight through the SDK, unseen by this process's repositories. */
  async function writeElsewhere(escalation: Escalation, change: (current: Escalation) => Escalation): Promise<void> {
    const item = store.containers.accounts.item(escalation.escalationId, escalation.accountId);
    const { resource } = await item.read<Escalation & Record<string, unknown>>();
    assert.ok(resource);
    await item.replace({ ...resource, ...change(resource) });
  }

  it('writes under the ETag it wrote, without reading first: one request', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = sampleEscalation();
    await repository.create(escalation);
    const first = new RequestMeter();
    await repository.inScope({ meter: first }).update(escalation.accountId, escalation.escalationId, withNote(1));
    assert.equal(first.operations, 2, 'a read and a write the first time');
    const second = new RequestMeter();
    const changed = await repository.inScope({ meter: second }).update(escalation.accountId, escalation.escalationId, withNote(2));
    assert.equal(second.operations, 1, 'the write alone');
    assert.deepEqual(texts(changed), ['note 1', 'note 2']);
    assert.deepEqual(texts(await new CosmosEscalationRepository(store.containers.accounts).get(escalation.accountId, escalation.escalationId)), ['note 1', 'note 2']);
  });

  it('makes the change on the stored record when someone wrote it since, losing neither', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = sampleEscalation();
    await repository.create(escalation);
    await repository.update(escalation.accountId, escalation.escalationId, withNote(1));
    await writeElsewhere(escalation, withNote(2));
    const meter = new RequestMeter();
    const changed = await repository.inScope({ meter }).update(escalation.accountId, escalation.escalationId, withNote(3));
    assert.equal(meter.operations, 3, 'the write refused by its ETag, a read, the write');
    assert.deepEqual(texts(changed), ['note 1', 'note 2', 'note 3']);
    assert.deepEqual(texts(await repository.get(escalation.accountId, escalation.escalationId)), ['note 1', 'note 2', 'note 3']);
  });

  it('decides on the stored record what the version it wrote would refuse or leave as it is', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = { ...sampleEscalation(), severity: 'B' as const };
    await repository.create(escalation);
    await repository.update(escalation.accountId, escalation.escalationId, withNote(1));
    await writeElsewhere(escalation, (current) => ({ ...current, severity: 'A' }));
    // Refused on severity B (what this process wrote), allowed on A (what is stored).
    const changed = await repository.update(escalation.accountId, escalation.escalationId, (current) => {
      if (current.severity !== 'A') throw new Error('only on severity A');
      return withNote(2)(current);
    });
    assert.deepEqual(texts(changed), ['note 1', 'note 2']);
    await writeElsewhere(escalation, (current) => ({ ...current, severity: 'C' }));
    // Nothing to do on severity A (what this process wrote last), something on C (what is stored).
    const again = await repository.update(escalation.accountId, escalation.escalationId, (current) => (current.severity === 'A' ? undefined : withNote(3)(current)));
    assert.deepEqual(texts(again), ['note 1', 'note 2', 'note 3']);
    assert.equal(again.severity, 'C');
  });

  it('lands every one of several changes of one record made at once', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = sampleEscalation();
    await repository.create(escalation);
    await repository.update(escalation.accountId, escalation.escalationId, withNote(1));
    const lines: string[] = [];
    const scoped = repository.inScope({ logger: new JsonLogger('debug', { now: () => new Date() }, (line) => lines.push(line)) });
    await Promise.all([2, 3, 4].map((i) => scoped.update(escalation.accountId, escalation.escalationId, withNote(i))));
    // Only the first is tried on the version this process wrote; the others read, so at most one write meets a newer ETag.
    const refused = lines.filter((line) => line.includes('store.request') && line.includes('"status":412'));
    assert.ok(refused.length <= 1, `${refused.length} writes refused by their ETag`);
    const stored = await repository.get(escalation.accountId, escalation.escalationId);
    assert.deepEqual([...texts(stored)].sort(), ['note 1', 'note 2', 'note 3', 'note 4']);
  });

  it('writes a health summary it wrote last with one request', async () => {
    const repository = new CosmosHealthRepository(store.containers.directory);
    const now = new Date('2026-03-02T09:00:00Z');
    const summary = (open: string[]) => summariseHealth({ accountId: 'contoso', accountName: 'Contoso', complete: true, facts: { ...emptyHealthFacts, openEscalations: { A: open, B: [], C: [] } } }, now);
    await repository.update('contoso', () => summary([]));
    await repository.update('contoso', () => summary(['ESC-1']));
    const meter = new RequestMeter();
    await repository.inScope({ meter }).update('contoso', (current) => summary([...(current?.facts.openEscalations.A ?? []), 'ESC-2']));
    assert.equal(meter.operations, 1);
    assert.deepEqual((await repository.get('contoso'))?.facts.openEscalations.A, ['ESC-1', 'ESC-2']);
  });
});
