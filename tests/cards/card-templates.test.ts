import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sinon from 'sinon';
import { Template } from 'adaptivecards-templating';
import { compileTemplate } from '../../src/cards/template-expander';
import { verbs } from '../../src/bot/verbs';
import fc from 'fast-check';
import { CardTemplates, cardNames, findCardsDirectory, type AdaptiveCardJson } from '../../src/cards/card-templates';
import { cardJsonOf, jsonWithCards } from '../../src/cards/card-json';
import { helpCard, linkChannelCard, noticeCard, welcomeCard, whoamiCard } from '../../src/cards/conversation-cards';
import type { ConversationScope } from '../../src/domain/caller';
import { commandsFor } from '../../src/domain/commands';
import type { Role } from '../../src/domain/directory';
import { adaptiveCardProblems, cardText, executeActions } from '../support/adaptive-card-check';
import { escalationCard, escalationIntakeCard, escalationListCard, escalationModes } from '../../src/cards/escalation-card';
import { sampleEscalation } from '../support/samples';
import { escalationStatuses } from '../../src/domain/escalation';
import { contractCard, logHoursCard, supportHoursCard } from '../../src/cards/contract-card';
import { defaultSupportHours, maxHolidays, type SupportHours } from '../../src/domain/support-hours';
import { contractStatus } from '../../src/domain/contract-forecast';
import type { Contract, LedgerEntry } from '../../src/domain/contract';
import { checkInCard, planCard, planItemCard, planSummaryCard } from '../../src/cards/delivery-cards';
import type { DeliveryPlanView } from '../../src/domain/delivery-views';
import { serviceTypes } from '../../src/domain/delivery-plan';
import { alertCard, alertsCard, digestCard } from '../../src/cards/alert-cards';
import { alertRules, type Alert } from '../../src/domain/alert';
import { defaultAlertSettings } from '../../src/domain/alert-settings';
import { availableEscalationActions, type EscalationActionName } from '../../src/domain/escalation-lifecycle';
import type { Caller } from '../../src/domain/caller';
import type { Escalation } from '../../src/domain/escalation';
import { primaryTamCard } from '../../src/cards/account-cards';
import { portfolioCard, type PortfolioCardRow } from '../../src/cards/portfolio-card';
import { summariseHealth } from '../../src/domain/account-health';
import { reviewCard } from '../../src/cards/review-card';
import { computeServiceReview, customerView } from '../../src/domain/service-review';
import { februaryInput } from '../support/review-fixture';

const roles: Role[] = ['admin', 'manager', 'tam', 'customer', 'guest'];
const scopes: ConversationScope[] = ['personal', 'channel', 'groupChat'];

