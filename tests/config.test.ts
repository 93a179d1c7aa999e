import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig, readEnvironment } from '../src/config';

const minimal = { PROVIDER_TENANT_IDS: 'tenant-a' };

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
  assert.fail('expected the configuration to be refused');
}

describe('config', () => {
  it('defaults to port 3978, the embedded store under .data and no channel authentication', () => {
    const config = parseConfig(minimal);
    assert.equal(config.port, 3978);
    assert.deepEqual(config.cosmos, { mode: 'embedded', dataDir: '.data', databaseId: 'tam-assistant', provisioning: 'create', provisionedThroughput: false });
    assert.deepEqual(config.bot, { authentication: 'off' });
    assert.equal(config.seedDemoData, true);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.cosmos));
  });

  it('listens on loopback only without channel authentication, on every interface with it, unless HOST says otherwise', () => {
    const bot = { BOT_ID: '9a1b2c3d-1111-2222-3333-444455556666', BOT_PASSWORD: 'pw' };
    assert.equal(parseConfig(minimal).host, '127.0.0.1');
    assert.equal(parseConfig({ ...minimal, HOST: '  ' }).host, '127.0.0.1');
    assert.equal(parseConfig({ ...minimal, ...bot }).host, '0.0.0.0');
    assert.equal(parseConfig({ ...minimal, HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(parseConfig({ ...minimal, ...bot, HOST: '10.1.2.3' }).host, '10.1.2.3');
  });

  it('uses a real Cosmos account when COSMOS_ENDPOINT is set, and does not seed it', () => {
    const config = parseConfig({ ...minimal, COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', COSMOS_KEY: 'secret' });
    assert.deepEqual(config.cosmos, { mode: 'remote', endpoint: 'https://acct.documents.azure.com:443/', key: 'secret', databaseId: 'tam-assistant', provisioning: 'create', provisionedThroughput: false });
    assert.equal(config.seedDemoData, false);
  });

  it('seeds the demo escalations with the demo world unless SEED_DEMO_ESCALATIONS says no', () => {
    assert.equal(parseConfig(minimal).seedDemoEscalations, true);
    assert.equal(parseConfig({ ...minimal, SEED_DEMO_ESCALATIONS: 'false' }).seedDemoEscalations, false);
    assert.equal(parseConfig({ ...minimal, SEED_DEMO_DATA: 'false' }).seedDemoEscalations, false, 'not without the demo world');
    assert.equal(parseConfig({ ...minimal, COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' }).seedDemoEscalations, false);
    assert.deepEqual(problems({ ...minimal, SEED_DEMO_ESCALATIONS: 'some' }), ['SEED_DEMO_ESCALATIONS: expected true or false (got "some")']);
  });

  it('turns channel authentication on with BOT_ID and its password', () => {
    const config = parseConfig({ ...minimal, BOT_ID: '9a1b2c3d-1111-2222-3333-444455556666', BOT_PASSWORD: 'pw' });
    assert.deepEqual(config.bot, { authentication: 'on', appId: '9a1b2c3d-1111-2222-3333-444455556666', appPassword: 'pw', appType: 'MultiTenant' });
  });

  it('parses admins as tenant:user pairs', () => {
    const config = parseConfig({ ...minimal, ADMIN_USERS: 't1:u1, t2:u2' });
    assert.deepEqual(config.adminUsers, [
      { tenantId: 't1', aadObjectId: 'u1' },
      { tenantId: 't2', aadObjectId: 'u2' },
    ]);
  });

  it('names each bad variable and what it expects', () => {
    assert.deepEqual(problems({ ...minimal, PORT: 'abc' }), ['PORT: expected a port number between 0 and 65535 (got "abc")']);
    assert.deepEqual(problems({ ...minimal, PORT: '70000' }), ['PORT: expected a port number between 0 and 65535 (got "70000")']);
    assert.deepEqual(problems({}), ['PROVIDER_TENANT_IDS: expected at least one tenant id of the provider organisation (comma-separated)']);
    assert.deepEqual(problems({ ...minimal, BOT_ID: 'bot', BOT_PASSWORD: 'pw' }), ['BOT_ID: expected the bot\'s Microsoft app id (a GUID) (got "bot")']);
    assert.deepEqual(problems({ ...minimal, COSMOS_ENDPOINT: 'not a url' }), [
      'COSMOS_ENDPOINT: expected the account URL, e.g. https://myaccount.documents.azure.com:443/ (got "not a url")',
    ]);
    assert.deepEqual(problems({ ...minimal, SEED_DEMO_DATA: 'maybe' }), ['SEED_DEMO_DATA: expected true or false (got "maybe")']);
    assert.deepEqual(problems({ ...minimal, LOG_LEVEL: 'loud' }), ['LOG_LEVEL: expected debug, info, warn or error (got "loud")']);
    assert.deepEqual(problems({ ...minimal, ADMIN_USERS: 'just-a-user' }), [
      'ADMIN_USERS: expected a comma-separated list of tenantId:aadObjectId pairs (got "just-a-user")',
    ]);
  });

  it('asks for the password when BOT_ID is set without one, without echoing secrets', () => {
    assert.deepEqual(problems({ ...minimal, BOT_ID: '9a1b2c3d-1111-2222-3333-444455556666' }), [
      'BOT_PASSWORD: required when BOT_ID is set (or set BOT_TYPE=UserAssignedMSI)',
    ]);
  });

  it('turns review PDF links on with both REPORT_LINK_SECRET and PUBLIC_BASE_URL, off with neither, and refuses one alone or a short secret unechoed', () => {
    assert.equal(parseConfig(minimal).reports, undefined);
    assert.deepEqual(parseConfig({ ...minimal, REPORT_LINK_SECRET: 's'.repeat(32), PUBLIC_BASE_URL: 'https://bot.example.com/' }).reports, { linkSecret: 's'.repeat(32), publicBaseUrl: 'https://bot.example.com' });
    assert.deepEqual(problems({ ...minimal, REPORT_LINK_SECRET: 's'.repeat(32) }), ['PUBLIC_BASE_URL: required with REPORT_LINK_SECRET: report links need both (or set neither to turn them off)']);
    assert.deepEqual(problems({ ...minimal, REPORT_LINK_SECRET: 'short-secret', PUBLIC_BASE_URL: 'https://bot.example.com' }), ['REPORT_LINK_SECRET: expected a secret of at least 32 characters']);
    assert.match(problems({ ...minimal, REPORT_LINK_SECRET: 's'.repeat(32), PUBLIC_BASE_URL: 'bot.example.com' })[0] ?? '', /^PUBLIC_BASE_URL: expected the URL/);
  });

  it('reads env/.env.<APP_ENV> and its .user file, with the process environment winning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-config-'));
    fs.mkdirSync(path.join(dir, 'env'));
    fs.writeFileSync(path.join(dir, 'env', '.env.local'), 'PORT=4000\nPROVIDER_TENANT_IDS=from-file\nLOG_LEVEL=warn\n');
    fs.writeFileSync(path.join(dir, 'env', '.env.local.user'), 'COSMOS_KEY=from-user-file\n');
    const env = readEnvironment({ LOG_LEVEL: 'error' }, dir);
    assert.equal(env.PORT, '4000');
    assert.equal(env.PROVIDER_TENANT_IDS, 'from-file');
    assert.equal(env.COSMOS_KEY, 'from-user-file');
    assert.equal(env.LOG_LEVEL, 'error');
    fs.rmSync(dir, { recursive: true });
  });
});
