import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { closeServer, forwardRequest, listenOnLoopback } from '../tests/support/loopback';

export type RequestKind = 'point read' | 'point reads, one batch' | 'query, one partition' | 'query, cross-partition' | 'query plan' | 'write' | 'metadata';
export const requestKinds: readonly RequestKind[] = ['point read', 'point reads, one batch', 'query, one partition', 'query, cross-partition', 'query plan', 'write', 'metadata'];

/**
 * Counts Cosmos requests by kind, as they are on the wire: told of each request by the embedded
 * store itself (its `onRequest`, no hop of its own), or as a pass-through proxy in front of a
 * store. A query is single-partition when it names its partition key; the query-plan
 * request the SDK makes before each query is counted on its own; a transactional batch of Read
 * operations alone (point reads of one partition sent together) apart from writes.
 */
export class CosmosRequestCounter {
  private server: http.Server | undefined;
  counts: Record<RequestKind, number> = this.zero();
  /** Milliseconds from each request's arrival to its answer's end, summed by kind. */
  timeInMs: Record<RequestKind, number> = this.zero();

  /** `target`: the store a proxy started with `start()` stands in front of; none when the store calls `observe` itself. */
  constructor(private readonly target?: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/`;
  }

  /** When set, each request as it arrives: its kind and what it asks for. */
  recorded: string[] | undefined;

  reset(): Record<RequestKind, number> {
    const before = this.counts;
    this.counts = this.zero();
    this.timeInMs = this.zero();
    return before;
  }

  /**
   * Counts one request: called by the embedded store as it takes each request up (its
   * `onRequest`), or by this counter's own proxy. `body` is the parsed body (a batch's operations).
   */
  observe(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): void {
    const reads = req.headers['x-ms-cosmos-is-batch-request'] === 'true' ? readsOf(body) : undefined;
    const kind = req.headers['x-ms-cosmos-is-batch-request'] === 'true' ? (reads ? 'point reads, one batch' : 'write') : classify(req);
    const started = performance.now();
    this.counts[kind] += 1;
    this.recorded?.push(`${kind}: ${req.method ?? ''} ${describe(req.url ?? '')}${reads ? ` (${reads.join(', ')})` : ''}`);
    res.on('finish', () => (this.timeInMs[kind] += performance.now() - started));
  }

  /** As a proxy in front of the store at `target`, on a port of its own (`endpoint`). */
  async start(): Promise<void> {
    if (!this.target) throw new Error('a counter started as a proxy needs the store it stands in front of');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const target = new URL(this.target);
    this.server = http.createServer({ keepAlive: true }, (req, res) => {
      if (req.headers['x-ms-cosmos-is-batch-request'] !== 'true') {
        this.observe(req, res, undefined);
        forwardRequest(target, agent, req, res);
        return;
      }
      // A batch: what its operations are decides its kind.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let operations: unknown;
        try {
          operations = JSON.parse(body.toString('utf8'));
        } catch {
          // Not JSON: counted as a write, and refused by the store.
        }
        this.observe(req, res, operations);
        const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      });
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private zero(): Record<RequestKind, number> {
    return { 'point read': 0, 'point reads, one batch': 0, 'query, one partition': 0, 'query, cross-partition': 0, 'query plan': 0, write: 0, metadata: 0 };
  }
}

function classify(req: http.IncomingMessage): RequestKind {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const isDocs = /\/docs(\/|$)/.test(path);
  // The SDK asks the gateway for a query plan before running a query (no request units are charged).
  if (req.headers['x-ms-cosmos-is-query-plan-request']) return 'query plan';
  const isQuery = req.method === 'POST' && (req.headers['x-ms-documentdb-isquery'] === 'true' || req.headers['content-type'] === 'application/query+json');
  if (isQuery && isDocs) return req.headers['x-ms-documentdb-partitionkey'] ? 'query, one partition' : 'query, cross-partition';
  if (req.method === 'GET' && /\/docs\/[^/]+$/.test(path)) return 'point read';
  if (isDocs && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '')) return 'write';
  return 'metadata';
}

/** The ids a batch of Read operations alone reads; undefined for a batch that writes. */
function readsOf(operations: unknown): string[] | undefined {
  if (!Array.isArray(operations) || operations.length === 0) return undefined;
  const ids: string[] = [];
  for (const operation of operations as { operationType?: unknown; id?: unknown }[]) {
    if (operation?.operationType !== 'Read') return undefined;
    ids.push(String(operation.id));
  }
  return ids;
}

/** `accounts/docs/ESC-CONTOSO-0001` from a request path; queries and batches say so. */
function describe(url: string): string {
  const path = decodeURIComponent((url.split('?')[0] ?? '').replace(/^\/dbs\/[^/]+\/colls\//, ''));
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…');
}
