import { createHash } from 'node:crypto';
import type { ErrorResponse } from '@azure/cosmos';
import type { StoreContainer } from './store-container';
import type { z } from 'zod';
import { deepFreeze } from '../domain/deep-freeze';
import { RecentlyUsed } from '../domain/recently-used';

/** Characters an id is kept in as it is: readable, and never escaped on the wire by any client. */
const plain = /^[A-Za-z0-9._:@-]+$/;

/** Azure Cosmos DB's limit on an item id. */
export const maxDocumentIdLength = 255;

/**
 * The document id for a key. A key of plain characters within the id limit is its own id
 * (`ESC-CONTOSO-0042`, `channel:19:abc@thread.tacv2`); any other is base64url-encoded after `~b`
 * (Cosmos refuses `/ \ ? #` in ids, and ids with `%` escapes fail in some Cosmos clients); a key
 * whose encoding would pass the limit (long Teams conversation ids) becomes `~h` and its SHA-256.
 * `~` is never a plain character, so the three forms cannot collide.
 */
export function toDocumentId(key: string): string {
  if (key.length <= maxDocumentIdLength && plain.test(key)) return key;
  const encoded = `~b${Buffer.from(key, 'utf8').toString('base64url')}`;
  if (encoded.length <= maxDocumentIdLength) return encoded;
  return `~h${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
}

/** The key of a document id, or undefined for a hashed id (the key is kept in the document). */
export function fromDocumentId(id: string): string | undefined {
  if (id.startsWith('~h')) return undefined;
  if (id.startsWith('~b')) return Buffer.from(id.slice(2), 'base64url').toString('utf8');
  return id;
}

/** The key of an id in the earlier form, where `/ \ ? # %` were written as `%XX` escapes. */
export function fromEscapedDocumentId(id: string): string {
  return id.replace(/%(2F|5C|3F|23|25)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments', 'id', 'pk', 'type', 'schemaVersion'];

/**
 * Records already parsed, by document (its resource id) and the version they came from (its ETag,
 * which names one content for good) and the schema: the account, its contract, plan and health
 * summary are read on turn after turn while they stay the same, and checking a large one against
 * its schema costs more than reading it. Only the latest version seen of a document is kept. Each
 * record is frozen, since it is handed out again. Bounded, least recently used first out.
 */
const parsedDocuments = new RecentlyUsed<string, { readonly etag: string; readonly entries: { readonly schema: z.ZodType<unknown>; readonly value: unknown }[] }>(2_000);

function versionOf(document: unknown): { rid: string; etag: string } | undefined {
  const stored = document as Record<string, unknown> | undefined;
  return typeof stored?._rid === 'string' && typeof stored._etag === 'string' ? { rid: stored._rid, etag: stored._etag } : undefined;
}

function keep(rid: string, etag: string, schema: z.ZodType<unknown>, value: unknown): void {
  const known = parsedDocuments.get(rid);
  // A few schemas a document (one per way of reading it); a schema made anew on every call would not be found again.
  const entries = known?.etag === etag ? known.entries.filter((e) => e.schema !== schema).slice(-3) : [];
  entries.push({ schema, value: deepFreeze(value) });
  parsedDocuments.set(rid, { etag, entries });
}

/** Strips storage bookkeeping from a document and checks it against the domain schema. */
export function parseDocument<T>(schema: z.ZodType<T>, document: unknown): T {
  const version = versionOf(document);
  if (version) {
    const known = parsedDocuments.get(version.rid);
    const hit = known?.etag === version.etag ? known.entries.find((entry) => entry.schema === schema) : undefined;
    if (hit) return hit.value as T;
  }
  const copy = { ...(document as Record<string, unknown>) };
  for (const key of systemProperties) delete copy[key];
  const value = schema.parse(copy);
  if (version) keep(version.rid, version.etag, schema, value);
  return value;
}

/**
 * What was just written, as it will be read back: a document this process wrote is parsed from the
 * record it was made of, not again at its next read. Only for a document whose body is the record
 * and storage fields (the codec says so with its schema; a test holds each to it).
 */
export function rememberParsed<T>(schema: z.ZodType<T>, stored: unknown, value: T): void {
  const version = versionOf(stored);
  if (version) keep(version.rid, version.etag, schema, value);
}

export function statusCodeOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as ErrorResponse).code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return statusCodeOf(error) === 409;
}

export function isPreconditionFailed(error: unknown): boolean {
  return statusCodeOf(error) === 412;
}

/** A document as read, with the ETag a conditional write names. */
export type StoredDocument = Record<string, unknown> & { _etag?: string };

/** Creates a document; false when one with its id is there already (in its partition). */
export async function createDocument(container: StoreContainer, document: Record<string, unknown>): Promise<boolean> {
  try {
    await container.items.create(document);
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

/** A point read; undefined when there is no such document. */
export async function readDocument(container: StoreContainer, id: string, partitionKey: string): Promise<StoredDocument | undefined> {
  try {
    return (await container.item(id, partitionKey).read<StoredDocument>()).resource;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** `etag`: of the document the value was read from, when it was left unchanged. */
export type UpdateOutcome<T> = { readonly status: 'updated' | 'unchanged'; readonly value: T; readonly etag?: string } | { readonly status: 'missing' | 'contended' };

/** How a record is read from, checked for and written to its document. */
export interface DocumentCodec<T> {
  parse(document: StoredDocument): T;
  /** The schema `parse` checks a document against, when its document is the record and storage fields alone. */
  readonly schema?: z.ZodType<T>;
  /** Checks a changed record before it is written; returns what is stored. */
  validate(value: T): T;
  toDocument(value: T): Record<string, unknown>;
}

/**
 * The version of each document this process last read or wrote through a change (its resource id
 * and ETag), by container, partition and id, and how many changes of it are under way here. A
 * change made again is first made on that version's record, while it is still at hand and no other
 * change of it is under way here, and written under its ETag without reading the document first.
 */
interface Versions {
  readonly last: RecentlyUsed<string, { readonly rid: string; readonly etag: string }>;
  readonly changing: Map<string, number>;
}
const versionsByContainer = new WeakMap<object, Versions>();

function versionsOf(container: StoreContainer): Versions {
  let versions = versionsByContainer.get(container.container);
  if (!versions) {
    versions = { last: new RecentlyUsed(2_000), changing: new Map() };
    versionsByContainer.set(container.container, versions);
  }
  return versions;
}

const versionKey = (key: { id: string; partitionKey: string }): string => `${key.partitionKey}\u0000${key.id}`;

/** Notes the version of a document just read or written, for the next change of it made here. */
export function noteVersion(container: StoreContainer, key: { id: string; partitionKey: string }, stored: unknown): void {
  const version = versionOf(stored);
  if (version) versionsOf(container).last.set(versionKey(key), version);
}

/**
 * The record of the version this process last saw of a document, with its ETag: undefined when it
 * is no longer at hand, or another change of the document is under way here (which would make it
 * old before long).
 */
export function lastVersion<T>(
  container: StoreContainer,
  key: { id: string; partitionKey: string },
  schema: z.ZodType<T>,
  /** The caller's own change, when it asks from inside one (see `changing`). */
  own: 0 | 1 = 1,
): { readonly value: T; readonly etag: string } | undefined {
  const versions = versionsOf(container);
  const k = versionKey(key);
  if ((versions.changing.get(k) ?? 0) > own) return undefined;
  const version = versions.last.get(k);
  const known = version ? parsedDocuments.get(version.rid) : undefined;
  if (!version || known?.etag !== version.etag) return undefined;
  const hit = known.entries.find((entry) => entry.schema === schema);
  return hit ? { value: hit.value as T, etag: version.etag } : undefined;
}

/** Runs a change of a document, counted as under way while it runs (see `lastVersion`). */
export async function changing<R>(container: StoreContainer, key: { id: string; partitionKey: string }, work: () => Promise<R>): Promise<R> {
  const { changing: counts } = versionsOf(container);
  const k = versionKey(key);
  counts.set(k, (counts.get(k) ?? 0) + 1);
  try {
    return await work();
  } finally {
    const left = (counts.get(k) ?? 1) - 1;
    if (left > 0) counts.set(k, left);
    else counts.delete(k);
  }
}

/**
 * Read, change and replace on the condition that nobody wrote the document since it was read
 * (its ETag); when somebody did, read and change again, so concurrent updates all land and none
 * is lost. `change` returns undefined to leave the record as it is; it may be called more than once.
 *
 * A document this process changed last is first changed on the record it wrote, under that
 * version's ETag, without a read: one request where there were two. When anyone wrote it since, the
 * ETag refuses the write and the change is made on a fresh read. So is a change that, on that
 * record, leaves it as it is or refuses it: what the caller is told is always decided on the record
 * as stored.
 */
export function updateDocument<T>(
  container: StoreContainer,
  key: { id: string; partitionKey: string },
  codec: DocumentCodec<T>,
  change: (current: T) => T | undefined,
  attempts = 10,
): Promise<UpdateOutcome<T>> {
  return changing(container, key, async () => {
    const known = await changeLastVersion(container, key, codec, change);
    if (known) return { status: 'updated', value: known };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const doc = await readDocument(container, key.id, key.partitionKey);
      if (!doc) return { status: 'missing' };
      const current = codec.parse(doc);
      noteVersion(container, key, doc);
      const changed = change(current);
      if (!changed) return { status: 'unchanged', value: current, ...(doc._etag ? { etag: doc._etag } : {}) };
      const valid = codec.validate(changed);
      try {
        const written = await container.item(key.id, key.partitionKey).replace(codec.toDocument(valid), { accessCondition: { type: 'IfMatch', condition: doc._etag ?? '' } });
        if (codec.schema) {
          rememberParsed(codec.schema, written.resource, valid);
          noteVersion(container, key, written.resource);
        }
        return { status: 'updated', value: valid };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    return { status: 'contended' };
  });
}

/** The change written on the version this process saw last; undefined when it was not (see `updateDocument`). */
async function changeLastVersion<T>(container: StoreContainer, key: { id: string; partitionKey: string }, codec: DocumentCodec<T>, change: (current: T) => T | undefined): Promise<T | undefined> {
  const last = codec.schema ? lastVersion(container, key, codec.schema) : undefined;
  if (!last || !codec.schema) return undefined;
  let valid: T;
  try {
    const changed = change(last.value);
    if (!changed) return undefined;
    valid = codec.validate(changed);
  } catch {
    // Decided on the stored record instead: there it may go through, or fail as it should.
    return undefined;
  }
  try {
    const written = await container.item(key.id, key.partitionKey).replace(codec.toDocument(valid), { accessCondition: { type: 'IfMatch', condition: last.etag } });
    rememberParsed(codec.schema, written.resource, valid);
    noteVersion(container, key, written.resource);
    return valid;
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return undefined;
    throw error;
  }
}
