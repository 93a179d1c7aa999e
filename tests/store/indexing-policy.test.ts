import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { databaseDefinition, type ContainerLayout, type ContainerName } from '../../src/store/containers';

/**
 * The embedded store answers every query whatever is indexed; Azure Cosmos DB refuses an ORDER BY
 * on a path it does not index and charges more for filters on unindexed ones. So every path a
 * query filters or sorts on must be indexed under its container's policy, and every ORDER BY has
 * a composite index with the query's filters before it. Read from the repositories' source.
 */
const storeDirectory = path.join(__dirname, '..', '..', 'src', 'store');
const containerOf: Record<string, ContainerName> = {
  'cosmos-account-repository.ts': 'accounts',
  'cosmos-alert-repository.ts': 'accounts',
  'cosmos-contract-repository.ts': 'accounts',
  'cosmos-delivery-plan-repository.ts': 'accounts',
  'cosmos-escalation-repository.ts': 'accounts',
  'cosmos-directory-repository.ts': 'directory',
  'cosmos-alert-settings-repository.ts': 'directory',
  'cosmos-health-repository.ts': 'directory',
  'cosmos-conversation-repository.ts': 'conversations',
  'cosmos-outbox-repository.ts': 'outbox',
  'cosmos-lease-repository.ts': 'leases',
};

interface Query {
  readonly file: string;
  readonly text: string;
  readonly filters: string[];
  readonly orderBy?: string;
}

/** Every string literal of a file that is (part of) a query's WHERE or ORDER BY. */
function queriesIn(file: string): Query[] {
  const source = fs.readFileSync(path.join(storeDirectory, file), 'utf8');
  const literals = [...source.matchAll(/'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1] ?? m[2] ?? '');
  return literals
    .filter((l) => /\bc\.[A-Za-z_]/.test(l))
    // A projection spliced into a SELECT (`c.accountId, c.escalationId`) filters on nothing.
    .filter((l) => !/^\s*c\.\w+(\s*,\s*c\.\w+)*\s*$/.test(l))
    .map((text) => {
      const condition = text.replace(/^\s*SELECT[\s\S]*?\bFROM c\b/i, '');
      const [where = '', order] = condition.split(/\bORDER BY\b/i);
      const filters = [...where.matchAll(/\bc\.([A-Za-z_][\w.]*)/g)].map((m) => m[1] ?? '');
      const orderBy = order ? /\bc\.([A-Za-z_][\w.]*)/.exec(order)?.[1] : undefined;
      return { file, text, filters, ...(orderBy ? { orderBy } : {}) };
    });
}

function indexed(layout: ContainerLayout, property: string): boolean {
  const jsonPath = `/${property.split('.').join('/')}`;
  return layout.indexingPolicy.includedPaths.some(
    ({ path: p }) => p === `${jsonPath}/?` || p === `${jsonPath}/[]/?` || (p.endsWith('/*') && jsonPath.startsWith(p.slice(0, -1))),
  );
}

describe('indexing policy: every query is served by an index', () => {
  const files = Object.keys(containerOf);
  const queries = files.flatMap(queriesIn);

  it('finds the queries of every repository that has any', () => {
    assert.ok(queries.length >= 20, `${queries.length} query fragments read`);
    for (const file of fs.readdirSync(storeDirectory).filter((f) => /^cosmos-.*-repository\.ts$/.test(f))) assert.ok(file in containerOf, `${file} is mapped to its container`);
  });

  it('indexes every path a query filters or sorts on, under its container\'s policy', () => {
    const missing: string[] = [];
    for (const query of queries) {
      const layout = databaseDefinition.containers.find((c) => c.id === containerOf[query.file]);
      assert.ok(layout);
      for (const property of [...query.filters, ...(query.orderBy ? [query.orderBy] : [])]) {
        if (!indexed(layout, property)) missing.push(`${layout.id}: /${property.split('.').join('/')} (${query.file}: ${query.text.slice(0, 80)})`);
      }
    }
    assert.deepEqual([...new Set(missing)], []);
  });

  it('gives every ORDER BY a composite index ending in it, with only the query\'s filters before it', () => {
    const missing: string[] = [];
    for (const query of queries.filter((q) => q.orderBy)) {
      const layout = databaseDefinition.containers.find((c) => c.id === containerOf[query.file]);
      const order = `/${(query.orderBy ?? '').split('.').join('/')}`;
      const filters = new Set(query.filters.map((f) => `/${f.split('.').join('/')}`));
      const served = (layout?.indexingPolicy.compositeIndexes ?? []).some(
        (composite) => composite[composite.length - 1]?.path === order && composite.slice(0, -1).every((c) => filters.has(c.path)),
      );
      if (!served) missing.push(`${layout?.id}: ORDER BY ${order} (${query.file}: ${query.text.slice(0, 90)})`);
    }
    assert.deepEqual(missing, []);
  });

  it('indexes nothing on a container read only by id, and never every path', () => {
    const leases = databaseDefinition.containers.find((c) => c.id === 'leases');
    assert.deepEqual(leases?.indexingPolicy.includedPaths, []);
    for (const layout of databaseDefinition.containers) {
      assert.deepEqual(layout.indexingPolicy.excludedPaths.map((p) => p.path), ['/*'], layout.id);
      assert.equal(layout.partitionKey.version, 2, `${layout.id}: hash v2 (it can only be chosen at creation)`);
    }
  });
});
