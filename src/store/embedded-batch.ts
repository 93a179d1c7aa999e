import { type InnerCollection, type OperationResult, type OperationType, operations, type StoredItem } from './embedded-inner';
import { maxBatchOperations } from './embedded-limits';

/**
 * A batch request as @azure/cosmos sends it: POST to a container's docs with
 * `x-ms-cosmos-is-batch-request: true`, the body an array of operations
 * (`{ operationType, id?, resourceBody?, ifMatch?, partitionKey? }`, the partition key as JSON
 * such as `["contoso"]`). `items.batch` sends `x-ms-cosmos-batch-atomic: true` and the batch's
 * partition key in `x-ms-documentdb-partitionkey`; `items.bulk` and `executeBulkOperations`
 * send `x-ms-cosmos-batch-atomic: false` and a partition key on every operation.
 */
export interface BatchRequest {
  readonly collection: InnerCollection;
  readonly operations: unknown;
  readonly atomic: boolean;
  readonly continueOnError: boolean;
  /** The `x-ms-documentdb-partitionkey` header. */
  readonly partitionKey: string | undefined;
  /** The write time stamped on every item written (`_ts`, seconds). */
  readonly ts: number;
}

export type BatchWrite = { kind: 'put'; item: StoredItem } | { kind: 'del'; id: string; pk: unknown };

export interface BatchOutcome {
  readonly status: number;
  readonly body: unknown;
  /** What the batch changed, in order; empty when nothing was applied. */
  readonly writes: BatchWrite[];
}

interface Operation {
  readonly type: OperationType;
  readonly id: string | undefined;
  readonly partitionKey: string | undefined;
  readonly ifMatch: string | undefined;
  readonly resourceBody: Record<string, unknown> | undefined;
  readonly patch: unknown;
  readonly condition: string | undefined;
}

interface OperationOutcome {
  readonly result: Record<string, unknown>;
  readonly ok: boolean;
  readonly write?: BatchWrite;
  readonly undo?: { id: string; partition: unknown; before: StoredItem | undefined };
}

const failedDependency = { statusCode: 424, requestCharge: 0 };
const writeTypes: ReadonlySet<OperationType> = new Set(['Create', 'Upsert', 'Replace', 'Delete', 'Patch']);

function refusal(status: number, code: string, message: string): BatchOutcome {
  return { status, body: { code, message }, writes: [] };
}

/**
 * Runs a batch against the server's in-memory container in one go. A transactional batch is all
 * or nothing: if an operation fails, what the operations before it did is put back exactly as it
 * was, and the answer is 207 with that operation's status and 424 (failed dependency) for every
 * other one. A bulk request applies each operation on its own.
 */
export function runBatch(request: BatchRequest): BatchOutcome {
  const { collection } = request;
  if (!collection.read()) return refusal(404, 'NotFound', 'Resource Not Found: the container does not exist.');
  if (!Array.isArray(request.operations)) return refusal(400, 'BadRequest', 'The body of a batch request is an array of operations.');
  const inputs = request.operations as unknown[];
  if (inputs.length === 0) return refusal(400, 'BadRequest', 'Batch request has no operations.');
  if (inputs.length > maxBatchOperations) {
    return refusal(400, 'BadRequest', `Batch request has more operations than what is supported: at most ${maxBatchOperations}, this one has ${inputs.length}.`);
  }
  const parsed: Operation[] = [];
  for (const [index, input] of inputs.entries()) {
    const operation = parseOperation(input);
    if (typeof operation === 'string') return refusal(400, 'BadRequest', `Operation ${index}: ${operation}`);
    parsed.push(operation);
  }
  if (!request.atomic) return runEach(request, parsed);

  const batchKey = request.partitionKey === undefined ? undefined : partitionKeyValue(request.partitionKey);
  if (!batchKey) return refusal(400, 'BadRequest', 'A transactional batch needs its partition key (x-ms-documentdb-partitionkey).');
  for (const [index, operation] of parsed.entries()) {
    const other = otherPartition(collection, operation, batchKey.value);
    if (other !== undefined) {
      return refusal(400, 'BadRequest', `All operations of a transactional batch must be in its partition key ${JSON.stringify(batchKey.value)}; operation ${index} is in ${other}.`);
    }
  }
  return runAtomic(request, parsed);
}

function runAtomic(request: BatchRequest, parsed: readonly Operation[]): BatchOutcome {
  const done: OperationOutcome[] = [];
  for (const [index, operation] of parsed.entries()) {
    const outcome = runOne(request, operation);
    if (!outcome.ok) {
      for (const earlier of [...done].reverse()) if (earlier.undo) putBack(request.collection, earlier.undo);
      return { status: 207, body: parsed.map((_, i) => (i === index ? outcome.result : failedDependency)), writes: [] };
    }
    done.push(outcome);
  }
  return { status: 200, body: done.map((o) => o.result), writes: done.flatMap((o) => (o.write ? [o.write] : [])) };
}

function runEach(request: BatchRequest, parsed: readonly Operation[]): BatchOutcome {
  const results: Record<string, unknown>[] = [];
  const writes: BatchWrite[] = [];
  let failed = false;
  for (const operation of parsed) {
    if (failed && !request.continueOnError) {
      results.push(failedDependency);
      continue;
    }
    const outcome = runOne(request, operation);
    results.push(outcome.result);
    if (outcome.write) writes.push(outcome.write);
    failed ||= !outcome.ok;
  }
  return { status: failed ? 207 : 200, body: results, writes };
}

