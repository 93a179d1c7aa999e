import type { ErrorResponse } from '@azure/cosmos';
import type { z } from 'zod';

/** Cosmos refuses these characters in ids; Teams ids may contain some of them. */
const forbidden = /[/\\?#%]/g;

/** A reversible, Cosmos-safe document id. */
export function toDocumentId(raw: string): string {
  return raw.replace(forbidden, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function fromDocumentId(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments', 'id', 'pk', 'type', 'schemaVersion'];

/** Strips storage bookkeeping from a document and checks it against the domain schema. */
export function parseDocument<T>(schema: z.ZodType<T>, document: unknown): T {
  const copy = { ...(document as Record<string, unknown>) };
  for (const key of systemProperties) delete copy[key];
  return schema.parse(copy);
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
