import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { addSecondContosoTam, demo, TestBot } from '../support/test-bot';
import type { Person } from '../../src/domain/directory';
import { primaryTamOf } from '../../src/domain/ownership';

const ben = demo.users.ben;
const benKey = `${demo.tenantId}:${ben.aadObjectId}`;
const alexKey = `${demo.tenantId}:${demo.users.alex.aadObjectId}`;

const intake = { title: 'Slow logons', description: 'Since Monday', severity: 'B', product: 'Active Directory' };

describe('ownership: somebody is responsible from the first minute', function () {
  this.timeout(60_000);
  let bot: TestBot;
  const key = { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' };

  beforeEach(async () => {
    bot = await TestBot.start();
    await addSecondContosoTam(bot);
  });

  afterEach(async () => {
    await bot.close();
  });

  const escalation = async (id = 'ESC-CONTOSO-0001'): Promise<NonNullable<Awaited<ReturnType<TestBot['running']['repositories']['escalations']['get']>>>> => {
    const e = await bot.running.repositories.escalations.get('contoso', id);
    assert.ok(e);
    return e;
  };

  it('a new escalation is owned by the account\'s primary TAM, shown from the start', async () => {
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    assert.match(cardText(invokeCard(res.body)), /Owner\nAlex Wilber · not yet acknowledged/, 'the demo names Alex the primary TAM of Contoso');
    assert.equal((await escalation()).owner?.name, 'Alex Wilber');
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.acknowledge', { ...key, version: String((await escalation()).version) }));
    assert.match(cardText(invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.refresh', key))).body)), /Owner\nAlex Wilber\n/);
  });

  it('an admin names another primary TAM with "primary contoso"; the next escalation is theirs; nobody else may', async () => {
    await bot.post(personalMessage(bot.serviceUrl, demo.users.isaiah, 'primary contoso'));
    const form = onlyCard(bot.connector.sent());
    assert.match(cardText(form), /Primary TAM\nContoso Ltd[^]*Now: \nAlex Wilber/);
    assert.match(JSON.stringify(form), /"title":"Ben Ode","value":"[^"]+0031"/);

    const wrong = await bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'account.setPrimaryTam', { accountId: 'contoso', tam: `${demo.tenantId}:${demo.users.patti.aadObjectId}` }));
    assert.match(cardText(invokeCard(wrong.body)), /Choose one of the TAMs of the account/);
    assert.equal((await bot.running.repositories.accounts.getAccount('contoso'))?.primaryTamKey, alexKey);

    const refused = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'account.setPrimaryTam', { accountId: 'contoso', tam: benKey }));
    assert.match(cardText(invokeCard(refused.body)), /Only an admin can choose the primary TAM/);
    assert.equal((await bot.running.repositories.accounts.getAccount('contoso'))?.primaryTamKey, alexKey);

    const saved = await bot.post(actionExecute(bot.serviceUrl, demo.users.isaiah, 'account.setPrimaryTam', { accountId: 'contoso', tam: benKey }));
    assert.match(cardText(invokeCard(saved.body)), /Ben Ode is the primary TAM of Contoso Ltd now/);
    assert.equal((await bot.running.repositories.accounts.getAccount('contoso'))?.primaryTamKey, benKey);

    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    assert.equal((await escalation()).owner?.name, 'Ben Ode');

    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'primary contoso'));
    assert.match(cardText(onlyCard(bot.connector.sent())), /not available to you/);
  });

  it('a TAM hands an escalation over with a reason: a timeline entry, the new owner on the card', async () => {
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    const open = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.refresh', { ...key, mode: 'assign' }));
    const form = invokeCard(open.body);
    assert.match(cardText(form), /Hand it over/);
    assert.deepEqual(executeActions(form).map((a) => a.verb).filter((v) => v === 'escalation.assign'), ['escalation.assign']);
    assert.doesNotMatch(JSON.stringify(form), /"title":"Alex Wilber","value"/, 'the owner is not offered to himself');

    const version = String((await escalation()).version);
    const noReason = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version, assignee: benKey, reason: ' ' }));
    assert.match(cardText(invokeCard(noReason.body)), /A reason is required/);
    const notTam = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version, assignee: `${demo.tenantId}:${demo.users.patti.aadObjectId}`, reason: 'Holiday' }));
    assert.match(cardText(invokeCard(notTam.body)), /Choose one of the TAMs of the account/);
    const customer = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.assign', { ...key, version, assignee: benKey, reason: 'Please' }));
    assert.match(cardText(invokeCard(customer.body)), /Only the TAM of the account or a manager can hand an escalation over/);
    assert.equal((await escalation()).owner?.name, 'Alex Wilber', 'nothing changed so far');

    const done = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version, assignee: benKey, reason: 'On leave from tomorrow' }));
    assert.match(cardText(invokeCard(done.body)), /Ben Ode owns ESC-CONTOSO-0001 now/);
    const e = await escalation();
    assert.equal(e.owner?.key, benKey);
    assert.ok(e.timeline.some((t) => t.kind === 'assigned' && t.summary === 'Assigned to Ben Ode by Alex Wilber' && t.text === 'On leave from tomorrow'));
  });

  it('the new owner is told in personal chat, in their own view; nobody else is', async () => {
    for (const user of [demo.users.alex, ben]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    await bot.running.background.idle();
    bot.connector.reset();
    const version = String((await escalation()).version);
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version, assignee: benKey, reason: 'On leave from tomorrow' }));
    await bot.running.background.idle();
    await bot.running.dispatcher.runOnce();
    const handovers = (user: typeof ben): Record<string, unknown>[] =>
      bot.connector.sent(`a:personal-${user.aadObjectId}`).map((a) => cardsIn(a)[0] ?? {}).filter((c) => /handed ESC-CONTOSO-0001 to you/.test(cardText(c)));
    const toBen = handovers(ben);
    assert.equal(toBen.length, 1);
    assert.match(cardText(toBen[0]), /Alex Wilber handed ESC-CONTOSO-0001 to you: On leave from tomorrow/);
    assert.ok(executeActions(toBen[0]).some((a) => a.title === 'Acknowledge'), 'his own view, with his actions');
    assert.equal(handovers(demo.users.alex).length, 0);
    await bot.running.dispatcher.runOnce();
    assert.equal(handovers(ben).length, 1, 'told once');
  });

  it('an escalation\'s alerts go to its owner and the owner\'s manager; the account\'s other TAMs see them in "alerts"', async () => {
    for (const user of [demo.users.alex, ben, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    const account = await bot.running.repositories.accounts.getAccount('contoso');
    assert.ok(account);
    await bot.running.repositories.accounts.upsertAccount({ ...account, primaryTamKey: benKey });
    bot.connector.reset();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...intake, severity: 'A', businessImpact: 'Nobody can log on', contactPhone: '+44 20 7946 0000' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
    await bot.running.background.idle();
    await bot.running.dispatcher.runOnce();
    const alerted = (user: typeof ben): boolean => bot.connector.sent(`a:personal-${user.aadObjectId}`).some((a) => /New severity A escalation: ESC-CONTOSO-0001/.test(cardsIn(a).map(cardText).join('\n')));
    assert.equal(alerted(ben), true, 'the owner');
    assert.equal(alerted(demo.users.megan), true, 'the owner\'s manager');
    assert.equal(alerted(demo.users.alex), false, 'another TAM of the account is not pinged');
    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'alerts'));
    assert.match(cardsIn(bot.connector.sent()[0]).map(cardText).join('\n'), /New severity A escalation: ESC-CONTOSO-0001/, 'but he sees it in his list');
  });

  it('after a hand-over the open alerts follow the new owner; an owner taken off the account hears no more of it', async () => {
    for (const user of [demo.users.alex, ben, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...intake, severity: 'A', businessImpact: 'Nobody can log on', contactPhone: '+44 20 7946 0000' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
    await bot.running.background.idle();
    const alertOf = async (): Promise<string[] | undefined> => (await bot.running.repositories.alerts.get('contoso', 'sev-a:ESC-CONTOSO-0001'))?.recipients;
    assert.deepEqual(await alertOf(), [alexKey, `${demo.tenantId}:${demo.users.megan.aadObjectId}`].sort());
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version: String((await escalation()).version), assignee: benKey, reason: 'Holiday' }));
    assert.deepEqual(await alertOf(), [benKey, `${demo.tenantId}:${demo.users.megan.aadObjectId}`].sort(), 'reminders and card updates go to Ben now');

    // Ben leaves Contoso: its next alert goes to the account's people, not to him.
    const person = await bot.running.repositories.directory.getPerson(ben);
    assert.ok(person);
    await bot.running.repositories.directory.upsertPerson({ ...person, accountIds: [] });
    bot.clock.advance(50 * 60_000);
    await bot.running.dispatcher.runOnce();
    const breach = (await bot.running.repositories.alerts.listRecent('contoso', 50)).find((a) => a.rule === 'sla-at-risk' || a.rule === 'sla-breached');
    assert.ok(breach, 'an SLA alert was raised');
    assert.equal(breach.recipients.includes(benKey), false);
    assert.ok(breach.recipients.includes(alexKey));
  });

  it('a hand-over retried after its notice was lost tells the new owner then', async () => {
    await bot.post(installationUpdate(bot.serviceUrl, ben, 'add'));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    const press = actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version: String((await escalation()).version), assignee: benKey, reason: 'Holiday' });
    // Ben's chat does not answer at first, so nothing reaches him before the notice is lost.
    bot.connector.respondWith((call) => (call.conversationId === `a:personal-${ben.aadObjectId}` ? { status: 503 } : undefined));
    await bot.post(press);
    await bot.running.background.idle();
    bot.connector.respondWith(undefined);
    // As if the process had stopped before the notice was written.
    const container = bot.running.containers.outbox;
    const { resources } = await container.items.query<{ id: string }>({ query: 'SELECT c.id FROM c WHERE STARTSWITH(c.itemId, @p)', parameters: [{ name: '@p', value: 'assign:' }] }).fetchAll();
    assert.equal(resources.length, 1);
    for (const doc of resources) await container.item(doc.id, doc.id).delete();
    bot.connector.reset();
    await bot.post({ ...press, id: 'teams-retry' });
    await bot.running.background.idle();
    await bot.running.dispatcher.runOnce();
    assert.equal(bot.connector.sent(`a:personal-${ben.aadObjectId}`).filter((a) => /handed ESC-CONTOSO-0001 to you/.test(cardsIn(a).map(cardText).join(''))).length, 1);
  });

  it('customers see that it was handed over, not why', async () => {
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.assign', { ...key, version: String((await escalation()).version), assignee: benKey, reason: 'INTERNAL: tricky customer' }));
    await bot.running.background.idle();
    await bot.running.dispatcher.runOnce();
    const inChannel = bot.connector.calls.filter((c) => c.conversationId.split(';')[0] === demo.contosoChannel.channelId).map((c) => cardsIn(c.body).map(cardText).join('\n'));
    assert.ok(inChannel.some((t) => /Assigned to Ben Ode by Alex Wilber/.test(t)));
    assert.ok(inChannel.every((t) => !/tricky customer/.test(t)));
    const adele = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.refresh', key));
    assert.doesNotMatch(cardText(invokeCard(adele.body)), /tricky customer/);
  });

  it('the escalations list shows each owner', async () => {
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'intake' }));
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'escalations'));
    assert.match(cardsIn(bot.connector.sent()[0]).map(cardText).join('\n'), /Owner Alex Wilber/);
  });
});

describe('primaryTamOf: who owns an account\'s new escalations', () => {
  const tam = (aadObjectId: string, displayName: string): Person => ({ tenantId: 't', aadObjectId, displayName, role: 'tam', accountIds: ['a'] });
  const zoe = tam('z', 'Zoe Zimmer');
  const amy = tam('y', 'Amy Archer');

  it('is the TAM the account names, while they still work on it; otherwise its first TAM by name; nobody without TAMs', () => {
    assert.equal(primaryTamOf({ primaryTamKey: 't:z' }, [amy, zoe])?.displayName, 'Zoe Zimmer');
    assert.equal(primaryTamOf({ primaryTamKey: 't:gone' }, [zoe, amy])?.displayName, 'Amy Archer');
    assert.equal(primaryTamOf({}, [zoe, amy])?.displayName, 'Amy Archer');
    assert.equal(primaryTamOf({ primaryTamKey: 't:m' }, [{ ...zoe, aadObjectId: 'm', role: 'manager' }]), undefined);
    assert.equal(primaryTamOf({}, []), undefined);
  });
});
