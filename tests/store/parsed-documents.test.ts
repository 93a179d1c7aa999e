import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseDocument } from '../../src/store/documents';
import { escalationSchema } from '../../src/domain/escalation';
import { CosmosEscalationRepository, escalationDocument } from '../../src/store/cosmos-escalation-repository';
import { sampleEscalation } from '../support/samples';
import { startTestStore } from '../support/embedded-store';
import { CosmosHealthRepository } from '../../src/store/cosmos-health-repository';
import { emptyHealthFacts, summariseHealth, withEscalation } from '../../src/domain/account-health';

const schema = z.object({ name: z.string(), tags: z.array(z.string()) });
const other = z.object({ name: z.string() });

describe('parsed documents', () => {
  it('parses one version of a document once, and hands out the same frozen record for it', () => {
    const stored = { id: 'a', _rid: 'rid-1', _etag: '"e1"', _ts: 1, name: 'Contoso', tags: ['x'] };
    const first = parseDocument(schema, stored);
    assert.deepEqual(first, { name: 'Contoso', tags: ['x'] });
    const again = parseDocument(schema, { ...stored, tags: [...stored.tags] });
    assert.equal(again, first, 'the same version: the record parsed before');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.tags));
    assert.throws(() => first.tags.push('y'), TypeError);
  });

  it('parses a new version, another schema and a document without a version afresh', () => {
    const stored = { id: 'b', _rid: 'rid-2', _etag: '"e1"', name: 'Fabrikam', tags: [] as string[] };
    const first = parseDocument(schema, stored);
    const changed = parseDocument(schema, { ...stored, _etag: '"e2"', name: 'Fabrikam Ltd' });
    assert.equal(changed.name, 'Fabrikam Ltd', 'a new ETag is a new content');
    assert.notEqual(changed, first);
    assert.deepEqual(parseDocument(other, stored), { name: 'Fabrikam' }, 'another schema, its own parse');
    const unversioned = { name: 'Local', tags: [] };
    const a = parseDocument(schema, unversioned);
    assert.notEqual(parseDocument(schema, unversioned), a);
    assert.ok(!Object.isFrozen(a), 'a record that was not read from the store is its reader\'s own');
  });

  it('still refuses a document that does not fit its schema, every time', () => {
    const bad = { id: 'c', _rid: 'rid-3', _etag: '"e1"', name: 3, tags: [] };
    assert.throws(() => parseDocument(schema, bad));
    assert.throws(() => parseDocument(schema, bad));
  });
});

describe('records written, as they are read back', () => {
  it('an escalation reads back as the record it was written from', () => {
    const variants = [
      sampleEscalation(),
      { ...sampleEscalation({ number: 7 }), channelCard: { conversationId: '19:c@thread.tacv2', activityId: 'a1', syncedVersion: 0 }, alertCursor: '2026-03-02T10:00:00.000Z', version: 3 },
    ];
    for (const escalation of variants) {
      const valid = escalationSchema.parse(escalation);
      const stored = { ...escalationDocument(valid), _rid: 'r', _etag: '"e"', _ts: 1, _self: 's', _attachments: 'a' };
      assert.deepEqual(escalationSchema.parse(Object.fromEntries(Object.entries(stored).filter(([k]) => !['_rid', '_self', '_etag', '_ts', '_attachments', 'id', 'pk', 'type', 'schemaVersion'].includes(k)))), valid);
    }
  });

  it('an escalation changed by this process is not parsed again when read back', async () => {
    const store = await startTestStore();
    try {
      const repository = new CosmosEscalationRepository(store.containers.accounts);
      const escalation = sampleEscalation();
      await repository.create(escalation);
      const changed = await repository.update(escalation.accountId, escalation.escalationId, (current) => ({ ...current, title: 'Changed title' }));
      const read = await repository.get(escalation.accountId, escalation.escalationId);
      assert.equal(read, changed, 'the record it was written from');
      assert.equal(read?.title, 'Changed title');
      // Written by someone else (no ETag this process knows): parsed afresh.
      const { resource } = await store.containers.accounts.item(escalation.escalationId, escalation.accountId).read<Record<string, unknown>>();
      await store.containers.accounts.item(escalation.escalationId, escalation.accountId).replace({ ...resource, title: 'Elsewhere' });
      assert.equal((await repository.get(escalation.accountId, escalation.escalationId))?.title, 'Elsewhere');
    } finally {
      await store.close();
    }
  });

  it('a health summary changed by this process reads back as written, not parsed again', async () => {
    const store = await startTestStore();
    try {
      const health = new CosmosHealthRepository(store.containers.directory);
      const now = new Date('2026-03-02T09:00:00Z');
      const first = summariseHealth({ accountId: 'contoso', accountName: 'Contoso', facts: emptyHealthFacts, complete: false }, now);
      await health.update('contoso', () => first);
      const opened = await health.update('contoso', (current) => current && summariseHealth({ accountId: 'contoso', accountName: 'Contoso', facts: withEscalation(current.facts, sampleEscalation({ severity: 'A' }), now), complete: false }, now));
      const read = await health.get('contoso');
      assert.deepEqual(read, opened);
      assert.equal(await health.get('contoso'), read, 'the same record, checked once');
      assert.ok(Object.isFrozen(read));
    } finally {
      await store.close();
    }
  });
});
