import { ActivityTypes, type Activity, type InvokeResponse, type Request, type ResourceResponse, type Response, type TurnContext } from 'botbuilder';
import { ConnectorFactory, type AuthenticateRequestResult, type ClaimsIdentity, type ConnectorClient, type UserTokenClient } from 'botframework-connector';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from '../domain/logger';
import { TurnReplies } from './turn-replies';

/**
 * The Teams adapter with its two steps, authenticate and run the turn, callable apart: the edge
 * answers every refused request itself, as one log line, instead of `CloudAdapter.process`
 * printing the error's stack on the console.
 */
export class ChannelAdapter extends TeamsAdapter {
  /**
   * A turn's messages go through its replies (turn-replies.ts: our connector client within the
   * turn's deadline, the outbox for what is not taken in time), never through the SDK's connector
   * client, whose retries and Retry-After waits would hold the turn's HTTP request open. Invoke
   * responses, delays and traces are the SDK's: they never leave the process.
   */
  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const replies = TurnReplies.of(context);
    if (!replies) return super.sendActivities(context, activities);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === ActivityTypes.Message) responses.push(await replies.send(activity));
      else responses.push(...(await super.sendActivities(context, [activity])));
    }
    return responses;
  }

  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    const replies = TurnReplies.of(context);
    if (!replies) return super.updateActivity(context, activity);
    await replies.update(activity);
  }

  /**
   * The SDK builds a ConnectorClient and a UserTokenClient (each a full HTTP pipeline) for every
   * request, though they depend only on who the bot is, the service URL and the audience: built
   * once per such key here and reused. Their credentials fetch and cache tokens themselves.
   */
  private readonly connectorClients = new Map<string, Promise<ConnectorClient>>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  async authenticate(activity: Partial<Activity>, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.botFrameworkAuthentication.authenticateRequest(activity as Activity, authHeader);
    const factory = result.connectorFactory;
    const identity = identityKey(result.claimsIdentity);
    const clients = this.connectorClients;
    const shared = new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        if (!factory) return Promise.reject(new Error('the request was authenticated without a connector factory'));
        return remembered(clients, `${identity}|${serviceUrl}|${audience ?? ''}`, () => factory.create(serviceUrl, audience));
      }
    })();
    return { ...result, connectorFactory: shared };
  }

  /** The authentication's user token clients, remembered as the connector clients are (installed once). */
  private rememberUserTokenClients(): void {
    const auth = this.botFrameworkAuthentication;
    if (Object.prototype.hasOwnProperty.call(auth, 'createUserTokenClient')) return;
    const create = auth.createUserTokenClient.bind(auth);
    const clients = this.userTokenClients;
    auth.createUserTokenClient = (claims: ClaimsIdentity) => remembered(clients, identityKey(claims), () => create(claims));
  }

  runAuthenticated(result: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    this.rememberUserTokenClients();
    return this.processActivity(result, activity, logic);
  }
}

/** The claims a connector's credentials depend on: who the bot is to the caller, and the caller. */
function identityKey(identity: ClaimsIdentity): string {
  const claim = (type: string): string => identity.getClaimValue(type) ?? '';
  return [claim('aud'), claim('appid'), claim('azp'), claim('ver'), claim('iss')].join('|');
}

/** A memo of client promises, bounded: a failed build is forgotten so the next request tries again. */
function remembered<T>(memo: Map<string, Promise<T>>, key: string, build: () => Promise<T>): Promise<T> {
  let client = memo.get(key);
  if (!client) {
    if (memo.size >= 100) memo.clear();
    client = build();
    memo.set(key, client);
    client.catch(() => memo.delete(key));
  }
  return client;
}

/**
 * One POST from the Bot Framework channel. The token is checked first, against whatever the body
 * holds, so a caller without a valid token learns nothing (401, no reason given); then a body that
 * is not an activity is refused with 400. Each refusal is one `http.request_refused` line.
 */
export async function processChannelRequest(
  adapter: ChannelAdapter,
  req: Request,
  res: Response,
  logger: Logger,
  logic: (context: TurnContext) => Promise<void>,
): Promise<void> {
  const body: unknown = req.body;
  const candidate = isRecord(body) ? body : {};
  const header = req.headers.authorization ?? req.headers.Authorization;
  let authenticated: AuthenticateRequestResult;
  try {
    authenticated = await withoutTokenRefusalNoise(() => adapter.authenticate(candidate, typeof header === 'string' ? header : ''));
  } catch (error) {
    logger.warn('http.request_refused', { status: 401, reason: reasonOf(error) });
    answer(res, 401, 'Unauthorized');
    return;
  }
  if (!isRecord(body) || typeof body.type !== 'string' || body.type === '') {
    logger.warn('http.request_refused', { status: 400, reason: 'the body is not an activity (no type)' });
    answer(res, 400, 'Bad Request');
    return;
  }
  const invokeResponse = await adapter.runAuthenticated(authenticated, withDates(body), logic);
  res.header('User-Agent', adapter.userAgent);
  answer(res, invokeResponse?.status ?? 200, invokeResponse?.body);
}

function answer(res: Response, status: number, body?: unknown): void {
  res.status(status);
  if (body !== undefined) res.send(body);
  res.end();
}

/** What botbuilder's `validateAndFixActivity` does: timestamps as dates, the raw text kept. */
function withDates(body: Record<string, unknown>): Activity {
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const value = body[field];
    if (typeof value === 'string') {
      body[raw] = value;
      body[field] = new Date(value);
    }
  }
  return body as unknown as Activity;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** The first line of the library's message, which names the check that failed and never the token. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 200) || 'token rejected';
}

const quietable = Symbol('quietable');

/**
 * What botframework-connector prints on the console when it refuses a token (jwtTokenExtractor):
 * the expired-token error with its stack, or every public key of the channel. The refusal is
 * logged as one JSON line instead.
 */
function isTokenRefusalNoise(args: readonly unknown[]): boolean {
  const [first] = args;
  if (first instanceof Error) return first.name === 'TokenExpiredError';
  return typeof first === 'string' && first.startsWith('Error finding key for token.');
}

/**
 * Runs the token check with the library's refusal printing dropped; any other console output
 * goes through. Matched by what is printed rather than by whose async chain prints it: tracking
 * async chains (AsyncLocalStorage) would put a hook on every promise the process makes. Checked
 * on every call, so a console.error replaced or restored since (a test stub) is wrapped again.
 */
function withoutTokenRefusalNoise<T>(work: () => Promise<T>): Promise<T> {
  const current = Reflect.get(console, 'error') as ((...args: unknown[]) => void) & { [quietable]?: true };
  if (!current[quietable]) {
    console.error = Object.assign(
      (...args: unknown[]) => {
        if (!isTokenRefusalNoise(args)) Reflect.apply(current, console, args);
      },
      { [quietable]: true as const },
    );
  }
  return work();
}