/** Every card the bot can send, rendered from every variant of its model. */
function everyCard(templates: CardTemplates): { name: string; card: AdaptiveCardJson }[] {
  const out: { name: string; card: AdaptiveCardJson }[] = [];
  for (const role of roles) {
    for (const scope of scopes) {
      out.push({ name: `welcome ${role} ${scope}`, card: welcomeCard(templates, { name: 'Alex Wilber', role, scope }) });
      out.push({ name: `help ${role} ${scope}`, card: helpCard(templates, { name: 'Alex Wilber', role, scope, commands: commandsFor(role, scope) }) });
      out.push({
        name: `whoami ${role} ${scope}`,
        card: whoamiCard(templates, { name: 'Alex', role, scope, tenantId: 't', aadObjectId: 'u', accounts: role === 'guest' ? [] : ['contoso'], channelAccount: 'Contoso Ltd (contoso)' }),
      });
    }
  }
  for (const style of ['good', 'attention', 'warning', 'emphasis'] as const) {
    out.push({ name: `notice ${style}`, card: noticeCard(templates, { title: 'Title', text: 'Text', style }) });
  }
  out.push({ name: 'primary TAM form', card: primaryTamCard(templates, { accountId: 'contoso', accountName: 'Contoso Ltd', tams: [{ key: 't:a', name: 'Alex Wilber' }, { key: 't:b', name: 'Ben Ode' }], primaryKey: 't:a', errors: { tam: 'Choose one of the TAMs of the account.' }, banner: 'Saved' }) });
  out.push({ name: 'notice with reference and suggestions', card: noticeCard(templates, { title: 'T', text: 'x', reference: 'abc', suggestions: [{ title: 'Help', command: 'help' }] }) });
  // Everything the status allows (what a TAM of the account is offered), or nothing.
  const tam = { role: 'tam', accountIds: ['contoso'], identity: { tenantId: 't', aadObjectId: 'a' } } as unknown as Caller;
  const all = (e: Escalation): ReadonlySet<EscalationActionName> => availableEscalationActions(tam, e);
  const none = new Set<EscalationActionName>();
  const now = new Date('2026-03-02T10:30:00Z');
  for (const status of escalationStatuses) {
    for (const view of ['customer', 'provider', 'manager', 'readonly'] as const) {
      for (const mode of escalationModes) {
        const escalation = sampleEscalation({ status, severity: status === 'new' ? 'A' : 'B' });
        out.push({
          name: `escalation ${status} ${view} ${mode}`,
          card: escalationCard(templates, {
            escalation,
            accountName: 'Contoso Ltd',
            now,
            view,
            actions: view === 'readonly' ? none : all(escalation),
            mode,
            form: mode === 'view' ? {} : { values: { note: 'x', reason: 'y', resolution: 'z', severity: 'A', status: 'mitigated' }, errors: { note: 'A note is required.', severity: 'It is already severity A.' } },
            banner: { text: 'Opened', style: 'good' },
            refreshUserIds: ['29:a', '29:b'],
          }),
        });
      }
    }
  }
  const long = sampleEscalation({ description: 'd'.repeat(4000), businessImpact: 'b'.repeat(2000), timelineEntries: 400, noteLength: 2000 });
  out.push({ name: 'escalation at the size limits', card: escalationCard(templates, { escalation: long, accountName: 'Contoso Ltd', now, view: 'manager', actions: all(long), refreshUserIds: Array.from({ length: 60 }, (_, i) => `29:user-${i}`) }) });
  out.push({ name: 'intake in a channel', card: escalationIntakeCard(templates, { accountName: 'Contoso Ltd' }) });
  out.push({
    name: 'intake with choices and errors',
    card: escalationIntakeCard(templates, {
      accountChoices: [{ title: 'Contoso Ltd', value: 'contoso' }, { title: 'Fabrikam Inc', value: 'fabrikam' }],
      values: { title: 't', severity: 'A' },
      errors: { title: 'Give the escalation a title.', businessImpact: 'Severity A needs the business impact.', contactPhone: 'x', accountId: 'Choose the account.' },
      formError: 'Something',
    }),
  });
  out.push({ name: 'intake dialog', card: escalationIntakeCard(templates, { dialog: true, accountName: 'Contoso Ltd', sourceLink: 'https://teams.microsoft.com/l/message/1', submitData: { sourceLink: 'x' } }) });
  out.push({ name: 'empty list', card: escalationListCard(templates, { scope: 'Contoso Ltd', now, items: [], hidden: 0, canOpen: true }) });
  out.push({
    name: 'full list',
    card: escalationListCard(templates, {
      scope: 'Contoso Ltd, Fabrikam Inc',
      now,
      items: Array.from({ length: 15 }, (_, i) => ({ escalation: sampleEscalation({ number: i + 1, title: 't'.repeat(120) }), accountName: 'Contoso Ltd' })),
      hidden: 4,
      canOpen: false,
    }),
  });
  const contract: Contract = {
    contractId: 'C',
    accountId: 'contoso',
    contractType: 'Unified Enterprise',
    startDate: '2026-01-01',
    endDate: '2026-12-31',
    buckets: [
      { name: 'Proactive', purchasedHours: 120 },
      { name: 'Reactive', purchasedHours: 80 },
      { name: 'Advisory', purchasedHours: 0 },
    ],
    commercial: { value: 250000, currency: 'GBP', costRatePerHour: 190 },
  };
  const ledger: LedgerEntry[] = Array.from({ length: 60 }, (_, i) => ({
    entryId: `e${i}`,
    accountId: 'contoso',
    contractId: 'C',
    date: `2026-0${(i % 6) + 1}-1${i % 9}`,
    bucket: i % 2 ? 'Reactive' : 'Proactive',
    hours: i === 59 ? -3 : 2.5,
    source: i === 59 ? 'reversal' : 'manual',
    note: 'n'.repeat(500),
    loggedBy: { key: 'k', name: 'Alex Wilber' },
    loggedAt: `2026-06-01T10:${String(i).padStart(2, '0')}:00.000Z`,
  }));
  // The most a contract may hold: every holiday allowed.
  const manyHolidays: SupportHours = { ...defaultSupportHours('America/Argentina/ComodRivadavia'), holidays: Array.from({ length: maxHolidays }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)) };
  for (const today of ['2025-12-01', '2026-03-15', '2026-11-20', '2027-02-01'] as const) {
    for (const commercial of [true, false]) {
      const status = contractStatus(contract, ledger, today);
      out.push({
        name: `contract ${today} ${commercial}`,
        card: contractCard(templates, { accountName: 'Contoso Ltd', contract, status, entries: ledger, showCommercial: commercial, canLog: commercial, banner: { text: 'Logged 2 h', style: 'good' }, supportHours: manyHolidays, canSetSupportHours: commercial, today }),
      });
      out.push({
        name: `support hours form ${today}`,
        card: supportHoursCard(templates, {
          accountName: 'Contoso Ltd',
          contract,
          hours: manyHolidays,
          values: { timeZone: 'x'.repeat(64), days: 'y'.repeat(100), holidays: manyHolidays.holidays.join(', ') },
          errors: { timeZone: 'Unknown', days: 'None', opensAt: 'HH:MM', closesAt: 'After opening', holidays: 'Outside 2000-2100', clockA: 'a', clockB: 'b', clockC: 'c' },
          formError: 'Nothing was saved: correct the fields marked below.',
        }),
      });
      out.push({
        name: `contract correction ${today} ${commercial}`,
        card: contractCard(templates, { accountName: 'Contoso Ltd', contract, status, entries: ledger, showCommercial: commercial, canLog: true, correction: { values: { entryId: 'e3', reason: 'x' }, errors: { reason: 'Say why.' } } }),
      });
      out.push({
        name: `log hours ${today}`,
        card: logHoursCard(templates, { accountName: 'Contoso Ltd', contract, status, today, values: { hours: '0.3' }, errors: { hours: 'Log hours in quarter-hour steps.', date: 'x', bucket: 'y', note: 'z', reference: 'w' }, formError: 'Only the TAM…' }),
      });
    }
  }
  const planView = (today: string): DeliveryPlanView => ({
    account: { accountId: 'contoso', name: 'Contoso Ltd', code: 'CONTOSO', customerTenantIds: [] },
    contract,
    today,
    deliveredHours: { 'PI-1': 8, 'PI-2': 2.5 },
    deliveryBucket: { name: 'Proactive', remainingHours: 40 },
    plan: {
      accountId: 'contoso',
      contractId: 'C',
      cadence: 'monthly',
      nextCheckInDue: '2026-03-01',
      nextItemNumber: 41,
      updatedAt: '2026-03-01T00:00:00Z',
      items: Array.from({ length: 40 }, (_, i) => ({
        itemId: `PI-${i + 1}`,
        type: serviceTypes[i % serviceTypes.length] ?? 'Workshop',
        title: `${'t'.repeat(100)} ${i}`,
        plannedHours: 12,
        dueDate: `2026-0${(i % 9) + 1}-15`,
        owner: { key: 'k', name: 'Alex Wilber' },
        status: (['planned', 'scheduled', 'in-delivery', 'delivered', 'cancelled'] as const)[i % 5] ?? 'planned',
        health: (['green', 'amber', 'red'] as const)[i % 3] ?? 'green',
        note: 'n'.repeat(500),
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      })),
    },
  });
  for (const today of ['2026-02-20', '2026-03-02', '2026-03-10']) {
    const view = planView(today);
    out.push({ name: `plan ${today} provider`, card: planCard(templates, { view, canEdit: true, banners: [{ text: 'Saved', style: 'good' }, { text: 'Over the bucket', style: 'warning' }], summaryFor: '2026-03-01' }) });
    out.push({ name: `plan ${today} customer`, card: planCard(templates, { view, canEdit: false }) });
    out.push({ name: `plan item new ${today}`, card: planItemCard(templates, { view, owners: [{ key: 'k', name: 'Alex Wilber' }], defaultOwner: 'k' }) });
    out.push({ name: `plan item edit ${today}`, card: planItemCard(templates, { view, owners: [{ key: 'k', name: 'Alex Wilber' }], defaultOwner: 'k', item: view.plan.items[2], errors: { title: 'x', plannedHours: 'y', dueDate: 'z', owner: 'o', type: 't', status: 's', health: 'h' }, formError: 'f' }) });
    out.push({ name: `check-in ${today}`, card: checkInCard(templates, { view: { ...view, plan: { ...view.plan, items: view.plan.items.slice(0, 12) } }, dueDate: '2026-03-01', errors: { 'status_PI-1': 'x', 'hours_PI-2': 'y', 'note_PI-3': 'z', 'health_PI-4': 'h' }, formError: 'f' }) });
    out.push({
      name: `plan summary ${today}`,
      card: planSummaryCard(templates, { view, checkIn: { accountId: 'contoso', dueDate: '2026-03-01', submittedAt: 'x', by: { key: 'k', name: 'Alex Wilber' }, items: [] } }),
    });
  }
  out.push({ name: 'check-in with nothing due', card: checkInCard(templates, { view: { ...planView('2026-03-02'), plan: { ...planView('2026-03-02').plan, items: [] } }, dueDate: '2026-03-01' }) });
  const sampleAlert = (i: number, overrides: Partial<Alert> = {}): Alert => ({
    alertId: `a${i}`,
    accountId: 'contoso',
    rule: alertRules[i % alertRules.length] ?? 'sla-breached',
    subject: i % 3 === 0 ? { kind: 'escalation', escalationId: 'ESC-CONTOSO-0042' } : i % 3 === 1 ? { kind: 'contract', contractId: 'C', bucket: 'Reactive' } : { kind: 'plan', itemId: 'PI-1' },
    severity: i % 2 ? 'critical' : 'normal',
    title: `Alert ${'t'.repeat(100)}`,
    detail: 'd'.repeat(400),
    raisedAt: '2026-03-02T09:00:00.000Z',
    recipients: ['t:a', 't:b'],
    status: 'open',
    reminders: 0,
    ...overrides,
  });
  for (let i = 0; i < alertRules.length; i++) {
    out.push({ name: `alert ${i}`, card: alertCard(templates, { alert: sampleAlert(i), accountName: 'Contoso Ltd', now, ...(i % 3 === 0 ? { escalation: sampleEscalation({ severity: 'A' }) } : {}), reminder: i % 2 === 1 }) });
  }
  out.push({ name: 'alert acknowledged', card: alertCard(templates, { alert: sampleAlert(1, { status: 'acknowledged', acknowledgedBy: { key: 'k', name: 'Megan Bowen' }, acknowledgedAt: '2026-03-02T09:30:00Z' }), accountName: 'Contoso Ltd', now, banner: 'Acknowledged' }) });
  out.push({ name: 'alert snoozed', card: alertCard(templates, { alert: sampleAlert(1, { snoozedUntil: '2026-03-02T14:00:00Z' }), accountName: 'Contoso Ltd', now }) });
  out.push({ name: 'alert resolved', card: alertCard(templates, { alert: sampleAlert(1, { status: 'resolved', resolvedAt: '2026-03-02T09:40:00Z' }), accountName: 'Contoso Ltd', now }) });
  out.push({ name: 'digest', card: digestCard(templates, { localDate: '2026-03-02', groups: [{ accountName: 'Contoso Ltd', alerts: Array.from({ length: 40 }, (_, i) => sampleAlert(i)) }, { accountName: 'Fabrikam Inc', alerts: [sampleAlert(2)] }] }) });
  out.push({ name: 'alerts overview', card: alertsCard(templates, { settings: { ...defaultAlertSettings('t:m'), mode: 'digest', mutedRules: ['plan-item-late'] }, recent: Array.from({ length: 10 }, (_, i) => ({ alert: sampleAlert(i, { status: (['open', 'acknowledged', 'resolved'] as const)[i % 3] ?? 'open' }), accountName: 'Contoso Ltd' })), now, scope: 'x', errors: { timeZone: 'bad', digestHour: 'bad' }, banner: 'Saved' }) });
  out.push({ name: 'alerts overview empty', card: alertsCard(templates, { settings: defaultAlertSettings('t:m'), recent: [], now, scope: 'x' }) });
  out.push({ name: 'contract without entries', card: contractCard(templates, { accountName: 'Contoso Ltd', contract, status: contractStatus(contract, [], '2026-03-15'), entries: [], showCommercial: false, canLog: false }) });
  const health = (i: number): PortfolioCardRow['health'] =>
    summariseHealth(
      {
        accountId: `a${i}`,
        accountName: 'x',
        complete: true,
        facts: {
          openEscalations: { A: i % 4 > 0 ? ['E0'] : [], B: i % 4 > 1 ? ['E1'] : [], C: i % 4 > 2 ? ['E2'] : [] },
          slaEvents: [],
          ...(i % 5 === 0 ? {} : { contract: { contractId: 'C', endDate: '2026-03-20', checkedOn: '2026-03-02', buckets: Array.from({ length: 12 }, (_, b) => ({ name: 'b'.repeat(40) + b, verdict: 'over-consuming' as const })), purchasedHours: 100, usedHours: 90, hoursAtRiskUnused: 5, commercial: { value: 250_000, currency: 'GBP', ...(i % 2 ? { costRatePerHour: 190 } : {}) } } }),
          plan: { nextCheckInDue: '2026-02-01', openDueDates: ['2026-02-01'] },
        },
      },
      now,
    ).view;
  const portfolioRows: PortfolioCardRow[] = Array.from({ length: 30 }, (_, i) => ({
    accountId: `account-${i}`,
    name: `${'N'.repeat(118)}${i}`,
    cursor: `s050:account-${i}`,
    ...(i % 7 === 6 ? {} : { health: health(i) }),
    showCommercial: i % 3 !== 0,
  }));
  for (const rows of [portfolioRows, portfolioRows.slice(0, 1), []]) {
    out.push({ name: `portfolio of ${rows.length}`, card: portfolioCard(templates, { title: 'Your portfolio', subtitle: 'Alex Wilber · 30 accounts', rows, before: 0, total: Math.max(rows.length, 1) + 10, today: '2026-03-02' }).card });
  }
  const february = computeServiceReview(februaryInput);
  const bare = computeServiceReview({ account: { accountId: 'acme', name: 'Ω'.repeat(120) }, month: '2026-02', now: februaryInput.now, escalations: [], ledger: [], checkIns: [] });
  const links = [{ title: 'Download PDF (your view)', url: 'https://bot.example/reports/review.pdf?token=v1.a.b' }, { title: 'Download PDF (customer view)', url: 'https://bot.example/reports/review.pdf?token=v1.c.d' }];
  out.push({ name: 'review, provider view', card: reviewCard(templates, { review: february, providerView: true, links, canPost: true, stamp: 'abc123', previousMonth: '2026-01', nextMonth: '2026-03', banner: { text: 'Posted', style: 'good' } }) });
  out.push({ name: 'review, customer view', card: reviewCard(templates, { review: customerView(february), providerView: false, links: links.slice(1), canPost: false, stamp: 'abc123', previousMonth: '2026-01' }) });
  out.push({ name: 'review posted to a channel', card: reviewCard(templates, { review: customerView(february), providerView: false, links: [], canPost: false, stamp: '', postedBy: 'Alex Wilber' }) });
  out.push({ name: 'review of an account with nothing', card: reviewCard(templates, { review: bare, providerView: true, links: [], canPost: true, stamp: 'abc123' }) });
  out.push({ name: 'link form', card: linkChannelCard(templates, { account: '', choices: [] }) });
  out.push({ name: 'link form with error', card: linkChannelCard(templates, { account: 'tailspin', accountError: 'No account has this id.', choices: ['contoso'] }) });
  return out;
}

