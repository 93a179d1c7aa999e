import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../domain/clock';
import type { Logger } from '../domain/logger';
import { runBatch } from './embedded-batch';
import { installBodyReadAhead, type InnerAccount, type InnerCollection, newAccount, provideBody, route, type StoredItem } from './embedded-inner';
import {
  applyEntry,
  type ContainerDefinition,
  countDocuments,
  type DocumentEntry,
  type JournalEntry,
  journalFiles,
  loadJournal,
  loadSnapshot,
  type StoreImage,
  stripSystem,
  writeSnapshot,
} from './embedded-journal';
import { maxBatchBytes, maxItemBytes } from './embedded-limits';
import { installParsedQueryCache, installLinearQueryAccumulators, queryPlanFor } from './embedded-query-engine';
import { installPartitionScopedQueries, withRequestPartition } from './embedded-partitions';
import { ImageExpiry } from './embedded-ttl';

export { EmbeddedStoreDamaged } from './embedded-journal';
export { maxBatchBytes, maxBatchOperations, maxItemBytes } from './embedded-limits';

/**
 * The embedded Cosmos-compatible server (@vercel/cosmosdb-server) on loopback, made durable and
 * made to behave as Azure Cosmos DB does where correctness depends on it.
 *
 * That server keeps everything in memory. Every acknowledged change — databases, containers (a
 * replacement included), items, transactional batches, bulk requests, and items removed because
 * their time to live ran out — is appended to a journal before the answer leaves; at start-up a
 * snapshot plus the journal are loaded into a fresh server, then compacted into a new snapshot.
 * A transactional batch is one journal line, so a replay has all of it or none of it.
 *
 * As in Azure Cosmos DB:
 * - an item over 2 MB is refused with 413;
 * - time to live (embedded-ttl.ts) counts from an item's last write by the injected clock; an
 *   expired item is gone for reads, queries, replace, patch and batches, and its id is free;
 *   the journal keeps each item's write instant, so a restart neither revives nor rejuvenates it;
 * - a transactional batch (embedded-batch.ts) is all or nothing, within one partition key, at
 *   most 100 operations and 2 MB; a failed one answers 207 with the failing operation's status and
 *   424 for the others. Bulk requests apply operation by operation, under the same limits;
 * - replacing a container (its indexing policy, its default time to live) keeps its items;
 * - user-defined functions are refused (501): they would not survive a restart.
 *
 * Once a request's body has arrived, it is handled in one step: expired items are removed, then
 * the request is answered, with no other request in between.
 */
