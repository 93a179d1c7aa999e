import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { databaseDefinition } from '../../src/store/containers';
import { startEmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { personalMessage } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';

describe('the store layout', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tam-layout-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps no container for turn state', () => {
    assert.deepEqual(databaseDefinition.containers.map((c) => c.id).sort(), ['accounts', 'conversations', 'directory', 'leases', 'outbox']);
  });

  it('starts on a .data store that still has the old botstate container, answers, and leaves it alone', async () => {
    // A store written by an earlier version: the database with a botstate container holding turn state.
    const logger = new JsonLogger('error', new ManualClock(), () => undefined);
    const old = await startEmbeddedCosmos({ dataDir, logger });
    const client = new CosmosClient({ endpoint: old.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.createIfNotExists({ id: 'tam-assistant' });
    const { container } = await database.containers.createIfNotExists({ id: 'botstate', partitionKey: { paths: ['/id'] } });
    await container.items.create({ id: 'msteams!bot!conversations!a', type: 'turnState', schemaVersion: 1, state: {} });
    client.dispose();
    await old.close();

    const bot = await TestBot.start({ dataDir });
    try {
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'help'));
      assert.match(cardText(onlyCard(bot.connector.sent())), /What I can do for you here/);
      assert.ok(bot.logs.some((l) => l.event === 'bot.started'));
      assert.equal(bot.logs.filter((l) => l.level === 'error').length, 0);
    } finally {
      await bot.close();
    }

    const reopened = await startEmbeddedCosmos({ dataDir, logger });
    const again = new CosmosClient({ endpoint: reopened.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
    try {
      const { resources } = await again.database('tam-assistant').container('botstate').items.readAll().fetchAll();
      assert.equal(resources.length, 1, 'the old container and its document are still there, untouched');
    } finally {
      again.dispose();
      await reopened.close();
    }
  });
});
