import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig, readEnvironment, type Environment } from '../../src/config';

/**
 * infra/main.bicep cannot be compiled here (no Bicep compiler offline), so it is read as text: its
 * parameters, resources and app settings, enough to hold it to the app it deploys. The database
 * comes from the one definition the app reads, every setting is one the config reads (and parses),
 * and no secret reaches the app but through Key Vault.
 */
const root = path.join(__dirname, '..', '..');
const templatePath = path.join(root, 'infra', 'main.bicep');
const parametersPath = path.join(root, 'infra', 'main.parameters.json');
const definitionPath = path.join(root, 'src', 'store', 'cosmos-database.json');

/** Settings read by the platform, not by src/config.ts: each with the reason it is set. */
const platformSettings: Readonly<Record<string, string>> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'App Service installs the dependencies of the deployed package',
  CUSTOM_BUILD_COMMAND: 'that install is `npm ci --omit=dev`, not the default `npm install` + `npm run build`',
};
const secretLooking = /SECRET|KEY|PASSWORD|CONNECTION_STRING/;
// The Application Insights connection string names the resource; it grants nothing.
const notSecret = new Set(['APPLICATIONINSIGHTS_CONNECTION_STRING']);

// ---- a reader for the plain Bicep this template is written in ------------------------------

/** The text with comments blanked out (strings kept), so that positions stay the same. */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end < 0 ? text.length : end + 3;
      out += text.slice(i, stop);
      i = stop;
    } else if (text[i] === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Index just past the bracket that closes the one at `open` (strings skipped). */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === "'") {
      i += 1;
      while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
    } else if (pairs[c]) {
      stack.push(pairs[c]);
    } else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

interface Param {
  readonly name: string;
  readonly type: string;
  readonly secure: boolean;
  readonly defaultValue?: string;
  readonly allowed?: string[];
}

interface Resource {
  readonly symbol: string;
  readonly type: string;
  /** `for x in <source>:` of a resource loop. */
  readonly loop?: { readonly item: string; readonly source: string };
  readonly body: string;
}

interface Template {
  readonly text: string;
  readonly params: ReadonlyMap<string, Param>;
  readonly vars: ReadonlyMap<string, string>;
  readonly resources: readonly Resource[];
}

