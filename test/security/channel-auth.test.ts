import assert from 'node:assert/strict';
import { AppCredentials } from 'botframework-connector';
import { startEmulator, TeamsClient, type ChannelTokenClaims, type Emulator } from '../../emulator/index';
import { ConfigError, loadConfig } from '../../src/config/config';
import type { Harness } from '../support/harness';
import { lastReplyText, startHarness } from '../support/harness';
import { channelAuthEnv, message, personalChat, fixtureActor, post, secretLeaks } from './support/attack';

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

describe('threat: forged channel tokens', function () {
  let emulator: Emulator;
  let h: Harness;
  let signed: TeamsClient;
  /** What botbuilder wrote to stderr while refusing tokens (it logs rejections with console.error). */
  const stderr: string[] = [];
  const realWrite = process.stderr.write;

  before(async () => {
    // Captured, not echoed: botbuilder prints a stack trace for every refused token.
    process.stderr.write = (chunk: string | Uint8Array) => {
      stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    // botframework-connector caches bot tokens process-wide (AppCredentials.cache, keyed by app id
    // and scope); a token another suite's emulator issued must not stand in for this one's.
    (AppCredentials as unknown as { cache: Map<string, unknown> }).cache.clear();
    h = await startHarness({ sharedEmulator: emulator, env: channelAuthEnv(emulator) });
    signed = new TeamsClient({ emulator, botUrl: `${h.bot.url}/api/messages`, signTokens: true });
  });
  after(async () => {
    process.stderr.write = realWrite;
    await h?.stop();
    await emulator?.stop();
  });
  beforeEach(() => h.reset());

  it('runs with channel authentication on (an app id is configured, local mode is off)', () => {
    assert.equal(h.bot.config.localMode, false);
    assert.equal(h.bot.config.bot.appId, emulator.info.bot.appId);
  });

  it('will not start without an app id (authentication off) unless LOCAL_MODE says so, and then binds 127.0.0.1 only', () => {
    const env = { GRAPH_TENANT_ID: emulator.info.tenantId, GRAPH_CLIENT_ID: emulator.info.migrationApp.clientId, GRAPH_CLIENT_SECRET: 'x' };
    assert.throws(
      () => loadConfig(env),
      (err: Error) => err instanceof ConfigError && /BOT_ID is required/.test(err.message),
    );
    assert.equal(loadConfig({ ...env, LOCAL_MODE: 'true', LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true' }).host, '127.0.0.1');
  });

  it('serves an activity signed by the channel, and replies with a bearer token from the bot token endpoint', async () => {
    const alex = signed.as('alex').inPersonalChat();
    const res = await alex.says('status chat 19:group-launch@thread.v2');
    assert.equal(res.status, 200);
    assert.match(lastReplyText(alex), /Status: Launch planning/);
    const auths = emulator.connector.authorizations();
    assert.ok(auths.length >= 1, 'the reply reached the connector');
    for (const header of auths) {
      assert.ok(header?.startsWith('Bearer '), 'every connector call carries a bearer token');
      const claims = payloadOf(header!.slice('Bearer '.length));
      assert.equal(claims.aud, emulator.info.bot.oauthScope, 'the token is for the Bot Framework, not for Graph');
      assert.equal(claims.appid, emulator.info.bot.appId, 'the token is the bot identity, not the migration app');
    }
    assert.ok(emulator.tokenCount(emulator.info.bot.appId) >= 1, 'the bot fetched its token from the emulated bot token endpoint');
  });

  const forgeries: { name: string; token: (serviceUrl: string) => string | undefined; serviceUrl?: string }[] = [
    { name: 'no token at all', token: () => undefined },
    { name: 'a token that is not a JWT', token: () => 'not-a-jwt' },
    { name: 'a bad signature (key not published by the channel)', token: (s) => emulator.signChannelToken({ serviceUrl: s, keyId: 'foreign' }) },
    { name: 'an expired token (beyond the 5 minute clock skew)', token: (s) => emulator.signChannelToken({ serviceUrl: s, expiresInSeconds: -3600 }) },
    {
      name: 'a token for another bot (wrong audience)',
      token: (s) => emulator.signChannelToken({ serviceUrl: s, audience: 'bbbbbbbb-0000-0000-0000-0000000000ff' }),
    },
    { name: 'a token from another issuer', token: (s) => emulator.signChannelToken({ serviceUrl: s, issuer: 'https://evil.example.com' }) },
    { name: 'a key not endorsed for msteams', token: (s) => emulator.signChannelToken({ serviceUrl: s, keyId: 'unendorsed' } satisfies ChannelTokenClaims) },
    {
      name: 'a serviceUrl the token does not cover',
      token: () => emulator.signChannelToken({ serviceUrl: emulator.connectorUrl }),
      serviceUrl: 'https://evil.example.com/connector/',
    },
    {
      name: 'a token for the right serviceUrl host but another path',
      token: () => emulator.signChannelToken({ serviceUrl: `${emulator.baseUrl}/elsewhere/` }),
    },
  ];

  for (const forgery of forgeries) {
    it(`refuses ${forgery.name} with 401, and no handler runs`, async () => {
      const activity = message(emulator, fixtureActor('alex'), personalChat('alex'), 'migrate chat 19:group-launch@thread.v2 since 2020-01-01');
      if (forgery.serviceUrl) activity.serviceUrl = forgery.serviceUrl;
      const res = await post(h.bot.url, activity, forgery.token(String(activity.serviceUrl)));
      assert.equal(res.status, 401);
      assert.deepEqual(emulator.requests({ service: 'graph' }), [], 'nothing reached Graph (not even the admin check)');
      assert.deepEqual(emulator.requests({ service: 'connector' }), [], 'nothing reached the connector');
      assert.equal(emulator.thread('19:group-launch@thread.v2')!.startMigrationCalls, 0);
    });
  }

  it('refuses a card press (Action.Execute invoke) with a token for another bot the same way', async () => {
    const alex = signed.as('alex').inPersonalChat();
    const forged = emulator.signChannelToken({ serviceUrl: emulator.connectorUrl, audience: 'bbbbbbbb-0000-0000-0000-0000000000ff' });
    const activity = message(emulator, fixtureActor('alex'), personalChat('alex'), '');
    const invoke = {
      ...activity,
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'confirm', data: { opId: 'AAAAAAAAAAAAAAAAAAAAAA' } } },
    };
    const res = await alex.post(invoke, { token: forged });
    assert.equal(res.status, 401);
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
  });

  it('the rejected tokens are not echoed to stderr or into the bot log', () => {
    const leaks = [...stderr, ...h.logs].flatMap((line) => secretLeaks(line));
    assert.deepEqual(leaks, []);
  });
});
