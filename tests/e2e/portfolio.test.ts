import sinon from 'sinon';
import assert from 'node:assert/strict';
import { actionExecute, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { adaptiveCardProblems, cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';
import { botBehindProxy } from '../support/bot-behind-proxy';
import { ManualClock } from '../support/manual-clock';
import { CosmosRequestCounter, requestKinds } from '../../bench/cosmos-request-counter';
import { maxCardBytes } from '../../src/cards/card-templates';
import { addDays, calendarDateOf } from '../../src/domain/calendar-date';
import { personKey } from '../../src/domain/directory';


/** Account names on a portfolio card, in the order shown. */
function accountsShown(card: Record<string, unknown>, names: readonly string[]): string[] {
  const text = cardText(card);
  return names.filter((n) => text.includes(n)).sort((a, b) => text.indexOf(a) - text.indexOf(b));
}

/**
 * The last portfolio card the bot sent, checked against the Adaptive Cards parser: alerts the
 * sweep raised may reach the same chat around it.
 */
function lastPortfolioCard(bot: TestBot): Record<string, unknown> {
  const cards = bot.connector.sent().flatMap((a) => cardsIn(a)).filter((c) => /^(Your portfolio|Your team's portfolio|All accounts)\n/.test(cardText(c)));
  const card = cards[cards.length - 1];
  assert.ok(card, 'a portfolio card was sent');
  assert.deepEqual(adaptiveCardProblems(card), []);
  return card;
}

/** Scores shown, in order (the big number of each row). */
function scoresShown(card: Record<string, unknown>): number[] {
  const scores: number[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const r = node as Record<string, unknown>;
      if (r.type === 'TextBlock' && r.size === 'ExtraLarge' && typeof r.text === 'string' && /^\d+$/.test(r.text)) scores.push(Number(r.text));
      Object.values(r).forEach(walk);
    }
  };
  walk(card);
  return scores;
}

describe('portfolio', function () {
  this.timeout(120_000);
  let bot: TestBot;

  const ask = async (user: TeamsUser, mayView = true): Promise<Record<string, unknown>> => {
    const text = 'portfolio';
    bot.connector.reset();
    const res = await bot.post(personalMessage(bot.serviceUrl, user, text));
    assert.equal(res.status, 200);
    return mayView ? lastPortfolioCard(bot) : onlyCard(bot.connector.sent());
  };

  before(async () => {
    bot = await TestBot.start();
    for (const user of [demo.users.alex, demo.users.megan, demo.users.isaiah]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    // The first sweep scores every account that has no summary yet.
    await bot.running.dispatcher.runOnce();
  });

  after(async () => {
    await bot.close();
  });

  it('a TAM sees their accounts worst first: score, colour, what costs most, escalations, hours, renewal, margin, and buttons to each', async () => {
    const card = await ask(demo.users.alex);
    const text = cardText(card);
    assert.match(text, /Your portfolio/);
    assert.deepEqual(accountsShown(card, ['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']).sort(), ['Contoso Ltd', 'Fabrikam Inc']);
    const scores = scoresShown(card);
    assert.equal(scores.length, 2);
    assert.ok(scores[0]! <= scores[1]!, `worst first: ${scores.join(', ')}`);
    assert.match(text, /Open escalations A 0 · B 0 · C 0/);
    assert.match(text, /Renewal in \d+ days/);
    assert.match(text, /(Green|Amber|Red)/);
    // Each account's one or two costliest reasons, with the points each costs.
    assert.match(text, /Contoso Ltd\n−\d+\n \S.*\n−\d+\n \S.*\nOpen escalations/);
    assert.match(text, /Margin \d+% · [\d,]+ GBP of 250,000 GBP after [\d.]+ h at 190 GBP\/h/);
    const buttons = executeActions(card).map((a) => [a.title, a.verb, JSON.stringify(a.data)]);
    for (const command of ['escalations', 'contract', 'plan']) assert.ok(buttons.some(([, verb, data]) => verb === 'command.run' && data === JSON.stringify({ command, argument: 'contoso' })), command);
    assert.ok(!buttons.some(([title]) => title?.startsWith('More')), 'one page');
  });

  it('its buttons open that account\'s escalations, contract and plan', async () => {
    for (const [command, shows] of [['escalations', /Fabrikam Inc: most urgent first/], ['contract', /Fabrikam Inc[\s\S]*Renewal in/], ['plan', /Fabrikam Inc/]] as const) {
      bot.connector.reset();
      await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command, argument: 'fabrikam' }));
      const text = cardText(onlyCard(bot.connector.sent()));
      assert.match(text, shows, command);
      assert.doesNotMatch(text, /Contoso Ltd/, command);
    }
  });

  it('a manager sees the accounts of their TAMs with the margin; an admin every account without it', async () => {
    const manager = await ask(demo.users.megan);
    assert.match(cardText(manager), /Your team's portfolio/);
    assert.deepEqual(accountsShown(manager, ['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']).sort(), ['Contoso Ltd', 'Fabrikam Inc']);
    assert.match(cardText(manager), /Margin \d+%.*EUR/);
    const admin = await ask(demo.users.isaiah);
    assert.match(cardText(admin), /All accounts/);
    assert.deepEqual(accountsShown(admin, ['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']).sort(), ['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']);
    assert.doesNotMatch(cardText(admin), /Margin|GBP|EUR|USD/);
  });

  it('refuses customers and guests, in words, showing no account', async () => {
    for (const user of [demo.users.adele, demo.users.stranger]) {
      const text = cardText(await ask(user, false));
      assert.match(text, /"portfolio" is not available to you/, user.name);
      assert.doesNotMatch(text, /Contoso|Fabrikam|Northwind/, user.name);
      bot.connector.reset();
      await bot.post(actionExecute(bot.serviceUrl, user, 'portfolio.more', { after: 's000:contoso' }));
      const pressed = bot.connector.sent().flatMap((a) => cardsIn(a).map(cardText)).join('\n');
      assert.match(pressed, /The portfolio is not available to you/, user.name);
      assert.doesNotMatch(pressed, /Contoso Ltd|Fabrikam|Northwind/, user.name);
    }
  });

  it('asked in a channel, it comes to the person\'s own chat, and the channel gets a line naming no account', async () => {
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'portfolio'));
    const inChannel = bot.connector.sent(demo.contosoChannel.channelId).flatMap((a) => cardsIn(a));
    assert.equal(inChannel.length, 1);
    assert.deepEqual(adaptiveCardProblems(inChannel[0]), []);
    assert.match(cardText(inChannel[0]), /Sent to you in a private chat/);
    assert.doesNotMatch(cardText(inChannel[0]), /Contoso Ltd|Fabrikam|Margin/);
    const personal = bot.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`).flatMap((a) => cardsIn(a));
    assert.equal(personal.length, 1);
    assert.deepEqual(adaptiveCardProblems(personal[0]), []);
    assert.match(cardText(personal[0]), /Your portfolio[\s\S]*Fabrikam Inc/);
  });

  it('an escalation opened or resolved changes the summary at once, without a sweep', async () => {
    const { health } = bot.running.repositories;
    const before = await health.get('contoso');
    assert.equal(before?.view.openBySeverity.B, 0);
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Slow logons', description: 'Since Monday', severity: 'B', product: 'Active Directory' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
    assert.equal(res.status, 200);
    const opened = await health.get('contoso');
    assert.equal(opened?.view.openBySeverity.B, 1);
    assert.equal(opened?.view.score, (before?.view.score ?? 0) - 5);
    assert.match(cardText(await ask(demo.users.alex)), /Open escalations A 0 · B 1 · C 0/);

    const [escalation] = await bot.running.repositories.escalations.listOpen('contoso');
    assert.ok(escalation);
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.resolve', { escalationId: escalation.escalationId, accountId: 'contoso', resolution: 'Cleared the stale GPO' }));
    const resolved = await health.get('contoso');
    assert.equal(resolved?.view.openBySeverity.B, 0);
    assert.equal(resolved?.view.score, before?.view.score);
  });

  it('escalations opened at once are all counted, in fewer summary writes than one each', async () => {
    const { health } = bot.running.repositories;
    const before = (await health.get('contoso'))?.view.openBySeverity.C ?? 0;
    const writes = sinon.spy(health, 'update');
    try {
      const opened = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: `Burst ${i}`, description: 'Since this morning', severity: 'C', product: 'Active Directory' }, { channel: demo.contosoChannel, replyToId: `burst-${i}` })),
        ),
      );
      assert.ok(opened.every((r) => r.status === 200));
      await bot.running.background.idle();
      assert.equal((await health.get('contoso'))?.view.openBySeverity.C, before + 6, 'every one counted');
      assert.ok(writes.callCount >= 1 && writes.callCount < 6, `summary updates for the burst: ${writes.callCount}`);
    } finally {
      writes.restore();
    }
  });

  it('time alone: an item becoming late is scored by the sweep at that very instant, from the summary alone', async () => {
    const { health, plans } = bot.running.repositories;
    const today = calendarDateOf(bot.clock.now());
    await plans.updatePlan('fabrikam', (plan) => ({
      ...plan,
      items: [...plan.items, { itemId: `PI-${plan.nextItemNumber}`, type: 'Workshop', title: 'Due today', plannedHours: 4, dueDate: today, owner: plan.items[0]!.owner, status: 'scheduled', health: 'green', createdAt: bot.clock.now().toISOString(), updatedAt: bot.clock.now().toISOString() }],
      nextItemNumber: plan.nextItemNumber + 1,
      updatedAt: bot.clock.now().toISOString(),
    }));
    await bot.running.dispatcher.runOnce();
    const seen = await health.get('fabrikam');
    assert.ok(seen?.facts.plan?.openDueDates.includes(today), 'the sweep noted the plan change');
    const lateBefore = seen?.view.deductions.find((d) => d.input === 'late-items')?.points ?? 0;
    const tomorrow = new Date(`${addDays(today, 1)}T00:00:00.000Z`);
    assert.ok(seen?.healthCheckAt && new Date(seen.healthCheckAt) <= tomorrow, `next check ${seen?.healthCheckAt}`);

    // Just before the instant nothing changes; at it, the item is late.
    bot.clock.set(new Date(tomorrow.getTime() - 60_000));
    await bot.running.dispatcher.runOnce();
    assert.equal((await health.get('fabrikam'))?.view.deductions.find((d) => d.input === 'late-items')?.points ?? 0, lateBefore);
    bot.clock.set(tomorrow);
    await bot.running.dispatcher.runOnce();
    const after = await health.get('fabrikam');
    assert.equal(after?.view.deductions.find((d) => d.input === 'late-items')?.points, Math.min(20, lateBefore + 4));
    assert.ok(after?.healthCheckAt === null || new Date(after.healthCheckAt) > tomorrow, 'the next check is later');
  });
});

describe('a long portfolio', function () {
  this.timeout(180_000);
  let bot: TestBot;
  const tam: TeamsUser = { aadObjectId: '00000000-0000-0000-0000-0000000000066', name: 'Pat Paging', tenantId: demo.tenantId };
  const ids = Array.from({ length: 60 }, (_, i) => `paging-${String(i).padStart(2, '0')}`);

  before(async () => {
    bot = await TestBot.start();
    const { accounts, directory, contracts } = bot.running.repositories;
    const today = calendarDateOf(bot.clock.now());
    for (const [i, accountId] of ids.entries()) {
      // Names at their longest, so rows are as large as they get.
      await accounts.upsertAccount({ accountId, name: `${String(i).padStart(2, '0')} ${'Very long account name '.repeat(6)}`.slice(0, 120), code: `PAGE${i}`, customerTenantIds: [] });
      // Scores that differ: renewal in 20 days costs 10, in 50 days 6, none (no contract) nothing.
      if (i % 3 < 2) {
        await contracts.upsertContract({ contractId: `${accountId}-c`, accountId, contractType: 'Premier', startDate: addDays(today, -300), endDate: addDays(today, i % 3 === 0 ? 20 : 50), buckets: [{ name: 'Proactive', purchasedHours: 0 }] });
      }
    }
    await directory.upsertPerson({ tenantId: demo.tenantId, aadObjectId: tam.aadObjectId, displayName: tam.name, role: 'tam', accountIds: ids });
    await bot.running.dispatcher.runOnce();
  });

  after(async () => {
    await bot.close();
  });

  it('pages at most 28 KB of card each, with "More" to the rest, every account once, worst first', async () => {
    bot.connector.reset();
    await bot.post(personalMessage(bot.serviceUrl, tam, 'portfolio'));
    let card = lastPortfolioCard(bot);
    const seen: string[] = [];
    const scores: number[] = [];
    let pages = 0;
    for (;;) {
      pages += 1;
      assert.ok(Buffer.byteLength(JSON.stringify(card), 'utf8') <= maxCardBytes);
      const text = cardText(card);
      const shown = ids.filter((_, i) => text.includes(`${String(i).padStart(2, '0')} Very long`));
      assert.ok(shown.length > 0, `page ${pages} shows accounts`);
      seen.push(...shown);
      scores.push(...scoresShown(card));
      const more = executeActions(card).find((a) => a.verb === 'portfolio.more');
      if (!more) break;
      assert.match(more.title, /^More \(\d+ left\)$/);
      bot.connector.reset();
      const res = await bot.post(actionExecute(bot.serviceUrl, tam, more.verb, more.data));
      assert.equal(res.status, 200);
      card = lastPortfolioCard(bot);
      assert.ok(pages < 20, 'paging ends');
    }
    assert.ok(pages >= 3, `${pages} pages`);
    assert.equal(seen.length, ids.length);
    assert.deepEqual([...new Set(seen)].sort(), [...ids].sort());
    assert.deepEqual(scores, [...scores].sort((a, b) => a - b), 'worst first across the pages');
    assert.deepEqual([...new Set(scores)], [90, 94, 100]);
  });
});

describe('portfolio: Cosmos requests of a manager with 50 accounts', function () {
  this.timeout(180_000);
  let counter: CosmosRequestCounter;
  let bot: TestBot;
  let close: () => Promise<void>;
  const manager: TeamsUser = { aadObjectId: '00000000-0000-0000-0000-0000000000055', name: 'Mo Manager', tenantId: demo.tenantId };

  before(async () => {
    const clock = new ManualClock();
    ({ proxy: counter, bot, close } = await botBehindProxy((endpoint) => new CosmosRequestCounter(endpoint), { clock }));
    const { accounts, directory, contracts } = bot.running.repositories;
    const ids = Array.from({ length: 50 }, (_, i) => `fifty-${String(i).padStart(2, '0')}`);
    for (const [i, accountId] of ids.entries()) {
      await accounts.upsertAccount({ accountId, name: `Fifty ${i}`, code: `FIFTY${i}`, customerTenantIds: [] });
      await contracts.upsertContract({ contractId: `${accountId}-c`, accountId, contractType: 'Premier', startDate: addDays(calendarDateOf(clock.now()), -100), endDate: addDays(calendarDateOf(clock.now()), 60 + i), buckets: [{ name: 'Proactive', purchasedHours: 100 }], commercial: { value: 100_000, currency: 'GBP', costRatePerHour: 150 } });
    }
    await directory.upsertPerson({ tenantId: demo.tenantId, aadObjectId: manager.aadObjectId, displayName: manager.name, role: 'manager', accountIds: [] });
    for (const t of [0, 1]) {
      await directory.upsertPerson({ tenantId: demo.tenantId, aadObjectId: `00000000-0000-0000-0000-00000000005${6 + t}`, displayName: `TAM ${t}`, role: 'tam', managerKey: personKey(manager), accountIds: ids.slice(t * 25, t * 25 + 25) });
    }
    await bot.running.dispatcher.runOnce();
    // First contact records the personal chat; that is not the portfolio's cost.
    await bot.post(installationUpdate(bot.serviceUrl, manager, 'add'));
    await bot.post(personalMessage(bot.serviceUrl, manager, 'help'));
  });

  after(() => close());

  const portfolioTurn = async (): Promise<{ counts: Record<string, number>; card: Record<string, unknown> }> => {
    // What earlier turns left running in the background is theirs, not this turn's.
    await bot.running.background.idle();
    bot.connector.reset();
    counter.reset();
    bot.logs.length = 0;
    await bot.post(personalMessage(bot.serviceUrl, manager, 'portfolio'));
    await bot.running.background.idle();
    const counts = counter.reset();
    return { counts, card: lastPortfolioCard(bot) };
  };
  const total = (counts: Record<string, number>): number => requestKinds.reduce((sum, k) => sum + (counts[k] ?? 0), 0);

  it('gets the card with at most 3 Cosmos requests on the wire (people cached, as on every turn)', async () => {
    await portfolioTurn();
    const { counts, card } = await portfolioTurn();
    assert.match(cardText(card), /Your team's portfolio[\s\S]*50 accounts/);
    // The query's plan was asked for on the first turn and is kept: the same query gets the same plan.
    assert.deepEqual(counts, { 'point read': 0, 'point reads, one batch': 0, 'query, one partition': 1, 'query, cross-partition': 0, 'query plan': 0, write: 0, metadata: 0 });
    assert.ok(total(counts) <= 3);
  });

  it('with the directory caches expired: the person, their reports and the portfolio, 3 requests (their query plans kept)', async () => {
    bot.clock.advance(16_000);
    const { counts } = await portfolioTurn();
    assert.deepEqual(counts, { 'point read': 1, 'point reads, one batch': 0, 'query, one partition': 2, 'query, cross-partition': 0, 'query plan': 0, write: 0, metadata: 0 });
    assert.equal(total(counts), 3);
  });
});

