import assert from 'node:assert/strict';
import { actionExecute, actionSubmit, installationUpdate } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { demo, TestBot } from '../support/test-bot';
import type { ConnectorCall } from '../support/fake-connector';

const key = { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' };
const personal = (aadObjectId: string): string => `a:personal-${aadObjectId}`;

/**
 * Teams mobile renders cards up to 1.2, where Action.Execute does nothing: each button's
 * Action.Submit fallback arrives as a message with the verb in its value. It is answered like the
 * invoke, and the card it came from is replaced in place.
 */
describe('Action.Submit fallbacks (Teams mobile)', function () {
  this.timeout(60_000);
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
    for (const user of [demo.users.alex, demo.users.adele]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    const intake = { title: 'Mail flow stopped', description: 'Since 9:00', severity: 'A', product: 'Exchange Server', businessImpact: 'No mail', contactPhone: '+44 20 7946 0000' };
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', intake, { channel: demo.contosoChannel, replyToId: 'channel-card' }));
    await bot.running.background.idle();
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  const text = (call: ConnectorCall | undefined): string => (call ? cardsIn(call.body).map(cardText).join('\n') : '');
  const escalation = async (): Promise<NonNullable<Awaited<ReturnType<TestBot['running']['repositories']['escalations']['get']>>>> => {
    const e = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
    assert.ok(e);
    return e;
  };

  it('escalations, personal chat: acknowledge from the fallback replaces the card in place, once however often it is sent', async () => {
    const value = { ...key, version: String((await escalation()).version), verb: 'escalation.acknowledge' };
    const submit = actionSubmit(bot.serviceUrl, demo.users.alex, value, { replyToId: 'alex-card' });
    assert.equal((await bot.post(submit)).status, 200);
    assert.equal((await escalation()).status, 'acknowledged');
    const [update] = bot.connector.updates(personal(demo.users.alex.aadObjectId));
    assert.equal(update?.activityId, 'alex-card');
    assert.match(text(update), /Acknowledged by Alex Wilber/);
    assert.ok(executeActions(cardsIn(update?.body)[0]).some((a) => a.title === 'Resolve'), 'his own view, with his actions');

    await bot.post({ ...submit, id: 'a-retry' });
    assert.equal((await escalation()).timeline.filter((t) => t.kind === 'acknowledged').length, 1);
    assert.match(text(bot.connector.updates(personal(demo.users.alex.aadObjectId))[1]), /That was done already/);
  });

  it('escalations, channel: the card everyone sees is replaced by the customer-safe view, and the TAM gets his own in personal chat', async () => {
    const channelCard = (await escalation()).channelCard?.activityId;
    assert.ok(channelCard);
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, { ...key, version: String((await escalation()).version), verb: 'escalation.acknowledge' }, { channel: demo.contosoChannel, replyToId: channelCard }));
    await bot.running.background.idle();
    assert.equal((await escalation()).status, 'acknowledged');
    const inChannel = bot.connector.updates(demo.contosoChannel.channelId);
    assert.ok(inChannel.length > 0);
    for (const call of inChannel) {
      assert.equal(call.activityId, channelCard);
      assert.doesNotMatch(text(call), /Phone \(24x7\)|\+44 20|Resolve|Change severity/);
    }
    assert.match(text(inChannel[inChannel.length - 1]), /Acknowledged by Alex Wilber/);
    const mine = bot.connector.sent(personal(demo.users.alex.aadObjectId)).map((a) => cardsIn(a).map(cardText).join('\n'));
    assert.equal(mine.length, 1);
    assert.match(mine[0] ?? '', /Phone \(24x7\)[^]*Resolve/);
  });

  it('escalations, channel: a customer\'s note from the fallback lands and the card is replaced for everyone', async () => {
    const channelCard = (await escalation()).channelCard?.activityId ?? '';
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.adele, { ...key, version: String((await escalation()).version), note: 'Still down in Leeds', verb: 'escalation.update' }, { channel: demo.contosoChannel, replyToId: channelCard }));
    assert.ok((await escalation()).timeline.some((t) => t.text === 'Still down in Leeds'));
    const [update] = bot.connector.updates(demo.contosoChannel.channelId);
    assert.equal(update?.activityId, channelCard);
    assert.match(text(update), /Still down in Leeds/);
  });

  it('contracts: log hours from the fallback, errors beside their fields with the entries kept, then logged', async () => {
    const entries = async (): Promise<number> => (await bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026')).length;
    const before = await entries();
    const fields = { accountId: 'contoso', bucket: 'Proactive', hours: '1.3', date: '2026-03-02', note: 'Workshop prep', verb: 'contract.logHours' };
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, fields, { replyToId: 'log-form' }));
    const [invalid] = bot.connector.updates(personal(demo.users.alex.aadObjectId));
    assert.equal(invalid?.activityId, 'log-form');
    assert.match(text(invalid), /quarter-hour steps/);
    assert.match(JSON.stringify(invalid?.body), /"value":"1.3"/);
    assert.equal(await entries(), before);

    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, { ...fields, hours: '1.25' }, { replyToId: 'log-form' }));
    assert.match(text(bot.connector.updates(personal(demo.users.alex.aadObjectId))[1]), /Logged 1.25 h to Proactive/);
    assert.equal(await entries(), before + 1);
  });

  it('plans: add an item from the fallback', async () => {
    const item = { accountId: 'contoso', type: 'Workshop', title: 'Mobile workshop', plannedHours: '4', dueDate: '2026-04-01', owner: `${demo.tenantId}:${demo.users.alex.aadObjectId}`, status: 'planned', health: 'green', verb: 'plan.addItem' };
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, item, { replyToId: 'plan-form' }));
    assert.ok((await bot.running.repositories.plans.getPlan('contoso'))?.items.some((i) => i.title === 'Mobile workshop'));
    assert.match(text(bot.connector.updates(personal(demo.users.alex.aadObjectId))[0]), /Added PI-\d+: Mobile workshop/);
  });

  it('alerts: snooze from the fallback', async () => {
    await bot.running.dispatcher.runOnce();
    const alerts = await bot.running.repositories.alerts.listRecent('contoso', 20);
    const alert = alerts.find((a) => a.status === 'open' && a.severity === 'normal');
    assert.ok(alert, 'an open alert to snooze');
    bot.connector.reset();
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, { accountId: 'contoso', alertId: alert.alertId, minutes: '60', verb: 'alert.snooze' }, { replyToId: 'alert-card' }));
    assert.ok((await bot.running.repositories.alerts.get('contoso', alert.alertId))?.snoozedUntil);
    const [update] = bot.connector.updates(personal(demo.users.alex.aadObjectId));
    assert.equal(update?.activityId, 'alert-card');
    assert.match(text(update), /Snoozed/);
  });

  it('a verb the bot does not know is an out-of-date card, and a channel card is never replaced by it', async () => {
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.alex, { verb: 'escalation.teleport', ...key }, { replyToId: 'old-card' }));
    assert.match(text(bot.connector.updates(personal(demo.users.alex.aadObjectId))[0]), /This card is out of date/);
    bot.connector.reset();
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.adele, { verb: 'escalation.teleport', ...key }, { channel: demo.contosoChannel, replyToId: 'channel-card' }));
    assert.deepEqual(bot.connector.updates(demo.contosoChannel.channelId), []);
  });
  it('in a channel, a customer\'s typed entries and refusals are never put on the card everyone sees', async () => {
    const channelCard = (await escalation()).channelCard?.activityId ?? '';
    // An intake card in the channel, submitted with errors: her entries (a phone number) stay hers.
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.adele, { title: 'Printers', description: 'All of them', severity: 'A', product: 'Windows Server', contactPhone: '+44 20 7946 0111', verb: 'escalation.create' }, { channel: demo.contosoChannel, replyToId: 'intake-card' }));
    assert.deepEqual(bot.connector.updates(demo.contosoChannel.channelId), [], 'the card is not replaced');
    assert.doesNotMatch(JSON.stringify(bot.connector.sent(demo.contosoChannel.channelId)), /7946 0111/);
    assert.match(JSON.stringify(bot.connector.sent(`a:personal-${demo.users.adele.aadObjectId}`)), /Describe the business impact|business impact/i, 'the form with its errors is in her personal chat');
    // A refusal is hers too: the channel card does not say it to everyone.
    bot.connector.reset();
    await bot.post(actionSubmit(bot.serviceUrl, demo.users.adele, { ...key, version: String((await escalation()).version), resolution: 'Fixed it', verb: 'escalation.resolve' }, { channel: demo.contosoChannel, replyToId: channelCard }));
    for (const call of bot.connector.updates(demo.contosoChannel.channelId)) assert.doesNotMatch(text(call), /Only the TAM/);
    assert.equal((await escalation()).status, 'new');
  });
});
