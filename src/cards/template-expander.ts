/**
 * Expands the card templates in `cards/`: the Adaptive Cards Templating language as the
 * adaptivecards-templating package expands it, for the part of it these templates use, compiled
 * once at start-up into plain functions. The package evaluates every binding through the general
 * Adaptive Expressions interpreter, which made expanding a card cost more than the rest of a turn.
 *
 * What is understood: `${...}` bindings, alone in a string (the value keeps its type) or inside
 * text (each turned to text); `$data` (a scope, or one copy of the element per item of an array);
 * `$when` (the element is left out unless it is true); and in a binding: property paths from the
 * current data or `$root`, `$data`, `$index`, numbers, 'strings', `count(...)`, `!`, `-`, `+`
 * and the comparisons. A template that uses anything else is refused when it is loaded, so a card
 * never renders differently from how the package would render it (the tests compare the two on
 * every card the bot sends).
 */

export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

/** Why a binding has no value: evaluation failed (the package's "error"). */
class BindingError extends Error {}

interface Scope {
  readonly root: unknown;
  /** The current `$data`; undefined means the root. */
  readonly data: unknown;
  readonly index: number | undefined;
}

type Expression =
  | { readonly kind: 'path'; readonly head: string; readonly rest: readonly string[]; readonly source: string }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'count'; readonly operand: Expression }
  | { readonly kind: 'arithmetic'; readonly operator: '-' | '+'; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'compare'; readonly operator: '==' | '!=' | '<' | '>' | '<=' | '>='; readonly left: Expression; readonly right: Expression };

type Node = (scope: Scope) => unknown;

const reservedKeys = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** A template compiled: call it with the root data to get the expanded card. */
export function compileTemplate(source: unknown): (root: unknown) => unknown {
  const node = compileNode(source);
  return (root) => node({ root, data: undefined, index: undefined });
}

function compileNode(value: unknown): Node {
  if (typeof value === 'string') return compileString(value);
  if (Array.isArray(value)) return compileArray(value);
  if (value && typeof value === 'object') return compileObject(value as Record<string, unknown>);
  return () => value;
}

function compileArray(items: readonly unknown[]): Node {
  const nodes = items.map(compileNode);
  return (scope) => {
    const out: unknown[] = [];
    for (const node of nodes) {
      const expanded = node(scope);
      if (expanded === null) continue;
      if (Array.isArray(expanded)) out.push(...(expanded as unknown[]));
      else out.push(expanded);
    }
    return out;
  };
}

function compileObject(source: Record<string, unknown>): Node {
  const data = source.$data === undefined ? undefined : bindingOf(source.$data, '$data');
  const when = source.$when === undefined ? undefined : bindingOf(source.$when, '$when');
  const fields = Object.keys(source)
    .filter((key) => !reservedKeys.has(key))
    .map((key) => [key, compileNode(source[key])] as const);
  const expandOne = (scope: Scope): Record<string, unknown> | undefined => {
    if (when && evaluateQuietly(when, scope) !== true) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, node] of fields) {
      const expanded = node(scope);
      if (expanded !== undefined) out[key] = expanded;
    }
    return out;
  };
  return (scope) => {
    if (!data) return expandOne(scope) ?? null;
    const context = evaluateLoudly(data, scope);
    const contexts = Array.isArray(context) ? (context as unknown[]) : [context];
    const out: Record<string, unknown>[] = [];
    contexts.forEach((item, i) => {
      const inner: Scope = { root: scope.root, data: item !== undefined ? item : scope.data, index: Array.isArray(context) ? i : scope.index };
      const expanded = expandOne(inner);
      if (expanded) out.push(expanded);
    });
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

/** `$data` and `$when` must be one binding, `"${...}"`. */
function bindingOf(value: unknown, key: string): Expression {
  const parts = typeof value === 'string' ? splitBindings(value) : undefined;
  const only = parts?.length === 1 ? parts[0] : undefined;
  if (!only || typeof only === 'string') throw new TemplateSyntaxError(`${key} must be a single binding such as "\${items}", not ${JSON.stringify(value)}`);
  return only;
}

function compileString(text: string): Node {
  if (!text.includes('${')) return () => text;
  const parts = splitBindings(text);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined && typeof first !== 'string') {
    // A binding alone keeps its value's type: a number, an object, an array.
    return (scope) => evaluateLoudly(first, scope, true);
  }
  return (scope) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      let value: unknown;
      try {
        value = evaluate(part, scope, true);
      } catch (error) {
        if (!(error instanceof BindingError)) throw error;
        value = `\${${sourceOf(part)}}`;
      }
      // A null in text is a failure of the card, as in the package.
      if (value == null) throw new TemplateSyntaxError(`\${${sourceOf(part)}} is null inside text`);
      out += textOf(value);
    }
    return out;
  };
}

