import { createHttpServer } from '@vercel/cosmosdb-server';
import { CosmosClient, type PartitionKeyDefinition } from '@azure/cosmos';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../domain/logger';
import { installLinearQueryAccumulators } from './embedded-query-engine';

/**
 * The embedded Cosmos-compatible server (@vercel/cosmosdb-server) on loopback, made durable.
 *
 * That server keeps everything in memory. To let local data survive a restart, every
 * successful write is observed on the wire (the Cosmos REST protocol, so nothing depends on
 * the server's internals) and appended to a journal; at start-up a snapshot plus the journal
 * are replayed into a fresh server, then compacted into a new snapshot. Appends are
 * synchronous, so a write the client saw acknowledged is already in the file even if the
 * process is killed the next instant.
 *
 * Transactional batches are not journaled: the repositories never use them.
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
  /** Entries in the journal after which it is folded into the snapshot. */
  readonly compactAfterEntries?: number;
}

interface ContainerImage {
  definition: { id: string; partitionKey?: PartitionKeyDefinition } & Record<string, unknown>;
  documents: Map<string, Record<string, unknown>>;
}

type StoreImage = Map<string, Map<string, ContainerImage>>;

type JournalEntry =
  | { op: 'db'; db: string }
  | { op: 'dropDb'; db: string }
  | { op: 'coll'; db: string; definition: ContainerImage['definition'] }
  | { op: 'dropColl'; db: string; coll: string }
  | { op: 'put'; db: string; coll: string; doc: Record<string, unknown> }
  | { op: 'del'; db: string; coll: string; id: string; pk: unknown };

interface Snapshot {
  schemaVersion: 1;
  databases: Record<string, Record<string, { definition: ContainerImage['definition']; documents: Record<string, unknown>[] }>>;
}

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments'];

