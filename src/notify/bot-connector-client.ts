import { AuthenticationConstants, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Activity } from 'botbuilder';
import type { DeliveryResult } from '../domain/ports';
import { untilAborted } from './until-aborted';

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
    const timeoutInMs = this.options.timeoutInMs ?? 10_000;
    // One signal bounds everything the call waits for: the token, the answer and its body.
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutInMs)]) : AbortSignal.timeout(timeoutInMs);
    if (signal.aborted) return { status: 'retry', error: 'not sent: the deadline had passed' };
    let response: Response;
    let requested = false;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const token = await untilAborted(this.token(), signal);
      if (token) headers.authorization = `Bearer ${token}`;
      requested = true;
      response = await fetch(url, { method, headers, body: JSON.stringify({ type: 'message', ...activity }), signal });
    } catch (error) {
      if (signal.aborted) {
        // Once the request has left, a missing answer says nothing about whether Teams posted it.
        return requested ? { status: 'retry', error: 'timeout: no answer in time', outcomeUnknown: true } : { status: 'retry', error: 'not sent: no token in time' };
      }
      return { status: 'retry', error: `network: ${error instanceof Error ? error.message : String(error)}` };
    }
    const text = await untilAborted(response.text(), signal).catch(() => '');
    if (response.ok) {
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
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: 'retry',
      error: `${response.status}${code ? ` ${code}` : ''}`,
      ...(Number.isFinite(retryAfter) && response.headers.has('retry-after') ? { retryAfterInMs: Math.max(0, retryAfter * 1000) } : {}),
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