/** Text and bindings in order; a string without bindings is one text part. */
function splitBindings(text: string): (string | Expression)[] {
  const parts: (string | Expression)[] = [];
  let at = 0;
  while (at < text.length) {
    const start = text.indexOf('${', at);
    if (start < 0) {
      parts.push(text.slice(at));
      break;
    }
    if (start > at) parts.push(text.slice(at, start));
    const end = text.indexOf('}', start + 2);
    if (end < 0) throw new TemplateSyntaxError(`unclosed binding in ${JSON.stringify(text)}`);
    const inner = text.slice(start + 2, end);
    if (inner.includes('{')) throw new TemplateSyntaxError(`nested braces are not understood: ${JSON.stringify(text)}`);
    parts.push(parseExpression(inner));
    at = end + 1;
  }
  return parts;
}

// --- Bindings: parsing ----------------------------------------------------------------------

const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)|'([^'\\]*)'|(==|!=|<=|>=|<|>|!|-|\+|\(|\))|([A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*))/y;

type Token = { readonly kind: 'number'; readonly value: number } | { readonly kind: 'string'; readonly value: string } | { readonly kind: 'operator'; readonly value: string } | { readonly kind: 'path'; readonly value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    tokenPattern.lastIndex = at;
    const match = tokenPattern.exec(source);
    if (!match) throw new TemplateSyntaxError(`binding not understood: \${${source}}`);
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'operator', value: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'path', value: match[4] });
    at = tokenPattern.lastIndex;
  }
  return tokens;
}

function parseExpression(source: string): Expression {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isOperator = (value: string): boolean => {
    const token = peek();
    return token?.kind === 'operator' && token.value === value;
  };
  const fail = (): never => {
    throw new TemplateSyntaxError(`binding not understood: \${${source}}`);
  };
  const primary = (): Expression => {
    const token = tokens[at++];
    if (!token) return fail();
    if (token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'operator' && token.value === '!') return { kind: 'not', operand: primary() };
    if (token.kind === 'operator' && token.value === '(') {
      const inner = comparison();
      if (!isOperator(')')) fail();
      at++;
      return inner;
    }
    if (token.kind === 'path') {
      if (isOperator('(')) {
        if (token.value !== 'count') throw new TemplateSyntaxError(`function ${token.value}() is not understood in \${${source}}`);
        at++;
        const operand = comparison();
        if (!isOperator(')')) fail();
        at++;
        return { kind: 'count', operand };
      }
      if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true' };
      if (token.value === 'null') return { kind: 'literal', value: null };
      const [head = '', ...rest] = token.value.split('.');
      if (head.startsWith('$') && !['$root', '$data', '$index'].includes(head)) throw new TemplateSyntaxError(`${head} is not understood in \${${source}}`);
      return { kind: 'path', head, rest, source: token.value };
    }
    return fail();
  };
  const additive = (): Expression => {
    let left = primary();
    while (isOperator('-') || isOperator('+')) {
      const operator = (tokens[at++] as { value: '-' | '+' }).value;
      left = { kind: 'arithmetic', operator, left, right: primary() };
    }
    return left;
  };
  const comparison = (): Expression => {
    const left = additive();
    const token = peek();
    if (token?.kind === 'operator' && ['==', '!=', '<', '>', '<=', '>='].includes(token.value)) {
      at++;
      return { kind: 'compare', operator: token.value as '==' | '!=' | '<' | '>' | '<=' | '>=', left, right: additive() };
    }
    return left;
  };
  const expression = comparison();
  if (at !== tokens.length) fail();
  return expression;
}

function sourceOf(expression: Expression): string {
  switch (expression.kind) {
    case 'path':
      return expression.source;
    case 'literal':
      return typeof expression.value === 'string' ? `'${expression.value}'` : String(expression.value);
    case 'not':
      return `!(${sourceOf(expression.operand)})`;
    case 'count':
      return `count(${sourceOf(expression.operand)})`;
    case 'arithmetic':
    case 'compare':
      return `(${sourceOf(expression.left)} ${expression.operator} ${sourceOf(expression.right)})`;
  }
}

