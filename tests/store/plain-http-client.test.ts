import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CosmosClient, type Container } from '@azure/cosmos';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, isRestError, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { PlainHttpClient } from '../../src/store/plain-http-client';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from '../support/manual-clock';

/** The general client, counting what it is handed. */
function general(): HttpClient & { handed: PipelineRequest[] } {
  const inner = createDefaultHttpClient();
  const handed: PipelineRequest[] = [];
  return { handed, sendRequest: (request) => (handed.push(request), inner.sendRequest(request)) };
}

/** A server on loopback whose every request is answered by `answer`. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the plain HTTP client under the Cosmos SDK', function () {
  this.timeout(30_000);
  let store: EmbeddedCosmos;
  let container: Container;
  let client: CosmosClient;
  let fallback: ReturnType<typeof general>;

  before(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    fallback = general();
    client = new CosmosClient({ endpoint: store.endpoint, key: 'embedded', httpClient: new PlainHttpClient(fallback), connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.createIfNotExists({ id: 'plain' });
    ({ container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/pk'] } }));
  });

  after(async () => {
    client.dispose();
    await store.close();
  });

  it('carries every request the app makes itself: writes, reads, a missing read, queries, batches, a refused precondition', async () => {
    const text = 'é'.repeat(3000);
    const created = await container.items.create({ id: 'a', pk: 'p', text });
    const read = await container.item('a', 'p').read<{ text: string }>();
    assert.equal(read.resource?.text, text, 'a body of multi-byte text whole, both ways');
    assert.equal(read.etag, created.etag);
    assert.equal((await container.item('missing', 'p').read()).statusCode, 404);
    await assert.rejects(container.item('a', 'p').replace({ id: 'a', pk: 'p' }, { accessCondition: { type: 'IfMatch', condition: '"stale"' } }), (e: { code?: number }) => e.code === 412);
    await container.items.upsert({ id: 'b', pk: 'p', n: 2 });
    const found = await container.items.query<{ id: string }>({ query: 'SELECT c.id FROM c WHERE c.pk = @p ORDER BY c.id', parameters: [{ name: '@p', value: 'p' }] }, { partitionKey: 'p' }).fetchAll();
    assert.deepEqual(found.resources.map((r) => r.id), ['a', 'b']);
    const batch = await container.items.batch([{ operationType: 'Read', id: 'a' }, { operationType: 'Create', resourceBody: { id: 'c', pk: 'p' } }], 'p');
    assert.deepEqual(batch.result?.map((r) => r.statusCode), [200, 201]);
    await container.item('c', 'p').delete();
    assert.equal(fallback.handed.length, 0, 'none was handed to the general client');
  });

  it('hands a request that needs more (a streamed answer, compression, plain http not allowed) to the general client as it is', async () => {
    const plain = new PlainHttpClient(fallback);
    const before = fallback.handed.length;
    const streamed = createPipelineRequest({ url: store.endpoint, method: 'GET', allowInsecureConnection: true, streamResponseStatusCodes: new Set([200]) });
    const response = await plain.sendRequest(streamed);
    response.readableStreamBody?.resume();
    const compressed = createPipelineRequest({ url: store.endpoint, method: 'GET', allowInsecureConnection: true, headers: createHttpHeaders({ 'Accept-Encoding': 'gzip' }) });
    await plain.sendRequest(compressed);
    const insecure = createPipelineRequest({ url: store.endpoint, method: 'GET' });
    await assert.rejects(plain.sendRequest(insecure), /allowInsecureConnection/);
    assert.deepEqual(fallback.handed.slice(before), [streamed, compressed, insecure]);
  });
});

describe('the plain HTTP client on its own', function () {
  this.timeout(30_000);
  const plain = new PlainHttpClient({ sendRequest: () => Promise.reject(new Error('handed to the general client')) });

  it('sends the body with its length and gives back status, every header (repeated ones joined) and the text', async () => {
    let seen: { method?: string; length?: string; body: string } = { body: '' };
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen = { method: req.method, length: req.headers['content-length'], body };
        res.setHeader('x-ms-request-charge', '1.5');
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    try {
      const body = JSON.stringify({ text: 'ü' });
      const response = await plain.sendRequest(createPipelineRequest({ url: `${server.url}/dbs/d`, method: 'POST', body, allowInsecureConnection: true }));
      assert.deepEqual(seen, { method: 'POST', length: String(Buffer.byteLength(body)), body });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('x-ms-request-charge'), '1.5');
      assert.equal(response.headers.get('set-cookie'), 'a=1, b=2');
      assert.equal(response.bodyAsText, '{"ok":true}');
    } finally {
      await server.close();
    }
  });

  it('stops a request when its signal aborts or its timeout passes, with an AbortError, and never sends one aborted already', async () => {
    let arrived = 0;
    const server = await serve(() => (arrived += 1)); // never answers
    try {
      const controller = new AbortController();
      const pending = plain.sendRequest(createPipelineRequest({ url: `${server.url}/slow`, method: 'GET', allowInsecureConnection: true, abortSignal: controller.signal }));
      setImmediate(() => controller.abort());
      await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
      await assert.rejects(plain.sendRequest(createPipelineRequest({ url: `${server.url}/slow`, method: 'GET', allowInsecureConnection: true, timeout: 50 })), (e: Error) => e.name === 'AbortError');
      const seenBefore = arrived;
      await assert.rejects(plain.sendRequest(createPipelineRequest({ url: `${server.url}/slow`, method: 'GET', allowInsecureConnection: true, abortSignal: AbortSignal.abort() })), (e: Error) => e.name === 'AbortError');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(arrived, seenBefore, 'the aborted request did not leave');
    } finally {
      await server.close();
    }
  });

  it('fails a refused connection and an answer cut off with a RestError carrying the network code, which the SDK retries reads on', async () => {
    const gone = await serve(() => undefined);
    const closedUrl = gone.url;
    await gone.close();
    await assert.rejects(plain.sendRequest(createPipelineRequest({ url: `${closedUrl}/x`, method: 'GET', allowInsecureConnection: true })), (e: unknown) => isRestError(e) && e.code === 'ECONNREFUSED');
    const cut = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    });
    try {
      await assert.rejects(plain.sendRequest(createPipelineRequest({ url: `${cut.url}/x`, method: 'GET', allowInsecureConnection: true })), (e: unknown) => isRestError(e) && e.code === 'ECONNRESET');
    } finally {
      await cut.close();
    }
  });
});