export interface EmbeddedCosmos {
  readonly endpoint: string;
  /** Writes a compacted snapshot now (also done on close). */
  compact(): void;
  close(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  /** Folder for the snapshot and journal; omit to keep data in memory only (tests). */
  readonly dataDir?: string;
  readonly logger: Logger;
  /** The time items are written at and expire by; the system clock when omitted. */
  readonly clock?: Clock;
  /** Entries in the journal after which it is folded into the snapshot. */
  readonly compactAfterEntries?: number;
  /** Told of every request as it is taken up, with its parsed body (to count requests by kind without a proxy). */
  readonly onRequest?: (req: IncomingMessage, res: ServerResponse, body: unknown) => void;
}

/** How soon an acknowledged write is flushed to disk (the durability promise of the local store). */
export const journalSyncInMs = 200;

// eslint-disable-next-line no-restricted-syntax -- the fallback when no clock is injected (benchmarks)
const systemClock: Clock = { now: () => new Date() };

/** A change a request makes, known from its method and path before it runs. */
type Change =
  | { kind: 'db' }
  | { kind: 'dropDb'; db: string }
  | { kind: 'coll'; db: string }
  | { kind: 'replaceColl'; db: string; coll: string }
  | { kind: 'dropColl'; db: string; coll: string }
  | { kind: 'put'; db: string; coll: string }
  | { kind: 'del'; db: string; coll: string; id: string; pk: unknown }
  | { kind: 'batch'; db: string; coll: string }
  | { kind: 'unsupported'; what: string };

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions): Promise<EmbeddedCosmos> {
  installLinearQueryAccumulators();
  installParsedQueryCache();
  installPartitionScopedQueries();
  installBodyReadAhead();
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const image: StoreImage = new Map();
  const files = options.dataDir ? journalFiles(options.dataDir) : undefined;
  if (files) {
    fs.mkdirSync(path.dirname(files.journal), { recursive: true });
    const loadedAt = clock.now().getTime();
    loadSnapshot(files.snapshot, image, loadedAt);
    const replayed = loadJournal(files.journal, image, logger, loadedAt);
    logger.info('store.embedded.loaded', { dataDir: options.dataDir, documents: countDocuments(image), journalEntries: replayed });
  }

  const expiry = new ImageExpiry(image);

  let journaling = false;
  let journalEntries = 0;
  const compactAfter = options.compactAfterEntries ?? 20_000;

  // The journal is written at once (a crash of the process loses no acknowledged write: the data
  // is with the operating system) and flushed to disk within journalSyncInMs (a crash of the
  // machine loses at most that much).
  const journal = files ? fs.openSync(files.journal, 'a') : undefined;
  let syncPending: NodeJS.Timeout | undefined;
  const syncJournal = (): void => {
    if (syncPending) clearTimeout(syncPending);
    syncPending = undefined;
    if (journal !== undefined) fs.fdatasyncSync(journal);
  };

  const compact = (): void => {
    if (!files) return;
    writeSnapshot(files.snapshot, image);
    fs.writeFileSync(files.journal, '');
    journalEntries = 0;
  };

  const record = (entry: JournalEntry, now: number): void => {
    applyEntry(image, entry, now);
    expiry.track(entry);
    if (journal === undefined || !journaling) return;
    fs.writeSync(journal, `${JSON.stringify(entry)}\n`);
    syncPending ??= setTimeout(syncJournal, journalSyncInMs).unref();
    journalEntries += 1;
    if (journalEntries >= compactAfter) compact();
  };

  /** Removes every item whose time to live has run out, as one journal line. */
  const removeExpired = (inner: InnerAccount, now: number): void => {
    const due = expiry.takeDue(now);
    if (due.length === 0) return;
    const entries: DocumentEntry[] = [];
    for (const item of due) {
      const collection = inner.database(item.db).collection(item.coll);
      if (!collection.read()) continue;
      if (collection.document(item.id, item.pk).read()) collection.documents.delete(item.id, item.pk);
      entries.push({ op: 'del', db: item.db, coll: item.coll, id: item.id, pk: item.pk });
    }
    if (entries.length > 0) record({ op: 'batch', entries }, now);
    logger.debug('store.embedded.expired', { items: entries.length });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const change = classify(req);
    const method = req.method ?? 'GET';
    const limit = change?.kind === 'batch' ? maxBatchBytes : change?.kind === 'put' ? maxItemBytes : undefined;
    if (limit !== undefined && Number(header(req, 'content-length') ?? 0) > limit) {
      req.resume();
      send(req, res, 413, tooLarge(change?.kind === 'batch' ? 'a batch' : 'an item', limit));
      return;
    }
    let body: unknown;
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    if (hasBody) {
      const raw = await readBody(req);
      if (limit !== undefined && raw.length > limit) {
        send(req, res, 413, tooLarge(change?.kind === 'batch' ? 'a batch' : 'an item', limit));
        return;
      }
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        send(req, res, 400, { code: 'BadRequest', message: 'The request body is not valid JSON.' });
        return;
      }
    }

    options.onRequest?.(req, res, body);
    // From here on the request is handled in one step.
    const inner = account;
    const now = clock.now().getTime();
    removeExpired(inner, now);
    if (change?.kind === 'unsupported') {
      send(req, res, 501, { code: 'NotImplemented', message: `The embedded store does not keep ${change.what}: they would be lost at a restart. Use Azure Cosmos DB or its emulator for them.` });
      return;
    }
    if (change?.kind === 'batch') {
      const outcome = runBatch({
        collection: inner.database(change.db).collection(change.coll),
        operations: body,
        atomic: isTrue(req, 'x-ms-cosmos-batch-atomic'),
        continueOnError: isTrue(req, 'x-ms-cosmos-batch-continue-on-error'),
        partitionKey: header(req, 'x-ms-documentdb-partitionkey'),
        ts: Math.floor(now / 1000),
      });
      if (outcome.writes.length > 0) {
        const entries = outcome.writes.map((write): DocumentEntry =>
          write.kind === 'put' ? { op: 'put', db: change.db, coll: change.coll, doc: stripSystem(write.item), at: now } : { op: 'del', db: change.db, coll: change.coll, id: write.id, pk: write.pk },
        );
        record({ op: 'batch', entries }, now);
      }
      send(req, res, outcome.status, outcome.body);
      return;
    }

    if (method === 'POST' && isTrue(req, 'x-ms-cosmos-is-query-plan-request')) {
      const query = body && typeof body === 'object' ? (body as { query?: unknown }).query : undefined;
      const plan = typeof query === 'string' ? queryPlanFor(query) : { status: 400, body: { code: 'BadRequest', message: 'The query-plan request carries no query.' } };
      send(req, res, plan.status, plan.body);
      return;
    }
    const found = route(req);
    if (!found) {
      send(req, res, 400, { message: 'no route' });
      return;
    }
    if (hasBody) provideBody(req, body);
    const replaced = change?.kind === 'replaceColl' ? inner.database(change.db).collection(change.coll) : undefined;
    let result: unknown;
    try {
      result = await withRequestPartition(req, () => found[1](inner, req, res, found[0]));
    } catch (error) {
      logger.error('store.embedded.request_failed', { method, url: req.url, error: error instanceof Error ? error.message : String(error) });
      res.statusCode = 500;
      result = { message: error instanceof Error ? error.message : String(error) };
    }
    if (change && res.statusCode < 300) {
      const answer = result && typeof result === 'object' ? (result as Record<string, unknown>) : {};
      if (change.kind === 'put') (answer as StoredItem)._ts = Math.floor(now / 1000);
      if (replaced && change.kind === 'replaceColl') keepItems(inner, change.db, change.coll, replaced);
      const entry = entryFor(change, answer, now);
      if (entry) record(entry, now);
    }
    send(req, res, res.statusCode, result);
  };

  const server = createServer({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/`;
  const account = newAccount('127.0.0.1', port);
  loadInto(account, image);
  removeExpired(account, clock.now().getTime());
  // Nobody knows the port before this function returns, so no request arrives before the handler.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('store.embedded.request_failed', { method: req.method, url: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) res.statusCode = 500;
      res.end('');
    });
  });
  if (files) {
    compact();
    journaling = true;
  }

  return {
    endpoint,
    compact,
    close: async () => {
      journaling = false;
      compact();
      syncJournal();
      if (journal !== undefined) fs.closeSync(journal);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isTrue(req: IncomingMessage, name: string): boolean {
  return (header(req, name) ?? '').toLowerCase() === 'true';
}

function tooLarge(what: string, limit: number): Record<string, unknown> {
  return { code: 'RequestEntityTooLarge', message: `Request size is too large: ${what} can be at most ${limit} bytes.` };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Answers as the server's own request handler does (headers the client reads included). */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  const object = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  if (status > 399 && object && !Array.isArray(object) && !object.message) object.message = '';
  if (object && typeof object._etag === 'string') res.setHeader('etag', object._etag);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-location', `https://${req.headers.host ?? ''}${req.url ?? ''}`);
  res.setHeader('connection', 'keep-alive');
  res.setHeader('x-ms-activity-id', randomUUID());
  res.setHeader('x-ms-request-charge', '1');
  if (req.headers['x-ms-documentdb-populatequerymetrics']) {
    res.setHeader(
      'x-ms-documentdb-query-metrics',
      'totalExecutionTimeInMs=0.00;queryCompileTimeInMs=0.00;queryLogicalPlanBuildTimeInMs=0.00;queryPhysicalPlanBuildTimeInMs=0.00;queryOptimizationTimeInMs=0.00;VMExecutionTimeInMs=0.00;indexLookupTimeInMs=0.00;documentLoadTimeInMs=0.00;systemFunctionExecuteTimeInMs=0.00;userFunctionExecuteTimeInMs=0.00;retrievedDocumentCount=0;retrievedDocumentSize=0;outputDocumentCount=1;outputDocumentSize=0;writeOutputTimeInMs=0.00;indexUtilizationRatio=0.00',
    );
  }
  if (req.headers['a-im'] && res.statusCode === 200) {
    if (req.headers['if-none-match']) res.statusCode = 304;
    res.setHeader('etag', '1');
  }
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** What a request changes, from its method and path (the Cosmos REST protocol). */
function classify(req: IncomingMessage): Change | undefined {
  const pathname = (req.url ?? '').split('?')[0]?.replace(/^\/+/, '').replace(/\/+$/, '') ?? '';
  const parts = pathname.split('/').map((p) => decodeURIComponent(p));
  const method = req.method ?? 'GET';
  if (method === 'POST' && (isTrue(req, 'x-ms-documentdb-isquery') || header(req, 'content-type') === 'application/query+json')) return undefined;
  const [dbs, db, colls, coll, docs, id] = parts;
  if (dbs !== 'dbs') return undefined;
  if (parts.length === 1 && method === 'POST') return { kind: 'db' };
  if (parts.length === 2 && db && method === 'DELETE') return { kind: 'dropDb', db };
  if (colls !== 'colls' || !db) return undefined;
  if (parts.length === 3 && method === 'POST') return { kind: 'coll', db };
  if (parts.length === 4 && coll && method === 'PUT') return { kind: 'replaceColl', db, coll };
  if (parts.length === 4 && coll && method === 'DELETE') return { kind: 'dropColl', db, coll };
  if (!coll) return undefined;
  if (docs === 'udfs' && method !== 'GET') return { kind: 'unsupported', what: 'user-defined functions' };
  if (docs !== 'docs') return undefined;
  if (parts.length === 5 && method === 'POST') return isTrue(req, 'x-ms-cosmos-is-batch-request') ? { kind: 'batch', db, coll } : { kind: 'put', db, coll };
  if (parts.length === 6 && id && (method === 'PUT' || method === 'PATCH')) return { kind: 'put', db, coll };
  if (parts.length === 6 && id && method === 'DELETE') {
    const pkHeader = header(req, 'x-ms-documentdb-partitionkey');
    const pk: unknown = pkHeader ? (JSON.parse(pkHeader) as unknown[])[0] : undefined;
    return { kind: 'del', db, coll, id, pk };
  }
  return undefined;
}

/** The journal entry for a change that succeeded, from what the server answered. */
function entryFor(change: Change, result: Record<string, unknown>, now: number): JournalEntry | undefined {
  switch (change.kind) {
    case 'db':
      return { op: 'db', db: String(result.id) };
    case 'dropDb':
      return { op: 'dropDb', db: change.db };
    case 'coll':
      return { op: 'coll', db: change.db, definition: stripSystem(result) as ContainerDefinition };
    case 'replaceColl':
      return { op: 'replaceColl', db: change.db, definition: stripSystem(result) as ContainerDefinition };
    case 'dropColl':
      return { op: 'dropColl', db: change.db, coll: change.coll };
    case 'put':
      return { op: 'put', db: change.db, coll: change.coll, doc: stripSystem(result), at: now };
    case 'del':
      return { op: 'del', db: change.db, coll: change.coll, id: change.id, pk: change.pk };
    default:
      return undefined;
  }
}

/**
 * The server replaces a container with a new, empty one; Azure Cosmos DB keeps the items (an
 * indexing policy or a default time to live changes, the data stays). So the items move over.
 */
function keepItems(account: InnerAccount, db: string, coll: string, previous: InnerCollection): void {
  const current = account.database(db).collection(coll);
  if (current === previous) return;
  current.documents = previous.documents;
  current.documents._parent = current;
  current.userDefinedFunctions = previous.userDefinedFunctions;
  current.userDefinedFunctions._parent = current;
}

/** Puts the image into a fresh server, each item with the write time it had. */
function loadInto(account: InnerAccount, image: StoreImage): void {
  for (const [dbId, containers] of image) {
    account.databases.create({ id: dbId });
    const database = account.database(dbId);
    for (const container of containers.values()) {
      database.collections.create(container.definition);
      const collection = database.collection(container.definition.id);
      for (const stored of container.documents.values()) {
        collection.documents.create(stored.doc)._ts = Math.floor(stored.at / 1000);
      }
    }
  }
}
