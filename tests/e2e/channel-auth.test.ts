import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ConnectorClient, UserTokenClient } from 'botframework-connector';
import type { TurnContext } from 'botbuilder';
import { installationUpdate, personalMessage } from '../support/activities';
import { ChannelAuthority, startAuthenticatedBot } from '../support/channel-auth';
import { demo, type TestBot } from '../support/test-bot';

describe('Bot Framework channel authentication (offline, real token validation)', () => {
  const authority = new ChannelAuthority();
  let bot: TestBot;
  let quiet: sinon.SinonStub;

  before(async () => {
    // The SDK prints every refused token with console.error; the tests assert on the responses instead.
    quiet = sinon.stub(console, 'error');
    await authority.start();
    bot = await startAuthenticatedBot(authority);
  });

  after(async () => {
    await bot.close();
    await authority.stop();
    quiet.restore();
  });

  beforeEach(() => bot.connector.reset());

  async function postWith(authorization: string | undefined, user = demo.users.megan): Promise<number> {
    const activity = installationUpdate(bot.serviceUrl, user, 'add');
    const res = await bot.post(activity, authorization === undefined ? {} : { authorization });
    return res.status;
  }

  it('says channel authentication is on at start-up, and never logs the secret', () => {
    assert.ok(bot.logs.some((l) => l.event === 'bot.started' && l.authentication === 'on'));
    assert.doesNotMatch(JSON.stringify(bot.logs), /not-used-offline/);
  });

  it('accepts a token signed by the channel key for this bot and this service URL', async () => {
    const status = await postWith(`Bearer ${authority.token({ serviceUrl: bot.serviceUrl })}`);
    assert.equal(status, 200);
    assert.equal(bot.connector.sent().length, 1, 'the welcome card was sent');
    assert.ok(await bot.running.repositories.conversations.getPersonal(demo.users.megan));
  });

  it('builds the connector and user-token clients once, not on every turn, and still sends with a token', async () => {
    const seen: { connector: unknown; tokens: unknown }[] = [];
    const adapter = bot.running.bot.adapter;
    const watch = async (context: TurnContext, next: () => Promise<void>): Promise<void> => {
      seen.push({ connector: context.turnState.get(adapter.ConnectorClientKey), tokens: context.turnState.get(adapter.UserTokenClientKey) });
      await next();
    };
    adapter.use(watch);
    for (let i = 0; i < 3; i += 1) {
      const res = await bot.post(personalMessage(bot.serviceUrl, demo.users.megan, 'help'), { authorization: `Bearer ${authority.token({ serviceUrl: bot.serviceUrl })}` });
      assert.equal(res.status, 200);
    }
    assert.equal(seen.length, 3);
    assert.ok(seen[0]!.connector instanceof ConnectorClient && seen[0]!.tokens instanceof UserTokenClient);
    for (const turn of seen) {
      assert.equal(turn.connector, seen[0]!.connector, 'the same connector client on every turn');
      assert.equal(turn.tokens, seen[0]!.tokens, 'the same user-token client on every turn');
    }
    assert.equal(bot.connector.sent().length, 3, 'each help card was sent');
  });

  const refused: [string, (serviceUrl: string) => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['an expired token', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200, nbf: Math.floor(Date.now() / 1000) - 7200 } })}`],
    ['a token for another bot (audience)', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, claims: { aud: '11111111-2222-3333-4444-555555555555' } })}`],
    ['a token from another issuer', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, claims: { iss: 'https://sts.example.com/' } })}`],
    ['a token for another service URL', () => `Bearer ${authority.token({ serviceUrl: 'https://smba.trafficmanager.net/emea/' })}`],
    ['a key not endorsed for msteams', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, header: { kid: authority.unendorsedKeyId } })}`],
    ['a token signed with the wrong key', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, key: authority.strangerKey })}`],
    ['an HS256 token', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, key: 'hs256' })}`],
    ['an unsigned token (alg none)', (serviceUrl) => `Bearer ${authority.token({ serviceUrl, key: 'none' })}`],
    ['a garbage header', () => 'Bearer not.a.token'],
    ['a header that is not Bearer', (serviceUrl) => `Basic ${authority.token({ serviceUrl })}`],
  ];
  for (const [name, header] of refused) {
    it(`refuses ${name} with 401, runs no handler and writes nothing`, async () => {
      const user = demo.users.adele;
      const status = await postWith(header(bot.serviceUrl), user);
      assert.equal(status, 401);
      assert.equal(bot.connector.calls.length, 0);
      assert.equal(await bot.running.repositories.conversations.getPersonal(user), undefined);
    });
  }
});
