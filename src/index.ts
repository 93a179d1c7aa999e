// First: with telemetry on, OpenTelemetry must hook node:http and the Azure SDK before the imports below load them.
import { processTelemetry } from './telemetry/process-telemetry';
import * as path from 'node:path';
import { CardTemplates } from './cards/card-templates';
import { createBot, type Bot, type BotOptions } from './bot/create-bot';
import { ConfigError, parseConfig, readEnvironment, type Config } from './config';
import type { Clock } from './domain/clock';
import type { Logger } from './domain/logger';
import type { AccountRepository, AlertRepository, AlertSettingsRepository, ContractRepository, ConversationReferenceRepository, DeliveryPlanRepository, DirectoryRepository, EscalationRepository, HealthSummaryRepository, OutboxRepository } from './domain/ports';
import { JsonLogger } from './logging/json-logger';
import { createHttpServer } from './server';
import { bootstrapAdmins } from './services/bootstrap-admins';
import { recheckPersonalConversations } from './services/record-conversation';
import { seedDemoContracts, seedDemoEscalations, seedDemoMonth, seedDemoPlans, seedDemoWorld } from './services/seed-demo-world';
import { TenantGate } from './services/tenant-gate';
import { BackgroundWork } from './bot/background-work';
import { Dispatcher } from './notify/dispatcher';
import { CosmosAccountRepository } from './store/cosmos-account-repository';
import { RefreshAhead } from './store/ttl-cache';
import { CosmosContractRepository } from './store/cosmos-contract-repository';
import { CosmosAlertRepository } from './store/cosmos-alert-repository';
import { CosmosAlertSettingsRepository } from './store/cosmos-alert-settings-repository';
import { CosmosLeaseRepository } from './store/cosmos-lease-repository';
import { realTimer, type Timer } from './notify/rate-limits';
import { randomUUID } from 'node:crypto';
import { CosmosDeliveryPlanRepository } from './store/cosmos-delivery-plan-repository';
import { CosmosEscalationRepository } from './store/cosmos-escalation-repository';
import { CosmosOutboxRepository } from './store/cosmos-outbox-repository';
import { createCosmosClient } from './store/cosmos-client';
import { CosmosConversationReferenceRepository } from './store/cosmos-conversation-repository';
import { CosmosDirectoryRepository } from './store/cosmos-directory-repository';
import { CosmosHealthRepository } from './store/cosmos-health-repository';
import { ensureContainers, type Containers } from './store/containers';
import { startEmbeddedCosmos, type EmbeddedCosmos } from './store/embedded-cosmos';
import { StoreContainer } from './store/store-container';
import { pointReadProbe, StoreReadiness } from './store/store-readiness';
import { migrateDocumentIds } from './store/migrate-document-ids';
import { turnStoreBudgetInMs, type StoreScope } from './domain/store-scope';
import type { StoreRepositories } from './bot/bot-dependencies';
import { reportingTo } from './telemetry/business-events';
import type { Telemetry } from './telemetry/telemetry';
import { HmacReportLinks } from './reports/report-links';
import { ReviewPdfRenderer } from './reports/review-pdf';
import { reviewReport } from './reports/review-report';
import { deadlineSignal } from './notify/deadline';

