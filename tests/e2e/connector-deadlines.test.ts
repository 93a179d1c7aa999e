import assert from 'node:assert/strict';
import { actionExecute, botAdded, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardsIn, cardText } from '../support/adaptive-card-check';
import { invokeCard } from '../support/conversation-helpers';
import type { ConnectorFault } from '../support/fake-connector';
import { demo, TestBot } from '../support/test-bot';
import type { OutboxItem } from '../../src/domain/outbox';
import { realTimer, type Timer } from '../../src/notify/rate-limits';
import { ManualClock } from '../support/manual-clock';

/** Short, so the suite stays fast; the production deadline (7 s) is measured by bench/connector-faults.ts. */
const replyDeadlineInMs = 300;
const hour = 3_600_000;
const faults: readonly { readonly name: string; readonly fault: ConnectorFault; readonly reason: RegExp }[] = [
  { name: 'hangs', fault: { kind: 'hang' }, reason: /^timeout/ },
  { name: 'answers 500', fault: { kind: '500' }, reason: /^500/ },
  { name: 'answers 429 with Retry-After: 3600', fault: { kind: '429' }, reason: /^429/ },
];

/** Waiting that moves the test's clock: a Retry-After passes when the clock does. */
function timerOn(clock: ManualClock): Timer {
  return {
    now: () => clock.now().getTime(),
    sleep: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
  };
}

const chat = (user: TeamsUser): string => `a:personal-${user.aadObjectId}`;
const inThread = (conversationId: string, channelId: string): boolean => conversationId.split(';')[0] === channelId;

