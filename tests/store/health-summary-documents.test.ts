import assert from 'node:assert/strict';
import { CosmosHealthRepository } from '../../src/store/cosmos-health-repository';
import { emptyHealthFacts, summariseHealth, withEscalation } from '../../src/domain/account-health';
import { startTestStore, type TestStore } from '../support/embedded-store';
import { sampleEscalation } from '../support/samples';

describe('health summary documents', () => {
  let store: TestStore;
  const now = new Date('2026-03-02T09:00:00Z');

  before(async () => {
    store = await startTestStore();
  });

  after(async () => {
    await store.close();
  });

  it('are written as version 2, open escalations as ids by severity', async () => {
    const health = new CosmosHealthRepository(store.containers.directory);
    const facts = [sampleEscalation({ number: 7, severity: 'A', status: 'new' }), sampleEscalation({ number: 3, severity: 'B', status: 'new' })].reduce((f, e) => withEscalation(f, e, now), emptyHealthFacts);
    await health.update('contoso', () => summariseHealth({ accountId: 'contoso', accountName: 'Contoso', facts, complete: true }, now));
    const { resource } = await store.containers.directory.item('health:contoso', 'health').read<{ schemaVersion: number; facts: { openEscalations: unknown } }>();
    assert.equal(resource?.schemaVersion, 2);
    assert.deepEqual(resource?.facts.openEscalations, { A: ['ESC-CONTOSO-0007'], B: ['ESC-CONTOSO-0003'], C: [] });
  });

  it('reads one written by an earlier version (one line per open escalation), and its next change writes version 2', async () => {
    const older = summariseHealth({ accountId: 'fabrikam', accountName: 'Fabrikam', facts: emptyHealthFacts, complete: true }, now);
    await store.containers.directory.items.create({
      id: 'health:fabrikam',
      pk: 'health',
      type: 'healthSummary',
      schemaVersion: 1,
      ...older,
      facts: { ...older.facts, openEscalations: [{ escalationId: 'ESC-FABRIKAM-0002', severity: 'C' }, { escalationId: 'ESC-FABRIKAM-0001', severity: 'C' }] },
    });
    const health = new CosmosHealthRepository(store.containers.directory);
    assert.deepEqual((await health.get('fabrikam'))?.facts.openEscalations, { A: [], B: [], C: ['ESC-FABRIKAM-0001', 'ESC-FABRIKAM-0002'] });
    await health.update('fabrikam', (current) => current && summariseHealth({ accountId: 'fabrikam', accountName: 'Fabrikam', facts: withEscalation(current.facts, { ...sampleEscalation({ number: 1 }), accountId: 'fabrikam', escalationId: 'ESC-FABRIKAM-0001', status: 'resolved' }, now), complete: true }, now));
    const { resource } = await store.containers.directory.item('health:fabrikam', 'health').read<{ schemaVersion: number; facts: { openEscalations: unknown } }>();
    assert.equal(resource?.schemaVersion, 2);
    assert.deepEqual(resource?.facts.openEscalations, { A: [], B: [], C: ['ESC-FABRIKAM-0002'] });
  });
});