export const systemClock: Clock = { now: () => new Date() };

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Extra Bot Framework authentication settings, e.g. a local OpenID metadata URL. */
  readonly authenticationOverrides?: Readonly<Record<string, string | boolean>>;
  /** Lifetime of cached directory and account reads; 0 turns caching off. */
  readonly directoryCacheTtlInMs?: number;
  /** How often the dispatcher retries queued messages and stale cards; 0 = only when asked. */
  readonly dispatchIntervalInMs?: number;
  readonly random?: () => number;
  /** Real waiting for the Teams rate limits of proactive sends. */
  readonly timer?: Timer;
  /** Names this instance in leases and outbox claims. */
  readonly instanceId?: string;
  /** Use this running embedded Cosmos server instead of starting one (several instances, one store). */
  readonly embeddedCosmosEndpoint?: string;
  /** Per-request Cosmos timeout (default 5 s). */
  readonly cosmosRequestTimeoutInMs?: number;
  /** How long one turn's store calls may take in all (default 5 s). */
  readonly turnStoreBudgetInMs?: number;
  /** Makes each turn's store budget instead (tests: a signal the test aborts). */
  readonly turnStoreBudget?: () => AbortSignal;
  /** Cosmos endpoint discovery; by default on for https endpoints only. */
  readonly cosmosEndpointDiscovery?: boolean;
  /** Outbound Bot Framework credentials; by default built from the app registration. */
  readonly credentialsFactory?: BotOptions['credentialsFactory'];
  /** From a turn's start, how long its messages may wait for the Bot Connector (default 7 s). */
  readonly replyDeadlineInMs?: number;
  /** How long a store answer keeps `/readyz` ready without reading the store (default 60 s). */
  readonly readinessWindowInMs?: number;
  /** Export to Azure Monitor: the logger is observed, the correlation id is the trace id, and events are reported. */
  readonly telemetry?: Telemetry;
}

export interface RunningBot {
  readonly url: string;
  /** The address the server is bound to, e.g. 127.0.0.1, or 0.0.0.0 for every interface. */
  readonly address: string;
  readonly port: number;
  readonly config: Config;
  readonly bot: Bot;
  readonly containers: Containers;
  readonly repositories: {
    readonly directory: DirectoryRepository;
    readonly accounts: AccountRepository;
    readonly conversations: ConversationReferenceRepository;
    readonly escalations: EscalationRepository;
    readonly contracts: ContractRepository;
    readonly plans: DeliveryPlanRepository;
    readonly alerts: AlertRepository;
    readonly alertSettings: AlertSettingsRepository;
    readonly outbox: OutboxRepository;
    readonly health: HealthSummaryRepository;
  };
  readonly background: BackgroundWork;
  readonly dispatcher: Dispatcher;
  readonly instanceId: string;
  /** The embedded Cosmos server this instance started or uses, for another instance to share. */
  readonly embeddedCosmosEndpoint?: string;
  close(): Promise<void>;
}

