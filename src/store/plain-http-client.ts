import * as http from 'node:http';
import * as https from 'node:https';
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

/** Keep-alive agents for a request that names none (the SDK names its own on every request). */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * The HTTP client under the Cosmos SDK for the requests it makes all the time: a JSON or empty
 * body sent whole and a text answer read whole, through the agent the SDK names. Sent with Node's
 * own client and nothing around it: the general client of the Azure pipeline prepares each request
 * for streams, progress, compression, proxies and `Expect: 100-continue`, which a point read
 * never needs, and that costs about a sixth of the client's CPU per request. Any request that asks
 * for one of those goes to `general` as it is.
 *
 * What the SDK relies on is kept: a network failure is a RestError with Node's error code (its
 * retry policy reads ECONNRESET and the like), an aborted or timed-out request an AbortError.
 */
export class PlainHttpClient implements HttpClient {
  constructor(private readonly general: HttpClient) {}

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    if (!isPlain(request)) return this.general.sendRequest(request);
    return send(request);
  }
}

/** A request with nothing the general client would have to prepare. */
function isPlain(request: PipelineRequest): boolean {
  const body = request.body;
  return (
    (body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body)) &&
    request.multipartBody === undefined &&
    request.formData === undefined &&
    request.streamResponseStatusCodes === undefined &&
    request.onUploadProgress === undefined &&
    request.onDownloadProgress === undefined &&
    request.proxySettings === undefined &&
    request.tlsSettings === undefined &&
    request.requestOverrides === undefined &&
    !request.disableKeepAlive &&
    request.method !== 'HEAD' &&
    // Plain http only where the caller allowed it (the SDK does for an http endpoint); the general client refuses the rest.
    (request.url.startsWith('https:') || request.allowInsecureConnection === true) &&
    !request.headers.has('accept-encoding') &&
    !request.headers.has('expect')
  );
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

function send(request: PipelineRequest): Promise<PipelineResponse> {
  const signal = request.abortSignal;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise<PipelineResponse>((resolve, reject) => {
    const secure = request.url.startsWith('https:');
    const body = (request.body ?? undefined) as string | Buffer | undefined;
    const headers = request.headers.toJSON({ preserveCase: true });
    if (body !== undefined && !request.headers.has('content-length')) headers['Content-Length'] = String(Buffer.byteLength(body));
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      finish();
      if (error instanceof Error && error.name === 'AbortError') reject(error);
      else reject(new RestError(error instanceof Error ? error.message : String(error), { code: (error as { code?: string }).code ?? RestError.REQUEST_SEND_ERROR, request }));
    };
    const agent = (request.agent as http.Agent | undefined) ?? (secure ? agents.https : agents.http);
    const options: https.RequestOptions = { method: request.method, headers, agent };
    const req = (secure ? https : http).request(request.url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('The answer was cut off.'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (settled) return;
        finish();
        const answered: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) answered[name] = Array.isArray(value) ? value.join(', ') : value;
        const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve({ request, status: res.statusCode ?? 0, headers: createHttpHeaders(answered), bodyAsText: text });
      });
    });
    function onAbort(): void {
      const error = abortError();
      req.destroy(error);
      fail(error);
    }
    signal?.addEventListener('abort', onAbort);
    if (request.timeout > 0) timer = setTimeout(onAbort, request.timeout);
    req.on('error', fail);
    req.end(body);
  });
}