describe('card templates', () => {
  const templates = CardTemplates.load();

  it('every card the bot can send passes the adaptivecards 1.5 parser and fits in 28 KB', () => {
    const cards = everyCard(templates);
    assert.ok(cards.length >= 200);
    for (const { name, card } of cards) {
      assert.deepEqual(adaptiveCardProblems(card), [], name);
      assert.doesNotMatch(JSON.stringify(card), /\$\{/, `${name} has an unbound template expression`);
    }
  });

  it('expands every card the bot can send exactly as adaptivecards-templating does', () => {
    const render = sinon.spy(CardTemplates.prototype, 'render');
    try {
      everyCard(CardTemplates.load());
      assert.ok(render.callCount >= 200);
      const sources = new Map<string, unknown>();
      for (const call of render.getCalls()) {
        const [name, data] = call.args;
        if (!sources.has(name)) sources.set(name, JSON.parse(fs.readFileSync(path.join(findCardsDirectory(), `${name}.json`), 'utf8')));
        const source = sources.get(name);
        // Each from a data copy of its own: neither may see what the other did with it.
        assert.deepEqual(compileTemplate(source)(structuredClone(data)), new Template(source).expand({ $root: structuredClone(data) }), name);
      }
      assert.equal(sources.size, cardNames.length, 'every template was expanded');
    } finally {
      render.restore();
    }
  });

  it('every template in cards/ is one the renderer knows, at schema 1.5', () => {
    const files = fs.readdirSync(findCardsDirectory()).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(files.sort(), [...cardNames].sort());
    for (const file of files) {
      const json = JSON.parse(fs.readFileSync(path.join(findCardsDirectory(), `${file}.json`), 'utf8')) as { version: string };
      assert.equal(json.version, '1.5', file);
    }
  });

  it('uses only verbs the bot handles', () => {
    const known = new Set<string>(Object.values(verbs));
    for (const file of fs.readdirSync(findCardsDirectory())) {
      const source = fs.readFileSync(path.join(findCardsDirectory(), file), 'utf8');
      for (const match of source.matchAll(/"verb":\s*"([^"$]+)"/g)) assert.ok(known.has(match[1] ?? ''), `${file} uses unknown verb ${match[1]}`);
    }
    for (const { name, card } of everyCard(templates)) {
      for (const action of executeActions(card)) assert.ok(known.has(action.verb), `${name} offers unknown verb ${action.verb}`);
    }
  });

  it('gives every Action.Execute an Action.Submit fallback with the same title, inputs, data and verb (Teams mobile)', () => {
    let checked = 0;
    const walk = (node: unknown, key?: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n));
      if (!node || typeof node !== 'object') return;
      const element = node as Record<string, unknown>;
      if (element.type === 'Action.Execute' && key !== 'action') {
        const fallback = element.fallback as Record<string, unknown> | undefined;
        assert.equal(fallback?.type, 'Action.Submit', JSON.stringify(element).slice(0, 200));
        assert.equal(fallback?.title, element.title);
        assert.equal(fallback?.associatedInputs, element.associatedInputs);
        assert.deepEqual(fallback?.data, { ...((element.data as object | undefined) ?? {}), verb: element.verb });
        checked += 1;
      }
      for (const [k, v] of Object.entries(element)) if (k !== 'fallback') walk(v, k);
    };
    for (const { card } of everyCard(templates)) walk(card);
    assert.ok(checked > 100, `checked ${checked} actions`);
  });

  it('binds user text as data, so template syntax and markdown in it stay literal', () => {
    const card = noticeCard(templates, { title: 'T', text: '${title} [x](https://evil.example) **bold**' });
    assert.match(cardText(card), /\$\{title\} \[x\]\(https:\/\/evil\.example\) \*\*bold\*\*/);
  });

  it('draws the review\'s charts as Teams Chart elements, each with column bars to fall back on, and the card check allows exactly those', () => {
    const card = reviewCard(templates, { review: computeServiceReview(februaryInput), providerView: false, links: [], canPost: false, stamp: 'a' });
    const charts: Record<string, unknown>[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const element = node as Record<string, unknown>;
        if (typeof element.type === 'string' && element.type.startsWith('Chart.')) charts.push(element);
        Object.values(element).forEach(walk);
      }
    };
    walk(card);
    assert.deepEqual(charts.map((c) => c.type), ['Chart.VerticalBar.Grouped', 'Chart.Donut', 'Chart.HorizontalBar']);
    for (const chart of charts) assert.equal((chart.fallback as { type?: string } | undefined)?.type, 'Container', String(chart.type));
    assert.deepEqual(charts[1]?.data, [{ legend: 'Met', value: 7, color: 'good' }, { legend: 'Missed', value: 5, color: 'attention' }]);
    assert.deepEqual(adaptiveCardProblems(card), []);
    const withoutFallback = { ...card, body: [{ type: 'Chart.Pie', data: [{ legend: 'x', value: 1 }] }] };
    assert.deepEqual(adaptiveCardProblems(withoutFallback), ['Chart.Pie: no fallback element (Teams mobile and older clients show it)']);
    const unknown = { ...card, body: [{ type: 'Chart.Radar', data: [], fallback: { type: 'TextBlock', text: 'x' } }] };
    assert.ok(adaptiveCardProblems(unknown).some((p) => /Chart\.Radar/.test(p)), 'any other unknown element still fails');
  });

  it('refuses to render a card over the Teams size limit', () => {
    assert.throws(() => noticeCard(templates, { title: 'T', text: 'x'.repeat(30_000) }), /over the 28672 byte limit/);
  });

  it('keeps late values (a stamp, signed links) out of the remembered card and puts each card\'s own back', () => {
    const february = computeServiceReview(februaryInput);
    const model = (stamp: string, url: string) => ({ review: february, providerView: true, links: [{ title: 'Download PDF', url }], canPost: true, stamp, previousMonth: '2026-01' as const });
    const first = { stamp: 'a1b2c3d4e5f60718', url: 'https://tam.example/reports/review.pdf?token=eyJhIjoiMSJ9.FIRSTSIG&x="q"' };
    const second = { stamp: '99887766554433aa', url: 'https://tam.example/reports/review.pdf?token=eyJhIjoiMiJ9.second' };
    {
      const fresh = CardTemplates.load();
      const a = reviewCard(fresh, model(first.stamp, first.url));
      const b = reviewCard(fresh, model(second.stamp, second.url));
      assert.equal(fresh.expansions, 1, 'the second card, new stamp and link, is not expanded again');
      // Each is the card its own values give when expanded anew.
      assert.deepEqual(a, reviewCard(CardTemplates.load(), model(first.stamp, first.url)));
      assert.deepEqual(b, reviewCard(CardTemplates.load(), model(second.stamp, second.url)));
      const text = JSON.stringify(b);
      assert.ok(text.includes(second.stamp) && text.includes(second.url), 'its own stamp and link');
      assert.ok(!text.includes(first.stamp) && !text.includes('FIRSTSIG'), 'nothing of the first card');
      assert.doesNotMatch(text, /\uE000/, 'no stand-in left');
      const post = executeActions(b).find((action) => action.verb === 'review.post');
      assert.deepEqual(post?.data, { accountId: february.accountId, month: february.month, stamp: second.stamp });
    }
  });

  it('searches for the rows of a portfolio page that fit once, and renders the same page again in one go', () => {
    const rows: PortfolioCardRow[] = Array.from({ length: 30 }, (_, i) => ({ accountId: `account-${i}`, name: `${'N'.repeat(1500)}${i}`, cursor: `s:${i}`, showCommercial: false }));
    const model = { title: 'Your portfolio', subtitle: '30 accounts', rows, before: 0, total: 30, today: '2026-03-02' };
    const render = sinon.spy(CardTemplates.prototype, 'render');
    try {
      const fresh = CardTemplates.load();
      const first = portfolioCard(fresh, model);
      assert.ok(first.shown > 1 && first.shown < 30, `${first.shown} rows fit`);
      assert.ok(render.callCount > 2, 'the first time, a search');
      render.resetHistory();
      const again = portfolioCard(fresh, structuredClone(model));
      assert.equal(render.callCount, 1, 'the same page: one render');
      assert.deepEqual(again, first);
      render.resetHistory();
      const changed = portfolioCard(fresh, { ...model, rows: rows.map((r, i) => (i === 0 ? { ...r, name: 'Short' } : r)) });
      assert.ok(render.callCount > 2, 'another page is searched for');
      assert.ok(changed.shown >= first.shown);
    } finally {
      render.restore();
    }
  });

  it('renders the same data to the same card again, frozen whole and known by its JSON, and other data to its own card', () => {
    const fresh = CardTemplates.load();
    const data = { title: 'Contoso', text: 'First' };
    const first = fresh.render('notice', data);
    // Nobody who gets it can change it for the next caller.
    assert.throws(() => (first.body as unknown[]).push({ type: 'TextBlock', text: 'added by a caller' }), TypeError);
    assert.throws(() => {
      ((first.body as Record<string, unknown>[])[0] as Record<string, unknown>).text = 'changed by a caller';
    }, TypeError);
    const again = fresh.render('notice', data);
    assert.deepEqual(again, CardTemplates.load().render('notice', data), 'as a template expanded anew');
    assert.equal(cardJsonOf(again), JSON.stringify(again), 'its JSON is known, and is what JSON.stringify writes');
    assert.equal(cardJsonOf({ ...again }), undefined, 'a copy is not the card: its JSON is not known');
    assert.match(JSON.stringify(fresh.render('notice', { title: 'Contoso', text: 'Second' })), /Second/);
    assert.doesNotMatch(JSON.stringify(fresh.render('notice', { title: 'Contoso', text: 'Second' })), /First/);
    // A card over the limit is refused every time, never remembered.
    assert.throws(() => fresh.render('notice', { title: 'T', text: 'x'.repeat(30_000) }), /over the 28672 byte limit/);
    assert.throws(() => fresh.render('notice', { title: 'T', text: 'x'.repeat(30_000) }), /over the 28672 byte limit/);
  });

  it('writes a message with its cards from their known JSON, byte for byte what JSON.stringify writes', () => {
    const fresh = CardTemplates.load();
    const card = fresh.render('notice', { title: 'Contoso "quoted"', text: 'Line\nand $& and $1' });
    const other = { type: 'AdaptiveCard', version: '1.5', body: [] };
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (text, extra) => {
        const activity = { type: 'message', text, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }, { contentType: 'x', content: other }, null], channelData: extra };
        assert.equal(jsonWithCards(activity), JSON.stringify(activity));
      }),
      { numRuns: 200 },
    );
    assert.equal(jsonWithCards({ text: 'no cards' }), JSON.stringify({ text: 'no cards' }));
  });
});
