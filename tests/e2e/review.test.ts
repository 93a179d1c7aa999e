import assert from 'node:assert/strict';
import { extractText, getDocumentProxy } from 'unpdf';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText, executeActions } from '../support/adaptive-card-check';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { februaryInput, februaryLedger } from '../support/review-fixture';
import { demo, TestBot } from '../support/test-bot';

const secret = 'review-link-secret-for-tests-0123456789';
const reports = { REPORT_LINK_SECRET: secret, PUBLIC_BASE_URL: 'https://tam.example.com/' };
const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
/** A non-Latin account name, and a plan item title in another script: both must print in the PDF. */
const acmeName = 'Акме Ελλάς';
const workshopTitle = 'Семинар по идентификации';

interface Link {
  readonly url: string;
  readonly path: string;
  readonly role: string;
  readonly accountId: string;
  readonly month: string;
}

/** The signed links on a card, with what each claims (read, never trusted: the server checks them). */
function linksOn(card: unknown): Link[] {
  return [...JSON.stringify(card).matchAll(/"url":"(https:\/\/tam\.example\.com(\/reports\/review\.pdf\?token=(v1\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+)))"/g)].map((m) => {
    const claim = JSON.parse(Buffer.from(m[4] ?? '', 'base64url').toString('utf8')) as { role: string; accountId: string; month: string };
    return { url: m[1] ?? '', path: m[2] ?? '', role: claim.role, accountId: claim.accountId, month: claim.month };
  });
}