/** How soon an acknowledged write is flushed to disk (the durability promise of the local store). */
export const journalSyncInMs = 200;

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions): Promise<EmbeddedCosmos> {
  installLinearQueryAccumulators();
  const image: StoreImage = new Map();
  const files = options.dataDir ? journalFiles(options.dataDir) : undefined;
  if (files) {
    fs.mkdirSync(path.dirname(files.journal), { recursive: true });
    loadSnapshot(files.snapshot, image);
    const replayed = loadJournal(files.journal, image, options.logger);
    options.logger.info('store.embedded.loaded', {
      dataDir: options.dataDir,
      documents: countDocuments(image),
      journalEntries: replayed,
    });
  }

  const server = createHttpServer({ keepAlive: true });
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

  const record = (entry: JournalEntry): void => {
    applyEntry(image, entry);
    if (journal === undefined || !journaling) return;
    fs.writeSync(journal, `${JSON.stringify(entry)}\n`);
    syncPending ??= setTimeout(syncJournal, journalSyncInMs).unref();
    journalEntries += 1;
    if (journalEntries >= compactAfter) compact();
  };

  observeWrites(server, record);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/`;

  if (image.size > 0) await replay(endpoint, image);
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

function journalFiles(dataDir: string): { snapshot: string; journal: string } {
  const dir = path.join(dataDir, 'cosmos');
  return { snapshot: path.join(dir, 'snapshot.json'), journal: path.join(dir, 'journal.ndjson') };
}

/** Wraps the server's request handler to see each successful write and what it stored. */
function observeWrites(server: Server, record: (entry: JournalEntry) => void): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isOversizedItem(req)) {
      // Azure Cosmos DB refuses an item over 2 MB; the embedded server would store it.
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'RequestEntityTooLarge', message: `Request size is too large: an item can be at most ${maxItemBytes} bytes.` }));
      return;
    }
    const write = classify(req);
    if (write) {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      (res as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
        if (res.statusCode < 300) {
          try {
            const chunk = args[0];
            const entry = write(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '');
            if (entry) record(entry);
          } catch {
            // A body that is not JSON is not a write we understand; nothing to keep.
          }
        }
        return end(...args);
      };
    }
    for (const handler of handlers) handler(req, res);
  });
}

/** Azure Cosmos DB's limit on one item. */
export const maxItemBytes = 2 * 1024 * 1024;

/** A document create, replace or upsert whose body is over the item limit. */
function isOversizedItem(req: IncomingMessage): boolean {
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'PUT') return false;
  if ((header(req, 'x-ms-documentdb-isquery') ?? '').toLowerCase() === 'true' || (header(req, 'x-ms-cosmos-is-batch-request') ?? '').toLowerCase() === 'true') return false;
  const parts = ((req.url ?? '').split('?')[0] ?? '').replace(/^\/+/, '').split('/');
  if (parts[4] !== 'docs') return false;
  return Number(header(req, 'content-length') ?? 0) > maxItemBytes;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function classify(req: IncomingMessage): ((body: string) => JournalEntry | undefined) | undefined {
  const pathname = (req.url ?? '').split('?')[0]?.replace(/^\/+/, '').replace(/\/+$/, '') ?? '';
  const parts = pathname.split('/').map((p) => decodeURIComponent(p));
  const method = req.method ?? 'GET';
  const isTrue = (name: string): boolean => (header(req, name) ?? '').toLowerCase() === 'true';
  if (method === 'POST' && (isTrue('x-ms-documentdb-isquery') || header(req, 'content-type') === 'application/query+json')) {
    return undefined;
  }
  if (isTrue('x-ms-cosmos-is-batch-request')) return undefined;
  const [dbs, db, colls, coll, docs, id] = parts;
  if (dbs !== 'dbs') return undefined;
  if (parts.length === 1 && method === 'POST') {
    return (body) => ({ op: 'db', db: String((JSON.parse(body) as { id: unknown }).id) });
  }
  if (parts.length === 2 && db && method === 'DELETE') return () => ({ op: 'dropDb', db });
  if (colls !== 'colls' || !db) return undefined;
  if (parts.length === 3 && method === 'POST') {
    return (body) => ({ op: 'coll', db, definition: stripSystem(JSON.parse(body)) as ContainerImage['definition'] });
  }
  if (parts.length === 4 && coll && method === 'DELETE') return () => ({ op: 'dropColl', db, coll });
  if (docs !== 'docs' || !coll) return undefined;
  if (parts.length === 5 && method === 'POST') {
    return (body) => ({ op: 'put', db, coll, doc: stripSystem(JSON.parse(body)) });
  }
  if (parts.length === 6 && id && (method === 'PUT' || method === 'PATCH')) {
    return (body) => ({ op: 'put', db, coll, doc: stripSystem(JSON.parse(body)) });
  }
  if (parts.length === 6 && id && method === 'DELETE') {
    const pkHeader = header(req, 'x-ms-documentdb-partitionkey');
    const pk: unknown = pkHeader ? (JSON.parse(pkHeader) as unknown[])[0] : undefined;
    return () => ({ op: 'del', db, coll, id, pk });
  }
  return undefined;
}

function stripSystem(value: unknown): Record<string, unknown> {
  const copy = { ...(value as Record<string, unknown>) };
  for (const key of systemProperties) delete copy[key];
  return copy;
}

function partitionValue(definition: ContainerImage['definition'], doc: Record<string, unknown>): unknown {
  const keyPath = definition.partitionKey?.paths?.[0];
  if (!keyPath) return undefined;
  let current: unknown = doc;
  for (const segment of keyPath.split('/').filter(Boolean)) {
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current;
}

function documentKey(pk: unknown, id: string): string {
  return `${JSON.stringify(pk ?? null)}|${id}`;
}

function applyEntry(image: StoreImage, entry: JournalEntry): void {
  switch (entry.op) {
    case 'db':
      if (!image.has(entry.db)) image.set(entry.db, new Map());
      return;
    case 'dropDb':
      image.delete(entry.db);
      return;
    case 'coll': {
      const db = image.get(entry.db) ?? new Map<string, ContainerImage>();
      image.set(entry.db, db);
      if (!db.has(entry.definition.id)) db.set(entry.definition.id, { definition: entry.definition, documents: new Map() });
      return;
    }
    case 'dropColl':
      image.get(entry.db)?.delete(entry.coll);
      return;
    case 'put': {
      const container = image.get(entry.db)?.get(entry.coll);
      if (!container) return;
      const id = String(entry.doc.id);
      container.documents.set(documentKey(partitionValue(container.definition, entry.doc), id), entry.doc);
      return;
    }
    case 'del':
      image.get(entry.db)?.get(entry.coll)?.documents.delete(documentKey(entry.pk, entry.id));
      return;
  }
}

/** The embedded store's files are damaged: start-up stops, saying what and where a copy was kept. */
export class EmbeddedStoreDamaged extends Error {
  override readonly name = 'EmbeddedStoreDamaged';
}

/** Keeps a damaged file beside the original, under a name not taken yet. */
function keepCopy(file: string): string {
  let copy = `${file}.damaged`;
  for (let n = 2; fs.existsSync(copy); n++) copy = `${file}.damaged-${n}`;
  fs.copyFileSync(file, copy);
  return copy;
}

const startAfresh = 'Restore the data folder from a backup, or delete it to start afresh (npm start seeds the demo world again).';

function loadSnapshot(file: string, image: StoreImage): void {
  if (!fs.existsSync(file)) return;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
    if (!snapshot || typeof snapshot.databases !== 'object') throw new Error('it has no databases');
  } catch (error) {
    const copy = keepCopy(file);
    throw new EmbeddedStoreDamaged(`The embedded store's snapshot ${file} is damaged (${error instanceof Error ? error.message : String(error)}). A copy is kept at ${copy}. ${startAfresh}`);
  }
  for (const [dbId, containers] of Object.entries(snapshot.databases)) {
    applyEntry(image, { op: 'db', db: dbId });
    for (const [collId, container] of Object.entries(containers)) {
      applyEntry(image, { op: 'coll', db: dbId, definition: container.definition });
      for (const doc of container.documents) applyEntry(image, { op: 'put', db: dbId, coll: collId, doc });
    }
  }
}

