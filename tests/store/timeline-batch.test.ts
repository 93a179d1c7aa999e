import assert from 'node:assert/strict';
import { RequestMeter } from '../../src/domain/store-scope';
import { CosmosEscalationRepository, timelineFlushAt, timelineKept } from '../../src/store/cosmos-escalation-repository';
import { sampleEscalation } from '../support/samples';
import { startTestStore, type TestStore } from '../support/embedded-store';

describe('an escalation timeline moving out of its item', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await startTestStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const note = (i: number) => ({ at: new Date(Date.UTC(2026, 2, 2, 10, i)).toISOString(), by: { key: 't:a', name: 'Alex', role: 'tam' }, kind: 'note' as const, summary: 'Note', text: `note ${i}` });

  it('moves the oldest entries out with the change in one transactional batch, each entry kept once', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = sampleEscalation();
    // One entry short of moving out: the next change moves the oldest.
    const notes = Array.from({ length: timelineFlushAt - escalation.timeline.length }, (_, i) => note(i));
    await repository.create({ ...escalation, timeline: [...escalation.timeline, ...notes] });
    const meter = new RequestMeter();
    const scoped = repository.inScope({ meter });
    const changed = await scoped.update(escalation.accountId, escalation.escalationId, (current) => ({ ...current, timeline: [...current.timeline, note(99)] }));
    assert.equal(meter.operations, 2, 'one read, one batch');
    assert.equal(changed.timeline.length, timelineKept + 1);
    assert.equal(changed.timelineMoved, timelineFlushAt - timelineKept);
    const all = await repository.listTimeline(escalation.accountId, escalation.escalationId);
    assert.deepEqual(all.map((e) => e.text ?? e.summary), [...escalation.timeline, ...notes, note(99)].map((e) => e.text ?? e.summary));
  });

  it('reads again and moves what is there when the item changed in between, and loses nothing', async () => {
    const repository = new CosmosEscalationRepository(store.containers.accounts);
    const escalation = sampleEscalation();
    const notes = Array.from({ length: timelineFlushAt }, (_, i) => note(i));
    await repository.create({ ...escalation, timeline: [...escalation.timeline, ...notes] });
    // Two changes at once: one of them finds the ETag moved on and starts again.
    await Promise.all([
      repository.update(escalation.accountId, escalation.escalationId, (current) => ({ ...current, timeline: [...current.timeline, note(100)] })),
      repository.update(escalation.accountId, escalation.escalationId, (current) => ({ ...current, timeline: [...current.timeline, note(101)] })),
    ]);
    const all = await repository.listTimeline(escalation.accountId, escalation.escalationId);
    assert.equal(all.length, escalation.timeline.length + timelineFlushAt + 2);
    const keyOf = (e: { at: string; kind: string; text?: string; summary: string }): string => `${e.at}|${e.kind}|${e.text ?? e.summary}`;
    assert.deepEqual(all.map(keyOf).sort(), [...escalation.timeline, ...notes, note(100), note(101)].map(keyOf).sort(), 'each entry once');
    const { resource } = await store.containers.accounts.item(escalation.escalationId, escalation.accountId).read<{ timeline: unknown[] }>();
    assert.ok((resource?.timeline.length ?? 0) < timelineFlushAt);
  });
});
