import assert from 'node:assert/strict';
import query from '@zeit/cosmosdb-query';
import { installLinearQueryAccumulators } from '../../src/store/embedded-query-engine';
import { requiredType, upperBound } from '../../src/store/embedded-partitions';
import sinon from 'sinon';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import itemsModule = require('@vercel/cosmosdb-server/lib/account/items');
import { startTestStore, type TestStore } from '../support/embedded-store';

interface Doc {
  id: string;
  accountId: string;
  n: number;
  tags: { name: string }[];
  children?: { name: string; pets?: string[] }[];
}

const docs: Doc[] = Array.from({ length: 60 }, (_, i) => ({
  id: `d${String(i).padStart(2, '0')}`,
  accountId: `a${i % 3}`,
  n: (i * 7) % 11,
  tags: i % 4 === 0 ? [] : [{ name: `t${i % 5}` }, { name: 'common' }],
  ...(i % 2 === 0 ? { children: [{ name: `c${i}`, pets: i % 6 === 0 ? ['cat', 'dog'] : [] }] } : {}),
}));

describe('embedded store query engine', () => {
  let store: TestStore;

  before(async () => {
    store = await startTestStore();
    for (const doc of docs) await store.containers.accounts.items.create(doc);
  });

  after(async () => {
    await store.close();
  });

  const run = async <T>(sql: string, parameters: { name: string; value: unknown }[] = [], partitionKey?: string): Promise<T[]> => {
    const { resources } = await store.containers.accounts.items.query<T>({ query: sql, parameters: parameters as never }, partitionKey ? { partitionKey } : {}).fetchAll();
    return resources;
  };

  it('compiles queries without copying the working set once per document', () => {
    installLinearQueryAccumulators();
    for (const sql of ['SELECT * FROM c WHERE c.n > 3', 'SELECT t.name FROM c JOIN t IN c.tags', 'SELECT p FROM c JOIN ch IN c.children JOIN p IN ch.pets', 'SELECT VALUE c.children[0] FROM c']) {
      const code = query(sql).code;
      assert.ok(code, sql);
      assert.doesNotMatch(code, /\[\s*\.\.\.\$\s*,/, sql);
      assert.match(code, /\$\.push\(/, sql);
    }
  });

  it('answers filters, ORDER BY with TOP and single-partition queries as before', async () => {
    const filtered = await run<{ id: string }>('SELECT c.id FROM c WHERE c.n > @min', [{ name: '@min', value: 6 }]);
    assert.deepEqual(filtered.map((d) => d.id).sort(), docs.filter((d) => d.n > 6).map((d) => d.id).sort());

    const top = await run<{ id: string; n: number }>('SELECT TOP 5 c.id, c.n FROM c ORDER BY c.n DESC');
    assert.deepEqual(top.map((d) => d.n), [...docs].map((d) => d.n).sort((x, y) => y - x).slice(0, 5));

    const onePartition = await run<{ id: string }>('SELECT c.id FROM c WHERE c.accountId = @a', [{ name: '@a', value: 'a1' }], 'a1');
    assert.deepEqual(onePartition.map((d) => d.id).sort(), docs.filter((d) => d.accountId === 'a1').map((d) => d.id).sort());
  });

  it('answers joins, nested joins, array paths and aggregates as before', async () => {
    const tags = await run<{ name: string }>('SELECT t.name FROM c JOIN t IN c.tags');
    assert.equal(tags.length, docs.reduce((s, d) => s + d.tags.length, 0));
    assert.equal(tags.filter((t) => t.name === 'common').length, docs.filter((d) => d.tags.length > 0).length);

    const pets = await run<string>('SELECT VALUE p FROM c JOIN ch IN c.children JOIN p IN ch.pets');
    assert.deepEqual(pets.sort(), docs.flatMap((d) => (d.children ?? []).flatMap((ch) => ch.pets ?? [])).sort());

    const firstChildren = await run<{ name: string }>('SELECT VALUE c.children[0] FROM c WHERE IS_DEFINED(c.children)');
    assert.equal(firstChildren.length, docs.filter((d) => d.children).length);

    const [count] = await run<number>('SELECT VALUE COUNT(1) FROM c WHERE ARRAY_LENGTH(c.tags) > 0');
    assert.equal(count, docs.filter((d) => d.tags.length > 0).length);
  });

  it('runs a query that names a partition key within that partition only, as Cosmos does', async () => {
    // No filter on the account: the partition key alone scopes it.
    const inA1 = await run<Doc>('SELECT * FROM c WHERE c.n >= 0', [], 'a1');
    assert.equal(inA1.length, 20);
    assert.ok(inA1.every((d) => d.accountId === 'a1'));
    assert.deepEqual(await run('SELECT VALUE COUNT(1) FROM c', [], 'a2'), [20]);
    assert.deepEqual(await run('SELECT * FROM c WHERE c.accountId = @a', [{ name: '@a', value: 'a0' }], 'a1'), [], 'another partition\'s items are not in it');
    assert.deepEqual(await run('SELECT * FROM c', [], 'nobody'), []);
    assert.equal((await run<Doc>('SELECT * FROM c WHERE c.n >= 0')).length, 60, 'a cross-partition query still sees every item');
  });

  it('finds the type a query requires outright, and only then', () => {
    const ask = (sql: string, parameters: { name: string; value: unknown }[] = []): string | undefined => requiredType(query(sql).ast, parameters);
    assert.equal(ask('SELECT * FROM c WHERE c.accountId = @a AND c.type = @type AND c.n > 1', [{ name: '@type', value: 'plan' }]), 'plan');
    assert.equal(ask('SELECT * FROM c WHERE c.type = "checkIn"'), 'checkIn');
    assert.equal(ask("SELECT * FROM c WHERE 'alert' = c['type'] AND (c.n = 1 OR c.n = 2)"), 'alert');
    assert.equal(ask('SELECT * FROM d WHERE d.type = "x"'), 'x', 'under its own alias');
    assert.equal(ask('SELECT * FROM c WHERE c.type = "x" OR c.n = 1'), undefined, 'an OR narrows nothing');
    assert.equal(ask('SELECT * FROM c WHERE NOT (c.type = "x")'), undefined);
    assert.equal(ask('SELECT * FROM c WHERE c.kind.type = "x"'), undefined, 'a nested property');
    assert.equal(ask('SELECT * FROM c WHERE c.type = @t', [{ name: '@t', value: 3 }]), undefined, 'not a string');
    assert.equal(ask('SELECT * FROM c WHERE c.type = @t'), undefined, 'no such parameter');
    assert.equal(ask('SELECT VALUE s.due FROM c.sla s WHERE s.type = "x"'), undefined, 'a FROM over part of the item: its type is not the item\'s');
    assert.equal(ask('SELECT * FROM c'), undefined);
  });

  it('answers a query of one type within a partition as a scan of the partition does, through writes that change types', async () => {
    const typed = store.containers.accounts;
    const kinds = ['plan', 'checkIn', 'alert'];
    for (let i = 0; i < 30; i++) await typed.items.create({ id: `t${i}`, accountId: `b${i % 2}`, type: kinds[i % 3], n: i % 5 });
    await typed.items.create({ id: 'untyped', accountId: 'b0', n: 1 });
    // A replace that changes the type, a delete and an upsert of a new one, after the index exists.
    await run('SELECT * FROM c WHERE c.type = "plan"', [], 'b0');
    await typed.item('t0', 'b0').replace({ id: 't0', accountId: 'b0', type: 'alert', n: 4 });
    await typed.item('t6', 'b0').delete();
    await typed.items.upsert({ id: 't30', accountId: 'b0', type: 'checkIn', n: 2 });
    const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id).sort();
    for (const partition of ['b0', 'b1']) {
      for (const type of [...kinds, 'none']) {
        const narrowed = await run<{ id: string }>('SELECT * FROM c WHERE c.type = @type AND c.n >= 1', [{ name: '@type', value: type }], partition);
        const scanned = await run<{ id: string }>('SELECT * FROM c WHERE c.accountId = @p AND c.type = @type AND c.n >= 1', [{ name: '@p', value: partition }, { name: '@type', value: type }]);
        assert.deepEqual(ids(narrowed), ids(scanned), `${type} in ${partition}`);
      }
    }
    // Across partitions too: the type's items of every partition, and no other.
    for (const type of [...kinds, 'none']) {
      const everywhere = await run<{ id: string }>('SELECT * FROM c WHERE c.type = @type AND c.n >= 1', [{ name: '@type', value: type }]);
      const scanned = (await run<{ id: string; type?: string; n?: number }>('SELECT * FROM c')).filter((d) => d.type === type && (d.n ?? 0) >= 1);
      assert.deepEqual(ids(everywhere), ids(scanned), `${type} in every partition`);
    }
    assert.deepEqual(ids(await run('SELECT * FROM c WHERE c.type = "alert"', [], 'b0')), ['t0', 't14', 't2', 't20', 't26', 't8'].sort());
    assert.deepEqual(ids(await run('SELECT * FROM c WHERE c.type = "checkIn" OR c.id = "untyped"', [], 'b0')), ['t10', 't16', 't22', 't28', 't30', 't4', 'untyped'].sort());
  });

  it('finds an upper bound a query puts on a property outright, and only then', () => {
    const ask = (sql: string, parameters: { name: string; value: unknown }[] = []) => upperBound(query(sql).ast, parameters);
    const now = [{ name: '@now', value: '2026-03-02T10:00:00.000Z' }];
    assert.deepEqual(ask('SELECT * FROM c WHERE c.type = @t AND c.alertCheckAt <= @now ORDER BY c.alertCheckAt', now), { path: ['alertCheckAt'], value: '2026-03-02T10:00:00.000Z' });
    assert.deepEqual(ask('SELECT * FROM c WHERE c.type = "x" AND @now > c.sla.dueAt', now), { path: ['sla', 'dueAt'], value: '2026-03-02T10:00:00.000Z' });
    assert.deepEqual(ask('SELECT * FROM c WHERE c["due"] < "2026-01-01"'), { path: ['due'], value: '2026-01-01' });
    assert.equal(ask('SELECT * FROM c WHERE c.type = "x" AND (c.due <= @now OR c.n = 1)', now), undefined, 'under an OR');
    assert.equal(ask('SELECT * FROM c WHERE c.due >= @now', now), undefined, 'a lower bound');
    assert.equal(ask('SELECT * FROM c WHERE c.n <= @n', [{ name: '@n', value: 3 }]), undefined, 'not a string');
    assert.equal(ask('SELECT * FROM c WHERE LOWER(c.due) <= @now', now), undefined, 'not a property');
    assert.equal(ask('SELECT VALUE s.due FROM c.sla s WHERE s.due <= @now', now), undefined, 'a FROM over part of the item');
    assert.equal(ask('SELECT * FROM ch IN c.children WHERE ch.due <= @now', now), undefined);
    assert.deepEqual(ask('SELECT * FROM c JOIN t IN c.tags WHERE c.due <= @now AND t.name = "x"', now), { path: ['due'], value: '2026-03-02T10:00:00.000Z' }, 'the item under a JOIN');
    assert.equal(ask('SELECT * FROM c JOIN t IN c.tags WHERE t.due <= @now', now), undefined, 'a joined part is not the item');
  });

  it('answers a bounded query of one type as a scan does, within a partition and across, through writes that move the bound property (paths the indexing policy includes)', async () => {
    const items = store.containers.accounts.items;
    const at = (minute: number): string => `2026-03-02T10:${String(minute).padStart(2, '0')}:00.000Z`;
    for (let i = 0; i < 40; i++) await items.create({ id: `r${i}`, accountId: `r${i % 3}`, type: i % 4 === 0 ? 'other' : 'due', alertCheckAt: i % 7 === 0 ? null : at(i), sla: { responseDueAt: at(59 - i) } });
    const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id).sort();
    const compare = async (label: string): Promise<void> => {
      const all = await run<{ id: string; accountId: string; type?: string; alertCheckAt?: unknown; sla?: { responseDueAt?: unknown } }>('SELECT * FROM c');
      for (const bound of [at(0), at(15), at(30), at(59), '2027']) {
        for (const partition of [undefined, 'r0', 'r2']) {
          const expect = (keep: (d: (typeof all)[number]) => boolean): string[] => ids(all.filter((d) => d.type === 'due' && (!partition || d.accountId === partition) && keep(d)));
          const p = [{ name: '@type', value: 'due' }, { name: '@b', value: bound }];
          assert.deepEqual(ids(await run('SELECT * FROM c WHERE c.type = @type AND c.alertCheckAt <= @b ORDER BY c.alertCheckAt', p, partition)), expect((d) => typeof d.alertCheckAt === 'string' && d.alertCheckAt <= bound), `${label}: <= ${bound} in ${partition ?? 'every partition'}`);
          assert.deepEqual(ids(await run('SELECT * FROM c WHERE c.type = @type AND @b > c.sla.responseDueAt', p, partition)), expect((d) => typeof d.sla?.responseDueAt === 'string' && d.sla.responseDueAt < bound), `${label}: nested < ${bound}`);
        }
      }
      const top = await run<{ alertCheckAt: string }>('SELECT TOP 3 * FROM c WHERE c.type = @type AND c.alertCheckAt <= @b ORDER BY c.alertCheckAt', [{ name: '@type', value: 'due' }, { name: '@b', value: at(59) }]);
      const expected = all.filter((d) => d.type === 'due' && typeof d.alertCheckAt === 'string').map((d) => d.alertCheckAt as string).sort().slice(0, 3);
      assert.deepEqual(top.map((d) => d.alertCheckAt), expected, `${label}: the earliest first`);
    };
    await compare('as stored');
    // After the indexes exist: a value moved past the bound and back, a string made a number, a type changed, deletes and new items.
    await store.containers.accounts.item('r1', 'r1').replace({ id: 'r1', accountId: 'r1', type: 'due', alertCheckAt: at(50), sla: { responseDueAt: at(1) } });
    await store.containers.accounts.item('r2', 'r2').replace({ id: 'r2', accountId: 'r2', type: 'due', alertCheckAt: 5, sla: {} });
    await store.containers.accounts.item('r3', 'r0').replace({ id: 'r3', accountId: 'r0', type: 'other', alertCheckAt: at(3) });
    await store.containers.accounts.item('r5', 'r2').delete();
    await items.upsert({ id: 'r4', accountId: 'r1', type: 'due', alertCheckAt: at(2), sla: { responseDueAt: at(2) } });
    await items.create({ id: 'r40', accountId: 'r0', type: 'due', alertCheckAt: at(0), sla: { responseDueAt: at(0) } });
    await compare('after writes');
  });

  it('answers one query text run again with other parameters from those parameters, page after page', async () => {
    const sql = 'SELECT * FROM c WHERE c.n = @n AND IS_DEFINED(c.tags) ORDER BY c.id';
    for (const n of [0, 3, 0, 10, 3]) {
      const expected = docs.filter((d) => d.n === n).map((d) => d.id).sort();
      assert.deepEqual((await run<Doc>(sql, [{ name: '@n', value: n }])).map((d) => d.id), expected, `n = ${n}`);
      const pages = store.containers.accounts.items.query<Doc>({ query: sql, parameters: [{ name: '@n', value: n }] }, { maxItemCount: 2 });
      const paged: string[] = [];
      while (pages.hasMoreResults()) paged.push(...(await pages.fetchNext()).resources.map((d) => d.id));
      assert.deepEqual(paged, expected, `n = ${n}, two at a time`);
    }
  });

  it('answers a query-plan request with a plan, as Cosmos does, without running the query', async () => {
    const plan = async (sql: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${store.server.endpoint}dbs/test/colls/accounts/docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/query+json', 'x-ms-documentdb-isquery': 'True', 'x-ms-cosmos-is-query-plan-request': 'True' },
        body: JSON.stringify({ query: sql, parameters: [] }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const items = (itemsModule as unknown as { default: { prototype: { query: () => unknown } } }).default.prototype;
    const ran = sinon.spy(items, 'query');
    try {
      const ordered = await plan('SELECT TOP 5 VALUE c.id FROM c WHERE c.accountId = "a1" ORDER BY c.n DESC, c.id');
      assert.equal(ordered.status, 200);
      assert.deepEqual((ordered.body.queryInfo as Record<string, unknown>).orderBy, ['Descending', 'Ascending']);
      assert.equal((ordered.body.queryInfo as Record<string, unknown>).top, 5);
      assert.equal((ordered.body.queryInfo as Record<string, unknown>).hasSelectValue, true);
      assert.equal((await plan('SELEKT nonsense')).status, 400, 'a query that does not parse is refused');
      assert.equal((await plan(undefined)).status, 400);
      assert.equal(ran.callCount, 0, 'no query was run for a plan');
      // The SDK asks for a plan beside every query: only the query itself is run.
      assert.equal((await run<Doc>('SELECT * FROM c WHERE c.n = 3', [], 'a1')).length, docs.filter((d) => d.accountId === 'a1' && d.n === 3).length);
      assert.equal(ran.callCount, 1);
    } finally {
      ran.restore();
    }
  });
});
