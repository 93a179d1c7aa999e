import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';
import { contractStatus } from '../../src/domain/contract-forecast';
import { calendarDateOf } from '../../src/domain/calendar-date';

const channel = demo.contosoChannel;
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const key = (user: TeamsUser): string => `${user.tenantId}:${user.aadObjectId}`;
const sevB = { title: 'Reports slow', description: 'Month-end reports take an hour.', severity: 'B', product: 'SQL Server' };
const day = 24 * 60 * 60_000;

describe('entitlement-aware intake', () => {
  let bot: TestBot;

  beforeEach(async () => {
    bot = await TestBot.start();
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
    for (const user of [demo.users.alex, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  async function reactiveLeft(): Promise<number> {
    const contracts = bot.running.repositories.contracts;
    const contract = await contracts.getContract('contoso');
    assert.ok(contract);
    const status = contractStatus(contract, await contracts.listEntries('contoso', contract.contractId), calendarDateOf(bot.clock.now()));
    return status.buckets.find((b) => b.name === 'Reactive')?.remainingHours ?? 0;
  }

  /** The TAM logs what is left of the Reactive bucket, through the contract card's verb. */
  async function useUpReactive(): Promise<void> {
    const today = calendarDateOf(bot.clock.now());
    for (let left = await reactiveLeft(), n = 1; left > 0; left = await reactiveLeft(), n++) {
      const hours = Math.min(24, Math.ceil(left * 4) / 4);
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { accountId: 'contoso', bucket: 'Reactive', hours: String(hours), date: today, note: `Incident work ${n}` }));
      assert.match(cardText(invokeCard(res.body)), /Logged/);
    }
  }

  async function open(user: TeamsUser, replyToId: string): Promise<Record<string, unknown>> {
    const res = await bot.post(actionExecute(bot.serviceUrl, user, 'escalation.create', sevB, { channel, replyToId }));
    assert.equal(res.status, 200);
    await bot.running.background.idle();
    return invokeCard(res.body);
  }

  const managerAlerts = (user: TeamsUser): string[] =>
    bot.connector
      .sent(chat(user))
      .flatMap(cardsIn)
      .map(cardText)
      .filter((t) => t.includes('Outside entitlement'));

  it('shows the Reactive hours left on the intake card, and opens a covered escalation with no flag', async () => {
    const left = await reactiveLeft();
    assert.ok(left > 0, 'the demo contract has Reactive hours left');
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'escalate'));
    const intake = cardText(onlyCard(bot.connector.sent(channel.channelId)));
    assert.match(intake, new RegExp(`Reactive hours left: ${String(Math.round(left * 100) / 100).replace('.', '\\.')} h`));
    assert.doesNotMatch(intake, /confirm coverage/);

    const card = cardText(await open(demo.users.adele, 'intake-1'));
    assert.match(card, /Opened ESC-CONTOSO-0001\. Your TAM will respond within the SLA\.$/m);
    assert.doesNotMatch(card, /coverage|Outside entitlement/);
    assert.equal((await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001'))?.outsideEntitlement, undefined);
    assert.deepEqual(managerAlerts(demo.users.megan), []);
  });

  it('opens one anyway when the Reactive hours are used up: flagged for TAM and manager, the managers alerted, the customer told', async () => {
    await useUpReactive();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, channel, 'escalate'));
    assert.match(cardText(onlyCard(bot.connector.sent(channel.channelId))), /Reactive hours left: 0 h \(the Reactive hours are used up\)\. You can still open an escalation; your TAM will confirm coverage\./);
    bot.connector.reset();

    const customerCard = cardText(await open(demo.users.adele, 'intake-2'));
    assert.match(customerCard, /Opened ESC-CONTOSO-0001\. Your TAM will respond within the SLA\. Your TAM will confirm coverage\./);
    assert.match(customerCard, /^Your TAM will confirm coverage\.$/m, 'the card itself says so to the customer');
    assert.doesNotMatch(customerCard, /Outside entitlement|used up/, 'the customer sees no contract state on the card');

    const stored = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
    assert.deepEqual(stored?.outsideEntitlement, { gap: 'reactive-used-up' });

    // The channel card is the shared view: the customer's wording, not the TAM's.
    const channelCard = [...bot.connector.sent(channel.channelId), ...bot.connector.updates(channel.channelId).map((u) => u.body)].flatMap(cardsIn).map(cardText).join('\n');
    assert.match(channelCard, /Your TAM will confirm coverage\./);
    assert.doesNotMatch(channelCard, /Outside entitlement/);

    // The TAM's own view names the gap.
    const tamView = await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'escalation ESC-CONTOSO-0001'));
    assert.ok(tamView.status < 300);
    assert.match(cardText(onlyCard(bot.connector.sent(chat(demo.users.alex)))), /Outside entitlement: the Reactive hours are used up\. Confirm coverage with the customer\./);

    // The account's managers are alerted (normal severity), the owner is not.
    const alert = await bot.running.repositories.alerts.get('contoso', 'entitlement:ESC-CONTOSO-0001');
    assert.ok(alert, 'the outside-entitlement alert is stored');
    assert.equal(alert.rule, 'outside-entitlement');
    assert.equal(alert.severity, 'normal');
    assert.deepEqual(alert.recipients, [key(demo.users.megan)]);
    assert.equal(managerAlerts(demo.users.megan).length, 1, 'Megan is told once');
    assert.match(managerAlerts(demo.users.megan)[0] ?? '', /Outside entitlement: ESC-CONTOSO-0001/);
    assert.equal(bot.connector.sent(chat(demo.users.alex)).flatMap(cardsIn).map(cardText).filter((t) => t.includes('Outside entitlement: ESC')).length, 0);

    // A second sweep raises nothing new; resolving the escalation resolves the alert.
    await bot.running.dispatcher.runOnce();
    assert.equal(managerAlerts(demo.users.megan).length, 1);
    const resolved = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.resolve', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso', resolution: 'Index rebuilt.' }, { channel, replyToId: 'intake-2' }));
    assert.match(cardText(invokeCard(resolved.body)), /Resolved/);
    await bot.running.dispatcher.runOnce();
    assert.equal((await bot.running.repositories.alerts.get('contoso', 'entitlement:ESC-CONTOSO-0001'))?.status, 'resolved');
  });

  it('flags an escalation opened after the contract has ended', async () => {
    const contract = await bot.running.repositories.contracts.getContract('contoso');
    assert.ok(contract);
    bot.clock.set(new Date(new Date(`${contract.endDate}T12:00:00.000Z`).getTime() + 2 * day));
    await open(demo.users.adele, 'intake-3');
    const stored = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
    assert.deepEqual(stored?.outsideEntitlement, { gap: 'outside-term' });
    assert.equal(managerAlerts(demo.users.megan).length, 1);
  });

  it('lets a manager mute the rule like any other normal alert', async () => {
    await bot.post(personalMessage(bot.serviceUrl, demo.users.megan, 'alerts'));
    assert.match(cardText(onlyCard(bot.connector.sent(chat(demo.users.megan)))), /Escalation opened outside the support entitlement/);
    const saved = await bot.post(
      actionExecute(bot.serviceUrl, demo.users.megan, 'alerts.saveSettings', { mode: 'immediate', digestHour: '8', timeZone: 'Europe/London', 'rule_outside-entitlement': 'false' }),
    );
    assert.match(cardText(invokeCard(saved.body)), /Saved/);
    await useUpReactive();
    await open(demo.users.adele, 'intake-4');
    const alert = await bot.running.repositories.alerts.get('contoso', 'entitlement:ESC-CONTOSO-0001');
    assert.ok(alert, 'the alert is still raised and listed');
    assert.deepEqual(managerAlerts(demo.users.megan), [], 'but not sent to a manager who muted the rule');
  });
});
