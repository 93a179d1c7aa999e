import * as http from 'node:http';
import * as https from 'node:https';
import { AuthenticationConstants, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Activity } from 'botbuilder';
import type { DeliveryResult } from '../domain/ports';
import { boundedSignal } from './deadline';
import { untilAborted } from './until-aborted';
import { jsonWithCards } from '../cards/card-json';

export interface ConnectorTarget {
  readonly serviceUrl: string;
  readonly conversationId: string;
}

export interface BotConnectorClientOptions {
  /** Outbound authentication; absent when channel authentication is off (local runs). */
  readonly credentials?: {
    readonly factory: ServiceClientCredentialsFactory;
    readonly appId: string;
    readonly tenantId?: string;
  };
  /** How long one request may wait for its answer (default 10 s). */
  readonly timeoutInMs?: number;
}

/** Per call: the caller's own deadline (a turn's), on top of the client's timeout. */
export interface ConnectorCallOptions {
  readonly signal?: AbortSignal;
}

/**
 * Replies and proactive sends to the Bot Connector REST API (v3 conversations), one HTTP request
 * per call, each within a timeout. Unlike the SDK's connector client it retries nothing by itself:
 * every outcome goes back to the caller, which records it and decides when to try again (honouring
 * Retry-After), so a throttled or failing connector never holds a turn or a sweep in hidden retries.
 */
export class BotConnectorClient {
  constructor(private readonly options: BotConnectorClientOptions = {}) {}

  /** A new message in the conversation (a new thread in a channel). */
  async send(target: ConnectorTarget, activity: Partial<Activity>, options: ConnectorCallOptions = {}): Promise<DeliveryResult> {
    return this.request('POST', `${this.base(target)}/activities`, activity, options);
  }

  /** A reply to a message (in its thread), as the SDK's `replyToActivity`. */
  async reply(target: ConnectorTarget, replyToId: string, activity: Partial<Activity>, options: ConnectorCallOptions = {}): Promise<DeliveryResult> {
    return this.request('POST', `${this.base(target)}/activities/${encodeURIComponent(replyToId)}`, { ...activity, replyToId }, options);
  }

  /** Replaces a message the bot posted before (card updated in place). */
  async update(target: ConnectorTarget, activityId: string, activity: Partial<Activity>, options: ConnectorCallOptions = {}): Promise<DeliveryResult> {
    const result = await this.request('PUT', `${this.base(target)}/activities/${encodeURIComponent(activityId)}`, { ...activity, id: activityId }, options);
    return result.status === 'sent' ? { status: 'sent', activityId } : result;
  }

  private base(target: ConnectorTarget): string {
    const serviceUrl = target.serviceUrl.endsWith('/') ? target.serviceUrl : `${target.serviceUrl}/`;
    return `${serviceUrl}v3/conversations/${encodeURIComponent(target.conversationId)}`;
  }

  private async request(method: 'POST' | 'PUT', url: string, activity: Partial<Activity>, options: ConnectorCallOptions): Promise<DeliveryResult> {
    // One signal bounds everything the call waits for: the token, the answer and its body.
    const bounded = boundedSignal(options.signal, this.options.timeoutInMs ?? 10_000);
    try {
      return await this.requestWithin(method, url, activity, bounded.signal);
    } finally {
      bounded.release();
    }
  }

  private async requestWithin(method: 'POST' | 'PUT', url: string, activity: Partial<Activity>, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) return { status: 'retry', error: 'not sent: the deadline had passed' };
    let response: ConnectorAnswer;
    let requested = false;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const token = await untilAborted(this.token(), signal);
      if (token) headers.authorization = `Bearer ${token}`;
      requested = true;
      // A card from the templates is written from the JSON it was rendered as.
      response = await call(method, url, headers, jsonWithCards({ type: 'message', ...activity }), signal);
    } catch (error) {
      if (signal.aborted) {
        // Once the request has left, a missing answer says nothing about whether Teams posted it.
        return requested ? { status: 'retry', error: 'timeout: no answer in time', outcomeUnknown: true } : { status: 'retry', error: 'not sent: no token in time' };
      }
      return { status: 'retry', error: `network: ${error instanceof Error ? error.message : String(error)}` };
    }
    const text = await untilAborted(response.text, signal).catch(() => '');
    if (response.status >= 200 && response.status < 300) {
      let id = '';
      try {
        const parsed = (JSON.parse(text) as { id?: unknown }).id;
        id = typeof parsed === 'string' ? parsed : '';
      } catch {
        // 2xx without a body: nothing to read
      }
      return { status: 'sent', activityId: id };
    }
    const code = /"code"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    if (response.status === 403 || response.status === 404) {
      return { status: 'gone', reason: `${response.status} ${code ?? (response.status === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound')}` };
    }
    const retryAfterHeader = response.headers['retry-after'];
    const retryAfter = Number(retryAfterHeader);
    return {
      status: 'retry',
      error: `${response.status}${code ? ` ${code}` : ''}`,
      ...(Number.isFinite(retryAfter) && typeof retryAfterHeader === 'string' ? { retryAfterInMs: Math.max(0, retryAfter * 1000) } : {}),
    };
  }

  private async token(): Promise<string | undefined> {
    const credentials = this.options.credentials;
    if (!credentials) return undefined;
    const loginEndpoint = credentials.tenantId
      ? `${AuthenticationConstants.ToChannelFromBotLoginUrlPrefix}${credentials.tenantId}`
      : AuthenticationConstants.ToChannelFromBotLoginUrl;
    const appCredentials = await credentials.factory.createCredentials(credentials.appId, AuthenticationConstants.ToChannelFromBotOAuthScope, loginEndpoint, true);
    const withToken = appCredentials as { getToken?: (forceRefresh?: boolean) => Promise<string> };
    return withToken.getToken ? withToken.getToken() : undefined;
  }
}

/** An answer's status and headers as they arrive; its body when it has all come (or '' if cut off). */
interface ConnectorAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: Promise<string>;
}

/**
 * Connections kept open between requests. Node's own HTTP client rather than `fetch`: on this
 * path (every reply of every turn) `fetch` costs several times the CPU of a plain request.
 */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function call(method: 'POST' | 'PUT', url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<ConnectorAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const options = { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal };
    const onAnswer = (res: http.IncomingMessage): void => {
      const text = new Promise<string>((done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => done(''));
        res.on('close', () => done(res.complete ? Buffer.concat(chunks).toString('utf8') : ''));
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
    };
    const request = secure ? https.request(target, { ...options, agent: agents.https }, onAnswer) : http.request(target, { ...options, agent: agents.http }, onAnswer);
    request.on('error', reject);
    request.end(body);
  });
}
