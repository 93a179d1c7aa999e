import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsChannel, type TeamsUser } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { addSecondContosoTam, contosoCallers, demo, TestBot } from '../support/test-bot';
import { verbs } from '../../src/bot/verbs';

/** The seven kinds of caller, as seen from the Contoso account. */
const roles: Record<string, TeamsUser> = { ...contosoCallers, 'unknown user': demo.users.stranger };
type Role = keyof typeof roles;
const everyone = Object.keys(roles);
const workers: Role[] = ['manager', 'TAM of the account'];
const viewers: Role[] = ['admin', 'manager', 'TAM of the account', 'customer of the account'];

/** Words every refusal card uses; an allowed action's answer has none of them. */
const refusal = /Only an admin can choose|You cannot|No account of yours matches|Only the TAM|Only the person who opened|There is no (escalation|contract|delivery plan|such alert|service review).*you can see|not available to you|only for your own accounts|Only an admin, or a TAM|Alert settings are for TAMs|Cannot open an escalation here|You have no accounts|No (contract|plan) to show/;

interface Cell {
  readonly name: string;
  readonly allowed: readonly Role[];
  /** Performs the action as this user; returns every card text the bot answered with. */
  readonly run: (bot: TestBot, user: TeamsUser) => Promise<string>;
  /** What the action changes: an allowed press must change it, a refused one must not. */
  readonly state: (bot: TestBot, user: TeamsUser) => Promise<unknown>;
  /** For actions that change nothing: what an allowed answer must show. */
  readonly shows?: RegExp;
  /** Puts the record back where the action applies, before each caller tries it. */
  readonly prepare?: (bot: TestBot) => Promise<void>;
}

const escalationKey = { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' };

async function invoke(bot: TestBot, user: TeamsUser, verb: string, data: Record<string, unknown>, channel?: TeamsChannel): Promise<string> {
  const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data, channel ? { channel, replyToId: 'card' } : {}));
  assert.notEqual(res.status, 500);
  const body = res.body as { value?: unknown };
  const invokeCard = typeof body?.value === 'object' ? cardText(body.value) : (typeof body?.value === 'string' ? body.value : '');
  return `${invokeCard}\n${bot.connector.sent().flatMap((a) => cardsIn(a).map(cardText)).join('\n')}`;
}

async function say(bot: TestBot, user: TeamsUser, text: string, channel?: TeamsChannel): Promise<string> {
  const res = await bot.post(channel ? channelMessage(bot.serviceUrl, user, channel, text) : personalMessage(bot.serviceUrl, user, text));
  assert.notEqual(res.status, 500);
  return bot.connector.sent().flatMap((a) => cardsIn(a).map(cardText)).join('\n');
}

const escalationState = (bot: TestBot): Promise<unknown> => bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
const ledgerState = async (bot: TestBot): Promise<unknown> => bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026');
const planState = (bot: TestBot): Promise<unknown> => bot.running.repositories.plans.getPlan('contoso');
const openEscalations = async (bot: TestBot): Promise<unknown> => (await bot.running.repositories.escalations.listOpen('contoso')).length;
const nothing = (): Promise<unknown> => Promise.resolve(null);
const withStatus = (status: 'new' | 'acknowledged' | 'investigating') => async (bot: TestBot): Promise<void> => {
  await bot.running.repositories.escalations.update('contoso', 'ESC-CONTOSO-0001', (e) => {
    const { resolvedAt: _r, closedAt: _c, resolution: _s, ...rest } = e;
    return { ...rest, status };
  });
};
const reopenAlert = async (bot: TestBot): Promise<void> => {
  await bot.running.repositories.alerts.update('contoso', 'bucket:CONTOSO-UE-2026:Reactive:90', (a) => {
    const { acknowledgedBy: _b, acknowledgedAt: _a, snoozedUntil: _s, ...rest } = a;
    return { ...rest, status: 'open' };
  });
};
const unlinkNewChannel = async (bot: TestBot): Promise<void> => {
  const container = bot.running.containers.directory;
  const { resources } = await container.items
    .query<{ id: string; pk: string }>({ query: 'SELECT * FROM c WHERE (c.type = @link AND c.channelId = @channel) OR c.type = @pointer', parameters: [{ name: '@link', value: 'channelLink' }, { name: '@channel', value: demo.newChannel.channelId }, { name: '@pointer', value: 'accountChannel' }] })
    .fetchAll();
  for (const doc of resources.filter((d) => d.id.includes('channel:19') || d.id.includes('account-channel:contoso'))) await container.item(doc.id, doc.pk).delete();
  await bot.running.repositories.directory.getChannelLink(demo.newChannel.channelId, { fresh: true });
};
const reopenCheckIn = async (bot: TestBot): Promise<void> => {
  const { plans } = bot.running.repositories;
  await plans.updatePlan('contoso', (p) => {
    const { lastCheckIn: _l, ...rest } = p;
    return { ...rest, nextCheckInDue: '2026-02-25' };
  });
  const container = bot.running.containers.accounts;
  const { resources } = await container.items.query<{ id: string; pk?: string; accountId: string }>({ query: 'SELECT * FROM c WHERE c.type = @t', parameters: [{ name: '@t', value: 'checkIn' }] }).fetchAll();
  for (const doc of resources) await container.item(doc.id, doc.accountId).delete();
};

