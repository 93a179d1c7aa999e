import assert from 'node:assert/strict';
import sinon from 'sinon';
import { actionExecute, channelMessage, installationUpdate, personalMessage, type TeamsUser } from '../support/activities';
import { cardText, executeActions } from '../support/adaptive-card-check';
import { ChannelAuthority, startAuthenticatedBot } from '../support/channel-auth';
import { invokeCard, onlyCard } from '../support/conversation-helpers';
import { demo, TestBot } from '../support/test-bot';

type Activity = Record<string, unknown>;

/** Every stored document's id and ETag, container by container: equal before and after means nothing was written. */
async function storeImage(bot: TestBot): Promise<string> {
  const image: Record<string, string[]> = {};
  for (const [name, container] of Object.entries(bot.running.containers)) {
    const { resources } = await container.items.readAll<{ id: string; _etag?: string }>().fetchAll();
    image[name] = resources.map((d) => `${d.id}@${d._etag ?? ''}`).sort();
  }
  return JSON.stringify(image);
}

const somethingWentWrong = /Something went wrong/;

describe('bad input at the edge', () => {
  let bot: TestBot;

  before(async () => {
    bot = await TestBot.start();
  });

  after(async () => {
    await bot.close();
  });

  beforeEach(() => {
    bot.connector.reset();
    bot.logs.length = 0;
  });

  const errorsLogged = () => bot.logs.filter((l) => l.level === 'error');
  const stranger = demo.users.stranger;

  describe('an activity with a part missing or of the wrong type', () => {
    const without = (activity: Activity, key: string): Activity => {
      const copy = { ...activity };
      delete copy[key];
      return copy;
    };
    const unanswerable: [string, (a: Activity) => Activity][] = [
      ['no from', (a) => without(a, 'from')],
      ['a from that is a string', (a) => ({ ...a, from: 'someone' })],
      ['no from.aadObjectId', (a) => ({ ...a, from: { id: '29:anonymous', name: 'Anonymous' } })],
      ['a from.aadObjectId that is a number', (a) => ({ ...a, from: { id: '29:anonymous', name: 'Anonymous', aadObjectId: 42 } })],
      ['no recipient', (a) => without(a, 'recipient')],
      ['a recipient without an id', (a) => ({ ...a, recipient: { name: 'TAM Assistant' } })],
    ];

    for (const [name, mutate] of unanswerable) {
      it(`a message with ${name} is answered 200 with nothing sent and nothing written`, async () => {
        const before = await storeImage(bot);
        const res = await bot.post(mutate(personalMessage(bot.serviceUrl, demo.users.alex, 'help')));
        assert.equal(res.status, 200);
        assert.equal(bot.connector.calls.length, 0);
        assert.equal(await storeImage(bot), before);
        assert.deepEqual(errorsLogged(), []);
        assert.equal(bot.logs.filter((l) => l.event === 'turn.activity_dropped' && l.level === 'warn').length, 1);
      });

      it(`a card action with ${name} gets 200 with an empty body`, async () => {
        const res = await bot.post(mutate(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command: 'help' })));
        assert.equal(res.status, 200);
        assert.equal(res.body, undefined);
        assert.equal(bot.connector.calls.length, 0);
        assert.deepEqual(errorsLogged(), []);
      });
    }

    const texts: [string, unknown][] = [
      ['a number', 42],
      ['an object', { text: 'help' }],
      ['an array', ['help']],
      ['null', null],
      ['true', true],
    ];
    for (const [name, text] of texts) {
      it(`a message whose text is ${name} gets a guest's answer, never "Something went wrong"`, async () => {
        const res = await bot.post({ ...personalMessage(bot.serviceUrl, stranger, 'help'), text });
        assert.equal(res.status, 200);
        const answer = cardText(onlyCard(bot.connector.sent()));
        assert.doesNotMatch(answer, somethingWentWrong);
        assert.match(answer, /What I can do for you here/);
        assert.deepEqual(errorsLogged(), []);
      });

      it(`a channel message that @mentions the bot and whose text is ${name} is answered, never with "Something went wrong"`, async () => {
        const res = await bot.post({ ...channelMessage(bot.serviceUrl, stranger, demo.newChannel, 'help'), text });
        assert.equal(res.status, 200);
        assert.doesNotMatch(cardText(onlyCard(bot.connector.sent())), somethingWentWrong);
        assert.deepEqual(errorsLogged(), []);
      });
    }

    const oddParts: [string, (a: Activity) => Activity][] = [
      ['a from.name that is a number', (a) => ({ ...a, from: { ...(a.from as object), name: 7 } })],
      ['entities that are an object', (a) => ({ ...a, entities: { type: 'mention' } })],
      ['a mention without whom it mentions', (a) => ({ ...a, entities: [{ type: 'mention', text: '<at>TAM Assistant</at>' }, null, { type: 3 }] })],
      ['channelData that is a string', (a) => ({ ...a, channelData: 'teams', conversation: { ...(a.conversation as object) } })],
      ['a conversation type that is a number', (a) => ({ ...a, conversation: { ...(a.conversation as object), conversationType: 1 } })],
    ];
    for (const [name, mutate] of oddParts) {
      it(`a message with ${name} is answered, never with "Something went wrong"`, async () => {
        const res = await bot.post(mutate(personalMessage(bot.serviceUrl, stranger, 'help')));
        assert.equal(res.status, 200);
        assert.doesNotMatch(cardText(onlyCard(bot.connector.sent())), somethingWentWrong);
        assert.deepEqual(errorsLogged(), []);
      });
    }
  });

  describe('an invoke no route knows', () => {
    const invoke = (name: string, value: unknown, user: TeamsUser = demo.users.alex): Activity => ({
      ...actionExecute(bot.serviceUrl, user, 'x', {}),
      name,
      value,
    });

    it('a card button with an unknown verb gets 200 and a card saying it is out of date, with Refresh', async () => {
      const res = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'escalation.frobnicate', { escalationId: 'ESC-CONTOSO-0001' }));
      assert.equal(res.status, 200);
      const card = invokeCard(res.body);
      assert.match(cardText(card), /This card is out of date/);
      assert.deepEqual(executeActions(card), [{ title: 'Refresh', verb: 'command.run', data: { command: 'help' } }]);
      assert.equal(bot.logs.filter((l) => l.event === 'invoke.unknown' && l.level === 'warn' && l.verb === 'escalation.frobnicate').length, 1);
      assert.deepEqual(errorsLogged(), []);

      // Refresh works: it runs "help".
      const refreshed = await bot.post(actionExecute(bot.serviceUrl, demo.users.alex, 'command.run', { command: 'help' }));
      assert.equal(refreshed.status, 200);
      assert.match(cardText(onlyCard(bot.connector.sent())), /What I can do for you here/);
    });

    it('a card button without a verb gets the same card', async () => {
      const res = await bot.post(invoke('adaptiveCard/action', { action: { type: 'Action.Execute' }, trigger: 'manual' }));
      assert.match(cardText(invokeCard(res.body)), /This card is out of date/);
    });

    const taskShaped = ['composeExtension/fetchTask', 'composeExtension/submitAction', 'task/fetch', 'task/submit'];
    for (const name of taskShaped) {
      it(`${name} for an unknown command gets 200 and a dialog message`, async () => {
        const res = await bot.post(invoke(name, { commandId: 'summariseThread', commandContext: 'message', data: {} }));
        assert.equal(res.status, 200);
        const task = (res.body as { task?: { type?: string; value?: unknown } }).task;
        assert.equal(task?.type, 'message');
        assert.match(String(task?.value), /no longer available/);
      });
    }

    it('composeExtension/query for an unknown command gets 200 and a message-extension message', async () => {
      const res = await bot.post(invoke('composeExtension/query', { commandId: 'searchCases', parameters: [{ name: 'q', value: 'vpn' }] }));
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body as object), ['composeExtension']);
      const result = (res.body as { composeExtension: { type: string; text: string } }).composeExtension;
      assert.equal(result.type, 'message');
      assert.match(result.text, /no longer available/);
    });

    for (const name of ['application/search', 'config/fetch', 'actionableMessage/executeAction', '']) {
      it(`"${name}" gets 200 with an empty body`, async () => {
        const res = await bot.post(invoke(name, {}));
        assert.equal(res.status, 200);
        assert.equal(res.body, undefined);
        assert.deepEqual(errorsLogged(), []);
      });
    }

    it('"Escalate this message" still opens its dialog and opens the escalation', async () => {
      const where = { channel: demo.contosoChannel };
      const messagePayload = { id: '1700000000001', body: { contentType: 'html', content: '<p>Printers offline in Leeds.</p>' }, from: { user: { id: '29:adele', displayName: 'Adele Vance' } } };
      const fetched = await bot.post({ ...actionExecute(bot.serviceUrl, demo.users.adele, 'x', {}, where), name: 'composeExtension/fetchTask', value: { commandId: 'escalateMessage', commandContext: 'message', messagePayload } });
      assert.equal(fetched.status, 200);
      const task = (fetched.body as { task: { type: string; value: { card: { content: unknown } } } }).task;
      assert.equal(task.type, 'continue');
      assert.match(cardText(task.value.card.content), /Open an escalation/);

      const data = { title: 'Printers offline in Leeds', description: 'All 12 printers.', severity: 'C', product: 'Windows Server', businessImpact: '', contactPhone: '', supportCaseId: '' };
      const submitted = await bot.post({ ...actionExecute(bot.serviceUrl, demo.users.adele, 'x', {}, where), name: 'composeExtension/submitAction', value: { commandId: 'escalateMessage', commandContext: 'message', data } });
      assert.equal(submitted.status, 200);
      const done = (submitted.body as { task: { type: string; value: string } }).task;
      assert.equal(done.type, 'message');
      const id = /ESC-CONTOSO-\d{4}/.exec(done.value)?.[0];
      assert.ok(id, done.value);
      assert.equal((await bot.running.repositories.escalations.get('contoso', id))?.title, 'Printers offline in Leeds');
      await bot.running.background.idle();
    });
  });

  describe('required text made only of invisible characters', () => {
    const intake = { severity: 'C', product: 'Windows Server', businessImpact: '', contactPhone: '', supportCaseId: '' };
    const create = (data: Record<string, unknown>) =>
      bot.post(actionExecute(bot.serviceUrl, demo.users.adele, 'escalation.create', { ...intake, ...data }, { channel: demo.contosoChannel, replyToId: 'intake-1' }));
    const openTitles = async () => (await bot.running.repositories.escalations.listOpen('contoso')).map((e) => e.title);

    it('an escalation titled only with zero-width spaces and bidi controls gets the title error and is not stored', async () => {
      const before = await openTitles();
      const res = await create({ title: '\u200B\u200B\u200B\u202E\u2066\uFEFF\u0000', description: 'Real description.' });
      assert.equal(res.status, 200);
      assert.match(cardText(invokeCard(res.body)), /Give the escalation a title\./);
      assert.deepEqual(await openTitles(), before);
    });

    it('a description with NUL characters is stored without them', async () => {
      const res = await create({ title: '\u200BDisk\u0000 full on FS01\u200B', description: 'Drive D:\u0000 is at 100%.\u0000\nBackups fail.' });
      assert.equal(res.status, 200);
      const stored = (await bot.running.repositories.escalations.listOpen('contoso')).find((e) => e.title === 'Disk full on FS01');
      assert.ok(stored, 'stored with the cleaned title');
      assert.equal(stored.description, 'Drive D: is at 100%.\nBackups fail.');
      assert.doesNotMatch(JSON.stringify(stored), /\\u0000/);
      await bot.running.background.idle();
    });
  });

  describe('tenant facts', () => {
    const alex = demo.users.alex;
    const foreign = demo.users.outsider.tenantId;
    const withTenants = (conversationTenant: string | undefined, channelDataTenant: string | undefined, activity: Activity): Activity => {
      const conversation = { ...(activity.conversation as Record<string, unknown>) };
      delete conversation.tenantId;
      if (conversationTenant) conversation.tenantId = conversationTenant;
      return { ...activity, conversation, channelData: channelDataTenant ? { tenant: { id: channelDataTenant } } : {} };
    };

    it('a message whose two tenants disagree is dropped before any handler, and logged once at warn', async () => {
      const before = await storeImage(bot);
      const res = await bot.post(withTenants(foreign, demo.tenantId, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.equal(res.status, 200);
      assert.equal(bot.connector.calls.length, 0);
      assert.equal(await storeImage(bot), before);
      const dropped = bot.logs.filter((l) => l.event === 'turn.activity_dropped');
      assert.equal(dropped.length, 1);
      assert.equal(dropped[0]?.level, 'warn');
      assert.equal(dropped[0]?.reason, 'tenant_mismatch');
      assert.equal(dropped[0]?.conversationTenantId, foreign);
      assert.equal(dropped[0]?.channelDataTenantId, demo.tenantId);
    });

    it('the same holds the other way round, and for a card action (200, empty body)', async () => {
      const res = await bot.post(withTenants(demo.tenantId, foreign, actionExecute(bot.serviceUrl, alex, 'command.run', { command: 'help' })));
      assert.equal(res.status, 200);
      assert.equal(res.body, undefined);
      assert.equal(bot.connector.calls.length, 0);
      assert.equal(bot.logs.filter((l) => l.event === 'turn.activity_dropped' && l.reason === 'tenant_mismatch').length, 1);
    });

    it('an install whose tenants disagree records no conversation', async () => {
      const megan = demo.users.megan;
      await bot.post(withTenants(foreign, demo.tenantId, installationUpdate(bot.serviceUrl, megan, 'add')));
      assert.equal(await bot.running.repositories.conversations.getPersonal(megan), undefined);
      assert.equal(bot.connector.calls.length, 0);
    });

    it('with only the conversation tenant, that tenant decides', async () => {
      await bot.post(withTenants(demo.tenantId, undefined, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.match(cardText(onlyCard(bot.connector.sent())), new RegExp(demo.tenantId));
      bot.connector.reset();
      await bot.post(withTenants(foreign, undefined, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.equal(bot.connector.calls.length, 0, 'a tenant nobody allowed is refused');
      assert.ok(bot.logs.some((l) => l.event === 'turn.tenant_refused' && l.tenantId === foreign));
    });

    it('with only the channelData tenant, that tenant decides', async () => {
      await bot.post(withTenants(undefined, demo.tenantId, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.match(cardText(onlyCard(bot.connector.sent())), new RegExp(demo.tenantId));
      bot.connector.reset();
      await bot.post(withTenants(undefined, foreign, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.equal(bot.connector.calls.length, 0);
    });

    it('with neither tenant, the activity is dropped', async () => {
      const res = await bot.post(withTenants(undefined, undefined, personalMessage(bot.serviceUrl, alex, 'whoami')));
      assert.equal(res.status, 200);
      assert.equal(bot.connector.calls.length, 0);
      assert.equal(bot.logs.filter((l) => l.event === 'turn.activity_dropped' && l.reason === 'no_tenant').length, 1);
    });
  });

  describe('the listening address', () => {
    it('binds to 127.0.0.1 by default without channel authentication, and the start-up line says so', async () => {
      const local = await TestBot.start({ env: { HOST: '' } });
      try {
        assert.equal(local.running.address, '127.0.0.1');
        assert.match(local.running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const started = local.logs.find((l) => l.event === 'bot.started');
        assert.equal(started?.address, '127.0.0.1');
        assert.match(String(started?.message), new RegExp(`^Listening on http://127\\.0\\.0\\.1:${local.running.port}/api/messages;`));
        assert.equal((await fetch(`http://127.0.0.1:${local.running.port}/healthz`)).status, 200);
      } finally {
        await local.close();
      }
    });

    it('names the address the name in HOST resolved to', async () => {
      const named = await TestBot.start({ env: { HOST: 'localhost' } });
      try {
        const started = named.logs.find((l) => l.event === 'bot.started');
        assert.ok(['127.0.0.1', '::1'].includes(named.running.address), named.running.address);
        assert.equal(started?.address, named.running.address);
        assert.doesNotMatch(String(started?.message), /localhost/);
      } finally {
        await named.close();
      }
    });
  });
});

describe('refused requests with channel authentication on', () => {
  const authority = new ChannelAuthority();
  let bot: TestBot;

  before(async () => {
    await authority.start();
    bot = await startAuthenticatedBot(authority);
  });

  after(async () => {
    await bot.close();
    await authority.stop();
  });

  beforeEach(() => {
    bot.connector.reset();
    bot.logs.length = 0;
  });

  /** Posts with console output watched: a refusal must be one log line, and nothing on the console. */
  async function postWatched(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; printed: number }> {
    const stubs = [sinon.stub(console, 'error'), sinon.stub(console, 'warn'), sinon.stub(console, 'log')];
    try {
      const response = await fetch(`${bot.running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      await response.text();
      return { status: response.status, printed: stubs.reduce((n, s) => n + s.callCount, 0) };
    } finally {
      for (const stub of stubs) stub.restore();
    }
  }

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: [string, () => unknown, () => Record<string, string>, number][] = [
    ['an empty {} body without a token', () => ({}), () => ({}), 401],
    ['an empty {} body with a garbage token', () => ({}), () => ({ authorization: 'Bearer not.a.token' }), 401],
    ['an activity without a token', () => personalMessage(bot.serviceUrl, demo.users.alex, 'help'), () => ({}), 401],
    ['an activity with an expired token', () => personalMessage(bot.serviceUrl, demo.users.alex, 'help'), () => ({ authorization: `Bearer ${authority.token({ serviceUrl: bot.serviceUrl, claims: { exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 } })}` }), 401],
    ['an activity signed with the wrong key', () => personalMessage(bot.serviceUrl, demo.users.alex, 'help'), () => ({ authorization: `Bearer ${authority.token({ serviceUrl: bot.serviceUrl, key: authority.strangerKey })}` }), 401],
    ['a JSON array body', () => [1, 2], () => ({}), 401],
    ['a body that is not JSON', () => '{"type": "message",', () => ({}), 400],
    ['a valid token with a body that has no type', () => ({ serviceUrl: bot.serviceUrl, channelId: 'msteams' }), () => ({ authorization: `Bearer ${authority.token({ serviceUrl: bot.serviceUrl })}` }), 400],
  ];
  for (const [name, body, headers, status] of refusals) {
    it(`refuses ${name} with ${status}, as exactly one JSON log line and nothing on the console`, async () => {
      const result = await postWatched(body(), headers());
      assert.equal(result.status, status);
      assert.equal(result.printed, 0, 'nothing printed on the console');
      assert.equal(bot.logs.length, 1, JSON.stringify(bot.logs));
      assert.equal(bot.logs[0]?.event, 'http.request_refused');
      assert.equal(bot.logs[0]?.level, 'warn');
      assert.equal(bot.logs[0]?.status, status);
      assert.equal(bot.connector.calls.length, 0);
      assert.doesNotMatch(JSON.stringify(bot.logs), /eyJ/, 'no token in the log');
    });
  }

  it('drops only the token refusal the library prints: other console output still shows', async () => {
    const error = sinon.stub(console, 'error');
    try {
      const expired = authority.token({ serviceUrl: bot.serviceUrl, claims: { exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 } });
      const response = await fetch(`${bot.running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${expired}` }, body: JSON.stringify(personalMessage(bot.serviceUrl, demo.users.alex, 'help')) });
      await response.text();
      assert.equal(response.status, 401);
      console.error('a line of some other part');
      console.error(new Error('another failure'));
      assert.deepEqual(error.args.map((a) => (a[0] instanceof Error ? a[0].message : a[0]) as unknown), ['a line of some other part', 'another failure']);
    } finally {
      error.restore();
    }
  });

  it('still answers an activity with a valid token', async () => {
    const result = await postWatched(personalMessage(bot.serviceUrl, demo.users.alex, 'help'), { authorization: `Bearer ${authority.token({ serviceUrl: bot.serviceUrl })}` });
    assert.equal(result.status, 200);
    assert.match(cardText(onlyCard(bot.connector.sent())), /What I can do for you here/);
  });
});