async function pdfText(bytes: ArrayBuffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

/** Stores the hand-worked February of tests/support/review-fixture.ts as account "acme", Alex its TAM. */
async function seedAcme(bot: TestBot): Promise<void> {
  const { accounts, directory, contracts, plans, escalations } = bot.running.repositories;
  await accounts.upsertAccount({ accountId: 'acme', name: acmeName, code: 'ACME', customerTenantIds: [demo.tenantId], timeZone: 'Europe/London' });
  const alex = await directory.getPerson(demo.users.alex);
  assert.ok(alex);
  await directory.upsertPerson({ ...alex, accountIds: [...alex.accountIds, 'acme'] });
  const { contract, plan } = februaryInput;
  assert.ok(contract && plan);
  await contracts.upsertContract(contract);
  for (const entry of februaryLedger) await contracts.createEntry(entry);
  await plans.createPlan({ ...plan, items: plan.items.map((i) => (i.itemId === 'PI-1' ? { ...i, title: workshopTitle } : i)) });
  for (const checkIn of februaryInput.checkIns) await plans.createCheckIn(checkIn);
  for (const { escalation } of februaryInput.escalations) assert.equal(await escalations.create(escalation), true);
}

describe('review: a month\'s service review, its PDF, and who sees which view', function () {
  this.timeout(60_000);
  let bot: TestBot;

  const say = async (user: TeamsUser, text: string): Promise<Record<string, unknown>> => {
    bot.connector.reset();
    const message = personalMessage(bot.serviceUrl, user, text);
    assert.equal((await bot.post(message)).status, 200);
    return onlyCard(bot.connector.sent(chat(user)).filter((a) => a.replyToId === message.id));
  };

  before(async () => {
    bot = await TestBot.start({ env: reports });
    for (const user of [demo.users.alex, demo.users.adele, demo.users.megan]) await bot.post(installationUpdate(bot.serviceUrl, user, 'add'));
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    await seedAcme(bot);
  });

  after(async () => {
    await bot.close();
  });

  it('shows the TAM last month\'s figures, as worked out by hand, with the month\'s margin', async () => {
    const card = await say(demo.users.alex, 'review acme');
    const text = cardText(card);
    assert.match(text, /^Service review · February 2026\nАкме Ελλάς\n1 Feb – 28 Feb 2026, Europe\/London · Your view: with the month's margin/);
    assert.match(text, /Opened 4 \(A 2 · B 2 · C 0\) · resolved 3 \(A 1 · B 1 · C 1\) · open at the end 2/);
    // Severity, response met, update met, to acknowledge, to resolve.
    assert.match(text, /\nA\n50% \(1 of 2\)\n67% \(2 of 3\)\n40 min\n3 h\n/);
    assert.match(text, /\nB\n50% \(1 of 2\)\n50% \(2 of 4\)\n2 h \(business hours\)\n3 d 16 h\n/);
    assert.match(text, /\nC\nnone due\n100% \(1 of 1\)\n–\n3 d\n/);
    assert.match(text, /\nAll\n50% \(2 of 4\)\n63% \(5 of 8\)\n1 h 33 min \(on each clock\)\n2 d 6 h\n/);
    assert.match(text, /SLA deadlines: 7 of 12 met/);
    assert.match(text, /Top products: SQL Server 2 · Active Directory 1 · Exchange Server 1/);
    assert.match(text, /12 h used this month · 52 h of 150 h to date/);
    assert.match(text, /Proactive: 6 h this month · 46 h of 100 h to date \(46%\) · On pace/);
    assert.match(text, /Reactive: 6 h this month · 6 h of 50 h to date \(12%\) · Under-using/);
    assert.match(text, new RegExp(`Delivered: \\nOld advisory \\(Advisory, due 1 Dec 2025, 14 Feb 2026\\); ${workshopTitle} \\(Workshop, due 10 Feb 2026, 11 Feb 2026\\)`));
    assert.match(text, /Late: \nExchange assessment \(Assessment, due 20 Feb 2026\); SQL health check \(Health check, due 25 Feb 2026\)/);
    assert.match(text, /Check-ins: 4 due · 2 done \(1 late\) · 2 missed \(16 Feb 2026, 23 Feb 2026\)/);
    assert.match(text, /Renewal on 1 Jul 2026, in 121 days\./);
    assert.match(text, /Response deadline missed: ESC-ACME-0003 \(severity B\), ESC-ACME-0005 \(severity A\)\./);
    assert.match(text, /For TAMs and managers only\nMargin 96% · 26,800 GBP: 28,000 GBP \(the month's share of the contract value\) less 12 h at 100 GBP\/h \(1,200 GBP\)\./);
    assert.match(text, /1 escalation opened outside entitlement: confirm coverage\./);
    assert.deepEqual(linksOn(card).map((l) => [l.role, l.accountId, l.month]), [['tam', 'acme', '2026-02'], ['customer', 'acme', '2026-02']]);
    const actions = executeActions(card).map((a) => [a.title, a.verb, JSON.stringify(a.data)]);
    assert.ok(actions.some(([title, verb]) => title === 'Post to the account channel' && verb === 'review.post'));
    assert.ok(actions.some(([title, , data]) => title === 'Previous month' && data === JSON.stringify({ command: 'review', argument: 'acme 2026-01' })));
    assert.ok(actions.some(([title, , data]) => title === 'Next month' && data === JSON.stringify({ command: 'review', argument: 'acme 2026-03' })), 'March, the month now, so far');
  });

  it('answers the PDF link with the same figures and the non-Latin names, and the customer\'s link without the margin', async () => {
    const [tamLink, customerLink] = linksOn(await say(demo.users.alex, 'review acme 2026-02'));
    assert.ok(tamLink && customerLink);
    const tam = await fetch(`${bot.running.url}${tamLink.path}`);
    assert.equal(tam.status, 200);
    assert.equal(tam.headers.get('content-type'), 'application/pdf');
    assert.equal(tam.headers.get('cache-control'), 'no-store');
    const tamText = await pdfText(await tam.arrayBuffer());
    for (const figure of [acmeName, workshopTitle, 'Service review · February 2026', '50% (2 of 4)', '63% (5 of 8)', '67% (2 of 3)', '2 h (business hours)', '1 h 33 min (on each clock)', 'SLA deadlines: 7 of 12 met', 'Margin 96% · 26,800 GBP', 'Check-ins: 4 due · 2 done (1 late) · 2 missed']) {
      assert.ok(tamText.includes(figure), `the TAM's PDF says "${figure}":\n${tamText}`);
    }
    const customer = await fetch(`${bot.running.url}${customerLink.path}`);
    assert.equal(customer.status, 200);
    const customerText = await pdfText(await customer.arrayBuffer());
    assert.ok(customerText.includes('Customer view') && customerText.includes('63% (5 of 8)') && customerText.includes(acmeName), customerText);
    assert.doesNotMatch(customerText, /Margin|GBP|TAMs and managers|outside entitlement/);
  });

  it('refuses a forged or altered link (403) and an expired one (410), showing no data', async () => {
    const [link] = linksOn(await say(demo.users.alex, 'review acme'));
    assert.ok(link);
    const token = new URL(link.url).searchParams.get('token') ?? '';
    const [version, payload, signature] = token.split('.');
    const claim = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...claim, accountId: 'contoso' })).toString('base64url');
    const flipped = `${signature?.slice(0, -2)}${signature?.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const forged of [`${version}.${altered}.${signature}`, `${version}.${payload}.${flipped}`, 'v1.e30.e30', 'nonsense', '']) {
      const res = await fetch(`${bot.running.url}/reports/review.pdf?token=${encodeURIComponent(forged)}`);
      assert.equal(res.status, 403, forged);
      const body = await res.text();
      assert.doesNotMatch(body, /Акме|Contoso|acme|%|GBP/, forged);
    }
    bot.clock.advance(24 * 60 * 60_000 + 1_000);
    try {
      const expired = await fetch(`${bot.running.url}${link.path}`);
      assert.equal(expired.status, 410);
      assert.doesNotMatch(await expired.text(), /Акме|acme|%/);
    } finally {
      bot.clock.advance(-(24 * 60 * 60_000 + 1_000));
    }
  });

  it('keeps every link token out of the log', async () => {
    const tokens = bot.connector.sent().flatMap((a) => cardsIn(a)).flatMap(linksOn).map((l) => new URL(l.url).searchParams.get('token') ?? '');
    await say(demo.users.alex, 'review acme');
    const all = [...tokens, ...linksOn(bot.connector.sent().flatMap((a) => cardsIn(a))).map((l) => new URL(l.url).searchParams.get('token') ?? '')];
    assert.ok(all.length > 0);
    const logged = JSON.stringify(bot.logs);
    for (const token of all) assert.ok(!logged.includes(token.split('.')[2] ?? 'x'), 'a link signature reached the log');
    assert.ok(bot.logs.some((l) => l.event === 'report.refused' && l.status === 403));
  });

  it('gives a customer of the account the customer view in its channel, with the customer\'s link', async () => {
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'review'));
    const card = onlyCard(bot.connector.sent(demo.contosoChannel.channelId));
    const text = cardText(card);
    assert.match(text, /^Service review · February 2026\nContoso Ltd\n.*Customer view/);
    assert.doesNotMatch(text, /Margin|GBP|For TAMs and managers|Post to the account channel/);
    assert.deepEqual(linksOn(card).map((l) => [l.role, l.accountId]), [['customer', 'contoso']]);
  });

  it('sends a TAM\'s review asked in the channel to their personal chat, leaving a line that names nothing', async () => {
    bot.connector.reset();
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'review'));
    const line = cardText(onlyCard(bot.connector.sent(demo.contosoChannel.channelId)));
    assert.match(line, /Sent to you in a private chat/);
    assert.doesNotMatch(line, /Contoso|Service review|GBP/);
    const mine = onlyCard(bot.connector.sent(chat(demo.users.alex)));
    assert.match(cardText(mine), /Contoso Ltd[^]*For TAMs and managers only\nMargin \d+%/);
    assert.deepEqual(linksOn(mine).map((l) => l.role), ['tam', 'customer'], 'in their own chat: their link too');
  });

  it('never puts a TAM-view link on a card in a shared conversation, not even their own answer there', async () => {
    const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'review.post', { accountId: 'contoso', month: '2026-02', stamp: 'c0ffee' }, { channel: demo.contosoChannel, replyToId: 'review-card' }));
    const card = invokeCard(res.body);
    assert.match(cardText(card), /on its way to the account channel/);
    assert.deepEqual(linksOn(card).map((l) => l.role), ['customer']);
    await bot.running.background.idle();
  });

  it('review.post puts the customer view in the account\'s channel once per card, through the audience rule', async () => {
    const mine = await say(demo.users.alex, 'review contoso');
    const post = executeActions(mine).find((a) => a.verb === 'review.post');
    assert.ok(post);
    bot.connector.reset();
    for (let i = 0; i < 2; i++) {
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'review.post', post.data));
      assert.match(cardText(invokeCard(res.body)), i === 0 ? /on its way to the account channel/ : /posted to the account channel already/);
    }
    await bot.running.background.idle();
    const posted = bot.connector.sent(demo.contosoChannel.channelId).flatMap((a) => cardsIn(a));
    assert.equal(posted.length, 1, 'a double click posts once');
    const text = cardText(posted[0]);
    assert.match(text, /^Service review · February 2026\nContoso Ltd\n.*Posted by Alex Wilber/);
    assert.doesNotMatch(text, /Margin|GBP|For TAMs and managers|Post to the account channel/);
    assert.deepEqual(linksOn(posted[0]).map((l) => l.role), ['customer']);
  });

  it('reads the month argument, refusing a month not begun and one that is no month', async () => {
    assert.match(cardText(await say(demo.users.alex, 'review contoso 2026-01')), /^Service review · January 2026\nContoso Ltd/);
    assert.match(cardText(await say(demo.users.alex, 'review contoso 2026-03')), /not over: the figures are up to 2 Mar 2026/);
    assert.match(cardText(await say(demo.users.alex, 'review contoso 2026-04')), /April 2026 has not begun yet/);
    assert.match(cardText(await say(demo.users.alex, 'review contoso 2026-13')), /"2026-13" is not a month/);
    assert.match(cardText(await say(demo.users.megan, 'review contoso')), /Your view: with the month's margin/);
    assert.doesNotMatch(cardText(await say(demo.users.adele, 'review')), /Margin|GBP/);
  });
});

describe('review without report links configured', function () {
  this.timeout(60_000);
  it('offers no PDF, and /reports/ answers 404', async () => {
    const bot = await TestBot.start();
    try {
      await bot.post(installationUpdate(bot.serviceUrl, demo.users.alex, 'add'));
      bot.connector.reset();
      await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, 'review contoso'));
      const card = onlyCard(bot.connector.sent(chat(demo.users.alex)));
      assert.match(cardText(card), /Service review · February 2026/);
      assert.doesNotMatch(JSON.stringify(card), /Download PDF|reports/);
      assert.equal((await fetch(`${bot.running.url}/reports/review.pdf?token=v1.a.b`)).status, 404);
    } finally {
      await bot.close();
    }
  });
});
