import assert from 'node:assert/strict';
import { actionExecute } from '../support/activities';
import { cardText } from '../support/adaptive-card-check';
import { invokeCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';
import { timelineFlushAt } from '../../src/store/cosmos-escalation-repository';

/**
 * Azure Cosmos DB refuses items over 2 MB (and so does the embedded store now): an escalation
 * keeps only its latest timeline entries in its item, the rest in items of its own partition.
 */
describe('an escalation with a long history', function () {
  this.timeout(300_000);
  let bot: TestBot;
  const key = { escalationId: 'ESC-CONTOSO-0001', accountId: 'contoso' };

  before(async () => {
    bot = await TestBot.start();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Long one', description: 'd', severity: 'C', product: 'Azure' }, { channel: demo.contosoChannel, replyToId: 'intake' }));
  });

  after(async () => {
    await bot.close();
  });

  it('takes 1,000 notes of 2,000 characters, stays well under 2 MB, still updates and resolves, and keeps every entry once', async () => {
    const notes = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(4, '0')} ${'n'.repeat(1995)}`);
    const queue = [...notes];
    // Four at a time, as several people at once would: every one lands (ETag), none twice.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let note = queue.shift(); note; note = queue.shift()) {
          const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.update', { ...key, note }));
          assert.equal(res.status, 200);
          assert.doesNotMatch(cardText(invokeCard(res.body)), /went wrong|try again/i, note.slice(0, 4));
        }
      }),
    );
    const resolved = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.resolve', { ...key, resolution: 'Fixed at last' }));
    assert.match(cardText(invokeCard(resolved.body)), /Resolved/);

    const { resource } = await bot.running.containers.accounts.item('ESC-CONTOSO-0001', 'contoso').read<Record<string, unknown>>();
    const bytes = Buffer.byteLength(JSON.stringify(resource), 'utf8');
    assert.ok(bytes < 200 * 1024, `the item is ${bytes} bytes`);
    assert.ok(((resource?.timeline as unknown[]) ?? []).length < timelineFlushAt);

    const timeline = await bot.running.repositories.escalations.listTimeline('contoso', 'ESC-CONTOSO-0001');
    assert.equal(timeline.length, 1002, 'opened, 1,000 notes, resolved');
    assert.equal(timeline[0]?.kind, 'opened');
    assert.equal(timeline[timeline.length - 1]?.kind, 'resolved');
    const texts = timeline.filter((t) => t.kind === 'note' || t.kind === 'acknowledged' || t.kind === 'status').map((t) => t.text ?? '');
    assert.equal(new Set(texts.filter((t) => t.length > 0)).size, 1000, 'each note exactly once');

    const card = await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.refresh', key));
    assert.match(cardText(invokeCard(card.body)), /997 earlier entries not shown/);
  });
});