/** Composition root: config -> Cosmos -> repositories -> services -> bot -> HTTP server. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const clock = options.clock ?? systemClock;
  const baseLogger = options.logger ?? new JsonLogger(config.logLevel, clock);
  const logger = options.telemetry ? options.telemetry.observe(baseLogger) : baseLogger;

  let embedded: EmbeddedCosmos | undefined;
  if (config.cosmos.mode === 'embedded' && !options.embeddedCosmosEndpoint) {
    embedded = await startEmbeddedCosmos({
      ...(config.cosmos.dataDir ? { dataDir: path.resolve(config.cosmos.dataDir) } : {}),
      logger,
      clock,
    });
  }
  const embeddedEndpoint = options.embeddedCosmosEndpoint ?? embedded?.endpoint;
  const timeout = {
    ...(options.cosmosRequestTimeoutInMs ? { requestTimeoutInMs: options.cosmosRequestTimeoutInMs } : {}),
    ...(options.cosmosEndpointDiscovery !== undefined ? { endpointDiscovery: options.cosmosEndpointDiscovery } : {}),
  };
  const client = createCosmosClient(embeddedEndpoint ? { endpoint: embeddedEndpoint, embedded: true, ...timeout } : { ...remoteConnection(config), ...timeout });
  try {
    const { containers, warnings } = await ensureContainers(client, config.cosmos.databaseId, {
      provisioning: config.cosmos.provisioning,
      // The embedded store has no throughput to choose.
      provisionedThroughput: !embeddedEndpoint && config.cosmos.provisionedThroughput,
    });
    for (const warning of warnings) logger.warn('store.layout_differs', { message: warning });
    // Local data from before the present id form is renamed once; Azure never held the earlier form.
    if (embeddedEndpoint) await migrateDocumentIds(containers, logger);
    const cacheTtlInMs = options.directoryCacheTtlInMs ?? 15_000;
    // Unscoped store calls (start-up, the dispatcher, the sweep, background work) log their charge too.
    // Every store call tells readiness whether it was answered, so probes need not read the store.
    const readiness = new StoreReadiness(pointReadProbe(containers.leases, 2_000), clock, options.readinessWindowInMs);
    const store = (name: keyof Containers): StoreContainer => new StoreContainer(containers[name], { logger }, readiness);
    // Records read on most turns are read again behind an answer before they run out.
    const refreshAhead = new RefreshAhead();
    const directory = new CosmosDirectoryRepository(store('directory'), clock, cacheTtlInMs, refreshAhead);
    const accounts = new CosmosAccountRepository(store('accounts'), { clock, ttlInMs: cacheTtlInMs, refreshAhead });
    const conversations = new CosmosConversationReferenceRepository(store('conversations'), { clock, ttlInMs: cacheTtlInMs });
    // With telemetry on, these report the escalation and alert events as their writes land.
    const recorded = reportingTo(options.telemetry?.events);
    const escalations = recorded.escalations(new CosmosEscalationRepository(store('accounts')));
    const outbox = recorded.outbox(new CosmosOutboxRepository(store('outbox')));
    const contracts = new CosmosContractRepository(store('accounts'));
    const plans = new CosmosDeliveryPlanRepository(store('accounts'));
    const alerts = recorded.alerts(new CosmosAlertRepository(store('accounts')));
    const alertSettings = new CosmosAlertSettingsRepository(store('directory'), { clock, ttlInMs: cacheTtlInMs, refreshAhead });
    const leases = new CosmosLeaseRepository(store('leases'));
    const health = new CosmosHealthRepository(store('directory'));
    const repositoriesFor = (scope: StoreScope): StoreRepositories => ({
      directory: directory.inScope(scope),
      accounts: accounts.inScope(scope),
      conversations: conversations.inScope(scope),
      escalations: escalations.inScope(scope),
      contracts: contracts.inScope(scope),
      plans: plans.inScope(scope),
      alerts: alerts.inScope(scope),
      alertSettings: alertSettings.inScope(scope),
      outbox: outbox.inScope(scope),
      health: health.inScope(scope),
    });
    const instanceId = options.instanceId ?? randomUUID();
    const background = new BackgroundWork(logger);
    const random = options.random ?? Math.random;

    if (config.seedDemoData && (await seedDemoWorld({ directory, accounts, clock }))) {
      logger.info('store.demo_seeded', { message: 'Seeded the demo world (Contoso, Fabrikam, Northwind and the Playground users).' });
    }
    if (config.seedDemoData && (await seedDemoContracts({ directory, contracts, clock }))) {
      logger.info('store.demo_contracts_seeded', { message: 'Seeded demo contracts and their ledgers.' });
    }
    if (config.seedDemoData && (await seedDemoPlans({ directory, contracts, plans, clock }))) {
      logger.info('store.demo_plans_seeded', { message: 'Seeded demo delivery plans.' });
    }
    if (config.seedDemoEscalations && (await seedDemoEscalations({ directory, accounts, contracts, escalations, clock }))) {
      logger.info('store.demo_escalations_seeded', { message: 'Seeded demo escalations in every SLA state; the first sweep raises their alerts.' });
    }
    if (config.seedDemoEscalations && (await seedDemoMonth({ directory, accounts, contracts, plans, escalations, clock }))) {
      logger.info('store.demo_month_seeded', { message: 'Seeded the previous month of Contoso and Fabrikam: escalations, hours, delivery and check-ins, for review and portfolio.' });
    }
    await bootstrapAdmins({ directory }, config.adminUsers);
    const retiredPersonalIndexes = await recheckPersonalConversations({ conversations });
    logger.info('conversation.personal_rechecked', { message: `Personal chat pointers re-checked; ${retiredPersonalIndexes} not owned by their user removed.`, removed: retiredPersonalIndexes });

    // Signed links to review PDFs, only with both REPORT_LINK_SECRET and PUBLIC_BASE_URL.
    const reportLinks = config.reports ? new HmacReportLinks(config.reports.linkSecret, config.reports.publicBaseUrl) : undefined;
    const bot = createBot(
      {
        directory,
        accounts,
        conversations,
        escalations,
        contracts,
        plans,
        alerts,
        alertSettings,
        outbox,
        health,
        tenantGate: new TenantGate(directory, config.providerTenantIds),
        cards: CardTemplates.load(),
        clock,
        logger,
        background,
        cacheRefresh: refreshAhead,
        providerTenantIds: config.providerTenantIds,
        random,
        instanceId,
        repositoriesFor,
        turnStoreBudget: options.turnStoreBudget ?? (() => deadlineSignal(options.turnStoreBudgetInMs ?? turnStoreBudgetInMs)),
        ...(options.telemetry ? { traceId: options.telemetry.traceId } : {}),
        ...(reportLinks ? { reportLinks } : {}),
      },
      {
        timer: options.timer ?? realTimer,
        ...(options.credentialsFactory ? { credentialsFactory: options.credentialsFactory } : {}),
        ...(options.replyDeadlineInMs ? { replyDeadlineInMs: options.replyDeadlineInMs } : {}),
        authentication: config.bot,
        ...(options.authenticationOverrides ? { authenticationOverrides: options.authenticationOverrides } : {}),
      },
    );

    const dispatcher = new Dispatcher(
      {
        outbox,
        conversations,
        escalations,
        accounts,
        contracts,
        plans,
        alerts,
        alertSettings,
        leases,
        directory,
        health,
        providerTenantIds: config.providerTenantIds,
        messenger: bot.messenger,
        clock,
        logger,
        random,
        instanceId,
        ...(reportLinks ? { reportLinks } : {}),
      },
      logger,
    );
    const http = createHttpServer({
      bot,
      logger,
      ...(config.alertSweepSecret ? { alertSweep: { secret: config.alertSweepSecret, run: () => dispatcher.runOnce() } } : {}),
      isReady: () => readiness.isReady(),
      ...(reportLinks
        ? { reports: { reviewPdf: reviewReport({ links: reportLinks, reviews: { accounts, contracts, plans, escalations, clock }, renderer: new ReviewPdfRenderer(), clock, logger }) } }
        : {}),
    });
    const { port, address, url } = await http.listen(config.port, config.host);
    // Listening first: the scheduler's first pass starts now and runs alongside requests.
    dispatcher.start(options.dispatchIntervalInMs ?? config.sweepIntervalInMs);
    logger.info('bot.started', {
      message: `Listening on ${url}/api/messages; channel authentication ${config.bot.authentication === 'on' ? 'ON' : 'OFF (BOT_ID not set)'}`,
      address,
      port,
      authentication: config.bot.authentication,
      store: config.cosmos.mode === 'embedded' ? `embedded (${config.cosmos.dataDir ?? 'memory only'})` : config.cosmos.endpoint,
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      address,
      port,
      config,
      bot,
      containers,
      repositories: { directory, accounts, conversations, escalations, contracts, plans, alerts, alertSettings, outbox, health },
      background,
      dispatcher,
      instanceId,
      ...(embeddedEndpoint ? { embeddedCosmosEndpoint: embeddedEndpoint } : {}),
      close: () => {
        closing ??= (async () => {
          await http.close();
          await dispatcher.stop();
          await background.idle();
          client.dispose();
          await embedded?.close();
          logger.info('bot.stopped', {});
        })();
        return closing;
      },
    };
  } catch (error) {
    client.dispose();
    await embedded?.close();
    throw error;
  }
}

function remoteConnection(config: Config): Parameters<typeof createCosmosClient>[0] {
  if (config.cosmos.mode !== 'remote') throw new Error('remote Cosmos connection requested without COSMOS_ENDPOINT');
  return {
    endpoint: config.cosmos.endpoint,
    ...(config.cosmos.key ? { key: config.cosmos.key } : {}),
    ...(config.cosmos.managedIdentityClientId ? { managedIdentityClientId: config.cosmos.managedIdentityClientId } : {}),
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(readEnvironment(process.env, process.cwd()));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startBot(config, processTelemetry ? { telemetry: processTelemetry } : {});
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'bot.stopping', signal })}\n`);
    running
      .close()
      .then(() => stopTelemetry())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Exports what telemetry still holds, for at most 5 s: a stop never waits on Azure Monitor for long. */
async function stopTelemetry(): Promise<void> {
  if (!processTelemetry) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([processTelemetry.shutdown().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
