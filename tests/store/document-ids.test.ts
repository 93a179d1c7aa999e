import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { fromDocumentId, maxDocumentIdLength, toDocumentId } from '../../src/store/documents';
import { CosmosConversationReferenceRepository } from '../../src/store/cosmos-conversation-repository';
import { CosmosOutboxRepository } from '../../src/store/cosmos-outbox-repository';
import { migrateDocumentIds } from '../../src/store/migrate-document-ids';
import { JsonLogger } from '../../src/logging/json-logger';
import { startTestStore, type TestStore } from '../support/embedded-store';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import type { StoredConversationReference } from '../../src/domain/conversation-reference';

/** What every id must be: no `%` escapes, nothing Cosmos refuses, within its 255 characters. */
const safeId = /^[A-Za-z0-9._:@~-]+$/;
const threadId = '19:4f1c0e8a9b2d4c7e8f00112233445566@thread.tacv2;messageid=1732874400123';
/** Teams personal chat ids run long; with a prefix they pass what an id may hold once encoded. */
const longConversationId = `a:1${'Xy9_-Q'.repeat(50)}`;

function reference(conversationId: string, type: StoredConversationReference['conversationType'] = 'channel'): StoredConversationReference {
  return {
    conversationId,
    conversationType: type,
    tenantId: demo.users.alex.tenantId,
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    ...(type === 'personal' ? { userAadObjectId: demo.users.alex.aadObjectId } : {}),
    reference: { conversation: { id: conversationId } },
    capturedAt: '2026-12-01T09:00:00.000Z',
  };
}

