import { parseConfig, type Config } from '../../src/config';
import { startBot, type RunningBot, type StartOptions } from '../../src/index';
import { JsonLogger } from '../../src/logging/json-logger';
import { demoTeamId, demoTenantId, demoUsers } from '../../src/services/seed-demo-world';
import type { TeamsChannel, TeamsUser } from './activities';
import { FakeConnector } from './fake-connector';
import { ManualClock } from './manual-clock';
import type { Timer } from '../../src/notify/rate-limits';

/**
 * Waiting in simulated time: sleeping moves the timer on at once. Rate limits and backoffs keep
 * their arithmetic without a test ever waiting for real time to pass.
 */
export function simulatedTimer(): Timer {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

function user(aadObjectId: string, name: string, tenantId = demoTenantId): TeamsUser {
  return { aadObjectId, name, tenantId };
}

/** The seeded demo world, as Teams users and channels. */
export const demo = {
  tenantId: demoTenantId,
  users: {
    alex: user(demoUsers.alex, 'Alex Wilber'),
    megan: user(demoUsers.megan, 'Megan Bowen'),
    adele: user(demoUsers.adele, 'Adele Vance'),
    isaiah: user(demoUsers.isaiah, 'Isaiah Langer'),
    patti: user(demoUsers.patti, 'Patti Fernandez'),
    lynne: user(demoUsers.lynne, 'Lynne Robbins'),
    stranger: user('00000000-0000-0000-0000-0000000000099', 'Sam Stranger'),
    /** Not in the seeded directory: addSecondContosoTam adds him. */
    ben: user('00000000-0000-0000-0000-0000000000031', 'Ben Ode'),
    outsider: user('11111111-0000-0000-0000-000000000001', 'Olga Outsider', '99999999-9999-9999-9999-999999999999'),
  },
  /** The Playground team's General channel, linked to Contoso by the seed. */
  contosoChannel: { teamId: demoTeamId, channelId: demoTeamId, name: 'General', tenantId: demoTenantId } satisfies TeamsChannel,
  /** A channel nobody has linked yet. */
  newChannel: { teamId: '19:new-team@thread.tacv2', channelId: '19:new-channel@thread.tacv2', name: 'Escalations', tenantId: demoTenantId } satisfies TeamsChannel,
};

/** A second TAM on Contoso, reporting to Megan, to hand escalations to. */
export async function addSecondContosoTam(bot: TestBot): Promise<void> {
  await bot.running.repositories.directory.upsertPerson({
    tenantId: demo.tenantId,
    aadObjectId: demo.users.ben.aadObjectId,
    displayName: demo.users.ben.name,
    role: 'tam',
    managerKey: `${demo.tenantId}:${demo.users.megan.aadObjectId}`,
    accountIds: ['contoso'],
  });
}

/** The six kinds of caller, seen from Contoso ("the account"). */
export const contosoCallers: Readonly<Record<string, TeamsUser>> = {
  admin: demo.users.isaiah,
  manager: demo.users.megan,
  'TAM of the account': demo.users.alex,
  'TAM of another account': demo.users.patti,
  'customer of the account': demo.users.adele,
  'customer of another account': demo.users.lynne,
};

export interface TestBotOptions {
  readonly clock?: ManualClock;
  /** Keep data in this folder (embedded store journal); memory only when absent. */
  readonly dataDir?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly connector?: FakeConnector;
  /** Real or simulated waiting for the Teams rate limits; simulated unless a test needs real time. */
  readonly timer?: Timer;
  readonly instanceId?: string;
  /** Share another instance's embedded Cosmos server. */
  readonly embeddedCosmosEndpoint?: string;
  readonly authenticationOverrides?: Readonly<Record<string, string | boolean>>;
  readonly cosmosRequestTimeoutInMs?: number;
  readonly cosmosEndpointDiscovery?: boolean;
  readonly turnStoreBudgetInMs?: number;
  readonly turnStoreBudget?: () => AbortSignal;
  readonly credentialsFactory?: StartOptions['credentialsFactory'];
  /** Run the in-process scheduler as `npm start` does (a pass at start-up, then this often); off by default. */
  readonly dispatchIntervalInMs?: number;
  /** How long a turn's messages may wait for the connector (the production default when absent). */
  readonly replyDeadlineInMs?: number;
}

export interface PostResult {
  readonly status: number;
  readonly body: unknown;
}

/** The real server, Bot Framework adapter and embedded Cosmos server, with a fake Bot Connector. */
export class TestBot {
  private constructor(
    readonly running: RunningBot,
    readonly connector: FakeConnector,
    readonly clock: ManualClock,
    readonly logs: Record<string, unknown>[],
    private readonly ownsConnector: boolean,
  ) {}

  static async start(options: TestBotOptions = {}): Promise<TestBot> {
    const clock = options.clock ?? new ManualClock();
    const connector = options.connector ?? new FakeConnector();
    if (!options.connector) await connector.start();
    const logs: Record<string, unknown>[] = [];
    const logger = new JsonLogger('debug', clock, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    const config = testConfig(options);
    const running = await startBot(config, {
      clock,
      logger,
      dispatchIntervalInMs: options.dispatchIntervalInMs ?? 0,
      random: () => 0.5,
      timer: options.timer ?? simulatedTimer(),
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
      ...(options.embeddedCosmosEndpoint ? { embeddedCosmosEndpoint: options.embeddedCosmosEndpoint } : {}),
      ...(options.authenticationOverrides ? { authenticationOverrides: options.authenticationOverrides } : {}),
      ...(options.credentialsFactory ? { credentialsFactory: options.credentialsFactory } : {}),
      ...(options.cosmosRequestTimeoutInMs ? { cosmosRequestTimeoutInMs: options.cosmosRequestTimeoutInMs } : {}),
      ...(options.replyDeadlineInMs ? { replyDeadlineInMs: options.replyDeadlineInMs } : {}),
      ...(options.cosmosEndpointDiscovery !== undefined ? { cosmosEndpointDiscovery: options.cosmosEndpointDiscovery } : {}),
      ...(options.turnStoreBudgetInMs ? { turnStoreBudgetInMs: options.turnStoreBudgetInMs } : {}),
      ...(options.turnStoreBudget ? { turnStoreBudget: options.turnStoreBudget } : {}),
    });
    return new TestBot(running, connector, clock, logs, !options.connector);
  }

  get serviceUrl(): string {
    return this.connector.serviceUrl;
  }

  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PostResult> {
    const response = await fetch(`${this.running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  }

  async close(): Promise<void> {
    await this.running.close();
    if (this.ownsConnector) await this.connector.stop();
  }
}

export function testConfig(options: Pick<TestBotOptions, 'dataDir' | 'env'> = {}): Config {
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PROVIDER_TENANT_IDS: demoTenantId,
    SEED_DEMO_DATA: 'true',
    // The suites count ids and alerts from an empty escalation list; tests/e2e/demo-world.test.ts seeds them.
    SEED_DEMO_ESCALATIONS: 'false',
    LOG_LEVEL: 'debug',
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  });
  if (config.cosmos.mode === 'embedded' && !options.dataDir) {
    return { ...config, cosmos: { ...config.cosmos, dataDir: undefined } };
  }
  return config;
}
