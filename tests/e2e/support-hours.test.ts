import assert from 'node:assert/strict';
import { actionExecute, botAdded, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { ManualClock } from '../support/manual-clock';
import { demo, TestBot } from '../support/test-bot';

const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const channel = demo.contosoChannel;
const sevB = { title: 'Backups failing', description: 'Nightly SQL backups fail since Thursday.', severity: 'B', product: 'SQL Server' };
const validHours = { accountId: 'contoso', timeZone: 'Europe/London', days: 'Mon-Fri', opensAt: '08:00', closesAt: '18:00', holidays: '2026-12-25', clockA: '24x7', clockB: 'business', clockC: 'business' };

/** Each input of a card by id, with the error shown right beside it (the element after it). */
function fields(card: unknown): Map<string, { value: string; error: string }> {
  const found = new Map<string, { value: string; error: string }>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((element, i) => {
        const input = element as Record<string, unknown> | undefined;
        if (input && typeof input.id === 'string' && String(input.type).startsWith('Input.')) {
          const next = node[i + 1] as Record<string, unknown> | undefined;
          found.set(input.id, { value: typeof input.value === 'string' ? input.value : '', error: next?.type === 'TextBlock' && next.color === 'Attention' ? String(next.text) : '' });
        }
        walk(element);
      });
    } else if (node && typeof node === 'object') Object.values(node as Record<string, unknown>).forEach(walk);
  };
  walk(card);
  return found;
}

