import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ActivityTypes, type ConfigurationBotFrameworkAuthenticationOptions, type Request, type Response, type TurnContext } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { Application, type TeamsAdapter } from '@microsoft/teams-ai';
import type { AppTurnState } from './app-turn-state';
import { OpeningQueue } from '../services/opening-queue';
import type { BotDependencies } from './bot-dependencies';
import { sendCard } from './card-reply';
import { normaliseActivity } from './activity-facts';
import { ChannelAdapter, processChannelRequest } from './channel-requests';
import { registerUnknownInvokes } from './unknown-invokes';
import { conversationCommands, registerConversationRoutes } from './routes/conversation-routes';
import { escalationCommands, registerEscalationRoutes } from './routes/escalation-routes';
import { contractCommands, registerContractRoutes } from './routes/contract-routes';
import { deliveryCommands, registerDeliveryRoutes } from './routes/delivery-routes';
import { alertCommands, registerAlertRoutes } from './routes/alert-routes';
import { accountCommands, registerAccountRoutes } from './routes/account-routes';
import { portfolioCommands, registerPortfolioRoutes } from './routes/portfolio-routes';
import { registerReviewRoutes, reviewCommands } from './routes/review-routes';
import { RateLimitedMessenger } from '../notify/rate-limited-messenger';
import type { Timer } from '../notify/rate-limits';
import { BotConnectorClient } from '../notify/bot-connector-client';
import { releaseDeadline } from '../notify/deadline';
import { ConnectorTeamsMessenger } from '../notify/teams-messenger';
import type { TeamsMessenger } from '../domain/ports';
import type { CommandHandlers } from './turn';
import { setTurnCorrelation, turnKindOf } from './turn-context-items';
import { errorCard } from './turn-errors';
import { respondWithCard } from './invoke-response';
import { defaultReplyDeadline, replyDeadlineOf, TurnReplies } from './turn-replies';
import type { BackgroundWork } from './background-work';
import { RequestMeter } from '../domain/store-scope';
import { dependenciesForTurn, setTurnDependencies } from './turn-dependencies';

/** Bot Framework channel authentication: off for local runs, on with the bot's app registration. */
export type BotAuthentication =
  | { readonly authentication: 'off' }
  | {
      readonly authentication: 'on';
      readonly appId: string;
      readonly appPassword?: string;
      readonly tenantId?: string;
      readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    };

export interface BotOptions {
  readonly authentication: BotAuthentication;
  /** Extra Bot Framework authentication settings (e.g. a local OpenID endpoint in tests). */
  readonly authenticationOverrides?: Readonly<Record<string, string | boolean>>;
  /** Real waiting, for the Teams rate limits of proactive sends. */
  readonly timer: Timer;
  /** Outbound credentials (tests: one that checks the app id and signs nothing). */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  /** From a turn's start, how long its messages may wait for the Bot Connector before they are queued (default 7 s). */
  readonly replyDeadlineInMs?: number;
}

export interface Bot {
  readonly adapter: TeamsAdapter;
  /** Proactive sends (notifications, channel cards) through this bot's adapter. */
  readonly messenger: TeamsMessenger;
  /** Handles one HTTP request from the Bot Framework channel. */
  process(req: Request, res: Response): Promise<void>;
}

