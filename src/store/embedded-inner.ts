import Account from '@vercel/cosmosdb-server/lib/account';
import {
  createOperation,
  deleteOperation,
  readOperation,
  replaceOperation,
  upsertOperation,
} from '@vercel/cosmosdb-server/lib/handler/_document-operations';
import { patchOperation } from '@vercel/cosmosdb-server/lib/handler/_patch-operations';
import routes from '@vercel/cosmosdb-server/lib/routes';
import type { IncomingMessage, ServerResponse } from 'node:http';
// The module object itself: its handlers read `default` on every request, so a replacement is seen.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import bodyReaderModule = require('@vercel/cosmosdb-server/lib/json');

/**
 * The parts of @vercel/cosmosdb-server the embedded store drives directly: its account (the
 * in-memory databases), its routes and request handlers, and its item operations. Its own
 * `createHttpServer` keeps the account out of reach, and expired items have to be removed and a
 * transactional batch applied in one step, with no other request in between, so the store runs
 * the handlers itself. The types below are what is used of them, nothing more.
 */
export type StoredItem = Record<string, unknown> & { id: string; _etag?: string; _ts?: number };

export interface InnerDocuments {
  create(data: Record<string, unknown>): StoredItem;
  delete(id: string, partition: unknown): void;
  /** Puts an item back exactly as it was (same _rid and _etag). */
  _set(data: StoredItem): StoredItem;
  /** The partition key value of an item, as the server files it. */
  _getPartition(data: Record<string, unknown>): unknown;
  _parent: InnerCollection;
}

export interface InnerCollection {
  read(): (Record<string, unknown> & { partitionKey?: { paths?: string[] } }) | undefined | null;
  document(id: string, partition: unknown): { read(): StoredItem | undefined | null };
  documents: InnerDocuments;
  userDefinedFunctions: { _parent: InnerCollection };
}

export interface InnerDatabase {
  read(): Record<string, unknown> | undefined | null;
  collection(id: string): InnerCollection;
  collections: { create(definition: Record<string, unknown>): Record<string, unknown> };
}

export interface InnerAccount {
  database(id: string): InnerDatabase;
  databases: { create(definition: { id: string }): Record<string, unknown> };
}

export function newAccount(host: string, port: number): InnerAccount {
  return new Account(host, port);
}

export type RouteHandler = (account: InnerAccount, req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => unknown;

/** The server's handler for a request, or undefined if it has none. */
export function route(req: IncomingMessage): [Record<string, string>, RouteHandler] | undefined {
  return (routes as unknown as (req: IncomingMessage) => [Record<string, string>, RouteHandler] | undefined)(req);
}

export interface OperationResult {
  statusCode: number;
  body?: Record<string, unknown>;
}

interface OperationInput {
  partitionKey?: string | undefined;
  ifMatch?: string | undefined;
  id?: string | undefined;
  resourceBody?: Record<string, unknown> | undefined;
  operations?: unknown;
  condition?: string | undefined;
}

type Operation = (collection: InnerCollection, input: OperationInput) => OperationResult;
const asOperation = (operation: unknown): Operation => operation as Operation;

/** The server's own item operations, as its single-item handlers run them (ETag checks included). */
export const operations = {
  Create: asOperation(createOperation),
  Upsert: asOperation(upsertOperation),
  Replace: asOperation(replaceOperation),
  Delete: asOperation(deleteOperation),
  Read: asOperation(readOperation),
  Patch: asOperation(patchOperation),
} as const;

export type OperationType = keyof typeof operations;

const bodyReader = bodyReaderModule as unknown as { default: (req: IncomingMessage) => Promise<unknown>; readAhead?: true };
const bodiesReadAhead = new WeakMap<IncomingMessage, unknown>();

/**
 * Lets the store read a request's body before the handler runs (the handler then gets it
 * without waiting for the network), so everything after the body has arrived happens at once.
 */
export function installBodyReadAhead(): void {
  if (bodyReader.readAhead) return;
  const original = bodyReader.default;
  bodyReader.default = (req) => (bodiesReadAhead.has(req) ? Promise.resolve(bodiesReadAhead.get(req)) : original(req));
  bodyReader.readAhead = true;
}

export function provideBody(req: IncomingMessage, body: unknown): void {
  bodiesReadAhead.set(req, body);
}
