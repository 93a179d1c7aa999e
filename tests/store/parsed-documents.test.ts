import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseDocument } from '../../src/store/documents';

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
