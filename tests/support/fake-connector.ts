import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback';

/** One request the bot made to the Bot Connector. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly conversationId: string;
  /** The activity replied to or updated, when the path names one. */
  readonly activityId?: string;
  readonly body: Record<string, unknown>;
  /** 0: never answered (the connector hung). */
  readonly status: number;
  readonly receivedAt: number;
}

/**
 * How a broken Bot Connector behaves: never answers, answers 500, or throttles with a Retry-After
 * (3600 s unless told otherwise).
 */
export type ConnectorFault = { readonly kind: 'hang' } | { readonly kind: '500' } | { readonly kind: '429'; readonly retryAfterInSeconds?: number };

function answeredOk(call: ConnectorCall): boolean {
  return call.status >= 200 && call.status < 300;
}

function inConversation(call: ConnectorCall, conversationId: string | undefined): boolean {
  return !conversationId || call.conversationId.split(';')[0] === conversationId;
}

/** Decides the answer to a call; return undefined for the normal success answer. */
export type ConnectorResponder = (call: Omit<ConnectorCall, 'status' | 'receivedAt'>) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined;

/**
 * Stands in for the Teams Bot Connector on loopback: records every activity the bot sends,
 * creates, replies to or updates, and can be told to answer with errors.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** Calls answered since the last reset, whether kept in `calls` or not. */
  answered = 0;
  private server: http.Server | undefined;
  private responder: ConnectorResponder | undefined;
  private fault: ConnectorFault | undefined;
  private readonly held = new Set<http.ServerResponse>();
  private nextId = 1;

  /**
   * `countOnly`: calls are answered and counted but neither read as JSON nor kept, as a load
   * needs it: Teams does that work on its own machines, not on the cores the bot shares here.
   */
  constructor(private readonly options: { readonly countOnly?: boolean } = {}) {}

  get serviceUrl(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake connector is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    this.dropHeld();
    await closeServer(this.server);
    this.server = undefined;
  }

  /** Every call from now on meets this fault, until `heal`. */
  breakWith(fault: ConnectorFault): void {
    this.fault = fault;
  }

  /** Answers normally again; calls still hanging are cut off (their outcome stays unknown to the bot). */
  heal(): void {
    this.fault = undefined;
    this.dropHeld();
  }

  private dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  respondWith(responder: ConnectorResponder | undefined): void {
    this.responder = responder;
  }

  reset(): void {
    this.calls.length = 0;
    this.answered = 0;
    this.responder = undefined;
    this.heal();
  }

  /** Activities the bot sent (new messages and replies), in order; a channel includes its threads. */
  sent(conversationId?: string): Record<string, unknown>[] {
    return this.calls
      .filter((c) => c.method === 'POST' && answeredOk(c) && c.path.includes('/activities') && inConversation(c, conversationId))
      .map((c) => c.body);
  }

  /** Updates of an existing message (card replaced in place). */
  updates(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && answeredOk(c) && inConversation(c, conversationId));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = /^\/v3\/conversations(?:\/([^/]+))?(?:\/activities(?:\/([^/]+))?)?/.exec(path);
    const method = req.method ?? 'GET';
    const activityId = match?.[2] ? decodeURIComponent(match[2]) : undefined;
    const created = (): unknown =>
      match?.[1] === undefined && method === 'POST'
        ? { id: `a:created-${this.nextId++}`, activityId: `act-${this.nextId++}` }
        : { id: activityId && method === 'PUT' ? activityId : `act-${this.nextId++}` };
    if (this.options.countOnly && !this.fault && !this.responder) {
      this.answered += 1;
      res.writeHead(method === 'PUT' ? 200 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(created()));
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      body = { raw };
    }
    const call = {
      method,
      path,
      conversationId: match?.[1] ? decodeURIComponent(match[1]) : '',
      ...(activityId ? { activityId } : {}),
      body,
    };
    if (this.fault?.kind === 'hang') {
      this.calls.push({ ...call, status: 0, receivedAt: Date.now() });
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    const custom = this.faultAnswer() ?? this.responder?.(call);
    const status = custom?.status ?? (method === 'PUT' ? 200 : 201);
    this.calls.push({ ...call, status, receivedAt: Date.now() });
    this.answered += 1;
    const payload = custom?.body ?? (status < 300 ? created() : { error: { code: 'Fake', message: 'injected failure' } });
    res.writeHead(status, { 'content-type': 'application/json', ...(custom?.headers ?? {}) });
    res.end(JSON.stringify(payload));
  }

  private faultAnswer(): ReturnType<ConnectorResponder> {
    switch (this.fault?.kind) {
      case '500':
        return { status: 500, body: { error: { code: 'ServiceError', message: 'injected failure' } } };
      case '429':
        return { status: 429, headers: { 'retry-after': String(this.fault.retryAfterInSeconds ?? 3600) }, body: { error: { code: 'Throttled', message: 'injected throttling' } } };
      default:
        return undefined;
    }
  }
}
