import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, forwardRequest, listenOnLoopback } from './loopback';

/** What a request asks: its method and path, and for a batch the type of each of its operations (`Read`, `Create` …). */
export type RequestMatch = (method: string, url: string, operations?: readonly string[]) => boolean;

export type Fault = '429' | '503' | 'timeout';

/**
 * A proxy in front of the embedded Cosmos server that answers a share of requests with a fault:
 * 429 with a retry hint, 503, or no answer until well after the client's timeout. The share and
 * the faults change while the test runs; the choice is seeded, so a run can be repeated.
 */
export class FaultyCosmosProxy {
  private server: http.Server | undefined;
  private share = 0;
  private faults: Fault[] = [];
  private seed = 20261126;
  readonly injected: Record<Fault, number> = { '429': 0, '503': 0, timeout: 0 };
  private readonly held = new Set<http.ServerResponse>();

  constructor(private readonly target: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/`;
  }

  private targeted: { match: RequestMatch; fault: Fault; times: number; retryAfterInMs: number } | undefined;
  /** When each request arrived (real time), to see how long a client waited before trying again. */
  readonly arrivals: { method: string; url: string; at: number; operations?: readonly string[] }[] = [];

  /** Fails the next `times` requests that match, whatever the share (a 429 with this retry hint). */
  failNext(match: RequestMatch, fault: Fault, times = 1, options: { retryAfterInMs?: number } = {}): void {
    this.targeted = { match, fault, times, retryAfterInMs: options.retryAfterInMs ?? 20 };
  }

  inject(share: number, faults: Fault[]): void {
    this.share = share;
    this.faults = faults;
  }

  heal(): void {
    this.share = 0;
    this.targeted = undefined;
    this.stalled = false;
    this.release();
  }

  private stalled = false;
  private holding: ((method: string, url: string) => boolean) | undefined;
  private readonly waiting: (() => void)[] = [];

  /** The store stops answering: every request from now on waits, unanswered, until `heal()`. */
  stall(): void {
    this.stalled = true;
  }

  /** Requests that match wait (are not passed on) until `release()`; resolves when the first one waits. */
  hold(match: (method: string, url: string) => boolean): Promise<void> {
    this.holding = match;
    return new Promise<void>((resolve) => (this.onHeld = resolve));
  }

  private onHeld: (() => void) | undefined;

  /** How many requests are waiting now. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Passes on every request held so far, and holds no more. */
  release(): void {
    this.holding = undefined;
    for (const next of this.waiting.splice(0)) next();
  }

  /**
   * With endpoint discovery on, the client asks the account (GET /) for its regions and sends its
   * requests there: the answer is rewritten to name this proxy, so requests keep coming through it.
   */
  advertiseSelf(): void {
    this.advertising = true;
  }

  private advertising = false;

  async start(): Promise<void> {
    const agent = new http.Agent({ keepAlive: true });
    const target = new URL(this.target);
    const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined): void => {
      if (!body) return forwardRequest(target, agent, req, res);
      const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    };
    const handle = (req: http.IncomingMessage, res: http.ServerResponse, batch?: { body: Buffer; operations: readonly string[] }): void => {
      const operations = batch?.operations;
      this.arrivals.push({ method: req.method ?? '', url: decodeURIComponent(req.url ?? ''), at: Date.now(), ...(operations ? { operations } : {}) });
      if (this.stalled) {
        this.waiting.push(() => res.destroy());
        return;
      }
      if (this.holding?.(req.method ?? '', decodeURIComponent(req.url ?? ''))) {
        this.waiting.push(() => forward(req, res, batch?.body));
        this.onHeld?.();
        return;
      }
      if (this.advertising && req.method === 'GET' && (req.url ?? '/').split('?')[0] === '/') {
        this.answerAccount(target, agent, req, res);
        return;
      }
      const targeted = this.targeted && this.targeted.times > 0 && this.targeted.match(req.method ?? '', decodeURIComponent(req.url ?? ''), operations) ? this.targeted : undefined;
      if (targeted) targeted.times -= 1;
      const fault = targeted?.fault ?? this.nextFault();
      if (fault) this.injected[fault] += 1;
      if (fault === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'x-ms-retry-after-ms': String(targeted?.retryAfterInMs ?? 20), 'x-ms-substatus': '3200' });
        res.end(JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large' }));
        req.resume();
        return;
      }
      if (fault === '503') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'ServiceUnavailable', message: 'Service is unavailable' }));
        req.resume();
        return;
      }
      if (fault === 'timeout') {
        this.held.add(res);
        req.resume();
        setTimeout(() => {
          this.held.delete(res);
          res.destroy();
        }, 2_000).unref();
        return;
      }
      forward(req, res, batch?.body);
    };
    this.server = http.createServer((req, res) => {
      if (req.headers['x-ms-cosmos-is-batch-request'] !== 'true') return handle(req, res);
      // A batch is read whole first, so a fault can be aimed at what it does.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let operations: string[] = [];
        try {
          operations = (JSON.parse(body.toString('utf8')) as { operationType?: string }[]).map((o) => String(o.operationType));
        } catch {
          // Not JSON: the store refuses it as it is.
        }
        handle(req, res, { body, operations });
      });
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    this.heal();
    for (const res of this.held) res.destroy();
    await closeServer(this.server);
  }

  private answerAccount(target: URL, agent: http.Agent, req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: 'GET', headers: req.headers, agent }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8').replace(/"databaseAccountEndpoint":"[^"]*"/g, `"databaseAccountEndpoint":"${this.endpoint}"`);
        const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private nextFault(): Fault | undefined {
    if (this.share <= 0 || this.faults.length === 0) return undefined;
    // A small linear congruential generator: the same seed gives the same faults.
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    const roll = this.seed / 2147483648;
    if (roll >= this.share) return undefined;
    return this.faults[Math.floor((roll / this.share) * this.faults.length)];
  }
}
