import assert from 'node:assert/strict';
import { actionExecute } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { invokeCard } from '../support/conversation-helpers';
import { demo, TestBot, type PostResult } from '../support/test-bot';
import type { TeamsUser } from '../support/activities';

/**
 * Idempotency keyed on the state an action was taken from: the record's version, the verb and its
 * data, and who pressed. A true repeat changes nothing; a new change that happens to look like an
 * earlier one is applied.
 */
describe('repeats: the same press once, a new change always', function () {
  this.timeout(60_000);
  let bot: TestBot;
  const key = { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' };

  beforeEach(async () => {
    bot = await TestBot.start();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Slow logons', description: 'Since Monday', severity: 'B', product: 'Active Directory' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
  });

  afterEach(async () => {
    await bot.close();
  });

  const escalation = async (): Promise<NonNullable<Awaited<ReturnType<TestBot['running']['repositories']['escalations']['get']>>>> => {
    const e = await bot.running.repositories.escalations.get('contoso', 'ESC-CONTOSO-0001');
    assert.ok(e);
    return e;
  };

  /** Presses a button of the card as it is now: its data carries the version it shows. */
  async function pressOnCurrent(user: TeamsUser, verb: string, data: Record<string, string> = {}): Promise<PostResult> {
    const version = String((await escalation()).version);
    return bot.post(actionExecute(bot.serviceUrl, user, verb, { ...key, version, ...data }));
  }

  it('resolve, reopen and resolve again with the same text: the third is applied', async () => {
    await pressOnCurrent(demo.users.alex, 'escalation.resolve', { resolution: 'Restarted the DC' });
    await pressOnCurrent(demo.users.alex, 'escalation.reopen', { reason: 'Back again' });
    const res = await pressOnCurrent(demo.users.alex, 'escalation.resolve', { resolution: 'Restarted the DC' });
    const e = await escalation();
    assert.equal(e.status, 'resolved');
    assert.equal(e.timeline.filter((t) => t.kind === 'resolved').length, 2);
    assert.doesNotMatch(cardText(invokeCard(res.body)), /done already/);
  });

  it('a Teams retry or a double click of the same press applies it once and says it was done', async () => {
    const version = String((await escalation()).version);
    const press = actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.update', { ...key, version, note: 'Looking at the DC logs', status: 'investigating' });
    const first = await bot.post(press);
    const again = await bot.post({ ...press, id: 'a-new-activity-id' });
    const e = await escalation();
    assert.equal(e.timeline.filter((t) => t.text === 'Looking at the DC logs').length, 1);
    assert.doesNotMatch(cardText(invokeCard(first.body)), /done already/);
    assert.match(cardText(invokeCard(again.body)), /That was done already/);
    assert.match(cardText(invokeCard(again.body)), /Investigating/);
  });

  it('a second person pressing the same action on the same version is told who did it first', async () => {
    const version = String((await escalation()).version);
    const resolve = (user: TeamsUser, resolution: string): Promise<PostResult> => bot.post(actionExecute(bot.serviceUrl, user, 'escalation.resolve', { ...key, version, resolution }));
    await resolve(demo.users.alex, 'Patched the servers');
    const megan = await resolve(demo.users.megan, 'Patched the servers too');
    assert.match(cardText(invokeCard(megan.body)), /Already resolved by Alex Wilber/);
    const e = await escalation();
    assert.equal(e.timeline.filter((t) => t.kind === 'resolved').length, 1);
    assert.equal(e.resolution, 'Patched the servers');
  });

  it('a second person setting the same status from the same version still adds their note', async () => {
    const version = String((await escalation()).version);
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.update', { ...key, version, note: 'Alex is on it', status: 'investigating' }));
    const megan = await bot.post(actionExecute(bot.serviceUrl, demo.users.megan, 'escalation.update', { ...key, version, note: 'Customer update from Megan', status: 'investigating' }));
    assert.match(cardText(invokeCard(megan.body)), /Already set to Investigating by Alex Wilber\. Your note is added\./);
    const e = await escalation();
    assert.ok(e.timeline.some((t) => t.text === 'Customer update from Megan'));
    assert.equal(e.timeline.filter((t) => t.kind === 'status').length, 1);
  });

  it('two people adding notes from the same version both land', async () => {
    const version = String((await escalation()).version);
    await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.update', { ...key, version, note: 'From Alex' }));
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.update', { ...key, version, note: 'From Adele' }));
    const notes = (await escalation()).timeline.map((t) => t.text);
    assert.ok(notes.includes('From Alex') && notes.includes('From Adele'), notes.join(', '));
  });

  it('log hours: the same form sent twice logs once; the same hours from a fresh form are a new entry', async () => {
    const entries = async (): Promise<number> => (await bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026')).length;
    const form = async (): Promise<string> => String((await bot.running.repositories.contracts.getContract('contoso'))?.ledgerVersion ?? 0);
    const before = await entries();
    const fields = { accountId: 'contoso', bucket: 'Proactive', hours: '1', date: '2026-03-02', note: 'Workshop prep' };
    const ledgerVersion = await form();
    const first = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { ...fields, ledgerVersion }));
    const resent = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { ...fields, ledgerVersion }));
    assert.match(cardText(invokeCard(first.body)), /Logged 1 h to Proactive/);
    assert.match(cardText(invokeCard(resent.body)), /Already logged: 1 h to Proactive/);
    assert.equal(await entries(), before + 1);
    const fresh = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', { ...fields, ledgerVersion: await form() }));
    assert.match(cardText(invokeCard(fresh.body)), /Logged 1 h to Proactive/);
    assert.equal(await entries(), before + 2);
  });

  it('log hours from a form without a ledger version: a repeat within ten minutes logs once, across a window boundary too; later it is a new entry', async () => {
    const entries = async (): Promise<number> => (await bot.running.repositories.contracts.listEntries('contoso', 'CONTOSO-UE-2026')).length;
    const fields = { accountId: 'contoso', bucket: 'Proactive', hours: '2', date: '2026-03-02', note: 'Older form' };
    const send = async (): Promise<string> => cardText(invokeCard((await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'contract.logHours', fields))).body));
    const before = await entries();
    // One minute before a ten-minute boundary, so the repeat falls in the next window.
    bot.clock.set('2026-03-02T10:09:00.000Z');
    assert.match(await send(), /Logged 2 h to Proactive/);
    assert.match(await send(), /Already logged: 2 h to Proactive/, 'the same window');
    bot.clock.advanceMinutes(3);
    assert.match(await send(), /Already logged: 2 h to Proactive/, 'the next window, within ten minutes');
    assert.equal(await entries(), before + 1);
    bot.clock.advanceMinutes(10);
    assert.match(await send(), /Logged 2 h to Proactive/, 'ten minutes on, the same hours are new');
    assert.equal(await entries(), before + 2);
  });
});
