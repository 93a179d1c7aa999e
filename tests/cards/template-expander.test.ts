import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'adaptivecards-templating';
import { findCardsDirectory } from '../../src/cards/card-templates';
import { compileTemplate, TemplateSyntaxError } from '../../src/cards/template-expander';

/** Both expansions of a template, or both failures. */
function compare(source: unknown, data: unknown, label: string): void {
  let theirs: { value?: unknown; failed?: true };
  try {
    theirs = { value: new Template(source).expand({ $root: structuredClone(data) }) };
  } catch {
    theirs = { failed: true };
  }
  let ours: { value?: unknown; failed?: true };
  try {
    ours = { value: compileTemplate(source)(structuredClone(data)) };
  } catch {
    ours = { failed: true };
  }
  assert.deepEqual(ours, theirs, label);
}

const grid: unknown[] = [undefined, null, '', 'x', 'true', 0, 3, -1, 2.5, true, false, [], [1, 2], {}, { a: 1 }];

function withValue(data: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return data;
  const keys = dotted.split('.');
  let at: Record<string, unknown> = data;
  for (const key of keys.slice(0, -1)) {
    const inner: Record<string, unknown> = (at[key] as Record<string, unknown> | undefined) ?? {};
    at[key] = inner;
    at = inner;
  }
  at[keys[keys.length - 1] ?? ''] = value;
  return data;
}

describe('template expander', () => {
  it('evaluates every binding in cards/ as Adaptive Expressions does, alone, inside text and as $when, for values of every kind', () => {
    const bindings = new Set<string>();
    for (const file of fs.readdirSync(findCardsDirectory())) {
      for (const match of fs.readFileSync(path.join(findCardsDirectory(), file), 'utf8').matchAll(/\$\{([^{}]*)\}/g)) bindings.add(match[1] ?? '');
    }
    assert.ok(bindings.size > 100);
    let compared = 0;
    for (const binding of bindings) {
      const paths = [...new Set((binding.match(/[A-Za-z_$][A-Za-z0-9_$.]*/g) ?? []).filter((p) => !['count', 'true', 'false', 'null'].includes(p) && !p.startsWith('$')))];
      const combinations: Record<string, unknown>[] = paths.length === 0 ? [{}] : [{}];
      for (const p of paths) {
        const next: Record<string, unknown>[] = [];
        for (const partial of combinations) for (const value of grid) next.push(withValue(structuredClone(partial), p, value));
        combinations.splice(0, combinations.length, ...next);
      }
      for (const data of combinations) {
        const label = `\${${binding}} with ${JSON.stringify(data)}`;
        compare({ v: `\${${binding}}` }, data, `${label}, alone`);
        compare({ v: `a \${${binding}} z` }, data, `${label}, in text`);
        compare({ items: [{ $when: `\${${binding}}`, k: 1 }, 'kept'] }, data, `${label}, as $when`);
        compared += 3;
      }
    }
    assert.ok(compared > 5_000, `${compared} compared`);
  });

  it('repeats, scopes, drops and flattens elements as the package does', () => {
    const template = {
      type: 'AdaptiveCard',
      $schema: 'kept',
      body: [
        { $data: '${rows}', type: 'TextBlock', text: '${name} #${$index} of ${$root.title}', sub: [{ $data: '${tags}', type: 'Tag', text: '${$data}', parent: '${name}' }] },
        { $data: '${rows}', $when: '${count(tags) > 0}', type: 'Only', text: '${name}' },
        { $data: '${missing}', type: 'Missing', text: '${title}' },
        { $data: '${one}', type: 'One', text: '${name}', root: '${$root.title}' },
        { $when: '${!hidden}', type: 'Shown' },
        [{ type: 'Nested' }, { $when: '${hidden}', type: 'Gone' }],
        '${extra}',
        { type: 'Gone', $when: '${hidden}' },
      ],
      selectAction: { $when: '${hidden}', type: 'Action.Submit' },
      width: '${100 - used}',
      raw: '${object}',
      count: '${count(rows)}',
    };
    const datas = [
      { title: 'T', rows: [{ name: 'a', tags: ['x', 'y'] }, { name: 'b', tags: [] }, { name: 'c' }], one: { name: 'solo' }, hidden: false, extra: [{ type: 'E1' }, { type: 'E2' }], used: 30, object: { a: [1, { b: 2 }] } },
      { title: 'T', rows: [], one: { name: 'solo' }, hidden: true, extra: { type: 'E' }, used: 100, object: null },
      { title: 'T', rows: [{ name: 'only' }], hidden: 'yes', used: 0 },
    ];
    datas.forEach((data, i) => compare(template, data, `data ${i}`));
  });

  it('refuses, when loading, a template that uses more of the language than it understands', () => {
    for (const source of [
      { text: '${formatDateTime(at)}' },
      { text: '${a && b}' },
      { text: '${a || b}' },
      { text: '${a ? b : c}' },
      { text: '${$host.x}' },
      { text: '${items[0]}' },
      { text: '${unclosed' },
      { text: '${"double quoted"}' },
      { $when: true, text: 'x' },
      { $when: 'not a binding', text: 'x' },
      { $data: { literal: 1 }, text: 'x' },
      { $data: 'a ${b} c', text: 'x' },
    ]) {
      assert.throws(() => compileTemplate(source), TemplateSyntaxError, JSON.stringify(source));
    }
  });

  it('keeps data out of the template: text in the data that looks like a binding is shown as it is', () => {
    const card = compileTemplate({ text: '${note}', other: 'Note: ${note}' })({ note: '${secret} and ${count(x)}' });
    assert.deepEqual(card, { text: '${secret} and ${count(x)}', other: 'Note: ${secret} and ${count(x)}' });
  });
});
