import assert from 'node:assert/strict';
import { CosmosClient } from '@azure/cosmos';
import { databaseDefinition, ensureContainers, StoreLayoutError } from '../../src/store/containers';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { parseConfig } from '../../src/config';
import { ManualClock } from '../support/manual-clock';
import { TestBot } from '../support/test-bot';

/**
 * With a managed identity the app creates nothing (its data-plane role cannot): it checks the
 * database and containers and stops naming what is missing. With a key it creates them, from
 * the one definition in src/store/cosmos-database.json.
 */
describe('provisioning the Cosmos DB database', function () {
  this.timeout(60_000);
  let store: EmbeddedCosmos;
  let client: CosmosClient;

  beforeEach(async () => {
    store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
    client = new CosmosClient({ endpoint: store.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
  });

  afterEach(async () => {
    client.dispose();
    await store.close();
  });

  const startChecking = (): Promise<TestBot> => TestBot.start({ embeddedCosmosEndpoint: store.endpoint, env: { COSMOS_PROVISIONING: 'check' } });

  it('with a managed identity (check), stops naming a missing database, and how to provision it', async () => {
    await assert.rejects(startChecking(), (error: unknown) => {
      assert.ok(error instanceof StoreLayoutError);
      assert.match(error.message, /The database "tam-assistant" does not exist: provision it from src\/store\/cosmos-database\.json/);
      return true;
    });
    const { resources } = await client.databases.readAll().fetchAll();
    assert.deepEqual(resources, [], 'nothing was created');
  });

  it('names each missing container and a wrong partition key, creating nothing', async () => {
    const { database } = await client.databases.createIfNotExists({ id: 'tam-assistant' });
    for (const layout of databaseDefinition.containers.filter((c) => c.id !== 'outbox' && c.id !== 'leases')) {
      await database.containers.createIfNotExists({ id: layout.id, partitionKey: { paths: [...layout.partitionKey.paths] }, ...(layout.defaultTtl !== undefined ? { defaultTtl: layout.defaultTtl } : {}) });
    }
    await database.containers.createIfNotExists({ id: 'leases', partitionKey: { paths: ['/pk'] } });
    await assert.rejects(startChecking(), (error: unknown) => {
      assert.ok(error instanceof StoreLayoutError);
      assert.deepEqual(error.problems.length, 2, error.message);
      assert.match(error.message, /The container "outbox" \(partition key \/id\) does not exist/);
      assert.match(error.message, /The container "leases" has the partition key \/pk, not \/id/);
      return true;
    });
    const { resources } = await database.containers.readAll().fetchAll();
    assert.equal(resources.some((c) => c.id === 'outbox'), false);
  });

  it('with everything provisioned, checking starts the bot', async () => {
    await ensureContainers(client, 'tam-assistant', { provisioning: 'create' });
    const bot = await startChecking();
    await bot.close();
  });

  it('with a key (create), makes every container as defined: partition key, default TTL, indexing policy', async () => {
    await ensureContainers(client, 'tam-assistant', { provisioning: 'create' });
    for (const layout of databaseDefinition.containers) {
      const { resource } = await client.database('tam-assistant').container(layout.id).read();
      assert.deepEqual(resource?.partitionKey?.paths, layout.partitionKey.paths, layout.id);
      assert.equal(resource?.defaultTtl, layout.defaultTtl, layout.id);
      assert.deepEqual(resource?.indexingPolicy?.excludedPaths?.map((p) => p.path), ['/*'], `${layout.id} indexes only what it queries`);
    }
  });

  it('checks by default with an endpoint and no key (a managed identity), creates otherwise', () => {
    const base = { PROVIDER_TENANT_IDS: '00000000-0000-0000-0000-0000000000001' };
    assert.equal(parseConfig({ ...base, COSMOS_ENDPOINT: 'https://x.documents.azure.com:443/' }).cosmos.provisioning, 'check');
    assert.equal(parseConfig({ ...base, COSMOS_ENDPOINT: 'https://x.documents.azure.com:443/', COSMOS_KEY: 'k' }).cosmos.provisioning, 'create');
    assert.equal(parseConfig(base).cosmos.provisioning, 'create');
    assert.equal(parseConfig({ ...base, COSMOS_CAPACITY: 'provisioned' }).cosmos.provisionedThroughput, true);
    assert.throws(() => parseConfig({ ...base, COSMOS_PROVISIONING: 'maybe' }), /COSMOS_PROVISIONING: expected create or check/);
  });
});
