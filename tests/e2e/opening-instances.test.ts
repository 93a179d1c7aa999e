import assert from 'node:assert/strict';
import sinon from 'sinon';
import { actionExecute } from '../support/activities';
import { FakeConnector } from '../support/fake-connector';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';
import { cardText } from '../support/adaptive-card-check';
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
    const batches = sinon.spy(CosmosEscalationRepository.prototype, 'createOpenedTogether');
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

describe('opening many escalations at once on one account (an outage brings everyone)', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await TestBot.start();
  });
  afterEach(async () => {
    sinon.restore();
    await bot.close();
  });

  const intake = (title: string, replyToId: string) =>
    actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title, description: 'Everything is down', severity: 'B', product: 'Azure' }, { channel: demo.contosoChannel, replyToId });
  const bannerOf = (body: unknown): string => cardText((body as { value?: unknown } | undefined)?.value);

  it('stores those that arrive together in one batch for each wave, numbered without gaps, each answered with its own', async () => {
    const batches = sinon.spy(CosmosEscalationRepository.prototype, 'createOpenedTogether');
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => bot.post(intake(`Outage ${i}`, `outage-${i}`))));
    const opened = answers.map((a) => /Opened (ESC-CONTOSO-\d{4})/.exec(bannerOf(a.body))?.[1]);
    assert.ok(opened.every((id) => id), `every submitter is told their escalation: ${opened.join(', ')}`);
    assert.deepEqual([...opened].sort(), Array.from({ length: 24 }, (_, i) => `ESC-CONTOSO-${String(i + 1).padStart(4, '0')}`), 'one number each, none skipped');
    const stored = await bot.running.repositories.escalations.listOpen('contoso');
    for (const [i, id] of opened.entries()) assert.equal(stored.find((e) => e.escalationId === id)?.title, `Outage ${i}`, `${id} is the escalation its submitter opened`);
    assert.ok(batches.callCount < 24, `fewer batches than openings: ${batches.callCount}`);
    assert.ok(batches.getCalls().some((call) => (call.args[0] as unknown[]).length > 1), 'some went together');
    assert.ok(batches.getCalls().every((call) => (call.args[0] as unknown[]).length <= 20), 'at most 20 in a batch');
  });

  it('answers a repeat in the wave as opened already, and stores the others of its batch', async () => {
    const same = intake('Twice', 'twice');
    const answers = await Promise.all([bot.post(same), ...Array.from({ length: 6 }, (_, i) => bot.post(intake(`Other ${i}`, `other-${i}`))), bot.post(same)]);
    const texts = answers.map((a) => bannerOf(a.body));
    const stored = await bot.running.repositories.escalations.listOpen('contoso');
    assert.equal(stored.filter((e) => e.title === 'Twice').length, 1, 'the repeat opened nothing');
    assert.equal(stored.length, 7);
    assert.deepEqual(stored.map((e) => e.number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7], 'no number lost to the repeat');
    const twice = stored.find((e) => e.title === 'Twice')!.escalationId;
    assert.match(texts[0]!, new RegExp(`Opened ${twice}|opened already as ${twice}`));
    assert.match(texts[7]!, new RegExp(`Opened ${twice}|opened already as ${twice}`));
    assert.ok([texts[0], texts[7]].some((t) => /opened already/.test(t ?? '')), 'one of the two is told it was opened already');
  });
});
