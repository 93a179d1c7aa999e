import { timingSafeEqual } from 'node:crypto';
import * as restify from 'restify';
import type { Logger } from './domain/logger';
import type { Bot } from './bot/create-bot';

export interface ServerOptions {
  readonly bot: Bot;
  readonly logger: Logger;
  /** Whether the store answers (a recent answer counts, see store-readiness.ts); `/readyz` reports 503 until it does. */
  readonly isReady: () => Promise<boolean>;
  /** Largest request body accepted on /api/messages. */
  readonly maxBodyBytes?: number;
  /** POST /api/alerts/sweep: the shared secret and the sweep it runs; absent, the endpoint is off. */
  readonly alertSweep?: { readonly secret: string; readonly run: () => Promise<unknown> };
  /** GET /reports/review.pdf?token=...: answers a signed link; absent (no REPORT_LINK_SECRET or PUBLIC_BASE_URL), the path is off. */
  readonly reports?: { readonly reviewPdf: (token: string | undefined) => Promise<ReportAnswer> };
}

/** What a report request is answered with: a PDF, or a short text holding no data. */
export interface ReportAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
  readonly filename?: string;
}

export interface HttpServer {
  readonly server: restify.Server;
  /** Binds the port; the address and URL are those really bound (IPv6 in brackets). */
  listen(port: number, host: string): Promise<{ port: number; address: string; url: string }>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

/** restify: POST /api/messages for the Bot Framework channel, GET /healthz and /readyz. */
export function createHttpServer(options: ServerOptions): HttpServer {
  const server = restify.createServer({ name: 'tam-assistant', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes ?? 512 * 1024, mapParams: false }));
  // restify's own refusals (a body too large or not JSON, an unknown path): one line each.
  server.on('restifyError', (req: restify.Request, _res: restify.Response, error: { statusCode?: number; name?: string }, callback: () => void) => {
    options.logger.warn('http.request_refused', { path: req.path(), status: error.statusCode ?? 500, reason: error.name ?? 'Error' });
    callback();
  });

  server.post('/api/messages', async (req, res) => {
    try {
      await options.bot.process(req, res);
    } catch (error) {
      options.logger.error('http.messages_failed', { error });
      if (!res.headersSent) {
        res.status(500);
        res.end();
      }
    }
  });

  server.post('/api/alerts/sweep', async (req, res) => {
    const sweep = options.alertSweep;
    if (!sweep) {
      res.send(404, { error: 'The sweep trigger is off: ALERT_SWEEP_SECRET is not set.' });
      return;
    }
    const header = req.header('authorization') ?? '';
    if (!constantTimeEquals(header, `Bearer ${sweep.secret}`)) {
      options.logger.warn('http.request_refused', { path: '/api/alerts/sweep', status: 401, reason: 'no bearer token with the sweep secret' });
      res.send(401, { error: 'A bearer token with the sweep secret is required.' });
      return;
    }
    try {
      res.send(200, await sweep.run());
    } catch (error) {
      options.logger.error('http.sweep_failed', { error });
      res.send(503, { error: 'The sweep failed; it will run again.' });
    }
  });

  server.get('/reports/review.pdf', async (req, res) => {
    const plain = (status: number, body: string): ReportAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });
    let answer: ReportAnswer;
    if (!options.reports) answer = plain(404, 'Reports are off: REPORT_LINK_SECRET and PUBLIC_BASE_URL are not set.');
    else {
      try {
        answer = await options.reports.reviewPdf(new URL(req.url ?? '', 'http://localhost').searchParams.get('token') ?? undefined);
      } catch (error) {
        options.logger.error('http.report_failed', { error });
        answer = plain(503, 'The review could not be made just now. Please try again in a moment.');
      }
    }
    // The link is a bearer token: nothing keeps the answer, and nothing of the URL goes on anywhere.
    res.writeHead(answer.status, {
      'content-type': answer.contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(answer.filename ? { 'content-disposition': `inline; filename="${answer.filename}"` } : {}),
    });
    res.end(answer.body);
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const ready = await options.isReady().catch(() => false);
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', store: ready ? 'reachable' : 'unreachable' });
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { address, port: actualPort } = server.address();
          resolve({ port: actualPort, address, url: `http://${address.includes(':') ? `[${address}]` : address}:${actualPort}` });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.server.closeIdleConnections?.();
      }),
  };
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
