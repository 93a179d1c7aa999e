import assert from 'node:assert/strict';
import { actionExecute } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { invokeCard } from '../support/conversation-helpers';
import { demo, type TestBot } from '../support/test-bot';
import { botBehindProxy } from '../support/bot-behind-proxy';
import { ManualClock } from '../support/manual-clock';
import { CosmosRequestCounter } from '../../bench/cosmos-request-counter';

/** A bot whose Cosmos requests go through a counter that records them one by one, for each test of a describe. */
function onTheWire(): { readonly counter: CosmosRequestCounter; readonly bot: TestBot } {
  const wire = {} as { counter: CosmosRequestCounter; bot: TestBot; close: () => Promise<void> };
  before(async () => {
    const started = await botBehindProxy((endpoint) => new CosmosRequestCounter(endpoint), { clock: new ManualClock() });
    Object.assign(wire, { counter: started.proxy, bot: started.bot, close: started.close });
  });
  after(() => wire.close());
  return wire;
}

describe('a check-in on the wire: its requests one by one', function () {
  this.timeout(60_000);
  const wire = onTheWire();

  it('with the account no longer cached: one read batch (plan, contract and account) and one write batch, then nothing', async () => {
    // Patti's first turn is behind her; what start-up cached has run out.
    await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.patti, 'plan.refresh', { accountId: 'northwind' }));
    wire.bot.clock.advance(16_000);
    await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.patti, 'plan.refresh', { accountId: 'contoso' }));
    await wire.bot.running.background.idle();
    wire.counter.recorded = [];
    const res = await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.patti, 'checkin.submit', {
      accountId: 'northwind',
      dueDate: '2026-03-04',
      'status_PI-2': 'delivered',
      'health_PI-2': 'green',
      'hours_PI-2': '6',
    }));
    const beforeAnswer = [...wire.counter.recorded];
    await wire.bot.running.background.idle();
    const all = wire.counter.recorded;
    wire.counter.recorded = undefined;
    assert.equal(res.status, 200);
    assert.match(cardText(invokeCard(res.body)), /Check-in of 4 Mar 2026 recorded\./);
    assert.equal(beforeAnswer.length, 2, beforeAnswer.join('; '));
    assert.match(beforeAnswer[0]!, /^point reads, one batch: POST accounts\/docs \(.*\)$/);
    assert.deepEqual(/\((.*)\)$/.exec(beforeAnswer[0]!)?.[1]?.split(', ').sort(), ['account', 'contract', 'plan'], 'the account is read with the plan and the contract');
    assert.match(beforeAnswer[1]!, /^write: POST accounts\/docs$/);
    assert.deepEqual(all, beforeAnswer, 'nothing more behind the answer');
  });

  it('from one who may see the plan but not record it (a customer of the account): refused, nothing written, the plan shown from one read batch', async () => {
    wire.bot.clock.advance(16_000);
    await wire.bot.running.background.idle();
    wire.counter.recorded = [];
    const res = await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.adele, 'checkin.submit', { accountId: 'contoso', dueDate: '2026-03-11', 'status_PI-2': 'delivered', 'health_PI-2': 'green' }));
    await wire.bot.running.background.idle();
    const requests = wire.counter.recorded;
    wire.counter.recorded = undefined;
    assert.equal(res.status, 200);
    assert.match(cardText(invokeCard(res.body)), /Only the TAM of the account or a manager can record a check-in\./);
    assert.deepEqual(requests.filter((r) => r.startsWith('write')), [], 'nothing written');
    assert.deepEqual(requests.filter((r) => r.includes('accounts/')), ['point reads, one batch: POST accounts/docs (account, contract, plan)'], requests.join('; '));
  });
});

describe('a note on an escalation on the wire: its requests one by one', function () {
  this.timeout(60_000);
  const wire = onTheWire();

  let escalationId = '';

  before(async () => {
    // Opened by a customer in the account's channel: the escalation the notes go on.
    const res = await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Gateway drops sessions', description: 'TLS sessions drop every few minutes.', severity: 'B', product: 'Azure' }, { channel: demo.contosoChannel }));
    escalationId = /ESC-CONTOSO-\d{4}/.exec(cardText(invokeCard(res.body)))?.[0] ?? '';
    assert.ok(escalationId, 'opened');
  });

  async function addNote(text: string): Promise<{ requests: string[]; card: string }> {
    await wire.bot.running.background.idle();
    wire.counter.recorded = [];
    const res = await wire.bot.post(actionExecute(wire.bot.serviceUrl, demo.users.alex, 'escalation.update', { accountId: 'contoso', escalationId, note: text }));
    const requests = [...wire.counter.recorded];
    wire.counter.recorded = undefined;
    assert.equal(res.status, 200);
    return { requests, card: cardText(invokeCard(res.body)) };
  }

  it('the second note from this instance is written under the ETag of the first, without a read of the escalation', async () => {
    const first = await addNote('First look: the gateway drops TLS sessions.');
    assert.match(first.card, /First look/);
    const second = await addNote('Rolled back the gateway config.');
    assert.match(second.card, /Rolled back the gateway config\./);
    const onIt = second.requests.filter((r) => r.includes(escalationId));
    assert.deepEqual(onIt, [`write: PUT accounts/docs/${escalationId}`], second.requests.join('; '));
    const stored = await wire.bot.running.repositories.escalations.get('contoso', escalationId);
    const notes = (stored?.timeline ?? []).map((t) => t.text);
    assert.ok(notes.includes('First look: the gateway drops TLS sessions.') && notes.includes('Rolled back the gateway config.'), 'both notes kept');
  });
});
