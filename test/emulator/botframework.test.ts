import * as assert from 'node:assert/strict';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, TeamsInfo, type Activity, type TurnContext } from 'botbuilder';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import * as restify from 'restify';
import { TeamsClient, type Emulator } from '../../emulator/index';
import { claimsOf, useEmulator } from './helpers';

const CARD = 'application/vnd.microsoft.card.adaptive';

/** Runs a call with console output muted: botbuilder prints every refused token (and its keys). */
async function quietly<T>(call: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line no-console -- silencing botbuilder's console output is what this helper is for
  const saved = { log: console.log, error: console.error, warn: console.warn };
  // eslint-disable-next-line no-console -- (as above) muted here, restored in finally
  console.log = console.error = console.warn = () => undefined;
  try {
    return await call();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * A minimal botbuilder bot wired to the emulator exactly as platform-notes describe: all seven
 * Bot Framework endpoints redirected, outbound tokens from an MSAL client that knows the emulator.
 * It records what it received, replies with a card, updates the card, and asks Teams about the team.
 */
async function startEchoBot(em: Emulator) {
  const msal = new ConfidentialClientApplication({
    auth: { clientId: em.info.bot.appId, clientSecret: em.info.bot.password, authority: em.info.bot.loginUrl, knownAuthorities: [`127.0.0.1:${em.port}`] },
  });
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: em.info.bot.appId,
      MicrosoftAppPassword: em.info.bot.password,
      MicrosoftAppType: 'MultiTenant',
      ToChannelFromBotLoginUrl: em.info.bot.loginUrl,
      ToChannelFromBotOAuthScope: em.info.bot.oauthScope,
      ToBotFromChannelTokenIssuer: em.info.bot.tokenIssuer,
      OAuthUrl: `${em.baseUrl}/botframework`,
      ToBotFromChannelOpenIdMetadataUrl: em.info.bot.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: em.info.bot.openIdMetadataUrl,
      CallerId: 'urn:botframework:azure',
    },
    new MsalServiceClientCredentialsFactory(em.info.bot.appId, msal as any),
  );
  const adapter = new CloudAdapter(auth);
  const received: Partial<Activity>[] = [];
  const teamDetails: unknown[] = [];
  const logic = async (ctx: TurnContext) => {
    received.push(ctx.activity);
    if (ctx.activity.type === (ActivityTypes.Invoke as string)) {
      await ctx.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: {
          status: 200,
          body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `done ${ctx.activity.value?.action?.verb}` },
        },
      });
      return;
    }
    if (ctx.activity.type !== (ActivityTypes.Message as string)) return;
    if (ctx.activity.conversation.conversationType === 'channel') teamDetails.push(await TeamsInfo.getTeamDetails(ctx));
    const sent = await ctx.sendActivity({
      type: 'message',
      text: `echo: ${ctx.activity.text}`,
      attachments: [{ contentType: CARD, content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'v1' }] } }],
    });
    await ctx.updateActivity({
      id: sent?.id,
      type: 'message',
      attachments: [{ contentType: CARD, content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'v2' }] } }],
    });
  };
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await adapter.process(req, res, logic);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = server.address().port;
  return { url: `http://127.0.0.1:${port}/api/messages`, received, teamDetails, close: () => server.close() };
}

