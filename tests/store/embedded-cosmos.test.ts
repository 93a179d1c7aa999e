import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestStore } from '../support/embedded-store';

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
});
