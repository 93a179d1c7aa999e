import assert from 'node:assert/strict';
import sinon from 'sinon';
import { actionExecute } from '../support/activities';
import { FakeConnector } from '../support/fake-connector';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import { CosmosEscalationRepository } from '../../src/store/cosmos-escalation-repository';

describe('opening escalations from two instances of the app on one store', () => {
  const connector = new FakeConnector();
  let a: TestBot | undefined;
  let b: TestBot | undefined;

  before(() => connector.start());
  after(async () => {
    await b?.close();
    await a?.close();
    await connector.stop();
  });

  const open = (bot: TestBot, title: string, replyToId: string) =>
    bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title, description: 'Since this morning', severity: 'C', product: 'Azure' }, { channel: demo.contosoChannel, replyToId }));

  it('an instance whose number hint is behind the other\'s jumps to the counter, not one number at a time, and ids stay gapless', async () => {
    a = await TestBot.start({ connector, instanceId: 'instance-a' });
    b = await TestBot.start({ connector, instanceId: 'instance-b', embeddedCosmosEndpoint: a.running.embeddedCosmosEndpoint!, clock: new ManualClock() });
    await open(a, 'First on A', 'a-1');
    for (let i = 1; i <= 6; i++) await open(b, `On B ${i}`, `b-${i}`);
    const batches = sinon.spy(CosmosEscalationRepository.prototype, 'createOpened');
    try {
      await open(a, 'Second on A', 'a-2');
      assert.ok(batches.callCount <= 2, `batches for one opening: ${batches.callCount}`);
    } finally {
      batches.restore();
    }
    const ids = (await a.running.repositories.escalations.listOpen('contoso')).map((e) => e.escalationId).sort();
    assert.deepEqual(ids, Array.from({ length: 8 }, (_, i) => `ESC-CONTOSO-${String(i + 1).padStart(4, '0')}`));
  });
});