function runOne(request: BatchRequest, operation: Operation): OperationOutcome {
  const { collection } = request;
  const partitionKey = operation.partitionKey ?? request.partitionKey;
  const fail = (statusCode: number, message: string): OperationOutcome => ({ ok: false, result: { statusCode, requestCharge: 1, message } });
  if (operation.resourceBody && operation.type !== 'Patch') {
    if (operation.id !== undefined && operation.type === 'Replace' && operation.id !== operation.resourceBody.id) {
      return fail(400, `The id ${JSON.stringify(operation.id)} of the operation differs from the item's ${JSON.stringify(operation.resourceBody.id)}.`);
    }
    const key = partitionKey === undefined ? undefined : partitionKeyValue(partitionKey);
    if (key && otherPartition(collection, operation, key.value) !== undefined) {
      return fail(400, "PartitionKey extracted from document doesn't match the one specified in the operation.");
    }
  }
  const target = targetOf(collection, operation, partitionKey);
  if (!target) return fail(400, 'The operation needs an id and a partition key.');
  const before = writeTypes.has(operation.type) ? (collection.document(target.id, target.partition).read() ?? undefined) : undefined;

  let result: OperationResult;
  try {
    result = operations[operation.type](collection, {
      partitionKey: partitionKey ?? JSON.stringify([target.partition]),
      ifMatch: operation.ifMatch,
      id: operation.id ?? target.id,
      resourceBody: operation.resourceBody,
      operations: Array.isArray(operation.patch) ? operation.patch : undefined,
      condition: operation.condition,
    });
  } catch (error) {
    return fail(400, error instanceof Error ? error.message : String(error));
  }
  if (result.statusCode >= 300) return fail(result.statusCode, typeof result.body?.message === 'string' ? result.body.message : '');

  if (operation.type === 'Delete') {
    return { ok: true, result: { statusCode: result.statusCode, requestCharge: 1 }, write: { kind: 'del', id: target.id, pk: target.partition }, undo: { ...target, before } };
  }
  const item = result.body as StoredItem;
  const written = operation.type !== 'Read';
  if (written) item._ts = request.ts;
  return {
    ok: true,
    result: { statusCode: result.statusCode, requestCharge: 1, eTag: item._etag, resourceBody: item },
    ...(written ? { write: { kind: 'put', item } as const, undo: { ...target, before } } : {}),
  };
}

/** Puts an item back as it was before an operation of a failed transactional batch. */
function putBack(collection: InnerCollection, undo: NonNullable<OperationOutcome['undo']>): void {
  if (collection.document(undo.id, undo.partition).read()) collection.documents.delete(undo.id, undo.partition);
  if (undo.before) collection.documents._set(undo.before);
}

/** The item an operation is about: its id and its partition key value as the server files it. */
function targetOf(collection: InnerCollection, operation: Operation, partitionKey: string | undefined): { id: string; partition: unknown } | undefined {
  if (operation.resourceBody && operation.type !== 'Patch') {
    const id = operation.resourceBody.id;
    if (typeof id !== 'string' || !id) return undefined;
    return { id, partition: collection.documents._getPartition(operation.resourceBody) };
  }
  const key = partitionKey === undefined ? undefined : partitionKeyValue(partitionKey);
  if (!operation.id || !key) return undefined;
  // As the server files an item without a partition key value: under its id.
  return { id: operation.id, partition: key.value && typeof key.value === 'object' ? operation.id : key.value };
}

/** The partition an operation's item is in, if it is not `expected` (JSON, for a message). */
function otherPartition(collection: InnerCollection, operation: Operation, expected: unknown): string | undefined {
  if (operation.partitionKey !== undefined) {
    const own = partitionKeyValue(operation.partitionKey);
    if (!own || !samePartition(own.value, expected)) return operation.partitionKey;
  }
  const paths = collection.read()?.partitionKey?.paths ?? [];
  if (operation.resourceBody && operation.type !== 'Patch' && paths.length > 0) {
    const value = collection.documents._getPartition(operation.resourceBody);
    if (!samePartition(value, expected)) return JSON.stringify(value ?? null);
  }
  return undefined;
}

function samePartition(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** `["contoso"]` (or `"contoso"`) to `contoso`. */
function partitionKeyValue(text: string): { value: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return { value: Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed };
  } catch {
    return undefined;
  }
}

function parseOperation(input: unknown): Operation | string {
  if (!input || typeof input !== 'object') return 'an operation is an object.';
  const raw = input as Record<string, unknown>;
  const type = raw.operationType;
  if (typeof type !== 'string' || !(type in operations)) return `Operation type '${String(type)}' is not supported in Batch.`;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const body = raw.resourceBody;
  const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
  if (type === 'Patch') {
    const patch = Array.isArray(body) ? body : isObject(body) ? body.operations : undefined;
    if (!Array.isArray(patch)) return 'a Patch operation carries its patch operations in resourceBody.';
    return { type, id: text(raw.id), partitionKey: text(raw.partitionKey), ifMatch: text(raw.ifMatch), resourceBody: undefined, patch, condition: isObject(body) ? text(body.condition) : undefined };
  }
  const needsBody = type === 'Create' || type === 'Upsert' || type === 'Replace';
  if (needsBody && !isObject(body)) return `a ${type} operation carries the item in resourceBody.`;
  return {
    type: type as OperationType,
    id: text(raw.id),
    partitionKey: text(raw.partitionKey),
    ifMatch: text(raw.ifMatch),
    resourceBody: needsBody && isObject(body) ? body : undefined,
    patch: undefined,
    condition: undefined,
  };
}
