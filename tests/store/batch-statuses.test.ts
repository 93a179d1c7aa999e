import assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { BatchStatuses, batchCallHeader, batchCallTag, failedBatchStatus } from '../../src/store/batch-statuses';

/** The HTTP client beneath: records what would leave for the store and answers with `status`. */
function store(status: number): HttpClient & { seen: PipelineRequest[] } {
  const seen: PipelineRequest[] = [];
  return {
    seen,
    sendRequest: (request) => {
      seen.push(request);
      return Promise.resolve({ request, status, headers: createHttpHeaders(), bodyAsText: '{}' });
    },
  };
}

const tagged = (tag: string): PipelineRequest => createPipelineRequest({ url: 'http://127.0.0.1:1/dbs/d/colls/accounts/docs', method: 'POST', headers: createHttpHeaders({ [batchCallHeader]: tag, 'x-ms-cosmos-is-batch-request': 'True' }) });

describe('the statuses of failed batches', () => {
  it('takes the call tag off before the request leaves, and keeps a failed answer’s status under it', async () => {
    const inner = store(429);
    const tag = batchCallTag();
    const response = await new BatchStatuses(inner).sendRequest(tagged(tag));
    assert.equal(response.status, 429, 'the SDK still sees the answer as it came');
    assert.equal(inner.seen[0]?.headers.has(batchCallHeader), false, 'the store never sees the tag');
    assert.equal(inner.seen[0]?.headers.get('x-ms-cosmos-is-batch-request'), 'True');
    assert.equal(failedBatchStatus(tag), 429);
    assert.equal(failedBatchStatus(tag), undefined, 'forgotten once asked');
  });

  it('keeps the last answer of a call its retries made: one that went through leaves nothing', async () => {
    const tag = batchCallTag();
    await new BatchStatuses(store(503)).sendRequest(tagged(tag));
    await new BatchStatuses(store(200)).sendRequest(tagged(tag));
    assert.equal(failedBatchStatus(tag), undefined);
  });

  it('passes any other request on as it is', async () => {
    const inner = store(404);
    const request = createPipelineRequest({ url: 'http://127.0.0.1:1/dbs/d/colls/accounts/docs/x', method: 'GET' });
    assert.equal((await new BatchStatuses(inner).sendRequest(request)).status, 404);
    assert.equal(inner.seen[0], request);
  });

  it('gives every call a tag of its own', () => {
    assert.notEqual(batchCallTag(), batchCallTag());
  });
});