describe('document ids', () => {
  it('keeps a plain key as its own id, readable', () => {
    assert.equal(toDocumentId('ESC-CONTOSO-0042'), 'ESC-CONTOSO-0042');
    assert.equal(toDocumentId('channel:19:abc@thread.tacv2'), 'channel:19:abc@thread.tacv2');
    assert.equal(toDocumentId('timeline:ESC-CONTOSO-0001:0000007'), 'timeline:ESC-CONTOSO-0001:0000007');
  });

  it('encodes any other key without % escapes, and reads it back', () => {
    for (const key of [`conv:${threadId}`, 'alert:sla-at-risk#2', 'marker:a/b\\c?d', 'intake:50% done', 'ledger:naïve entry', '']) {
      const id = toDocumentId(key);
      assert.match(id, safeId, `${JSON.stringify(key)} became ${id}`);
      assert.ok(!id.includes('%'));
      assert.equal(fromDocumentId(id), key);
    }
  });

  it('hashes a key too long to encode within 255 characters, the same way each time', () => {
    const id = toDocumentId(`conv:${longConversationId}`);
    assert.ok(id.startsWith('~h'), id);
    assert.ok(id.length <= maxDocumentIdLength);
    assert.equal(toDocumentId(`conv:${longConversationId}`), id);
    assert.notEqual(toDocumentId(`conv:${longConversationId}x`), id);
    assert.equal(fromDocumentId(id), undefined, 'a hashed id is not read back: its key is kept in the document');
  });

  it('gives every key a safe id of at most 255 characters, distinct keys distinct ids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), (a, b) => {
        const idA = toDocumentId(a);
        assert.match(idA, /^[A-Za-z0-9._:@~-]*$/);
        assert.ok(idA.length <= maxDocumentIdLength && idA.length > 0);
        const back = fromDocumentId(idA);
        if (back !== undefined) assert.equal(back, a);
        if (a !== b) assert.notEqual(idA, toDocumentId(b));
      }),
      { numRuns: 2_000 },
    );
  });

  describe('in the store', () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await startTestStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps conversations with thread and very long ids under safe ids, found again by their Teams id', async () => {
      const conversations = new CosmosConversationReferenceRepository(store.containers.conversations);
      await conversations.save(reference(threadId));
      await conversations.save(reference(longConversationId, 'personal'));
      assert.equal((await conversations.get(threadId))?.conversationId, threadId);
      assert.equal((await conversations.get(longConversationId))?.conversationId, longConversationId);
      assert.equal((await conversations.getPersonal(demo.users.alex))?.conversationId, longConversationId);
      const { resources } = await store.containers.conversations.items.query<{ id: string }>('SELECT c.id FROM c').fetchAll();
      assert.equal(resources.length, 3, 'two conversations and the personal-chat pointer');
      for (const { id } of resources) {
        assert.match(id, safeId);
        assert.ok(id.length <= maxDocumentIdLength);
      }
    });
  });

  describe('local data of the earlier form', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-ids-'));
    });
    afterEach(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** Documents as the earlier form wrote them: `/ \ ? # %` as %XX, everything else as it was. */
    async function writeEarlierForm(store: TestStore): Promise<void> {
      await store.containers.conversations.items.create({ id: `conv:${threadId}`, type: 'conversationReference', schemaVersion: 1, ...reference(threadId) });
      const outboxId = 'alert:contoso:sla%2Fat-risk%232:alex';
      await store.containers.outbox.items.create({
        id: outboxId,
        itemId: 'alert:contoso:sla/at-risk#2:alex',
        type: 'outbox',
        schemaVersion: 1,
        target: { kind: 'conversation', conversationId: threadId },
        intent: { kind: 'alert', accountId: 'contoso', alertId: 'sla/at-risk#2', occurrence: 0 },
        status: 'pending',
        attempts: 0,
        createdAt: '2026-12-01T09:00:00.000Z',
        nextAttemptAt: '2026-12-01T09:00:00.000Z',
      });
    }

    it('renames it at start-up, so the app finds it under the present ids', async () => {
      const first = await startTestStore({ dataDir, databaseId: 'tam-assistant' });
      await writeEarlierForm(first);
      await first.close();

      const bot = await TestBot.start({ dataDir });
      try {
        assert.equal((await bot.running.repositories.conversations.get(threadId))?.conversationId, threadId);
        assert.ok(bot.logs.some((l) => l.event === 'store.ids_migrated' && l.renamed === 2), 'both documents were renamed, and it says so');
        const ids = [];
        for (const name of ['conversations', 'outbox'] as const) {
          const { resources } = await bot.running.containers[name].items.query<{ id: string }>('SELECT c.id FROM c').fetchAll();
          ids.push(...resources.map((r) => r.id));
        }
        assert.ok(ids.length >= 2);
        for (const id of ids) assert.match(id, safeId);
        assert.ok(!ids.includes(`conv:${threadId}`), 'the earlier document is gone');
      } finally {
        await bot.close();
      }
    });

    it('finishes a rename cut off half-way, doubling nothing, and reads everything only once per data folder', async () => {
      const store = await startTestStore({ dataDir, databaseId: 'tam-assistant' });
      try {
        await writeEarlierForm(store);
        // Cut off after the new document was written, before the old one was removed.
        const old: Record<string, unknown> = (await store.containers.conversations.item(`conv:${threadId}`, `conv:${threadId}`).read<Record<string, unknown>>()).resource ?? {};
        const { _rid, _self, _etag, _ts, _attachments, ...body } = old;
        void [_rid, _self, _etag, _ts, _attachments];
        await store.containers.conversations.items.create({ ...body, id: toDocumentId(`conv:${threadId}`) });

        const logger = new JsonLogger('error', new ManualClock(), () => undefined);
        assert.equal(await migrateDocumentIds(store.containers, logger), 2);
        const { resources } = await store.containers.conversations.items.query<{ id: string }>('SELECT c.id FROM c').fetchAll();
        assert.deepEqual(resources.map((r) => r.id), [toDocumentId(`conv:${threadId}`)]);
        const outbox = new CosmosOutboxRepository(store.containers.outbox);
        assert.equal((await outbox.get('alert:contoso:sla/at-risk#2:alex'))?.status, 'pending');

        await writeEarlierForm(store);
        assert.equal(await migrateDocumentIds(store.containers, logger), 0, 'a data folder brought to the present form is not read again');
      } finally {
        await store.close();
      }
    });
  });
});
