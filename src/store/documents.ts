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
 * Read, change and replace on the condition that nobody wrote the document since it was read
 * (its ETag); when somebody did, read and change again, so concurrent updates all land and none
 * is lost. `change` returns undefined to leave the record as it is.
 */
export async function updateDocument<T>(
  container: StoreContainer,
  key: { id: string; partitionKey: string },
  codec: DocumentCodec<T>,
  change: (current: T) => T | undefined,
  attempts = 10,
): Promise<UpdateOutcome<T>> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const doc = await readDocument(container, key.id, key.partitionKey);
    if (!doc) return { status: 'missing' };
    const current = codec.parse(doc);
    const changed = change(current);
    if (!changed) return { status: 'unchanged', value: current, ...(doc._etag ? { etag: doc._etag } : {}) };
    const valid = codec.validate(changed);
    try {
      const written = await container.item(key.id, key.partitionKey).replace(codec.toDocument(valid), { accessCondition: { type: 'IfMatch', condition: doc._etag ?? '' } });
      if (codec.schema) rememberParsed(codec.schema, written.resource, valid);
      return { status: 'updated', value: valid };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
  }
  return { status: 'contended' };
}