const sevB = { title: 'Slow logons', description: 'Since Monday', severity: 'B', product: 'Active Directory', accountId: 'contoso' };

const cells: Cell[] = [
  { name: 'escalation.create', allowed: ['manager', 'TAM of the account', 'customer of the account'], run: (b, u) => invoke(b, u, 'escalation.create', { ...sevB, title: `By ${u.name}` }), state: openEscalations },
  { name: 'escalation.acknowledge', allowed: workers, prepare: withStatus('new'), run: (b, u) => invoke(b, u, 'escalation.acknowledge', escalationKey), state: escalationState },
  { name: 'escalation.update with a status', allowed: workers, prepare: withStatus('acknowledged'), run: (b, u) => invoke(b, u, 'escalation.update', { ...escalationKey, note: `Update by ${u.name}`, status: 'investigating' }), state: escalationState },
  { name: 'escalation.update (note)', allowed: ['manager', 'TAM of the account', 'customer of the account'], run: (b, u) => invoke(b, u, 'escalation.update', { ...escalationKey, note: `Note by ${u.name}` }), state: escalationState },
  { name: 'escalation.changeSeverity', allowed: workers, run: (b, u) => invoke(b, u, 'escalation.changeSeverity', { ...escalationKey, severity: u === demo.users.megan ? 'A' : 'C', reason: 'Impact changed' }), state: escalationState },
  { name: 'escalation.resolve', allowed: workers, prepare: withStatus('investigating'), run: (b, u) => invoke(b, u, 'escalation.resolve', { ...escalationKey, resolution: `Fixed by ${u.name}` }), state: escalationState },
  {
    name: 'escalation.assign',
    allowed: workers,
    prepare: async (b) => {
      await addSecondContosoTam(b);
      await b.running.repositories.escalations.update('contoso', 'ESC-CONTOSO-0001', (e) => ({ ...e, owner: { key: `${demo.tenantId}:${demo.users.alex.aadObjectId}`, name: 'Alex Wilber', role: 'tam' } }));
    },
    run: (b, u) => invoke(b, u, 'escalation.assign', { ...escalationKey, assignee: `${demo.tenantId}:${demo.users.ben.aadObjectId}`, reason: `Handed over by ${u.name}` }),
    state: escalationState,
  },
  {
    name: 'account.setPrimaryTam',
    allowed: ['admin'],
    prepare: async (b) => {
      await addSecondContosoTam(b);
      const account = await b.running.repositories.accounts.getAccount('contoso');
      if (account) {
        const { primaryTamKey: _p, ...rest } = account;
        await b.running.repositories.accounts.upsertAccount(rest);
      }
    },
    run: (b, u) => invoke(b, u, 'account.setPrimaryTam', { accountId: 'contoso', tam: `${demo.tenantId}:${demo.users.ben.aadObjectId}` }),
    state: (b) => b.running.repositories.accounts.getAccount('contoso'),
  },
  { name: 'escalation.refresh', allowed: viewers, run: (b, u) => invoke(b, u, 'escalation.refresh', escalationKey), state: escalationState, shows: /ESC-CONTOSO-0001 · Contoso Ltd[^]*Printer queue/ },
  { name: 'escalation <id>', allowed: viewers, run: (b, u) => say(b, u, 'escalation ESC-CONTOSO-0001'), state: escalationState, shows: /ESC-CONTOSO-0001 · Contoso Ltd[^]*Printer queue/ },
  { name: 'contract.refresh', allowed: viewers, run: (b, u) => invoke(b, u, 'contract.refresh', { accountId: 'contoso' }), state: ledgerState, shows: /Contoso Ltd\nUnified Enterprise/ },
  { name: 'contract.logHours', allowed: workers, run: (b, u) => invoke(b, u, 'contract.logHours', { accountId: 'contoso', bucket: 'Proactive', hours: '1', date: '2026-03-02', note: `By ${u.name}` }), state: ledgerState },
  { name: 'contract.reverseEntry', allowed: workers, run: (b, u) => invoke(b, u, 'contract.reverseEntry', { accountId: 'contoso', entryId: u === demo.users.megan ? 'seed-contoso-proactive-1' : 'seed-contoso-proactive-2', reason: 'Wrong' }), state: ledgerState },
  {
    name: 'contract.setSupportHours',
    allowed: workers,
    run: (b, u) => invoke(b, u, 'contract.setSupportHours', { accountId: 'contoso', timeZone: 'Europe/London', days: 'Mon-Fri', opensAt: u === demo.users.megan ? '07:00' : '07:30', closesAt: '18:00', holidays: '2026-12-25', clockA: '24x7', clockB: 'business', clockC: 'business' }),
    state: async (b) => (await b.running.repositories.contracts.getContract('contoso'))?.supportHours,
  },
  { name: 'plan.refresh', allowed: viewers, run: (b, u) => invoke(b, u, 'plan.refresh', { accountId: 'contoso' }), state: planState, shows: /Service delivery plan\nContoso Ltd[^]*hours delivered of planned/ },
  {
    name: 'plan.addItem',
    allowed: workers,
    run: (b, u) => invoke(b, u, 'plan.addItem', { accountId: 'contoso', type: 'Workshop', title: `By ${u.name}`, plannedHours: '4', dueDate: '2026-04-01', owner: `${u.tenantId}:${u.aadObjectId}`, status: 'planned', health: 'green' }),
    state: planState,
  },
  {
    name: 'plan.updateItem',
    allowed: workers,
    run: (b, u) => invoke(b, u, 'plan.updateItem', { accountId: 'contoso', itemId: 'PI-6', type: 'Training', title: `Renamed by ${u.name}`, plannedHours: '16', dueDate: '2026-04-16', owner: `${u.tenantId}:${u.aadObjectId}`, status: 'scheduled', health: 'green' }),
    state: planState,
  },
  { name: 'checkin.submit', allowed: workers, prepare: reopenCheckIn, run: (b, u) => invoke(b, u, 'checkin.submit', { accountId: 'contoso', dueDate: '2026-02-25', 'status_PI-4': 'in-delivery', 'health_PI-4': 'amber', 'hours_PI-4': '1' }), state: async (b) => [await planState(b), await ledgerState(b)] },
  { name: 'alert.acknowledge', allowed: workers, prepare: reopenAlert, run: (b, u) => invoke(b, u, 'alert.acknowledge', { accountId: 'contoso', alertId: 'bucket:CONTOSO-UE-2026:Reactive:90' }), state: (b) => b.running.repositories.alerts.get('contoso', 'bucket:CONTOSO-UE-2026:Reactive:90') },
  { name: 'alert.snooze', allowed: workers, prepare: reopenAlert, run: (b, u) => invoke(b, u, 'alert.snooze', { accountId: 'contoso', alertId: 'bucket:CONTOSO-UE-2026:Reactive:90', minutes: '60' }), state: (b) => b.running.repositories.alerts.get('contoso', 'bucket:CONTOSO-UE-2026:Reactive:90') },
  { name: 'alerts.show', allowed: ['manager', 'TAM of the account', 'TAM of another account'], run: (b, u) => invoke(b, u, 'alerts.show', { show: 'all' }), state: nothing, shows: /Alerts[^]*all recent alerts, the most pressing first/ },
  { name: 'alerts.saveSettings', allowed: ['manager', 'TAM of the account', 'TAM of another account'], run: (b, u) => invoke(b, u, 'alerts.saveSettings', { mode: 'digest', digestHour: '9', timeZone: 'UTC' }), state: (b, u) => b.running.repositories.alertSettings.get(`${u.tenantId}:${u.aadObjectId}`) },
  { name: 'channel.link (a new channel to Contoso)', allowed: ['admin', 'manager', 'TAM of the account'], prepare: unlinkNewChannel, run: (b, u) => invoke(b, u, 'channel.link', { account: 'contoso' }, demo.newChannel), state: (b) => b.running.repositories.directory.getChannelLink(demo.newChannel.channelId, { fresh: true }) },
  {
    name: 'channel.move (the Contoso channel to Fabrikam and back)',
    allowed: ['admin', 'manager', 'TAM of the account'],
    run: async (b, u) => {
      const current = (await b.running.repositories.directory.getChannelLink(demo.contosoChannel.channelId, { fresh: true }))?.accountId ?? 'contoso';
      return invoke(b, u, 'channel.move', { account: current === 'contoso' ? 'fabrikam' : 'contoso', from: current }, demo.contosoChannel);
    },
    state: (b) => b.running.repositories.directory.getChannelLink(demo.contosoChannel.channelId, { fresh: true }),
  },
  { name: '"escalate" in the Contoso channel', allowed: ['manager', 'TAM of the account', 'customer of the account', 'unknown user'], run: (b, u) => say(b, u, 'escalate', demo.contosoChannel), state: nothing, shows: /Open an escalation[^]*Contoso Ltd/ },
  { name: '"log hours contoso"', allowed: workers, run: (b, u) => say(b, u, 'log hours contoso'), state: ledgerState, shows: /Log hours[^]*Contoso Ltd[^]*Back to the contract/ },
  { name: '"checkin contoso"', allowed: workers, run: (b, u) => say(b, u, 'checkin contoso'), state: planState, shows: /Contoso Ltd[^]*Record check-in/ },
  { name: '"contract contoso"', allowed: viewers, run: (b, u) => say(b, u, 'contract contoso'), state: ledgerState, shows: /Contoso Ltd\nUnified Enterprise/ },
  { name: '"portfolio"', allowed: ['admin', 'manager', 'TAM of the account', 'TAM of another account'], run: (b, u) => say(b, u, 'portfolio'), state: nothing, shows: /(Your portfolio|Your team's portfolio|All accounts)\n/ },
  { name: '"review contoso"', allowed: viewers, run: (b, u) => say(b, u, 'review contoso'), state: nothing, shows: /Service review · February 2026\nContoso Ltd/ },
  {
    name: 'review.post',
    allowed: workers,
    run: (b, u) => invoke(b, u, 'review.post', { accountId: 'contoso', month: '2026-02', stamp: u === demo.users.megan ? 'a1' : 'b2' }),
    state: async (b) => Promise.all(['a1', 'b2'].map((stamp) => b.running.repositories.outbox.get(`review:contoso:2026-02:${stamp}`))),
  },
  { name: 'portfolio.more', allowed: ['admin', 'manager', 'TAM of the account', 'TAM of another account'], run: (b, u) => invoke(b, u, 'portfolio.more', { after: 's000:contoso' }), state: nothing, shows: /(Your portfolio|Your team's portfolio|All accounts)\n/ },
];

describe('authorisation matrix: every action by every kind of caller', function () {
  this.timeout(60_000);
  let bot: TestBot;

  afterEach(async () => {
    await bot.close();
  });

  for (const cell of cells) {
    it(`${cell.name}: allowed for ${cell.allowed.join(', ')}; refused, changing nothing, for the rest`, async () => {
      bot = await TestBot.start();
      await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
      for (const user of Object.values(roles)) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
      await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...sevB, severity: 'C', title: 'Printer queue' }, { channel: demo.contosoChannel, replyToId: 'e1' }));
      await bot.running.dispatcher.runOnce();
      // Refusals first, so each starts from the same state; then the allowed, one after another.
      const order = [...everyone.filter((r) => !cell.allowed.includes(r)), ...cell.allowed];
      for (const role of order) {
        const user = roles[role]!;
        await cell.prepare?.(bot);
        bot.connector.reset();
        const before = JSON.stringify(await cell.state(bot, user));
        const answer = await cell.run(bot, user);
        const refused = refusal.test(answer);
        const after = JSON.stringify(await cell.state(bot, user));
        if (cell.allowed.includes(role)) {
          assert.equal(refused, false, `${cell.name} by ${role} should be allowed:\n${answer.slice(0, 600)}`);
          // Allowed means it happened: the stored change, or the card it shows.
          if (cell.shows) assert.match(answer, cell.shows, `${cell.name} by ${role} should show its card`);
          else assert.notEqual(after, before, `${cell.name} by ${role} changed nothing`);
        } else {
          assert.equal(refused, true, `${cell.name} by ${role} should be refused:\n${answer.slice(0, 600)}`);
          assert.equal(after, before, `${cell.name} by ${role} changed something`);
        }
      }
    });
  }

  it('covers every Action.Execute verb the bot handles', async () => {
    // Exempt: command.run and escalation.show run what the matrix covers as commands; the rest are
    // covered in their own suites (reopen by the opener, close after resolve, the summary after a check-in).
    const covered = new Set(cells.map((c) => c.name.split(' ')[0]));
    const exempt = new Set<string>(['command.run', 'escalation.show', 'escalation.close', 'escalation.reopen', 'checkin.postSummary']);
    const missing = Object.values(verbs).filter((v) => !covered.has(v) && !exempt.has(v));
    assert.deepEqual(missing, [], 'verbs without a matrix row');
    bot = await TestBot.start();
  });
});

export const matrixCells = cells.length * everyone.length;