export function createBot(base: Omit<BotDependencies, 'messenger' | 'background'> & { readonly background: BackgroundWork }, options: BotOptions): Bot {
  const auth = options.authentication;
  const authConfig: ConfigurationBotFrameworkAuthenticationOptions =
    auth.authentication === 'on'
      ? {
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.appPassword ?? '',
          MicrosoftAppType: auth.appType,
          MicrosoftAppTenantId: auth.tenantId ?? '',
          ...options.authenticationOverrides,
        }
      : { ...options.authenticationOverrides };
  const adapter = new ChannelAdapter(authConfig, options.credentialsFactory);
  const connector = new BotConnectorClient(
    auth.authentication === 'on'
      ? { credentials: { factory: adapter.credentialsFactory, appId: auth.appId, ...(auth.appType !== 'MultiTenant' && auth.tenantId ? { tenantId: auth.tenantId } : {}) } }
      : {},
  );
  const messenger = new RateLimitedMessenger(new ConnectorTeamsMessenger(connector, base.cards, base.clock), options.timer, base.random);
  const replyDeadline = options.replyDeadlineInMs ? replyDeadlineOf(options.replyDeadlineInMs) : defaultReplyDeadline;
  const deps: BotDependencies = {
    ...base,
    messenger,
    openings: base.openings ?? new OpeningQueue(),
    background: { run: (name, work) => base.background.run(name, () => work(deps)) },
  };

  const app = new Application<AppTurnState>({
    adapter,
    ...(auth.authentication === 'on' ? { botAppId: auth.appId } : {}),
    // No storage: no handler reads teams-ai's conversation or user state, and without a store
    // its TurnState loads and saves nothing (workflows keep their records in repositories).
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  const commands: CommandHandlers = { ...conversationCommands, ...escalationCommands, ...contractCommands, ...deliveryCommands, ...alertCommands, ...accountCommands, ...portfolioCommands, ...reviewCommands };
  registerConversationRoutes(app, deps, commands);
  registerEscalationRoutes(app, deps);
  registerContractRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerPortfolioRoutes(app, deps);
  registerReviewRoutes(app, deps);
  // Last: an invoke no route above took still gets a 200 in the shape its family expects.
  registerUnknownInvokes(app, deps);

  app.error(async (context, error) => {
    // Last resort, e.g. the store failing while the turn state or the caller is loaded: the person
    // still gets an answer in time (a card, or the dialog's message), never a silent 5xx.
    const card = errorCard(context, error, deps.cards, deps.logger);
    const activity = context.activity;
    if (activity.type !== 'invoke') {
      await sendCard(context, card).catch(() => undefined);
    } else if (activity.name === 'adaptiveCard/action') {
      await respondWithCard(context, card).catch(() => undefined);
    } else if (activity.name?.startsWith('composeExtension/')) {
      await context
        .sendActivity({ type: 'invokeResponse', value: { status: 200, body: { task: { type: 'message', value: 'That did not work just now. Please try again in a moment.' } } } })
        .catch(() => undefined);
    }
  });

  const handleTurn = async (context: TurnContext): Promise<void> => {
    // First: the turn's deadline for the connector runs from here.
    const replies = TurnReplies.start(context, { connector, outbox: deps.outbox, clock: deps.clock, logger: deps.logger, random: deps.random }, replyDeadline);
    const budget = deps.turnStoreBudget();
    try {
      await runTurn(context, budget);
    } finally {
      // Whatever the turn started behind its answer runs with `deps`, not with these deadlines.
      replies.finish();
      releaseDeadline(budget);
      refreshCaches();
    }
  };

  // Behind the answer: the invoke's response is written before these reads start.
  const refreshCaches = (): void => {
    const refresh = deps.cacheRefresh;
    if (refresh?.pending) base.background.run('cache.refresh_ahead', () => new Promise<void>((done) => setImmediate(done)).then(() => refresh.run()));
  };

  const runTurn = async (context: TurnContext, budget: AbortSignal): Promise<void> => {
    const activity = context.activity;
    const correlationId = deps.traceId?.() ?? randomUUID();
    const logger = deps.logger.child({
      correlationId,
      activityType: activity.type,
      ...(activity.name ? { activityName: activity.name } : {}),
      conversationType: activity.conversation?.conversationType ?? 'personal',
    });
    setTurnCorrelation(context, correlationId, logger);
    // Every store call of this turn is made within one budget and counted; work it starts in the
    // background is not (it runs with `deps`, see Background).
    const meter = new RequestMeter();
    // Each store call of the turn listens on the budget while it runs; a busy turn makes more than
    // Node's default of 10, which is not a leak (the signal goes with the turn).
    setMaxListeners(100, budget);
    const turnDeps = dependenciesForTurn(deps, { signal: budget, meter, logger, reads: new Map() });
    setTurnDependencies(context, turnDeps);
    const check = normaliseActivity(activity);
    if (!check.accepted) {
      logger.warn('turn.activity_dropped', { reason: check.reason, ...check.details });
      await answerDroppedInvoke(context);
      return;
    }
    if (!(await turnDeps.tenantGate.isAllowed(check.tenantId))) {
      logger.warn('turn.tenant_refused', { tenantId: check.tenantId });
      await answerDroppedInvoke(context);
      return;
    }
    const started = deps.clock.now().getTime();
    await app.run(context);
    logger.info('turn.done', { durationInMs: deps.clock.now().getTime() - started, ...turnKindOf(context), storeOperations: meter.operations, requestCharge: meter.requestCharge });
  };

  return {
    adapter,
    messenger,
    process: (req, res) => processChannelRequest(adapter, req, res, deps.logger, handleTurn),
  };
}

/** A dropped invoke is still answered (200, empty), or Teams would show the person an error. */
async function answerDroppedInvoke(context: TurnContext): Promise<void> {
  if (context.activity.type === 'invoke') await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
}
