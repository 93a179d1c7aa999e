import assert from 'node:assert/strict';
import { CosmosClient } from '@azure/cosmos';
import { ensureContainers } from '../../src/store/containers';
import { maxItemBytes, startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { completedIntakeTtlInSeconds } from '../../src/store/cosmos-escalation-repository';
import { finishedOutboxTtlInSeconds } from '../../src/store/cosmos-outbox-repository';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from '../support/manual-clock';
import { actionExecute, installationUpdate } from '../support/activities';
import { demo, TestBot } from '../support/test-bot';

describe('Cosmos DB as it behaves: the item limit, and what expires', function () {
  this.timeout(60_000);

  describe('the embedded store refuses what Azure Cosmos DB refuses', () => {
    let store: EmbeddedCosmos;
    let client: CosmosClient;

    before(async () => {
      store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
      client = new CosmosClient({ endpoint: store.endpoint, key: 'embedded', connectionPolicy: { enableEndpointDiscovery: false } });
      await ensureContainers(client, 'limits', { provisioning: 'create' });
    });

    after(async () => {
      client.dispose();
      await store.close();
    });

    it('refuses an item over 2 MB with 413, on create and on replace, and keeps one just under it', async () => {
      const container = client.database('limits').container('outbox');
      const big = { id: 'big', text: 'x'.repeat(maxItemBytes) };
      await assert.rejects(container.items.create(big), (error: { code?: number }) => error.code === 413);
      await container.items.create({ id: 'small', text: 'x'.repeat(maxItemBytes - 1000) });
      await assert.rejects(container.item('small', 'small').replace({ id: 'small', text: 'x'.repeat(maxItemBytes + 10) }), (error: { code?: number }) => error.code === 413);
      const { resource } = await container.item('small', 'small').read<{ text: string }>();
      assert.equal(resource?.text.length, maxItemBytes - 1000, 'the stored item is unchanged');
    });
  });

  describe('what expires', () => {
    let bot: TestBot;

    before(async () => {
      bot = await TestBot.start();
    });

    after(async () => {
      await bot.close();
    });

    const raw = async (container: 'outbox' | 'accounts', type: string): Promise<Record<string, unknown>[]> =>
      (await bot.running.containers[container].items.query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.type = @t', parameters: [{ name: '@t', value: type }] }).fetchAll()).resources;

    it('a sent outbox item gets a ttl and drops the field the pending query filters on; a pending one keeps both', async () => {
      await bot.post(installationUpdate(bot.serviceUrl, demo.users.alex, 'add'));
      await bot.running.dispatcher.runOnce(); // the first sweep: alerts for Alex (sent) and Megan (no chat yet: pending)
      const items = await raw('outbox', 'outbox');
      const sent = items.filter((i) => i.status === 'sent');
      const pending = items.filter((i) => i.status === 'pending');
      assert.ok(sent.length > 0 && pending.length > 0);
      for (const item of sent) {
        assert.equal(item.ttl, finishedOutboxTtlInSeconds);
        assert.equal('nextAttemptAt' in item, false);
      }
      for (const item of pending) {
        assert.equal(item.ttl, undefined);
        assert.equal(typeof item.nextAttemptAt, 'string');
      }
      assert.equal((await bot.running.repositories.outbox.get(String(sent[0]?.itemId)))?.status, 'sent', 'a finished item still reads back');
    });

    it('a completed intake claim expires after a day', async () => {
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'T', description: 'D', severity: 'C', product: 'Azure' }, { channel: demo.contosoChannel, replyToId: 'i' }));
      const claims = await raw('accounts', 'intake');
      assert.equal(claims.length, 1);
      assert.equal(claims[0]?.ttl, completedIntakeTtlInSeconds);
      assert.equal(typeof claims[0]?.escalationId, 'string');
    });
  });
});
