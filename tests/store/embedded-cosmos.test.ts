import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestStore } from '../support/embedded-store';
import { EmbeddedStoreDamaged, startEmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from '../support/manual-clock';

describe('embedded Cosmos store', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-store-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps created, replaced, patched and deleted documents across a restart', async () => {
    const first = await startTestStore({ dataDir });
    const accounts = first.containers.accounts;
    await accounts.items.create({ id: 'a', accountId: 'contoso', n: 1 });
    await accounts.items.create({ id: 'b', accountId: 'contoso', n: 1 });
    await accounts.items.upsert({ id: 'c', accountId: 'fabrikam', n: 1 });
    await accounts.item('a', 'contoso').replace({ id: 'a', accountId: 'contoso', n: 2 });
    await accounts.item('c', 'fabrikam').patch([{ op: 'set', path: '/n', value: 3 }]);
    await accounts.item('b', 'contoso').delete();
    await first.close();

    const second = await startTestStore({ dataDir });
    const { resources } = await second.containers.accounts.items.query('SELECT c.id, c.accountId, c.n FROM c').fetchAll();
    assert.deepEqual(
      resources.sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id)),
      [
        { id: 'a', accountId: 'contoso', n: 2 },
        { id: 'c', accountId: 'fabrikam', n: 3 },
      ],
    );
    await second.close();
  });

  it('keeps acknowledged writes when the process dies without shutting down (journal replay)', async () => {
    const first = await startTestStore({ dataDir });
    await first.containers.directory.items.create({ id: 'x', pk: 'x', value: 'kept' });
    // No close(): the snapshot is not rewritten, only the journal holds the write.
    const journal = fs.readFileSync(path.join(dataDir, 'cosmos', 'journal.ndjson'), 'utf8');
    assert.match(journal, /"kept"/);
    fs.appendFileSync(path.join(dataDir, 'cosmos', 'journal.ndjson'), '{"op":"put","db":"test","coll":"dire');

    const second = await startTestStore({ dataDir });
    const { resource } = await second.containers.directory.item('x', 'x').read<{ value: string }>();
    assert.equal(resource?.value, 'kept');
    await second.close();
    first.client.dispose();
    await first.server.close();
  });

  it('still refuses duplicates and stale ETags after a restart', async () => {
    const first = await startTestStore({ dataDir });
    await first.containers.accounts.items.create({ id: 'a', accountId: 'contoso' });
    await first.close();
    const second = await startTestStore({ dataDir });
    await assert.rejects(second.containers.accounts.items.create({ id: 'a', accountId: 'contoso' }), (e: { code?: number }) => e.code === 409);
    await assert.rejects(
      second.containers.accounts.item('a', 'contoso').replace({ id: 'a', accountId: 'contoso', v: 2 }, { accessCondition: { type: 'IfMatch', condition: 'stale' } }),
      (e: { code?: number }) => e.code === 412,
    );
    await second.close();
  });

  it('keeps nothing on disk without a data folder', async () => {
    const store = await startTestStore();
    await store.containers.accounts.items.create({ id: 'a', accountId: 'contoso' });
    await store.close();
    assert.deepEqual(fs.readdirSync(dataDir), []);
  });
  describe('damaged files', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = new JsonLogger('debug', new ManualClock(), (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const journalFile = (): string => path.join(dataDir, 'cosmos', 'journal.ndjson');
    const snapshotFile = (): string => path.join(dataDir, 'cosmos', 'snapshot.json');

    async function storeWithOneWrite(): Promise<void> {
      const first = await startTestStore({ dataDir });
      await first.containers.directory.items.create({ id: 'x', pk: 'x', value: 'kept' });
      first.client.dispose();
      await first.server.close();
      // The snapshot now holds the write; a journal entry after it stands for a later write.
      fs.writeFileSync(journalFile(), `${JSON.stringify({ op: 'put', db: 'test', coll: 'directory', doc: { id: 'y', pk: 'y', value: 'later' } })}\n`);
    }

    it('drops a torn last journal line (a crash mid-write) with a warning, keeping the entries before it', async () => {
      await storeWithOneWrite();
      fs.appendFileSync(journalFile(), '{"op":"put","db":"test","coll":"dire');
      const store = await startEmbeddedCosmos({ dataDir, logger });
      await store.close();
      assert.ok(lines.some((l) => l.event === 'store.embedded.torn_journal_line' && l.level === 'warn'));
      const second = await startTestStore({ dataDir });
      const { resource } = await second.containers.directory.item('y', 'y').read<{ value: string }>();
      assert.equal(resource?.value, 'later', 'the entries before the torn line are kept');
      await second.close();
    });

    it('stops start-up on a damaged line in the middle of the journal, saying where, and keeps a copy', async () => {
      await storeWithOneWrite();
      const good = fs.readFileSync(journalFile(), 'utf8');
      fs.writeFileSync(journalFile(), `{"op":"put", garbage\n${good}`);
      await assert.rejects(startEmbeddedCosmos({ dataDir, logger }), (error: unknown) => {
        assert.ok(error instanceof EmbeddedStoreDamaged);
        assert.match(error.message, /journal .*journal\.ndjson is damaged at line 1 of 3/);
        assert.match(error.message, /A copy is kept at .*journal\.ndjson\.damaged/);
        return true;
      });
      assert.ok(fs.existsSync(`${journalFile()}.damaged`));
    });

    it('stops start-up on a truncated snapshot with a message, not a bare JSON error, and keeps a copy', async () => {
      await storeWithOneWrite();
      const snapshot = fs.readFileSync(snapshotFile(), 'utf8');
      fs.writeFileSync(snapshotFile(), snapshot.slice(0, Math.floor(snapshot.length / 2)));
      await assert.rejects(startEmbeddedCosmos({ dataDir, logger }), (error: unknown) => {
        assert.ok(error instanceof EmbeddedStoreDamaged);
        assert.match(error.message, /snapshot .*snapshot\.json is damaged/);
        assert.match(error.message, /delete it to start afresh/);
        return true;
      });
      assert.ok(fs.existsSync(`${snapshotFile()}.damaged`));
    });
  });
});
