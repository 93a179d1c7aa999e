import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IngestionRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as sent, un-gzipped. */
  readonly body: string;
}

/** One Application Insights envelope, as the exporter posts it to /v2.1/track. */
export interface Envelope {
  readonly name: string;
  readonly iKey?: string;
  readonly tags?: Record<string, string>;
  readonly data: { readonly baseType: string; readonly baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

/**
 * Stands in for Application Insights on loopback: the ingestion endpoint (`/v2.1/track`, gzipped
 * JSON arrays of envelopes) and the live metrics endpoint (answered "nobody is watching"). Every
 * request is kept as received, so a test can search the raw bodies. The exporter speaks HTTPS
 * whatever the connection string says, so this does too, with a throwaway certificate (the
 * embedded Cosmos server's): the process under test must not check it (NODE_TLS_REJECT_UNAUTHORIZED=0).
 */
export class FakeIngestion {
  private server: https.Server | undefined;
  readonly requests: IngestionRequest[] = [];

  get url(): string {
    return `https://127.0.0.1:${(this.server?.address() as AddressInfo).port}/`;
  }

  /** A connection string naming this endpoint for ingestion and for live metrics. */
  get connectionString(): string {
    return `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${this.url};LiveEndpoint=${this.url}`;
  }

  async start(): Promise<void> {
    const certificates = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
    const tls = { key: fs.readFileSync(path.join(certificates, 'key.pem')), cert: fs.readFileSync(path.join(certificates, 'cert.pem')) };
    this.server = https.createServer(tls, (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        if (req.url?.startsWith('/v2.1/track') || req.url?.startsWith('/v2/track')) {
          const count = envelopesIn(body).length;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ itemsReceived: count, itemsAccepted: count, errors: [] }));
          return;
        }
        // Live metrics: nobody is watching, so it only pings.
        res.writeHead(200, { 'content-type': 'application/json', 'x-ms-qps-subscribed': 'false' });
        res.end('{}');
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every envelope received on the ingestion endpoint. */
  envelopes(): Envelope[] {
    return this.requests.filter((r) => r.path.startsWith('/v2.1/track') || r.path.startsWith('/v2/track')).flatMap((r) => envelopesIn(r.body));
  }
}

function envelopesIn(body: string): Envelope[] {
  const trimmed = body.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed.split('\n').map((line) => JSON.parse(line) as Envelope);
}
