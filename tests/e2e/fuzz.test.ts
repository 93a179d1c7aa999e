import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alertSchema } from '../../src/domain/alert';
import { contractSchema, ledgerEntrySchema } from '../../src/domain/contract';
import { deliveryPlanSchema } from '../../src/domain/delivery-plan';
import { accountSchema, channelLinkSchema, personSchema } from '../../src/domain/directory';
import { escalationSchema } from '../../src/domain/escalation';
import { verbs } from '../../src/bot/verbs';
import { actionExecute, personalMessage } from '../support/activities';
import { cardsIn } from '../support/adaptive-card-check';
import { demo, TestBot } from '../support/test-bot';

/** Payloads per verb (FUZZ_RUNS overrides; the CI default keeps the suite within its time). */
export const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 1200);
const messageRuns = Number(process.env.FUZZ_MESSAGE_RUNS ?? 2000);

const knownKeys = [
  'accountId', 'escalationId', 'alertId', 'itemId', 'dueDate', 'entryId', 'mode', 'command', 'argument', 'account',
  'title', 'description', 'severity', 'product', 'businessImpact', 'contactPhone', 'supportCaseId', 'note', 'status',
  'reason', 'resolution', 'bucket', 'hours', 'date', 'reference', 'type', 'plannedHours', 'owner', 'health', 'minutes',
  'digestHour', 'timeZone', 'status_PI-4', 'hours_PI-4', 'health_PI-4', 'note_PI-4', '__proto__', 'constructor', 'prototype',
];
const plausible = fc.constantFrom(
  'contoso', 'fabrikam', 'ESC-CONTOSO-0001', 'PI-4', '2026-02-25', '2026-03-02', 'view', 'log', 'edit', 'checkin', 'update', 'resolve',
  'A', 'B', 'C', 'Exchange Server', 'Proactive', 'Reactive', '24.5', '0.3', '-1', '1e309', 'NaN', 'investigating', 'delivered', 'green',
  'Workshop', 'Europe/London', '60', 'bucket:CONTOSO-UE-2026:Reactive:90', 'help', 'escalate', '${secret}', '[x](https://evil.example)',
  '{"type":"Action.OpenUrl","url":"https://evil.example"}', '<script>alert(1)</script>', '\u0000', '🔥'.repeat(100),
);
const value = fc.oneof(
  plausible,
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ minLength: 4000, maxLength: 9000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.object({ maxDepth: 3 }),
);
const payload = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 20 })), value, { maxKeys: 12 }) },
  { weight: 1, arbitrary: fc.anything() },
);

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

/** Every document in Cosmos still passes its schema: nothing invalid was stored. */
async function assertStoreIsValid(bot: TestBot): Promise<number> {
  const schemas: Record<string, { parse: (v: unknown) => unknown }> = {
    escalation: escalationSchema,
    ledgerEntry: ledgerEntrySchema,
    contract: contractSchema,
    plan: deliveryPlanSchema,
    alert: alertSchema,
    account: accountSchema,
    person: personSchema,
    channelLink: channelLinkSchema,
  };
  let checked = 0;
  for (const container of [bot.running.containers.accounts, bot.running.containers.directory]) {
    const { resources } = await container.items.query<Record<string, unknown>>('SELECT * FROM c').fetchAll();
    for (const doc of resources) {
      const schema = schemas[String(doc.type)];
      if (!schema) continue;
      const { id: _id, pk: _pk, type: _type, schemaVersion: _v, _rid, _self, _etag, _ts, _attachments, ...fields } = doc;
      assert.doesNotThrow(() => schema.parse(fields), `a stored ${String(doc.type)} no longer passes its schema: ${JSON.stringify(doc).slice(0, 300)}`);
      assert.ok(!Object.prototype.hasOwnProperty.call(doc, '__proto__') || typeof doc.__proto__ === 'object');
      checked += 1;
    }
  }
  return checked;
}

describe('fuzzing every Action.Execute verb and message text', function () {
  this.timeout(600_000);
  let bot: TestBot;

  before(async () => {
    bot = await TestBot.start();
    await bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { title: 'Seed', description: 'd', severity: 'C', product: 'Azure' }, { channel: demo.contosoChannel, replyToId: 'seed' }));
  });

  after(async () => {
    await bot.close();
  });

  const allVerbs = [...new Set(Object.values(verbs) as string[])];
  /** Everything Object.prototype holds, to see that no payload added to it or changed it. */
  const prototypeShape = (): string =>
    JSON.stringify(Object.getOwnPropertyNames(Object.prototype).sort().map((name) => [name, typeof Object.getOwnPropertyDescriptor(Object.prototype, name)?.value]));
  const prototypeBefore = prototypeShape();
  for (const verb of allVerbs) {
    it(`${verb}: ${fuzzRuns} generated payloads, no 5xx, an answer every time, nothing invalid stored`, async () => {
      const samples = fc.sample(payload, { numRuns: fuzzRuns, seed: 20261126 });
      const users = [demo.users.alex, demo.users.adele, demo.users.stranger];
      let index = 0;
      await inParallel(samples, 8, async (data) => {
        const user = users[index++ % users.length]!;
        const res = await bot.post(actionExecute(bot.serviceUrl, user, verb, data, index % 2 ? { channel: demo.contosoChannel } : {}));
        assert.ok(res.status < 500, `${verb} answered ${res.status} to ${JSON.stringify(data).slice(0, 300)}`);
        assert.ok(res.body !== undefined, `${verb} gave no answer to ${JSON.stringify(data).slice(0, 300)}`);
      });
      assert.ok((await assertStoreIsValid(bot)) > 0);
      assert.equal(prototypeShape(), prototypeBefore, 'Object.prototype is as it was');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
    });
  }

  it(`message text: ${messageRuns} generated messages, each answered with a card`, async () => {
    const texts = fc.sample(
      fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ minLength: 5000, maxLength: 20000 }), fc.constantFrom('help', 'escalation ', 'contract zzz', 'log hours', 'link', '<at>x</at> help', '${x}', '\u202e')),
      { numRuns: messageRuns, seed: 20261126 },
    );
    bot.connector.reset();
    await inParallel(texts, 8, async (text) => {
      const res = await bot.post(personalMessage(bot.serviceUrl, demo.users.alex, text));
      assert.equal(res.status, 200, `text ${JSON.stringify(text).slice(0, 100)}`);
    });
    const answers = bot.connector.sent(`a:personal-${demo.users.alex.aadObjectId}`);
    assert.equal(answers.length, texts.length, 'every message answered');
    assert.ok(answers.every((a) => cardsIn(a).length === 1));
  });

  it('refuses request bodies over the size limit at the server', async () => {
    const huge = { ...personalMessage(bot.serviceUrl, demo.users.alex, 'x'.repeat(600 * 1024)) };
    const res = await bot.post(huge);
    assert.equal(res.status, 413);
  });
});