// --- Bindings: evaluating, as Adaptive Expressions does ------------------------------------

/** A binding's value; a failed one throws (the package throws too). */
function evaluateLoudly(expression: Expression, scope: Scope, substitute = true): unknown {
  try {
    return evaluate(expression, scope, substitute);
  } catch (error) {
    if (error instanceof BindingError) throw new TemplateSyntaxError(`\${${sourceOf(expression)}} could not be evaluated: ${error.message}`);
    throw error;
  }
}

/** `$when`: a failed binding is false. */
function evaluateQuietly(expression: Expression, scope: Scope): unknown {
  try {
    return evaluate(expression, scope, false);
  } catch (error) {
    if (error instanceof BindingError) return undefined;
    throw error;
  }
}

/**
 * `substitute`: a path with no value stands for itself, `${path}` (what the package shows for a
 * missing field); operators look at their operands without that.
 */
function evaluate(expression: Expression, scope: Scope, substitute: boolean): unknown {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'path': {
      const value = lookUp(expression, scope);
      return substitute && value === undefined ? `\${${expression.source}}` : value;
    }
    case 'not': {
      let value: unknown;
      try {
        value = evaluate(expression.operand, scope, false);
      } catch (error) {
        if (error instanceof BindingError) return true;
        throw error;
      }
      return !isLogicTrue(value);
    }
    case 'count': {
      // Its operand as the binding has it: a missing one stands for itself here too.
      const value = evaluate(expression.operand, scope, substitute);
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (value !== null && typeof value === 'object') return Object.keys(value).length;
      throw new BindingError('count() needs a string, a list or an object');
    }
    case 'arithmetic': {
      const left = evaluate(expression.left, scope, false);
      const right = evaluate(expression.right, scope, false);
      if (!isNumber(left) || !isNumber(right)) throw new BindingError(`${expression.operator} needs numbers`);
      return expression.operator === '-' ? left - right : left + right;
    }
    case 'compare':
      return compare(expression, scope);
  }
}

function compare(expression: Extract<Expression, { kind: 'compare' }>, scope: Scope): boolean {
  let left: unknown;
  let right: unknown;
  try {
    left = evaluate(expression.left, scope, false);
    right = evaluate(expression.right, scope, false);
  } catch (error) {
    // An operand that fails makes the comparison false, not a failure.
    if (error instanceof BindingError) return false;
    throw error;
  }
  if (expression.operator === '==') return commonEquals(left, right);
  if (expression.operator === '!=') return !commonEquals(left, right);
  // The orderings want both operands present, and comparable.
  if (left == null || right == null) return false;
  const comparable = (isNumber(left) && isNumber(right)) || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) throw new BindingError(`${JSON.stringify(left)} and ${JSON.stringify(right)} must be comparable`);
  const [a, b] = [left as number | string, right as number | string];
  switch (expression.operator) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
}

function lookUp(path: Extract<Expression, { kind: 'path' }>, scope: Scope): unknown {
  const data = scope.data !== undefined ? scope.data : scope.root;
  let value: unknown;
  let rest = path.rest;
  if (path.head === '$root') value = scope.root;
  else if (path.head === '$data') value = data;
  else if (path.head === '$index') value = scope.index;
  else {
    value = data;
    rest = [path.head, ...path.rest];
  }
  for (const key of rest) {
    if (value == null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) && /^\d+$/.test(key) ? value[Number(key)] : property(value as Record<string, unknown>, key);
  }
  return value;
}

/**
 * A property by name, as Adaptive Expressions reads it: the name as written, else one that
 * differs only in case (the cards' data never holds two names that differ only in case).
 */
function property(object: Record<string, unknown>, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, key)) return object[key];
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

/** A value inside text, as JavaScript writes it: an object as "[object Object]", a list joined by commas. */
function textOf(value: unknown): string {
  return String(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

function isLogicTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return value != null;
}

function commonEquals(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => commonEquals(item, b[i]));
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  if (isNumber(a) && isNumber(b) && Math.abs(a - b) < Number.EPSILON) return true;
  return a === b;
}
