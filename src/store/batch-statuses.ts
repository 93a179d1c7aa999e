import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';

/**
 * The SDK rethrows a transactional batch that failed as a whole (429 after its retries, 503, 408,
 * 413 …) as a plain `Error("Batch request error: …")`, its status lost, so a throttled write would
 * read as a fault of ours. Each batch the app sends carries a call tag in a header of its own; this
 * HTTP client, under the SDK, takes the tag off before the request leaves (the store never sees
 * it) and keeps the status of a failed answer under it, for the caller to give back to the error.
 */
export const batchCallHeader = 'x-tam-batch-call';

const failed = new Map<string, number>();
let calls = 0;

/** A new tag for one batch call. */
export function batchCallTag(): string {
  calls = (calls + 1) % Number.MAX_SAFE_INTEGER;
  return String(calls);
}

/** The status the store answered the tagged call's last request with, if it was a failure (an answer that went through leaves none); forgotten once asked. */
export function failedBatchStatus(tag: string): number | undefined {
  const status = failed.get(tag);
  failed.delete(tag);
  return status;
}

export class BatchStatuses implements HttpClient {
  constructor(private readonly inner: HttpClient) {}

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const tag = request.headers.get(batchCallHeader);
    if (tag === undefined) return this.inner.sendRequest(request);
    request.headers.delete(batchCallHeader);
    const response = await this.inner.sendRequest(request);
    if (response.status >= 400) failed.set(tag, response.status);
    else failed.delete(tag);
    return response;
  }
}
