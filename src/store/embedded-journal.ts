import type { PartitionKeyDefinition } from '@azure/cosmos';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../domain/logger';

/**
 * What the embedded store keeps on disk: the image of every database, container and item (a
 * snapshot), and the journal of what changed since, one JSON line per acknowledged change.
 */
export type ContainerDefinition = { id: string; partitionKey?: PartitionKeyDefinition; defaultTtl?: number | null } & Record<string, unknown>;

export interface StoredDocument {
  /** The item without its system properties. */
  readonly doc: Record<string, unknown>;
  /** Its last write (milliseconds, by the store's clock): a time to live counts from here. */
  readonly at: number;
}

export interface ContainerImage {
  definition: ContainerDefinition;
  documents: Map<string, StoredDocument>;
}

export type StoreImage = Map<string, Map<string, ContainerImage>>;

/** `at` is missing only in lines written before the store kept write instants. */
export type DocumentEntry =
  | { op: 'put'; db: string; coll: string; doc: Record<string, unknown>; at?: number }
  | { op: 'del'; db: string; coll: string; id: string; pk: unknown };

export type JournalEntry =
  | { op: 'db'; db: string }
  | { op: 'dropDb'; db: string }
  | { op: 'coll'; db: string; definition: ContainerDefinition }
  | { op: 'replaceColl'; db: string; definition: ContainerDefinition }
  | { op: 'dropColl'; db: string; coll: string }
  | DocumentEntry
  /** Changes made together (a transactional batch, a bulk request, expired items removed): one line, so replay has all or none. */
  | { op: 'batch'; entries: DocumentEntry[] };

interface Snapshot {
  schemaVersion: 1;
  databases: Record<string, Record<string, { definition: ContainerDefinition; documents: Record<string, unknown>[]; writtenAt?: number[] }>>;
}

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments'];

export function stripSystem(value: unknown): Record<string, unknown> {
  const copy = { ...(value as Record<string, unknown>) };
  for (const key of systemProperties) delete copy[key];
  return copy;
}

export function partitionValue(definition: ContainerDefinition, doc: Record<string, unknown>): unknown {
  const keyPath = definition.partitionKey?.paths?.[0];
  if (!keyPath) return undefined;
  let current: unknown = doc;
  for (const segment of keyPath.split('/').filter(Boolean)) {
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current;
}

export function documentKey(pk: unknown, id: string): string {
  return `${JSON.stringify(pk ?? null)}|${id}`;
}

/** Applies one change to the image; `now` stands in for the write instant a line from an earlier version lacks. */
export function applyEntry(image: StoreImage, entry: JournalEntry, now: number): void {
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
    case 'replaceColl': {
      const container = image.get(entry.db)?.get(entry.definition.id);
      if (container) container.definition = entry.definition;
      return;
    }
    case 'dropColl':
      image.get(entry.db)?.delete(entry.coll);
      return;
    case 'put': {
      const container = image.get(entry.db)?.get(entry.coll);
      if (!container) return;
      const id = String(entry.doc.id);
      container.documents.set(documentKey(partitionValue(container.definition, entry.doc), id), { doc: entry.doc, at: entry.at ?? now });
      return;
    }
    case 'del':
      image.get(entry.db)?.get(entry.coll)?.documents.delete(documentKey(entry.pk, entry.id));
      return;
    case 'batch':
      for (const inner of entry.entries) applyEntry(image, inner, now);
      return;
  }
}

export function journalFiles(dataDir: string): { snapshot: string; journal: string } {
  const dir = path.join(dataDir, 'cosmos');
  return { snapshot: path.join(dir, 'snapshot.json'), journal: path.join(dir, 'journal.ndjson') };
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

export function loadSnapshot(file: string, image: StoreImage, now: number): void {
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
    applyEntry(image, { op: 'db', db: dbId }, now);
    for (const [collId, container] of Object.entries(containers)) {
      applyEntry(image, { op: 'coll', db: dbId, definition: container.definition }, now);
      container.documents.forEach((doc, index) => {
        const at = container.writtenAt?.[index];
        applyEntry(image, { op: 'put', db: dbId, coll: collId, doc, ...(typeof at === 'number' ? { at } : {}) }, now);
      });
    }
  }
}

/**
 * Replays the journal. Only its last line can be torn (the process died mid-append; that write
 * was never acknowledged): it is dropped with a warning and cut off. A bad line anywhere else is
 * damage, and start-up stops rather than run on a store that silently lost writes.
 */
export function loadJournal(file: string, image: StoreImage, logger: Logger, now: number): number {
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
      applyEntry(image, entry, now);
      count += 1;
    }
    offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  return count;
}

export function writeSnapshot(file: string, image: StoreImage): void {
  const snapshot: Snapshot = { schemaVersion: 1, databases: {} };
  for (const [dbId, containers] of image) {
    const db: Snapshot['databases'][string] = {};
    for (const [collId, container] of containers) {
      const stored = [...container.documents.values()];
      db[collId] = { definition: container.definition, documents: stored.map((s) => s.doc), writtenAt: stored.map((s) => s.at) };
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

export function countDocuments(image: StoreImage): number {
  let count = 0;
  for (const containers of image.values()) for (const c of containers.values()) count += c.documents.size;
  return count;
}