/**
 * Replays the journal. Only its last line can be torn (the process died mid-append; that write
 * was never acknowledged): it is dropped with a warning and cut off. A bad line anywhere else is
 * damage, and start-up stops rather than run on a store that silently lost writes.
 */
function loadJournal(file: string, image: StoreImage, logger: Logger): number {
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  let count = 0;
  let offset = 0;
  let lastLine = lines.length - 1;
  while (lastLine > 0 && !(lines[lastLine] ?? '').trim()) lastLine -= 1;
  for (const [index, line] of lines.entries()) {
    const isLast = index === lastLine;
    if (line.trim()) {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        if (isLast) {
          logger.warn('store.embedded.torn_journal_line', { file, line: index + 1, bytes: Buffer.byteLength(line, 'utf8') });
          fs.truncateSync(file, offset);
          return count;
        }
        const copy = keepCopy(file);
        throw new EmbeddedStoreDamaged(`The embedded store's journal ${file} is damaged at line ${index + 1} of ${lines.length} (not the last line, so it is no write cut off by a crash). A copy is kept at ${copy}. ${startAfresh}`);
      }
      applyEntry(image, entry);
      count += 1;
    }
    offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  return count;
}

function writeSnapshot(file: string, image: StoreImage): void {
  const snapshot: Snapshot = { schemaVersion: 1, databases: {} };
  for (const [dbId, containers] of image) {
    const db: Snapshot['databases'][string] = {};
    for (const [collId, container] of containers) {
      db[collId] = { definition: container.definition, documents: [...container.documents.values()] };
    }
    snapshot.databases[dbId] = db;
  }
  // Written aside, flushed to disk, then renamed over the old one: a crash leaves the old or the new.
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(snapshot));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

function countDocuments(image: StoreImage): number {
  let count = 0;
  for (const containers of image.values()) for (const c of containers.values()) count += c.documents.size;
  return count;
}

/** Puts the image back into a fresh in-memory server through the Cosmos protocol itself. */
async function replay(endpoint: string, image: StoreImage): Promise<void> {
  const client = new CosmosClient({ endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
  try {
    for (const [dbId, containers] of image) {
      const { database } = await client.databases.createIfNotExists({ id: dbId });
      for (const container of containers.values()) {
        const { container: target } = await database.containers.createIfNotExists(container.definition);
        const documents = [...container.documents.values()];
        const concurrency = 16;
        for (let i = 0; i < documents.length; i += concurrency) {
          await Promise.all(documents.slice(i, i + concurrency).map((doc) => target.items.create(doc)));
        }
      }
    }
  } finally {
    client.dispose();
  }
}
