import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BulkOperationType, type Container, type OperationInput } from '@azure/cosmos';
import { startTestStore, type TestStore } from '../support/embedded-store';
import { ManualClock } from '../support/manual-clock';
import { maxBatchBytes } from '../../src/store/embedded-cosmos';

type Item = { id: string; accountId: string; n?: number; _etag?: string };

async function ids(container: Container, query = 'SELECT c.id FROM c'): Promise<string[]> {
  const { resources } = await container.items.query<{ id: string }>(query).fetchAll();
  return resources.map((r) => r.id).sort();
}

async function read(container: Container, id: string, pk: string): Promise<Item | undefined> {
  return (await container.item(id, pk).read<Item>()).resource;
}

/** A batch request as @azure/cosmos puts it on the wire, for what the client refuses to send. */
async function rawBatch(store: TestStore, operations: unknown[], options: { atomic?: boolean; partitionKey?: string } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${store.server.endpoint}dbs/test/colls/accounts/docs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-ms-cosmos-is-batch-request': 'true',
      'x-ms-cosmos-batch-atomic': String(options.atomic ?? true),
      ...(options.partitionKey ? { 'x-ms-documentdb-partitionkey': options.partitionKey } : {}),
    },
    body: JSON.stringify(operations),
  });
  return { status: response.status, body: await response.json() };
}

const creates = (count: number, accountId = 'contoso'): OperationInput[] =>
  Array.from({ length: count }, (_, i): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: { id: `${accountId}-${i}`, accountId } }));