function readTemplate(source: string): Template {
  const text = stripComments(source);
  const params = new Map<string, Param>();
  const declaration = /^param\s+(\w+)\s+(\w+)(?:[ \t]*=[ \t]*([^\n]+))?$/gm;
  for (let match = declaration.exec(text); match; match = declaration.exec(text)) {
    const [, name = '', type = '', defaultValue] = match;
    const decorators = decoratorsBefore(text, match.index);
    const allowed = /@allowed\(\[([\s\S]*?)\]\)/.exec(decorators)?.[1];
    params.set(name, {
      name,
      type,
      secure: /@secure\(\)/.test(decorators),
      ...(defaultValue !== undefined ? { defaultValue: defaultValue.trim() } : {}),
      ...(allowed ? { allowed: [...allowed.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '') } : {}),
    });
  }
  const vars = new Map<string, string>();
  for (const match of text.matchAll(/^var\s+(\w+)\s*=\s*([^\n]+)$/gm)) vars.set(match[1] ?? '', (match[2] ?? '').trim());
  const resources: Resource[] = [];
  const head = /^resource\s+(\w+)\s+'([^'@]+)@[^']+'\s*=\s*/gm;
  for (let match = head.exec(text); match; match = head.exec(text)) {
    const start = match.index + match[0].length;
    const loop = /^\[for\s+(\w+)\s+in\s+([^:]+):\s*/.exec(text.slice(start));
    const open = text.indexOf(loop ? '[' : '{', start);
    const body = text.slice(open, closing(text, open));
    resources.push({
      symbol: match[1] ?? '',
      type: match[2] ?? '',
      ...(loop ? { loop: { item: loop[1] ?? '', source: (loop[2] ?? '').trim() } } : {}),
      body,
    });
  }
  return { text, params, vars, resources };
}

/** The decorator lines (`@...`, possibly spanning lines) right above the declaration at `index`. */
function decoratorsBefore(text: string, index: number): string {
  const lines = text.slice(0, index).split('\n');
  lines.pop();
  const kept: string[] = [];
  while (lines.length > 0) {
    const line = lines[lines.length - 1]!;
    if (line.trim() === '') break;
    kept.unshift(lines.pop()!);
    if (line.trimStart().startsWith('@') || line.trimStart().startsWith(']')) continue;
    if (/^\s*'[^']*'\s*$/.test(line)) continue; // an item of a multi-line @allowed([...])
    kept.shift();
    break;
  }
  return kept.join('\n');
}

/** The top-level `{ ... }` objects of an array's text. */
function objectsOf(arrayText: string): string[] {
  const objects: string[] = [];
  for (let i = 1; i < arrayText.length - 1; i += 1) {
    if (arrayText[i] === '{') {
      const end = closing(arrayText, i);
      objects.push(arrayText.slice(i, end));
      i = end - 1;
    } else if (arrayText[i] === "'") {
      i += 1;
      while (i < arrayText.length && arrayText[i] !== "'") i += 1;
    }
  }
  return objects;
}

/** The value expression of `key:` at the top level of an object's text. */
function property(objectText: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}:\\s*([^\\n]+)$`, 'm').exec(objectText)?.[1]?.trim();
}

interface AppSetting {
  readonly name: string;
  readonly value: string;
}

function appSettingsOf(template: Template): AppSetting[] {
  const sites = template.resources.filter((r) => r.type === 'Microsoft.Web/sites');
  assert.equal(sites.length, 1, 'expected one web app');
  const body = sites[0]!.body;
  const at = body.indexOf('appSettings: [');
  assert.ok(at >= 0, 'the web app sets no appSettings array');
  const open = body.indexOf('[', at);
  const objects = objectsOf(body.slice(open, closing(body, open)));
  return objects.map((object) => {
    const name = /name:\s*'([^']+)'/.exec(object)?.[1];
    const value = property(object, 'value');
    assert.ok(name && value, `an app setting without a literal name and a value: ${object}`);
    return { name, value };
  });
}

// ---- what the app reads ---------------------------------------------------------------------

/** The variables src/config.ts reads, observed: every name it asks an environment for. */
function variablesConfigReads(): Set<string> {
  const names = new Set<string>();
  const watching = (): Environment =>
    new Proxy<Record<string, string | undefined>>(
      {},
      {
        get(target, key) {
          if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key)) names.add(key);
          return typeof key === 'string' ? target[key] : undefined;
        },
      },
    );
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-config-'));
  try {
    readEnvironment(watching(), empty);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
  try {
    parseConfig(watching());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return names;
}

const template = readTemplate(fs.readFileSync(templatePath, 'utf8'));
const definition = JSON.parse(fs.readFileSync(definitionPath, 'utf8')) as {
  throughput: { autoscaleMaxThroughput: number };
  containers: Record<string, unknown>[];
};

describe('infra/main.bicep', () => {
  describe('the database comes from the one definition', () => {
    it('reads src/store/cosmos-database.json, the same file src/store/containers.ts imports', () => {
      const loads = [...template.vars].filter(([, value]) => value.startsWith('loadJsonContent('));
      assert.equal(loads.length, 1, 'expected one loadJsonContent variable');
      const [, call] = loads[0]!;
      const file = /^loadJsonContent\('([^']+)'\)$/.exec(call)?.[1];
      assert.ok(file, `not a plain loadJsonContent('<file>'): ${call}`);
      assert.equal(path.resolve(path.dirname(templatePath), file), definitionPath);
      const containersSource = fs.readFileSync(path.join(root, 'src', 'store', 'containers.ts'), 'utf8');
      const imported = /import\s+\w+\s+from\s+'([^']+\.json)'/.exec(containersSource)?.[1];
      assert.ok(imported, 'src/store/containers.ts imports no JSON definition');
      assert.equal(path.resolve(path.join(root, 'src', 'store'), imported), definitionPath);
    });

    it('declares its containers only as a loop over the definition, passing on every property a container has there', () => {
      const definitionVar = [...template.vars].find(([, value]) => value.startsWith('loadJsonContent('))?.[0];
      const containers = template.resources.filter((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers');
      assert.equal(containers.length, 1, 'expected exactly one container resource: the loop over the definition');
      const [resource] = containers;
      assert.ok(resource?.loop, `the container resource ${resource?.symbol} names its own containers instead of looping over the definition`);
      assert.equal(resource.loop.source, `${definitionVar}.containers`);
      const item = resource.loop.item;
      assert.equal(property(resource.body, 'name'), `${item}.id`, 'a container is named by its id in the definition');
      const keys = new Set(definition.containers.flatMap((c) => Object.keys(c)));
      for (const key of keys) {
        assert.match(resource.body, new RegExp(`\\b${item}\\.\\??${key}\\b`), `the definition's "${key}" is not passed on to Cosmos DB`);
      }
      for (const c of definition.containers) {
        assert.ok(!template.text.includes(`'${String(c.id)}'`), `the template spells the container "${String(c.id)}" out itself`);
      }
    });

    it('gives the database the definition\'s throughput only on a provisioned account; serverless takes the capability instead', () => {
      const db = template.resources.find((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
      assert.ok(db, 'no SQL database');
      assert.match(db.body, /options:\s*cosmosCapacity == 'provisioned' \?/);
      assert.match(db.body, /maxThroughput:\s*\w+\.throughput\.autoscaleMaxThroughput/);
      assert.doesNotMatch(template.text, new RegExp(`maxThroughput:\\s*${definition.throughput.autoscaleMaxThroughput}`));
      const account = template.resources.find((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts');
      assert.match(account?.body ?? '', /capabilities:\s*cosmosCapacity == 'serverless' \? \[\s*\{\s*name: 'EnableServerless'/);
      assert.deepEqual(template.params.get('cosmosCapacity')?.allowed, ['serverless', 'provisioned']);
    });

    it('gives the identity the built-in Data Contributor role on the account', () => {
      const assignment = template.resources.find((r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
      assert.ok(assignment, 'no Cosmos DB data-plane role assignment');
      assert.match(assignment.body, /principalId:\s*identity\.properties\.principalId/);
      const role = /roleDefinitionId:\s*'\$\{cosmosAccount\.id\}\/sqlRoleDefinitions\/\$\{(\w+)\}'/.exec(assignment.body)?.[1];
      assert.equal(template.vars.get(role ?? ''), "'00000000-0000-0000-0000-000000000002'");
    });
  });

  describe('app settings', () => {
    const settings = appSettingsOf(template);

    it('sets only variables src/config.ts reads, besides a short list the platform reads', () => {
      const reads = variablesConfigReads();
      assert.ok(reads.has('COSMOS_ENDPOINT') && reads.has('APP_ENV'), 'reading the config\'s variables found too few');
      const unknown = settings.map((s) => s.name).filter((name) => !reads.has(name) && !(name in platformSettings));
      assert.deepEqual(unknown, [], 'settings that src/config.ts does not read');
      const names = settings.map((s) => s.name);
      assert.equal(new Set(names).size, names.length, 'a setting is set twice');
    });

    it('sets no secret from a plain value: each is a Key Vault reference resolved with the user-assigned identity', () => {
      const secureParams = [...template.params.values()].filter((p) => p.secure).map((p) => p.name);
      for (const setting of settings) {
        for (const name of secureParams) assert.doesNotMatch(setting.value, new RegExp(`\\b${name}\\b`), `${setting.name} is set from the secure parameter ${name}`);
        if (!secretLooking.test(setting.name) || notSecret.has(setting.name)) continue;
        const secret = /^'@Microsoft\.KeyVault\(SecretUri=\$\{(\w+)\.properties\.secretUri(?:WithVersion)?\}\)'$/.exec(setting.value)?.[1];
        assert.ok(secret, `${setting.name} is not a Key Vault reference: ${setting.value}`);
        const entry = template.resources.find((r) => r.symbol === secret);
        assert.equal(entry?.type, 'Microsoft.KeyVault/vaults/secrets', `${setting.name} refers to ${secret}, which is no Key Vault secret`);
        const value = property(entry.body, 'value') ?? '';
        assert.ok(template.params.get(value)?.secure, `the secret ${secret} is not set from a @secure() parameter (${value})`);
      }
      const site = template.resources.find((r) => r.type === 'Microsoft.Web/sites')!;
      assert.match(site.body, /keyVaultReferenceIdentity:\s*identity\.id/);
      assert.match(site.body, /type:\s*'UserAssigned'[\s\S]*'\$\{identity\.id\}':\s*\{\}/);
      const secretsUser = template.resources.find((r) => r.type === 'Microsoft.Authorization/roleAssignments' && /principalId:\s*identity\.properties\.principalId/.test(r.body));
      assert.ok(secretsUser, 'the identity is given no role on the Key Vault');
      const role = /roleDefinitions',\s*(\w+)\)/.exec(secretsUser.body)?.[1];
      assert.equal(template.vars.get(role ?? ''), "'4633458b-17de-408a-b874-0445c86b69e6'", 'expected Key Vault Secrets User');
      const vault = template.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults');
      assert.match(vault?.body ?? '', /enableRbacAuthorization:\s*true/);
    });

    it('are values the config accepts: the bot on its managed identity, a remote store that is checked, not created', () => {
      const fileValues = (JSON.parse(fs.readFileSync(parametersPath, 'utf8')) as { parameters: Record<string, { value: unknown }> }).parameters;
      const guid = '11111111-2222-3333-4444-555555555555';
      const samples: Record<string, string> = {
        'identity.properties.clientId': guid,
        'identity.properties.tenantId': '66666666-7777-8888-9999-000000000000',
        'cosmosAccount.properties.documentEndpoint': 'https://tam.documents.azure.com:443/',
        'appInsights.properties.ConnectionString': 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
        'tenant().tenantId': '66666666-7777-8888-9999-000000000000',
        "'https://${webAppName}.azurewebsites.net'": 'https://tam-assistant-abc123.azurewebsites.net',
      };
      const requiredSamples: Record<string, string> = { adminUsers: '66666666-7777-8888-9999-000000000000:aaaaaaaa-0000-0000-0000-000000000001' };
      const evaluate = (expression: string): string => {
        const literal = /^'([^'$]*)'$/.exec(expression);
        if (literal) return literal[1] ?? '';
        if (/^'@Microsoft\.KeyVault\(/.test(expression)) return 'a-secret-resolved-from-key-vault';
        const sample = samples[expression];
        if (sample !== undefined) return sample;
        const choice = /^(\w+)\s*\?\s*('[^']*')\s*:\s*('[^']*')$/.exec(expression);
        if (choice) return evaluate(evaluate(choice[1] ?? '') === 'true' ? (choice[2] ?? '') : (choice[3] ?? ''));
        const param = template.params.get(expression);
        if (param) {
          const given = fileValues[param.name]?.value;
          if (typeof given === 'string' || typeof given === 'number' || typeof given === 'boolean') return String(given);
          if (param.defaultValue !== undefined) return evaluate(param.defaultValue);
          const required = requiredSamples[param.name];
          if (required !== undefined) return required;
        }
        if (expression === 'true' || expression === 'false') return expression;
        assert.fail(`no sample value for the expression ${expression}: add one to this test`);
      };
      const env = Object.fromEntries(settings.map((s) => [s.name, evaluate(s.value)]));
      const config = parseConfig(env);
      assert.equal(config.bot.authentication, 'on');
      assert.ok(config.bot.authentication === 'on' && config.bot.appType === 'UserAssignedMSI' && config.bot.appId === guid && !config.bot.appPassword);
      assert.equal(config.cosmos.mode, 'remote');
      assert.ok(config.cosmos.mode === 'remote' && config.cosmos.managedIdentityClientId === guid && !config.cosmos.key);
      assert.equal(config.cosmos.provisioning, 'check');
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.seedDemoData, false);
      assert.ok(config.alertSweepSecret);
    });
  });

  describe('parameters', () => {
    const file = JSON.parse(fs.readFileSync(parametersPath, 'utf8')) as { $schema: string; parameters: Record<string, { value?: unknown; reference?: unknown }> };

    it('the parameters file names only parameters the template declares, and no secure one', () => {
      assert.match(file.$schema, /deploymentParameters\.json#$/);
      for (const name of Object.keys(file.parameters)) {
        const param = template.params.get(name);
        assert.ok(param, `the parameters file sets "${name}", which the template does not declare`);
        assert.ok(!param.secure || file.parameters[name]?.reference !== undefined, `the secure parameter "${name}" has a plain value in the parameters file`);
      }
    });

    it('secure parameters have no default, and every parameter without one is given by the file or the README\'s command', () => {
      const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
      for (const param of template.params.values()) {
        if (param.secure) assert.equal(param.defaultValue, undefined, `the secure parameter ${param.name} has a default`);
        if (param.defaultValue === undefined && !(param.name in file.parameters)) {
          assert.match(readme, new RegExp(`--parameters[^\\n]*\\b${param.name}=|^\\s+${param.name}=`, 'm'), `${param.name} has no default and the README's deployment command does not pass it`);
        }
      }
    });

    it('README.md explains every parameter', () => {
      const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
      const section = /^## Deploy to Azure$([\s\S]*?)^## /m.exec(readme)?.[1];
      assert.ok(section, 'README.md has no "## Deploy to Azure" section');
      for (const name of template.params.keys()) assert.match(section, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `the README's parameter table lacks ${name}`);
    });
  });

  describe('hosting', () => {
    it('runs the built app on Node 22 with Always On, HTTPS only, and the health check on /readyz', () => {
      const site = template.resources.find((r) => r.type === 'Microsoft.Web/sites')!;
      const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
      assert.equal(property(site.body, 'appCommandLine'), `'${scripts['start:prod']}'`);
      assert.equal(property(site.body, 'linuxFxVersion'), "'NODE|22-lts'");
      assert.equal(property(site.body, 'alwaysOn'), 'true');
      assert.equal(property(site.body, 'httpsOnly'), 'true');
      assert.equal(property(site.body, 'healthCheckPath'), "'/readyz'");
      const sku = template.params.get('webAppSku');
      assert.ok(sku?.allowed && sku.allowed.every((tier) => !/^(F|D)\d/.test(tier)), 'a tier without Always On is allowed');
    });

    it('registers the managed identity as the Azure Bot (UserAssignedMSI) with the Teams channel and the web app\'s endpoint', () => {
      const bot = template.resources.find((r) => r.type === 'Microsoft.BotService/botServices');
      assert.ok(bot, 'no Azure Bot');
      assert.equal(property(bot.body, 'kind'), "'azurebot'");
      assert.equal(property(bot.body, 'msaAppType'), "'UserAssignedMSI'");
      assert.equal(property(bot.body, 'msaAppId'), 'identity.properties.clientId');
      assert.equal(property(bot.body, 'msaAppMSIResourceId'), 'identity.id');
      assert.equal(property(bot.body, 'msaAppTenantId'), 'identity.properties.tenantId');
      assert.equal(property(bot.body, 'endpoint'), "'https://${webApp.properties.defaultHostName}/api/messages'");
      const channel = template.resources.find((r) => r.type === 'Microsoft.BotService/botServices/channels');
      assert.equal(property(channel?.body ?? '', 'channelName'), "'MsTeamsChannel'");
      assert.equal(template.params.get('botServiceSku')?.defaultValue, "'F0'");
    });
  });
});
