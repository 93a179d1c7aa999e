import type { ItemDefinition, ItemResponse, OperationInput, OperationResponse, Response } from '@azure/cosmos';

/** What a point read answers: the record (or none), its ETag and status, as `ItemResponse` has them. */
export type PointRead<T extends ItemDefinition = ItemDefinition> = Pick<ItemResponse<T>, 'resource' | 'etag' | 'statusCode'> & { readonly requestCharge?: number };

export interface ReadSenders {
  /** One point read, as the SDK makes it. */
  one(id: string): Promise<PointRead>;
  /** A transactional batch of Read operations in the partition. */
  batch(operations: OperationInput[]): Promise<Response<OperationResponse[]>>;
}

interface Waiting {
  readonly id: string;
  readonly resolve: (read: PointRead) => void;
  readonly reject: (error: unknown) => void;
}

/** Azure Cosmos DB takes at most 100 operations in one transactional batch. */
const maxReadsInBatch = 100;

/**
 * Point reads of one partition asked for together (before the turn next waits on the store: say
 * the contract and the plan a card shows) go as one transactional batch of Read operations: one
 * round trip and one request instead of one each, for the same request units. A batch stops at
 * its first missing record (404, the others 424): each record not read by then is read on its own,
 * as is every record when the batch itself fails, unless it was throttled or cut off by the budget.
 */
export class ReadsTogether {
  private readonly groups = new Map<string, { readonly senders: ReadSenders; readonly waiting: Waiting[] }>();

  read(group: string, id: string, senders: ReadSenders): Promise<PointRead> {
    return new Promise<PointRead>((resolve, reject) => {
      let gathered = this.groups.get(group);
      if (!gathered) {
        gathered = { senders, waiting: [] };
        this.groups.set(group, gathered);
        const sending = gathered;
        // After the work already under way has run up to its next wait: the reads it asks for by then go together.
        process.nextTick(() => {
          this.groups.delete(group);
          void send(sending.senders, sending.waiting);
        });
      }
      gathered.waiting.push({ id, resolve, reject });
    });
  }
}

async function send(senders: ReadSenders, waiting: readonly Waiting[]): Promise<void> {
  for (let start = 0; start < waiting.length; start += maxReadsInBatch) {
    const part = waiting.slice(start, start + maxReadsInBatch);
    if (part.length === 1) {
      readAlone(senders, part[0]!);
      continue;
    }
    let response: Response<OperationResponse[]>;
    try {
      response = await senders.batch(part.map((w) => ({ operationType: 'Read', id: w.id })));
    } catch (error) {
      // Throttled after the client's own retries, or out of the turn's budget: reading each record
      // again would only add to the load of a partition that asked for less, or fail at once.
      if (givesUp(error)) {
        for (const w of part) w.reject(error);
        continue;
      }
      // Otherwise each record is read on its own, whose failure says what it is or whose answer
      // comes after all: a batch refused as a request (too large an answer, say), or unavailable
      // where a single read may go to another region.
      for (const w of part) readAlone(senders, w);
      continue;
    }
    const results = response.result ?? [];
    for (const [index, w] of part.entries()) {
      const result = results[index];
      if (response.code === 200 && result && result.statusCode < 300) {
        w.resolve({ resource: result.resourceBody as PointRead['resource'], etag: result.eTag ?? '', statusCode: result.statusCode, requestCharge: result.requestCharge });
      } else if (result?.statusCode === 404) {
        w.resolve({ resource: undefined, etag: '', statusCode: 404, requestCharge: result.requestCharge });
      } else {
        readAlone(senders, w);
      }
    }
  }
}

function givesUp(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | undefined;
  return e?.code === 429 || e?.name === 'AbortError';
}

function readAlone(senders: ReadSenders, w: Waiting): void {
  senders.one(w.id).then(w.resolve, w.reject);
}