describe('connector deadlines: a turn answers in time however the Bot Connector behaves', function () {
  this.timeout(30_000);
  let bot: TestBot;

  beforeEach(async () => {
    // The rate limiter's Retry-After is kept on the same clock the test moves.
    const clock = new ManualClock();
    bot = await TestBot.start({ replyDeadlineInMs, clock, timer: timerOn(clock) });
    await bot.post(installationUpdate(bot.serviceUrl, demo.users.alex, 'add'));
    await bot.post(botAdded(bot.serviceUrl, demo.users.alex, demo.contosoChannel));
    bot.connector.reset();
  });

  afterEach(async () => {
    await bot.close();
  });

  async function timedPost(activity: Record<string, unknown>): Promise<{ status: number; body: unknown; ms: number }> {
    const started = Date.now();
    const res = await bot.post(activity);
    return { ...res, ms: Date.now() - started };
  }

  async function queuedReplies(conversation: (id: string) => boolean): Promise<OutboxItem[]> {
    const pending = await bot.running.repositories.outbox.listDue(new Date(bot.clock.now().getTime() + 2 * hour), 100);
    return pending.filter((item) => item.intent.kind === 'reply' && item.target.kind === 'conversation' && conversation(item.target.conversationId));
  }

  const textOf = (item: OutboxItem | undefined): string => (item?.intent.kind === 'reply' ? cardsIn(item.intent.activity).map(cardText).join('\n') : '');

  /** Heals the connector, lets the clock pass the item's due time (and Retry-After), and runs the dispatcher twice. */
  async function healAndDispatch(item: OutboxItem): Promise<void> {
    bot.connector.heal();
    bot.clock.set(new Date(new Date(item.nextAttemptAt).getTime() + 1_000));
    await bot.running.dispatcher.runOnce();
    await bot.running.dispatcher.runOnce();
  }

  for (const { name, fault, reason } of faults) {
    describe(`when the connector ${name}`, () => {
      it('answers "help" in personal chat, queues the reply, and the dispatcher delivers it once the connector heals', async () => {
        const alex = demo.users.alex;
        bot.connector.breakWith(fault);
        const res = await timedPost(personalMessage(bot.serviceUrl, alex, 'help'));
        assert.equal(res.status, 200, `answered in ${res.ms} ms`);

        const tries = bot.connector.calls.filter((c) => c.conversationId === chat(alex));
        assert.equal(tries.length, 1, 'one request to the connector: no hidden retries, no waiting out Retry-After');
        const [item, ...more] = await queuedReplies((id) => id === chat(alex));
        assert.ok(item, 'the reply waits in the outbox');
        assert.equal(more.length, 0);
        assert.match(textOf(item), /What I can do for you here/, 'as the turn prepared it');
        assert.equal(item.attempts, 1);
        assert.match(item.lastError ?? '', reason);
        const queued = bot.logs.find((l) => l.event === 'reply.queued');
        assert.match(String(queued?.reason), reason, 'queued by the deadline path');
        if (fault.kind === 'hang') assert.equal(queued?.outcomeUnknown, true, 'a hung request may have been posted');
        if (fault.kind === '429') {
          assert.ok(new Date(item.nextAttemptAt).getTime() >= bot.clock.now().getTime() + hour, 'not before Retry-After');
          await bot.running.dispatcher.runOnce();
          const helpTries = bot.connector.calls.filter((c) => c.conversationId === chat(alex) && cardsIn(c.body).some((card) => /What I can do for you here/.test(cardText(card))));
          assert.equal(helpTries.length, 1, 'nothing is tried again before Retry-After');
        }

        await healAndDispatch(item);
        const delivered = bot.connector.sent(chat(alex)).filter((a) => cardsIn(a).some((c) => /What I can do for you here/.test(cardText(c))));
        assert.equal(delivered.length, 1, 'delivered once');
        assert.equal((await bot.running.repositories.outbox.get(item.id))?.status, 'sent');
      });

      it('answers "@bot contract" in a linked channel, queues the customer-safe card, and delivers it in its thread once', async () => {
        const adele = demo.users.adele;
        bot.connector.breakWith(fault);
        const activity = channelMessage(bot.serviceUrl, adele, demo.contosoChannel, 'contract');
        const res = await timedPost(activity);
        assert.equal(res.status, 200, `answered in ${res.ms} ms`);
        const [item, ...more] = await queuedReplies((id) => inThread(id, demo.contosoChannel.channelId));
        assert.ok(item, 'the reply waits in the outbox');
        assert.equal(more.length, 0);
        assert.equal(item.intent.kind, 'reply');
        assert.deepEqual(item.intent.kind === 'reply' ? item.intent.accountIds : [], ['contoso'], 'it knows whose data it carries');
        assert.match(textOf(item), /Contoso/);

        await healAndDispatch(item);
        const delivered = bot.connector.calls.filter((c) => c.method === 'POST' && c.status >= 200 && c.status < 300 && inThread(c.conversationId, demo.contosoChannel.channelId));
        assert.equal(delivered.length, 1, 'delivered once');
        assert.equal(delivered[0]?.activityId, activity.id, 'as a reply to the message it answers');
        assert.match(cardsIn(delivered[0]?.body).map(cardText).join('\n'), /Contoso/);
      });
    });
  }

  it('answers an invoke in its body and queues the card update it makes in place; the update lands once', async () => {
    bot.connector.breakWith({ kind: 'hang' });
    const res = await timedPost(actionExecute(bot.serviceUrl, demo.users.isaiah, 'channel.link', { account: 'northwind' }, { channel: demo.newChannel, replyToId: 'form-1' }));
    assert.equal(res.status, 200, `answered in ${res.ms} ms`);
    assert.match(cardText(invokeCard(res.body)), /Linked to Northwind Traders/);
    const [item] = await queuedReplies((id) => id === demo.newChannel.channelId);
    assert.equal(item?.intent.kind === 'reply' ? item.intent.updateActivityId : undefined, 'form-1');

    await healAndDispatch(item as OutboxItem);
    const updates = bot.connector.updates(demo.newChannel.channelId);
    assert.deepEqual(updates.map((u) => u.activityId), ['form-1'], 'the card replaced once');
  });

  it('does not post a queued account card in a channel that was linked to another account meanwhile', async () => {
    bot.connector.breakWith({ kind: '500' });
    await bot.post(channelMessage(bot.serviceUrl, demo.users.adele, demo.contosoChannel, 'contract'));
    const [item] = await queuedReplies((id) => inThread(id, demo.contosoChannel.channelId));
    assert.ok(item);
    const directory = bot.running.repositories.directory;
    const link = await directory.getChannelLink(demo.contosoChannel.channelId, { fresh: true });
    assert.ok(link);
    await directory.moveChannelLink({ ...link, accountId: 'fabrikam' }, 'contoso');

    await healAndDispatch(item);
    assert.deepEqual(bot.connector.sent(demo.contosoChannel.channelId), [], 'nothing of Contoso lands in what is now Fabrikam\'s channel');
    assert.equal((await bot.running.repositories.outbox.get(item.id))?.status, 'cancelled');
  });

  it('keeps a turn\'s messages in order: after one is queued, the rest queue behind it', async () => {
    // Alex asks in Contoso's channel for Fabrikam's contract: the card goes to his personal chat and
    // a line (naming nothing) to the channel. Both wait; the line is due after the card.
    bot.connector.breakWith({ kind: '500' });
    await bot.post(channelMessage(bot.serviceUrl, demo.users.alex, demo.contosoChannel, 'contract fabrikam'));
    const queued = (await queuedReplies(() => true)).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
    assert.equal(bot.connector.calls.length, 1, 'only the first message was tried');
    assert.deepEqual(
      queued.map((q) => (q.target.kind === 'conversation' ? q.target.conversationId.split(';')[0] : '')),
      [chat(demo.users.alex), demo.contosoChannel.channelId],
      'his own card first, then the line in the channel',
    );
    assert.ok((queued[1]?.nextAttemptAt ?? '') > (queued[0]?.nextAttemptAt ?? ''));

    bot.connector.heal();
    bot.clock.advance(hour);
    await bot.running.dispatcher.runOnce();
    const ownCard = bot.connector.calls.findIndex((c) => c.status === 201 && c.conversationId === chat(demo.users.alex));
    const line = bot.connector.calls.findIndex((c) => c.status === 201 && inThread(c.conversationId, demo.contosoChannel.channelId));
    assert.ok(ownCard >= 0 && line > ownCard, 'delivered in the order the turn sent them');
    assert.match(cardsIn(bot.connector.calls[line]?.body).map(cardText).join(''), /private chat/);
  });

  it('holds no dispatcher pass for a Retry-After of an hour, and retries nothing before it', async () => {
    await bot.close();
    // Real waiting: a pass that slept through Retry-After would not come back within the test's timeout.
    bot = await TestBot.start({ replyDeadlineInMs, timer: realTimer });
    const alex = demo.users.alex;
    await bot.post(installationUpdate(bot.serviceUrl, alex, 'add'));
    bot.connector.reset();
    bot.connector.breakWith({ kind: '429' });
    await bot.post(personalMessage(bot.serviceUrl, alex, 'help'));
    await bot.post(personalMessage(bot.serviceUrl, alex, 'whoami'));
    const queued = await queuedReplies((id) => id === chat(alex));
    assert.equal(queued.length, 2);

    bot.clock.advance(hour + 60_000);
    const started = Date.now();
    await bot.running.dispatcher.runOnce();
    const passMs = Date.now() - started;
    const after = await Promise.all(queued.map((q) => bot.running.repositories.outbox.get(q.id)));
    assert.deepEqual(after.map((a) => a?.status), ['pending', 'pending'], `the pass came back (${passMs} ms) with both still waiting`);
    assert.equal(bot.connector.calls.filter((c) => c.conversationId === chat(alex)).length, 3, 'two turns, then one try in the pass: the second waits out the Retry-After it met');
    for (const a of after) assert.ok(new Date(a?.nextAttemptAt ?? 0).getTime() >= bot.clock.now().getTime() + hour - 1_000, 'due again after the Retry-After');
  });
});