describe('support hours: SLA clocks that run in business hours, through the HTTP server', () => {
  let bot: TestBot;

  async function start(at: string): Promise<void> {
    bot = await TestBot.start({ clock: new ManualClock(at) });
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, channel));
    for (const user of [demo.users.alex, demo.users.megan, demo.users.adele]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    bot.connector.reset();
  }

  afterEach(async () => {
    await bot.close();
  });

  async function open(data: Record<string, unknown> = sevB): Promise<Record<string, unknown>> {
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', data, { channel, replyToId: 'intake-1' }));
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  async function invoke(user: TeamsUser, verb: string, data: Record<string, unknown>, options: { timeZone?: string } = {}): Promise<Record<string, unknown>> {
    const activity = actionExecute(bot.serviceUrl, user, verb, data);
    if (options.timeZone) activity.entities = [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: options.timeZone }];
    const res = await bot.post(activity);
    assert.equal(res.status, 200);
    return invokeCard(res.body);
  }

  async function sweepAt(at: string): Promise<void> {
    bot.clock.set(at);
    assert.equal((await bot.running.dispatcher.runOnce()).ran, true);
  }

  const received = (user: TeamsUser, marker: string): Record<string, unknown>[] =>
    bot.connector.sent(chat(user)).filter((a) => cardsIn(a).some((c) => cardText(c).includes(marker)));
  const stored = () => bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');

  it('a severity B opened on Friday evening waits for Monday: the card says so, and no alert comes before business time passes', async () => {
    await start('2026-03-06T19:00:00Z'); // Friday 19:00 in London (GMT), Contoso closed since 18:00
    const card = cardText(await open());
    assert.match(card, /Response due Mon 9 Mar 10:00, business hours, Europe\/London\n2 h of business hours left; the clock is stopped until Mon 9 Mar 08:00 Europe\/London/);
    const escalation = await stored();
    assert.equal(escalation?.sla.responseDueAt, '2026-03-09T10:00:00.000Z');
    assert.equal(escalation?.sla.clock?.kind, 'business');
    const channelCard = cardsIn(bot.connector.updates(channel.channelId)[0]?.body)[0];
    assert.match(cardText(channelCard), /Response due Mon 9 Mar 10:00, business hours, Europe\/London/, 'the channel reads it in the account\'s zone');

    // Alex, on a Teams client in New York, reads his own view in his zone; the clock still names London.
    const mine = cardText(await invoke(demo.users.alex, 'escalation.refresh', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' }, { timeZone: 'America/New_York' }));
    assert.match(mine, /Response due Mon 9 Mar 06:00 America\/New_York, business hours, Europe\/London/);
    assert.match(mine, /Adele Vance, 6 Mar 14:00 America\/New_York/);

    const atRisk = 'sla-at-risk:response:ESC-CONTOSO-0001:2026-03-09T10:00:00.000Z';
    for (const at of ['2026-03-06T23:00:00Z', '2026-03-07T12:00:00Z', '2026-03-08T23:59:00Z', '2026-03-09T08:00:00Z', '2026-03-09T09:35:00Z']) {
      await sweepAt(at);
      assert.equal(await bot.running.repositories.alerts.get('contoso', atRisk), undefined, `nothing at ${at}`);
    }
    assert.equal(received(demo.users.alex, 'SLA at risk').length, 0);
    await sweepAt('2026-03-09T09:36:00Z'); // 96 of the 120 business minutes
    assert.equal((await bot.running.repositories.alerts.get('contoso', atRisk))?.severity, 'normal');
    const alertCard = cardText(cardsIn(received(demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001')[0])[0]);
    assert.match(alertCard, /The response is due Mon 9 Mar 10:00 Europe\/London, business hours: 80% of the window was used/);
    assert.match(alertCard, /Response due Mon 9 Mar 10:00, business hours, Europe\/London/, 'in the recipient\'s zone');
  });

  it('reminds of a breach hourly in business hours only', async () => {
    await start('2026-03-09T15:30:00Z'); // Monday 15:30: due at 17:30, half an hour before Contoso closes
    await open();
    const breached = 'sla-breached:response:ESC-CONTOSO-0001:2026-03-09T17:30:00.000Z';
    await sweepAt('2026-03-09T17:31:00Z');
    assert.equal((await bot.running.repositories.alerts.get('contoso', breached))?.severity, 'critical');
    assert.equal(received(demo.users.megan, 'SLA breached: ESC-CONTOSO-0001').length, 1, 'the breach itself is told at once');
    const reminders = (): number => received(demo.users.megan, 'SLA breached: ESC-CONTOSO-0001').filter((a) => cardsIn(a).some((c) => /Reminder · Critical/.test(cardText(c)))).length;
    for (const at of ['2026-03-09T18:31:00Z', '2026-03-09T23:00:00Z', '2026-03-10T08:00:00Z', '2026-03-10T08:30:00Z']) {
      await sweepAt(at);
      assert.equal(reminders(), 0, `no reminder at ${at}: the clock is stopped`);
    }
    // An hour of business time after the alert: 29 minutes on Monday, 31 on Tuesday.
    await sweepAt('2026-03-10T08:31:00Z');
    assert.equal(reminders(), 1);
    await sweepAt('2026-03-10T09:30:00Z');
    assert.equal(reminders(), 1);
    await sweepAt('2026-03-10T12:00:00Z');
    assert.equal(reminders(), 2, 'a sweep that comes late sends one reminder, not every hour missed');
  });

  it('skips the Easter bank holidays: opened on the Thursday evening, due on Tuesday', async () => {
    await start('2026-04-02T16:30:00Z'); // Thursday 17:30 BST
    assert.match(cardText(await open()), /Response due Tue 7 Apr 09:30, business hours, Europe\/London/);
    assert.equal((await stored())?.sla.responseDueAt, '2026-04-07T08:30:00.000Z');
    for (const at of ['2026-04-03T12:00:00Z', '2026-04-06T12:00:00Z', '2026-04-07T08:05:00Z']) {
      await sweepAt(at);
      assert.equal(received(demo.users.alex, 'SLA at risk').length, 0, `nothing on ${at}`);
    }
    await sweepAt('2026-04-07T08:06:00Z');
    assert.equal(received(demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001').length, 1);
  });

  it('a severity change moves the escalation onto the new severity\'s clock, counted from the opening', async () => {
    await start('2026-03-06T19:00:00Z');
    await open();
    bot.clock.set('2026-03-07T10:00:00Z');
    const raised = cardText(await invoke(demo.users.alex, 'escalation.changeSeverity', { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso', severity: 'A', reason: 'Backups of the trading system too' }));
    // Severity A runs around the clock: an hour from the opening has passed, so an hour from the change.
    assert.match(raised, /Response due in 1 h\nDue Sat 7 Mar 11:00 Europe\/London, around the clock/);
    assert.equal((await stored())?.sla.responseDueAt, '2026-03-07T11:00:00.000Z');
  });

  it('shows the support hours on the contract card and sets them from its form, refusing each bad field beside it', async () => {
    await start('2026-03-02T09:00:00Z');
    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'contract contoso'));
    const contract = onlyCard(bot.connector.sent(chat(demo.users.alex)));
    assert.match(cardText(contract), /Support hours\nMon-Fri 08:00-18:00 Europe\/London\nSeverity A around the clock; B and C in business hours\.\n16 holidays; next 3 Apr 2026\./);
    const press = executeActions(contract).find((a) => a.title === 'Support hours');
    assert.ok(press);
    const form = await invoke(demo.users.alex, press.verb, press.data as Record<string, unknown>);
    assert.equal(fields(form).get('days')?.value, 'Mon-Fri');
    assert.equal(fields(form).get('clockB')?.value, 'business');

    const before = JSON.stringify(await bot.running.repositories.contracts.getContract('contoso'));
    const entries = { ...validHours, timeZone: 'Mars/Olympus', days: ' ', opensAt: '18:00', closesAt: '09:00', holidays: '2026-12-25, 2150-01-01' };
    const refused = await invoke(demo.users.alex, 'contract.setSupportHours', entries);
    const shown = fields(refused);
    assert.match(cardText(refused), /Nothing was saved: correct the fields marked below\./);
    assert.match(shown.get('timeZone')?.error ?? '', /"Mars\/Olympus" is not a time zone I know/);
    assert.match(shown.get('days')?.error ?? '', /at least one day/);
    assert.match(shown.get('closesAt')?.error ?? '', /Closing must be after opening on the same day/);
    assert.match(shown.get('holidays')?.error ?? '', /2150-01-01 is outside 2000-2100/);
    assert.equal(shown.get('opensAt')?.error, '');
    for (const [id, value] of Object.entries(entries)) if (id !== 'accountId') assert.equal(shown.get(id)?.value, value, `${id} is kept as typed`);
    assert.equal(JSON.stringify(await bot.running.repositories.contracts.getContract('contoso')), before, 'nothing was written');

    // A customer may read the hours, not change them.
    const customer = cardText(await invoke(demo.users.adele, 'contract.setSupportHours', validHours));
    assert.match(customer, /Only the TAM of the account or a manager can change the support hours\./);
    assert.equal(JSON.stringify(await bot.running.repositories.contracts.getContract('contoso')), before);

    const saved = cardText(await invoke(demo.users.megan, 'contract.setSupportHours', { ...validHours, days: 'Sun-Thu', opensAt: '7:30' }));
    assert.match(saved, /Support hours saved: Sun-Thu 07:30-18:00 Europe\/London\. No open escalation changes its clock\./);
    assert.deepEqual((await bot.running.repositories.contracts.getContract('contoso'))?.supportHours, {
      timeZone: 'Europe/London',
      days: [1, 2, 3, 4, 7],
      opensAt: '07:30',
      closesAt: '18:00',
      holidays: ['2026-12-25'],
      clocks: { A: '24x7', B: 'business', C: 'business' },
    });
    const again = cardText(await invoke(demo.users.megan, 'contract.setSupportHours', { ...validHours, days: 'Sun-Thu', opensAt: '07:30' }));
    assert.match(again, /These support hours were in force already/);
  });

  it('re-times open escalations from the change, keeping the business time already counted, with a timeline entry on each', async () => {
    await start('2026-03-06T17:00:00Z'); // Friday 17:00: one business hour left that day
    await open();
    assert.equal((await stored())?.sla.responseDueAt, '2026-03-09T09:00:00.000Z');
    bot.clock.set('2026-03-07T12:00:00Z'); // Saturday: the hour counted on Friday stays counted
    bot.connector.reset();
    const saved = cardText(await invoke(demo.users.alex, 'contract.setSupportHours', { ...validHours, clockB: '24x7' }));
    assert.match(saved, /Support hours saved: Mon-Fri 08:00-18:00 Europe\/London\. Re-timed from now: ESC-CONTOSO-0001\./);
    const escalation = await stored();
    assert.equal(escalation?.sla.responseDueAt, '2026-03-07T13:00:00.000Z');
    assert.deepEqual(escalation?.sla.clock, { kind: '24x7' });
    assert.equal(escalation?.timeline.at(-1)?.summary, 'Alex Wilber changed the support hours: the SLA of severity B now runs around the clock');

    await bot.running.background.idle();
    const channelCard = cardText(cardsIn(bot.connector.updates(channel.channelId).at(-1)?.body)[0]);
    assert.match(channelCard, /Response due in 1 h\n[^]*Alex Wilber changed the support hours/, 'the channel card shows the new deadline and why');
    await sweepAt('2026-03-07T12:35:00Z');
    assert.equal(received(demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001').length, 0, '95 of 120 minutes used');
    await sweepAt('2026-03-07T12:36:00Z');
    assert.equal(received(demo.users.alex, 'SLA at risk: ESC-CONTOSO-0001').length, 1, 'now 96 of 120 minutes: 60 on Friday, 36 today');
  });
});