describe('emulated Bot Framework: a real botbuilder bot talks to Teams through the emulator', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  let bot: Awaited<ReturnType<typeof startEchoBot>>;
  let teams: TeamsClient;
  before(async () => {
    bot = await startEchoBot(emulator());
    teams = new TeamsClient({ emulator: emulator(), botUrl: bot.url, signTokens: true });
  });
  beforeEach(() => {
    bot.received.length = 0;
    bot.teamDetails.length = 0;
  });
  after(() => bot.close());

  it('Alex @mentions the bot in a channel: a Teams-shaped activity is accepted and the reply reaches the connector with a bot token', async () => {
    const em = emulator();
    const channel = teams.as('alex').inChannel('My Team', 'Announcements');
    const result = await channel.says('hello');
    assert.equal(result.status, 200);
    const a = bot.received[0];
    assert.equal(a.channelId, 'msteams');
    assert.equal(a.serviceUrl, em.connectorUrl);
    assert.deepEqual(a.from, { id: '29:alex', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-000000000020' });
    assert.match(a.conversation?.id ?? '', /^19:myteam-announcements@thread\.tacv2;messageid=\d+$/);
    assert.equal(a.conversation?.conversationType, 'channel');
    assert.equal(a.channelData.team.id, '19:myteam-general@thread.tacv2');
    assert.equal(a.channelData.team.aadGroupId, '00000000-0000-0000-0000-000000000031');
    assert.equal(a.channelData.channel.id, '19:myteam-announcements@thread.tacv2');
    assert.equal(a.channelData.tenant.id, em.info.tenantId);
    assert.equal(a.text, '<at>Migration Bot</at> hello');
    assert.ok(a.entities?.some((e) => e.type === 'mention' && e.mentioned.id === `28:${em.info.bot.appId}`));
    assert.ok(a.entities?.some((e) => e.type === 'clientInfo' && e.timezone === 'Europe/Berlin'));

    assert.equal(channel.lastReply()?.text, 'echo: <at>Migration Bot</at> hello');
    assert.equal(channel.lastReply()?.replyToId, a.id);
    assert.equal((channel.lastCard() as { body: { text: string }[] }).body[0].text, 'v2', 'lastCard reflects the update');
    const auth = em.connector.authorizations();
    assert.ok(auth.length >= 3 && auth.every((h) => h?.startsWith('Bearer ')));
    const claims = claimsOf((auth[0] as string).slice(7));
    assert.equal(claims.aud, 'https://api.botframework.com');
    assert.equal(claims.appid, em.info.bot.appId);
  });

  it('answers TeamsInfo.getTeamDetails with the Graph team id, as Teams does', async () => {
    await teams.as('alex').inChannel('My Team', 'General', { includeAadGroupId: false }).says('details');
    assert.deepEqual(bot.teamDetails[0], {
      id: '19:myteam-general@thread.tacv2',
      name: 'My Team',
      aadGroupId: '00000000-0000-0000-0000-000000000031',
      tenantId: '00000000-0000-0000-0000-000000000001',
    });
    assert.equal((bot.received[0] as any).channelData.team.aadGroupId, undefined);
  });

  it('sends personal chats and group chats with the project conventions, and Olga with her own tenant', async () => {
    const em = emulator();
    await teams.as('megan').inPersonalChat().says('hi');
    await teams.as('lynne').inGroupChat('19:group-launch@thread.v2').says('hi there');
    await teams.as('olga').inPersonalChat().says('hallo', { localTimezone: 'America/New_York' });
    const [personal, group, olga] = bot.received;
    assert.deepEqual([personal.conversation?.id, personal.conversation?.conversationType, personal.text], ['a:personal-megan', 'personal', 'hi']);
    assert.deepEqual(
      [group.conversation?.id, group.conversation?.conversationType, group.text],
      ['19:group-launch@thread.v2', 'groupChat', '<at>Migration Bot</at> hi there'],
    );
    assert.equal(olga.channelData.tenant.id, em.info.foreignTenantId);
    assert.equal(olga.conversation?.tenantId, em.info.foreignTenantId);
    assert.equal(olga.localTimezone, 'America/New_York');
  });

  it('delivers Action.Execute invokes and returns the invoke response', async () => {
    const chat = teams.as('alex').inPersonalChat();
    const result = await chat.executes('1234', 'confirm', { pendingId: 'p1' });
    assert.equal(result.status, 200);
    assert.equal((result.body as { value?: unknown }).value, 'done confirm');
    const a = bot.received[0];
    assert.deepEqual(
      [a.type, a.name, a.replyToId, a.value.action.verb, a.value.action.data.pendingId],
      ['invoke', 'adaptiveCard/action', '1234', 'confirm', 'p1'],
    );
  });

  it('delivers Action.Submit as a message with a value', async () => {
    await teams.as('alex').inPersonalChat().submits('1234', { verb: 'cancel' });
    const a = bot.received[0];
    assert.deepEqual([a.type, a.replyToId, a.value.verb], ['message', '1234', 'cancel']);
  });

  // botbuilder 4.23 answers 401 for every refusal except a bad signature, which escapes as a 500.
  const refused: [string, number, (em: Emulator) => string | null][] = [
    ['no token', 401, () => null],
    ['a key without the msteams endorsement', 401, (em) => em.signChannelToken({ serviceUrl: em.connectorUrl, keyId: 'unendorsed' })],
    ['a key the channel never published', 500, (em) => em.signChannelToken({ serviceUrl: em.connectorUrl, keyId: 'foreign' })],
    ['another audience', 401, (em) => em.signChannelToken({ serviceUrl: em.connectorUrl, audience: 'someone-else' })],
    ['another issuer', 401, (em) => em.signChannelToken({ serviceUrl: em.connectorUrl, issuer: 'https://evil.example' })],
    ['an expired token', 401, (em) => em.signChannelToken({ serviceUrl: em.connectorUrl, expiresInSeconds: -600 })],
    ['a serviceurl claim that does not match', 401, (em) => em.signChannelToken({ serviceUrl: 'https://evil.example/' })],
  ];
  for (const [name, status, token] of refused) {
    it(`the bot refuses an activity signed with ${name} and sends nothing`, async () => {
      const em = emulator();
      const chat = teams.as('alex').inPersonalChat();
      const before = em.connector.sent().length;
      const result = await chat.says('hello', {}).then(() =>
        quietly(() =>
          chat.post(
            {
              type: 'message',
              text: 'x',
              channelId: 'msteams',
              serviceUrl: em.connectorUrl,
              from: { id: '29:alex', aadObjectId: '00000000-0000-0000-0000-000000000020' },
              recipient: { id: `28:${em.info.bot.appId}` },
              conversation: { id: 'a:personal-alex', conversationType: 'personal', tenantId: em.info.tenantId },
              channelData: { tenant: { id: em.info.tenantId } },
              id: 'x1',
            },
            { token: token(em) },
          ),
        ),
      );
      assert.equal(result.status, status);
      assert.equal(bot.received.length, 1, 'the refused activity never reached the bot logic');
      assert.equal(em.connector.sent().length, before + 1, 'only the properly signed first message was answered');
    });
  }
});