describe('embedded Cosmos store: transactional batch and bulk as Azure Cosmos DB runs them', () => {
  let dataDir: string;
  const clock = new ManualClock();
  const stores: TestStore[] = [];

  async function start(): Promise<TestStore> {
    const store = await startTestStore({ dataDir, clock });
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-batch-'));
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('a transactional batch', () => {
    it('applies create, upsert, replace, patch, read and delete in order and answers each', async () => {
      const store = await start();
      const accounts = store.containers.accounts;
      const { resource: existing } = await accounts.items.create<Item>({ id: 'e', accountId: 'contoso', n: 1 });
      await accounts.items.create({ id: 'gone', accountId: 'contoso' });
      const response = await accounts.items.batch(
        [
          { operationType: BulkOperationType.Create, resourceBody: { id: 'a', accountId: 'contoso', n: 1 } },
          { operationType: BulkOperationType.Upsert, resourceBody: { id: 'b', accountId: 'contoso', n: 1 } },
          { operationType: BulkOperationType.Replace, id: 'e', resourceBody: { id: 'e', accountId: 'contoso', n: 2 }, ifMatch: existing!._etag },
          { operationType: BulkOperationType.Patch, id: 'a', resourceBody: { operations: [{ op: 'incr', path: '/n', value: 5 }] } },
          { operationType: BulkOperationType.Read, id: 'a' },
          { operationType: BulkOperationType.Delete, id: 'gone' },
        ],
        'contoso',
      );
      assert.equal(response.code, 200);
      assert.deepEqual(response.result?.map((r) => r.statusCode), [201, 201, 200, 200, 200, 204]);
      assert.equal((response.result?.[4]?.resourceBody as Item | undefined)?.n, 6, 'the read sees the patch before it');
      assert.equal(typeof response.result?.[0]?.eTag, 'string');
      assert.deepEqual(await ids(accounts), ['a', 'b', 'e']);
      assert.equal((await read(accounts, 'e', 'contoso'))?.n, 2);
    });

    for (const failure of [
      { name: '409 on a create of an existing id', status: 409, operation: (): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: { id: 'e', accountId: 'contoso' } }) },
      { name: '412 on a stale ifMatch', status: 412, operation: (): OperationInput => ({ operationType: BulkOperationType.Replace, id: 'e', resourceBody: { id: 'e', accountId: 'contoso', n: 9 }, ifMatch: '"stale"' }) },
      { name: '404 on a replace of a missing item', status: 404, operation: (): OperationInput => ({ operationType: BulkOperationType.Replace, id: 'missing', resourceBody: { id: 'missing', accountId: 'contoso' } }) },
      { name: '404 on a read of a missing item', status: 404, operation: (): OperationInput => ({ operationType: BulkOperationType.Read, id: 'missing' }) },
    ]) {
      it(`applies nothing when one operation fails (${failure.name}): 207, that status, 424 for the others`, async () => {
        const store = await start();
        const accounts = store.containers.accounts;
        const { resource: before } = await accounts.items.create<Item>({ id: 'e', accountId: 'contoso', n: 1 });
        await accounts.items.create({ id: 'f', accountId: 'contoso', n: 1 });
        const response = await accounts.items.batch(
          [
            { operationType: BulkOperationType.Create, resourceBody: { id: 'new', accountId: 'contoso' } },
            { operationType: BulkOperationType.Upsert, resourceBody: { id: 'e', accountId: 'contoso', n: 2 } },
            { operationType: BulkOperationType.Delete, id: 'f' },
            failure.operation(),
            { operationType: BulkOperationType.Create, resourceBody: { id: 'after', accountId: 'contoso' } },
          ],
          'contoso',
        );
        assert.equal(response.code, 207);
        assert.deepEqual(response.result?.map((r) => r.statusCode), [424, 424, 424, failure.status, 424]);
        assert.deepEqual(await ids(accounts), ['e', 'f'], 'nothing created, nothing deleted');
        const after = await read(accounts, 'e', 'contoso');
        assert.equal(after?.n, 1, 'the upserted item is as it was');
        assert.equal(after?._etag, before?._etag, 'down to its ETag');
        const { statusCode } = await accounts.items.create({ id: 'new', accountId: 'contoso' });
        assert.equal(statusCode, 201);
      });
    }

    it('honours ifMatch on replace, upsert, patch and delete', async () => {
      const store = await start();
      const accounts = store.containers.accounts;
      const { resource: a } = await accounts.items.create<Item>({ id: 'a', accountId: 'contoso', n: 1 });
      for (const operation of [
        { operationType: BulkOperationType.Upsert, resourceBody: { id: 'a', accountId: 'contoso', n: 2 }, ifMatch: '"stale"' },
        { operationType: BulkOperationType.Patch, id: 'a', resourceBody: [{ op: 'set', path: '/n', value: 2 }], ifMatch: '"stale"' },
        { operationType: BulkOperationType.Delete, id: 'a', ifMatch: '"stale"' },
      ] as OperationInput[]) {
        const response = await accounts.items.batch([operation], 'contoso');
        assert.deepEqual(response.result?.map((r) => r.statusCode), [412], String(operation.operationType));
      }
      // The client's types leave ifMatch off a delete; it sends it all the same.
      const ok = await accounts.items.batch([{ operationType: BulkOperationType.Delete, id: 'a', ifMatch: a?._etag } as OperationInput], 'contoso');
      assert.deepEqual(ok.result?.map((r) => r.statusCode), [204]);
    });

    it('refuses more than 100 operations with 400 (the client itself refuses to send them)', async () => {
      const store = await start();
      await assert.rejects(store.containers.accounts.items.batch(creates(101), 'contoso'), /more than 100 operations/);
      const refused = await rawBatch(store, creates(101), { partitionKey: '["contoso"]' });
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.body), /more operations than what is supported/);
      assert.deepEqual(await ids(store.containers.accounts), []);
      const hundred = await store.containers.accounts.items.batch(creates(100), 'contoso');
      assert.equal(hundred.code, 200, '100 is allowed');
    });

    it('refuses operations in another partition key with 400, applying none', async () => {
      const store = await start();
      const accounts = store.containers.accounts;
      await assert.rejects(
        accounts.items.batch(
          [
            { operationType: BulkOperationType.Create, resourceBody: { id: 'a', accountId: 'contoso' } },
            { operationType: BulkOperationType.Create, resourceBody: { id: 'b', accountId: 'fabrikam' } },
          ],
          'contoso',
        ),
        /Batch request error: .*partition key/,
      );
      const explicit = await rawBatch(store, [{ operationType: 'Read', id: 'a', partitionKey: '["fabrikam"]' }], { partitionKey: '["contoso"]' });
      assert.equal(explicit.status, 400);
      const none = await rawBatch(store, [{ operationType: 'Read', id: 'a' }]);
      assert.equal(none.status, 400, 'a transactional batch without a partition key');
      assert.deepEqual(await ids(accounts), []);
    });

    it('refuses a body over 2 MB with 413', async () => {
      const store = await start();
      const big = 'x'.repeat(700_000);
      const operations = [0, 1, 2].map((i): OperationInput => ({ operationType: BulkOperationType.Create, resourceBody: { id: `big-${i}`, accountId: 'contoso', text: big } }));
      assert.ok(JSON.stringify(operations).length > maxBatchBytes);
      await assert.rejects(store.containers.accounts.items.batch(operations, 'contoso'), /Batch request error: .*too large/);
      assert.deepEqual(await ids(store.containers.accounts), []);
    });

    it('survives the process dying without shutting down (one journal line, replayed whole)', async () => {
      const first = await start();
      await first.containers.accounts.items.create({ id: 'old', accountId: 'contoso', n: 1 });
      const response = await first.containers.accounts.items.batch(
        [
          { operationType: BulkOperationType.Create, resourceBody: { id: 'a', accountId: 'contoso' } },
          { operationType: BulkOperationType.Replace, id: 'old', resourceBody: { id: 'old', accountId: 'contoso', n: 2 } },
          { operationType: BulkOperationType.Create, resourceBody: { id: 'b', accountId: 'contoso' } },
        ],
        'contoso',
      );
      assert.equal(response.code, 200);
      const journalFile = path.join(dataDir, 'cosmos', 'journal.ndjson');
      const lines = fs.readFileSync(journalFile, 'utf8').trim().split('\n').slice(-2);
      assert.equal((JSON.parse(lines[0]!) as { op: string }).op, 'put', 'the create');
      const batch = JSON.parse(lines[1]!) as { op: string; entries: unknown[] };
      assert.equal(batch.op, 'batch', 'then the whole batch on one line');
      assert.equal(batch.entries.length, 3);

      const second = await start();
      assert.deepEqual(await ids(second.containers.accounts), ['a', 'b', 'old']);
      assert.equal((await read(second.containers.accounts, 'old', 'contoso'))?.n, 2);
    });

    it('is lost whole, never in part, when the crash cuts its journal line', async () => {
      const first = await start();
      await first.containers.accounts.items.create({ id: 'old', accountId: 'contoso', n: 1 });
      await first.containers.accounts.items.batch(creates(5), 'contoso');
      const journalFile = path.join(dataDir, 'cosmos', 'journal.ndjson');
      const text = fs.readFileSync(journalFile, 'utf8');
      fs.writeFileSync(journalFile, text.slice(0, text.length - 40));
      const second = await start();
      assert.deepEqual(await ids(second.containers.accounts), ['old']);
    });
  });

  describe('bulk', () => {
    it('applies each operation on its own across partition keys, a failure stopping none of the others', async () => {
      const store = await start();
      const accounts = store.containers.accounts;
      await accounts.items.create({ id: 'taken', accountId: 'contoso' });
      const results = await accounts.items.bulk([
        ...creates(3, 'contoso'),
        { operationType: BulkOperationType.Create, resourceBody: { id: 'taken', accountId: 'contoso' } },
        ...creates(3, 'fabrikam'),
        { operationType: BulkOperationType.Delete, id: 'taken', partitionKey: 'contoso' },
      ]);
      assert.deepEqual(results.map((r) => r.statusCode), [201, 201, 201, 409, 201, 201, 201, 204]);
      assert.deepEqual(await ids(accounts), ['contoso-0', 'contoso-1', 'contoso-2', 'fabrikam-0', 'fabrikam-1', 'fabrikam-2']);
    });

    it('survives the process dying without shutting down (items.bulk and executeBulkOperations)', async () => {
      const first = await start();
      const accounts = first.containers.accounts;
      const results = await accounts.items.bulk([...creates(80, 'contoso'), ...creates(20, 'fabrikam')]);
      assert.ok(results.every((r) => r.statusCode === 201));
      const executed = await accounts.items.executeBulkOperations([
        ...creates(70, 'northwind').map((o) => ({ ...o, partitionKey: 'northwind' })),
        { operationType: BulkOperationType.Upsert, resourceBody: { id: 'contoso-0', accountId: 'contoso', n: 7 }, partitionKey: 'contoso' },
        { operationType: BulkOperationType.Delete, id: 'fabrikam-0', partitionKey: 'fabrikam' },
      ]);
      assert.deepEqual(executed.slice(-2).map((r) => r.response?.statusCode), [200, 204]);
      assert.ok(executed.slice(0, 70).every((r) => r.response?.statusCode === 201));

      const second = await start();
      const { resources } = await second.containers.accounts.items.query<{ n: number }>('SELECT VALUE COUNT(1) FROM c').fetchAll();
      assert.deepEqual(resources, [169], '100 + 70 created, one deleted');
      assert.equal((await read(second.containers.accounts, 'contoso-0', 'contoso'))?.n, 7);
      assert.equal(await read(second.containers.accounts, 'fabrikam-0', 'fabrikam'), undefined);
    });

    it('keeps the limits of a batch request: at most 100 operations', async () => {
      const store = await start();
      const refused = await rawBatch(store, creates(101).map((o) => ({ ...o, partitionKey: '["contoso"]' })), { atomic: false });
      assert.equal(refused.status, 400);
      assert.deepEqual(await ids(store.containers.accounts), []);
    });
  });

  describe('container changes', () => {
    it('a replaced container (another indexing policy) keeps its items, also after a restart', async () => {
      const first = await start();
      const accounts = first.containers.accounts;
      await accounts.items.create({ id: 'a', accountId: 'contoso', status: 'open' });
      const { resource: definition } = await accounts.read();
      const indexingPolicy = { indexingMode: 'consistent' as const, automatic: true, includedPaths: [{ path: '/*' }], excludedPaths: [] };
      await accounts.replace({ ...definition!, id: 'accounts', partitionKey: definition!.partitionKey!, indexingPolicy });
      assert.deepEqual(await ids(accounts), ['a']);
      assert.deepEqual(await ids(accounts, "SELECT c.id FROM c WHERE c.status = 'open'"), ['a']);

      const second = await start();
      const { resource: reread } = await second.client.database('test').container('accounts').read();
      assert.deepEqual(reread?.indexingPolicy?.includedPaths, [{ path: '/*' }], 'the new policy survives the restart');
      assert.deepEqual(await ids(second.containers.accounts), ['a']);
    });

    it('a deleted container or database stays deleted after a restart', async () => {
      const first = await start();
      await first.containers.leases.items.create({ id: 'l' });
      await first.containers.leases.delete();
      const { database } = await first.client.databases.createIfNotExists({ id: 'scratch' });
      await database.containers.createIfNotExists({ id: 'c', partitionKey: { paths: ['/id'] } });
      await database.delete();

      const second = await start();
      const { resources: containers } = await second.client.database('test').containers.readAll().fetchAll();
      assert.ok(containers.some((c) => c.id === 'leases'), 'start-up (ensureContainers) creates it afresh');
      assert.deepEqual(await ids(second.containers.leases), [], 'empty: its items went with it');
      const { resources: databases } = await second.client.databases.readAll().fetchAll();
      assert.deepEqual(databases.map((d) => d.id), ['test']);
    });

    it('refuses user-defined functions loudly (they would not survive a restart)', async () => {
      const store = await start();
      await assert.rejects(store.containers.accounts.scripts.userDefinedFunctions.create({ id: 'f', body: 'function f() { return 1; }' }), (error: { code?: number; message?: string }) => {
        assert.equal(error.code, 501);
        assert.match(error.message ?? '', /does not keep user-defined functions/);
        return true;
      });
    });
  });
});
