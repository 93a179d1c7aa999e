// The engine's own module object, which its compiler reads `default` from on every query; a
// namespace import would be a frozen copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import transformerModule = require('@zeit/cosmosdb-query/lib/transformer');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import queryModule = require('@zeit/cosmosdb-query');

/**
 * The embedded server's query engine (@zeit/cosmosdb-query) compiles each SQL query to
 * JavaScript that gathers its working set with `reduce(($, c) => [...$, { c }], [])`, copying the
 * whole array once per document: quadratic in the size of the container. Past about 10,000
 * documents every query stalls for seconds (one over 16,000 documents took 20 s).
 *
 * The engine builds that JavaScript as a syntax tree before printing it. This rewrites, in the
 * tree, every accumulator of the form `[...$, x, ...y]` to `($.push(x, ...y), $)`. Each of those
 * reduces starts from a fresh `[]` of its own, so pushing onto it gives the same array in linear
 * time. Nothing else in the generated code changes.
 */
type Node = Record<string, unknown> & { type?: string };
type Transform = (sqlAst: Record<string, unknown>) => unknown;

const transformer = transformerModule as unknown as { default: Transform; linearAccumulators?: true };

export function installLinearQueryAccumulators(): void {
  if (transformer.linearAccumulators) return;
  const original = transformer.default;
  transformer.default = (sqlAst) => linearise(original(sqlAst));
  transformer.linearAccumulators = true;
}

function isAccumulatorCopy(node: Node): node is Node & { elements: Node[] } {
  if (node.type !== 'ArrayExpression' || !Array.isArray(node.elements)) return false;
  const first = node.elements[0] as Node | undefined;
  const argument = first?.argument as Node | undefined;
  return first?.type === 'SpreadElement' && argument?.type === 'Identifier' && argument.name === '$';
}

function pushOnto(node: Node & { elements: Node[] }): Node {
  const accumulator = { type: 'Identifier', name: '$' };
  return {
    type: 'SequenceExpression',
    expressions: [
      {
        type: 'CallExpression',
        callee: { type: 'MemberExpression', object: accumulator, property: { type: 'Identifier', name: 'push' }, computed: false },
        arguments: node.elements.slice(1),
      },
      accumulator,
    ],
  };
}

/** Rewrites the tree in place (children first) and returns its root. */
export function linearise<T>(root: T): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i]);
      return value;
    }
    if (!value || typeof value !== 'object') return value;
    const node = value as Node;
    for (const key of Object.keys(node)) node[key] = visit(node[key]);
    return isAccumulatorCopy(node) ? pushOnto(node) : node;
  };
  return visit(root) as T;
}


const queries = queryModule as unknown as { default: (sql: string) => unknown; parsedOnce?: true };

/**
 * The server parses a query's SQL again for every request only to check that it names the
 * partition key, which costs more than running the query over a partition. The parsed query is
 * kept by its text (bounded), as Cosmos keeps its query plans; what a query returns is unchanged.
 */
export function installParsedQueryCache(): void {
  if (!queries.parsedOnce) {
    const parse = queries.default;
    const parsed = new Map<string, unknown>();
    queries.default = (sql) => {
      let query = parsed.get(sql);
      if (!query) {
        query = parse(sql);
        if (parsed.size >= 500) parsed.clear();
        parsed.set(sql, query);
      }
      return query;
    };
    queries.parsedOnce = true;
  }
}

/** The parts of a parsed query a plan tells of. */
interface PlanAst {
  readonly body?: {
    readonly top?: { readonly value?: { readonly value?: unknown } } | null;
    readonly select?: { readonly value?: unknown } | null;
    readonly orderBy?: { readonly expressions?: readonly { readonly order?: string }[] } | null;
  } | null;
}

/**
 * What Azure Cosmos DB answers to a query-plan request (`x-ms-cosmos-is-query-plan-request`):
 * how the query is to be run, worked out from its text without running it. The embedded server
 * knows no such request and ran the query itself, over the whole container, since the SDK sends
 * no partition key with it: each single-partition query cost a full scan besides its own. Syntax
 * errors are refused as Cosmos refuses them (400).
 */
export function queryPlanFor(sql: string): { status: number; body: unknown } {
  let ast: PlanAst;
  try {
    ast = (queries.default(sql) as { ast: PlanAst }).ast;
  } catch (error) {
    return { status: 400, body: { code: 'BadRequest', message: `Syntax error in the query: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const body = ast.body;
  const top = body?.top?.value?.value;
  const orderBy = (body?.orderBy?.expressions ?? []).map((s) => (s.order === 'DESC' ? 'Descending' : 'Ascending'));
  return {
    status: 200,
    body: {
      partitionedQueryExecutionInfoVersion: 2,
      queryInfo: {
        distinctType: 'None',
        top: typeof top === 'number' ? top : null,
        offset: null,
        limit: null,
        orderBy,
        orderByExpressions: [],
        groupByExpressions: [],
        groupByAliases: [],
        aggregates: [],
        groupByAliasToAggregateType: {},
        rewrittenQuery: '',
        hasSelectValue: body?.select?.value !== undefined,
        dCountInfo: null,
      },
      queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
    },
  };
}
