import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { closeServer, forwardRequest, listenOnLoopback } from '../tests/support/loopback';

export type RequestKind = 'point read' | 'query, one partition' | 'query, cross-partition' | 'query plan' | 'write' | 'metadata';
export const requestKinds: readonly RequestKind[] = ['point read', 'query, one partition', 'query, cross-partition', 'query plan', 'write', 'metadata'];

/**
 * A pass-through proxy in front of the Cosmos server that counts requests by kind, as they are
 * on the wire: a query is single-partition when it names its partition key; the query-plan
 * request the SDK makes before each query is counted on its own.
 */
export class CosmosRequestCounter {
  private server: http.Server | undefined;
  counts: Record<RequestKind, number> = this.zero();
  /** Milliseconds from each request's arrival to its answer's end, summed by kind. */
  timeInMs: Record<RequestKind, number> = this.zero();

  constructor(private readonly target: string) {}

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

  async start(): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const target = new URL(this.target);
    this.server = http.createServer({ keepAlive: true }, (req, res) => {
      const kind = classify(req);
      const started = performance.now();
      this.counts[kind] += 1;
      this.recorded?.push(`${kind}: ${req.method ?? ''} ${describe(req.url ?? '')}`);
      res.on('finish', () => (this.timeInMs[kind] += performance.now() - started));
      forwardRequest(target, agent, req, res);
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private zero(): Record<RequestKind, number> {
    return { 'point read': 0, 'query, one partition': 0, 'query, cross-partition': 0, 'query plan': 0, write: 0, metadata: 0 };
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

/** `accounts/docs/ESC-CONTOSO-0001` from a request path; queries and batches say so. */
function describe(url: string): string {
  const path = decodeURIComponent((url.split('?')[0] ?? '').replace(/^\/dbs\/[^/]+\/colls\//, ''));
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…');
}
