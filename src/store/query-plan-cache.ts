import { createDefaultHttpClient, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { RecentlyUsed } from '../domain/recently-used';

/** The SDK marks its query-plan requests with this header. */
const queryPlanHeader = 'x-ms-cosmos-is-query-plan-request';
/** What a plan depends on besides the container and the query: the features the client can run, the plan format, the partition key. */
const planInputs = ['x-ms-cosmos-supported-query-features', 'x-ms-cosmos-query-version', 'x-ms-documentdb-partitionkey', 'x-ms-version', 'content-type'];
/** Kept per answer: what says something about the request rather than the plan is left out. */
const requestSpecific = new Set(['x-ms-session-token', 'x-ms-activity-id', 'date', 'x-ms-request-charge', 'x-ms-request-duration-ms', 'content-length']);

interface KeptPlan {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The SDK asks the gateway for a query plan before every query, in parallel with the query
 * itself, and uses it only when the query needs one (ORDER BY across partitions, aggregates). A
 * plan is a function of the query's text and parameters, the container's partition key (which
 * never changes) and the features this client can run: the same question always gets the same
 * answer. So each successful answer is kept, by the exact request (address, plan inputs and body),
 * and a question asked again is answered from it without a round trip. Bounded, least recently
 * used first out; anything else goes through untouched. A container's partition key is fixed
 * for its life; one dropped and created again under the same name with another key while this
 * process runs would need a new client (the app never does that: it only checks its containers at start).
 */
export class QueryPlanCache implements HttpClient {
  private readonly plans: RecentlyUsed<string, KeptPlan>;
  private answeredHere = 0;

  constructor(
    private readonly inner: HttpClient = createDefaultHttpClient(),
    capacity = 1_000,
  ) {
    this.plans = new RecentlyUsed(capacity);
  }

  /** Query-plan requests answered from a kept plan so far. */
  get answered(): number {
    return this.answeredHere;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const key = planKey(request);
    if (key === undefined) return this.inner.sendRequest(request);
    const kept = this.plans.get(key);
    if (kept) {
      if (request.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
      this.answeredHere += 1;
      return { request, status: kept.status, headers: createHttpHeaders({ ...kept.headers }), bodyAsText: kept.body };
    }
    const response = await this.inner.sendRequest(request);
    if (response.status === 200 && typeof response.bodyAsText === 'string') {
      const headers: Record<string, string> = {};
      for (const [name, value] of response.headers) if (!requestSpecific.has(name.toLowerCase())) headers[name] = value;
      this.plans.set(key, { status: response.status, headers, body: response.bodyAsText });
    }
    return response;
  }
}

/** The key of a query-plan request, or undefined for any other request (or a body that is not text). */
function planKey(request: PipelineRequest): string | undefined {
  if (request.method !== 'POST' || request.headers.get(queryPlanHeader)?.toLowerCase() !== 'true') return undefined;
  if (typeof request.body !== 'string') return undefined;
  return [request.url, ...planInputs.map((name) => request.headers.get(name) ?? ''), request.body].join('\n');
}
