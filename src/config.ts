import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const opaqueId = /^[A-Za-z0-9._-]+$/;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function list(description: string, item: RegExp) {
  return z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((values) => values.every((v) => item.test(v)), { message: `expected ${description}` });
}

function flag(defaultValue: boolean | undefined) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return defaultValue;
      const value = v.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false' });
      return z.NEVER;
    });
}

const schema = z
  .object({
    PORT: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? '3978' : v.trim()))
      .pipe(z.string().regex(/^\d+$/, 'expected a port number between 0 and 65535').transform(Number))
      .pipe(z.number().int().min(0, 'expected a port number between 0 and 65535').max(65535, 'expected a port number between 0 and 65535')),
    HOST: optionalText,
    BOT_ID: optionalText.refine((v) => v === undefined || guid.test(v), { message: 'expected the bot\'s Microsoft app id (a GUID)' }),
    BOT_PASSWORD: optionalText,
    BOT_TENANT_ID: optionalText.refine((v) => v === undefined || guid.test(v), { message: 'expected a tenant id (a GUID)' }),
    BOT_TYPE: optionalText
      .transform((v) => v ?? 'MultiTenant')
      .pipe(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { message: 'expected MultiTenant, SingleTenant or UserAssignedMSI' })),
    COSMOS_ENDPOINT: optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
      message: 'expected the account URL, e.g. https://myaccount.documents.azure.com:443/',
    }),
    COSMOS_KEY: optionalText,
    COSMOS_MANAGED_IDENTITY_CLIENT_ID: optionalText.refine((v) => v === undefined || guid.test(v), {
      message: 'expected the managed identity\'s client id (a GUID)',
    }),
    COSMOS_PROVISIONING: optionalText.pipe(z.enum(['create', 'check'], { message: 'expected create or check' }).optional()),
    COSMOS_CAPACITY: optionalText
      .transform((v) => v ?? 'serverless')
      .pipe(z.enum(['serverless', 'provisioned'], { message: 'expected serverless or provisioned' })),
    COSMOS_DATABASE: optionalText
      .transform((v) => v ?? 'tam-assistant')
      .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected letters, digits, dashes or underscores')),
    DATA_DIR: optionalText.transform((v) => v ?? '.data'),
    PROVIDER_TENANT_IDS: list('a comma-separated list of tenant ids', opaqueId).refine((v) => v.length > 0, {
      message: 'expected at least one tenant id of the provider organisation (comma-separated)',
    }),
    ADMIN_USERS: list('a comma-separated list of tenantId:aadObjectId pairs', /^[A-Za-z0-9._-]+:[A-Za-z0-9._-]+$/),
    SEED_DEMO_DATA: flag(undefined),
    SEED_DEMO_ESCALATIONS: flag(true),
    ALERT_SWEEP_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, { message: 'expected a secret of at least 16 characters' }),
    REPORT_LINK_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, { message: 'expected a secret of at least 32 characters' }),
    PUBLIC_BASE_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s?#]+$/.test(v), {
      message: 'expected the URL the bot is reached at from outside, e.g. https://tam-assistant.azurewebsites.net (no query)',
    }),
    SWEEP_INTERVAL_SECONDS: optionalText
      .transform((v) => v ?? '60')
      .pipe(z.string().regex(/^\d+$/, 'expected a whole number of seconds (0 turns the in-process scheduler off)').transform(Number)),
    LOG_LEVEL: optionalText
      .transform((v) => v ?? 'info')
      .pipe(z.enum(['debug', 'info', 'warn', 'error'], { message: 'expected debug, info, warn or error' })),
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText.refine((v) => v === undefined || /(^|;)\s*InstrumentationKey=[0-9a-fA-F-]{36}\s*(;|$)/i.test(v), {
      message: 'expected the Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)',
    }),
  })
  .superRefine((env, ctx) => {
    if (env.BOT_ID && env.BOT_TYPE !== 'UserAssignedMSI' && !env.BOT_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['BOT_PASSWORD'], message: 'required when BOT_ID is set (or set BOT_TYPE=UserAssignedMSI)' });
    }
    if (!!env.REPORT_LINK_SECRET !== !!env.PUBLIC_BASE_URL) {
      const missing = env.REPORT_LINK_SECRET ? 'PUBLIC_BASE_URL' : 'REPORT_LINK_SECRET';
      ctx.addIssue({ code: 'custom', path: [missing], message: `required with ${missing === 'PUBLIC_BASE_URL' ? 'REPORT_LINK_SECRET' : 'PUBLIC_BASE_URL'}: report links need both (or set neither to turn them off)` });
    }
    if (env.BOT_ID && env.BOT_TYPE !== 'MultiTenant' && !env.BOT_TENANT_ID) {
      ctx.addIssue({ code: 'custom', path: ['BOT_TENANT_ID'], message: `required when BOT_TYPE is ${env.BOT_TYPE}` });
    }
  });

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly bot:
    | { readonly authentication: 'off' }
    | {
        readonly authentication: 'on';
        readonly appId: string;
        readonly appPassword?: string;
        readonly tenantId?: string;
        readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
      };
  readonly cosmos: (
    | { readonly mode: 'embedded'; readonly dataDir: string | undefined; readonly databaseId: string }
    | {
        readonly mode: 'remote';
        readonly endpoint: string;
        readonly key?: string;
        readonly managedIdentityClientId?: string;
        readonly databaseId: string;
      }
  ) & {
    /** `check` with a managed identity (its data-plane role cannot create anything), else `create`. */
    readonly provisioning: 'create' | 'check';
    /** A provisioned-throughput account gets the database's autoscale throughput; serverless none. */
    readonly provisionedThroughput: boolean;
  };
  readonly providerTenantIds: readonly string[];
  readonly adminUsers: readonly { readonly tenantId: string; readonly aadObjectId: string }[];
  readonly seedDemoData: boolean;
  /** With the demo world, also its escalations in every SLA state (off in tests that count ids and alerts). */
  readonly seedDemoEscalations: boolean;
  /** Shared secret of POST /api/alerts/sweep; the endpoint is off without it. */
  readonly alertSweepSecret?: string;
  /** Signed links to review PDFs (GET /reports/...): the HMAC secret and the bot's public URL; off without them. */
  readonly reports?: { readonly linkSecret: string; readonly publicBaseUrl: string };
  /** How often the in-process scheduler sweeps; 0 leaves it to the HTTP trigger. */
  readonly sweepIntervalInMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Export to Azure Monitor (Application Insights); off without a connection string. */
  readonly telemetry?: { readonly connectionString: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads `env/.env.<APP_ENV>` and its git-ignored `.user` companion (Teams Toolkit style), then
 * lets the process environment override them. APP_ENV defaults to `local`.
 */
export function readEnvironment(processEnv: Environment, cwd: string): Environment {
  const name = processEnv.APP_ENV?.trim() || 'local';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ConfigError([`APP_ENV: expected a name such as local or dev (got "${name}")`]);
  const merged: Record<string, string | undefined> = {};
  for (const file of [`.env.${name}`, `.env.${name}.user`]) {
    const full = path.join(cwd, 'env', file);
    if (fs.existsSync(full)) Object.assign(merged, parseDotenv(fs.readFileSync(full)));
  }
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** Parses the environment once into a frozen Config, or throws ConfigError naming each bad variable. */
export function parseConfig(env: Environment): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'configuration');
      const raw = env[variable];
      const got = raw === undefined || variable.includes('PASSWORD') || variable.includes('KEY') || variable.includes('SECRET') ? '' : ` (got "${raw}")`;
      return `${variable}: ${issue.message}${got}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = result.data;
  const provisioning = e.COSMOS_PROVISIONING ?? (e.COSMOS_ENDPOINT && !e.COSMOS_KEY ? 'check' : 'create');
  const capacity = { provisioning, provisionedThroughput: e.COSMOS_CAPACITY === 'provisioned' };
  const cosmos: Config['cosmos'] = e.COSMOS_ENDPOINT
    ? {
        mode: 'remote',
        endpoint: e.COSMOS_ENDPOINT,
        ...(e.COSMOS_KEY ? { key: e.COSMOS_KEY } : {}),
        ...(e.COSMOS_MANAGED_IDENTITY_CLIENT_ID ? { managedIdentityClientId: e.COSMOS_MANAGED_IDENTITY_CLIENT_ID } : {}),
        databaseId: e.COSMOS_DATABASE,
        ...capacity,
      }
    : { mode: 'embedded', dataDir: e.DATA_DIR, databaseId: e.COSMOS_DATABASE, ...capacity };
  const bot: Config['bot'] = e.BOT_ID
    ? {
        authentication: 'on',
        appId: e.BOT_ID,
        ...(e.BOT_PASSWORD ? { appPassword: e.BOT_PASSWORD } : {}),
        ...(e.BOT_TENANT_ID ? { tenantId: e.BOT_TENANT_ID } : {}),
        appType: e.BOT_TYPE,
      }
    : { authentication: 'off' };
  return deepFreeze({
    port: e.PORT,
    // Without channel authentication anyone who reaches the port can act as anyone: loopback only,
    // unless HOST says otherwise.
    host: e.HOST ?? (bot.authentication === 'on' ? '0.0.0.0' : '127.0.0.1'),
    bot,
    cosmos,
    providerTenantIds: e.PROVIDER_TENANT_IDS,
    adminUsers: e.ADMIN_USERS.map((pair) => {
      const [tenantId = '', aadObjectId = ''] = pair.split(':');
      return { tenantId, aadObjectId };
    }),
    seedDemoData: e.SEED_DEMO_DATA ?? cosmos.mode === 'embedded',
    seedDemoEscalations: (e.SEED_DEMO_DATA ?? cosmos.mode === 'embedded') && e.SEED_DEMO_ESCALATIONS === true,
    ...(e.ALERT_SWEEP_SECRET ? { alertSweepSecret: e.ALERT_SWEEP_SECRET } : {}),
    ...(e.REPORT_LINK_SECRET && e.PUBLIC_BASE_URL ? { reports: { linkSecret: e.REPORT_LINK_SECRET, publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } } : {}),
    sweepIntervalInMs: e.SWEEP_INTERVAL_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    ...(e.APPLICATIONINSIGHTS_CONNECTION_STRING ? { telemetry: { connectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING } } : {}),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
