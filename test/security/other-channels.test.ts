import assert from 'node:assert/strict';
import { AppCredentials } from 'botframework-connector';
import { startEmulator, type Emulator } from '../../emulator/index';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { channelAuthEnv, execute, fixtureActor, message, personalChat, post } from './support/attack';

const LAUNCH_CHAT = '19:group-launch@thread.v2';

describe('threat: a correctly signed Web Chat or Direct Line activity is served as if it came from Teams', function () {
  let emulator: Emulator;
  let h: Harness;
  const alex = fixtureActor('alex');

  before(async () => {
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    // botframework-connector caches bot tokens process-wide; another suite's emulator's must not be reused.
    (AppCredentials as unknown as { cache: Map<string, unknown> }).cache.clear();
    h = await startHarness({ sharedEmulator: emulator, env: channelAuthEnv(emulator) });
  });
  after(async () => {
    await h?.stop();
    await emulator?.stop();
  });
  beforeEach(() => h.reset());

  /** Alex's migrate command as `channelId` would carry it, signed by a key endorsed for that channel. */
  function signedCommand(channelId: string, keyId: 'multichannel' | 'unendorsed' = 'multichannel') {
    const activity = message(emulator, alex, personalChat('alex'), `migrate chat ${LAUNCH_CHAT} since 2020-01-01`);
    activity.channelId = channelId;
    return { activity, token: emulator.signChannelToken({ serviceUrl: String(activity.serviceUrl), keyId }) };
  }

  it('serves a Teams activity signed with a key that endorses msteams, webchat and directline (authentication itself passes)', async () => {
    const { activity, token } = signedCommand('msteams');
    activity.text = `status chat ${LAUNCH_CHAT}`;
    const res = await post(h.bot.url, activity, token);
    assert.equal(res.status, 200);
    assert.ok(emulator.connector.sent('a:personal-alex').length >= 1, 'the status reply was sent');
  });

  for (const channelId of ['webchat', 'directline']) {
    it(`refuses a signed ${channelId} message before any handler: 403, no Graph call, no reply, no ledger line, a warning in the log`, async () => {
      const ledgerBefore = (await h.bot.store.queryLedger({ limit: 1000 })).length;
      const { activity, token } = signedCommand(channelId);
      const res = await post(h.bot.url, activity, token);
      assert.equal(res.status, 403);
      assert.match((res.body as { error: string }).error, /serves Microsoft Teams \(channel msteams\) only/);
      assert.deepEqual(emulator.requests({ service: 'graph' }), [], 'not even the admin check reached Graph');
      assert.deepEqual(emulator.requests({ service: 'connector' }), [], 'no card or message was sent');
      assert.equal(emulator.thread(LAUNCH_CHAT)!.startMigrationCalls, 0);
      assert.equal((await h.bot.store.queryLedger({ limit: 1000 })).length, ledgerBefore);
      assert.ok(
        h.logs.some((l) => l.includes('only the msteams channel is served') && l.includes(`"channelId":"${channelId}"`)),
        'a warning names the channel',
      );
    });

    it(`refuses a signed ${channelId} card press (Action.Execute invoke) the same way`, async () => {
      const activity = execute(emulator, alex, personalChat('alex'), '1', 'confirm', { opId: 'AAAAAAAAAAAAAAAAAAAAAA' });
      activity.channelId = channelId;
      const res = await post(h.bot.url, activity, emulator.signChannelToken({ serviceUrl: String(activity.serviceUrl), keyId: 'multichannel' }));
      assert.equal(res.status, 403);
      assert.deepEqual(emulator.requests({ service: 'graph' }), []);
      assert.deepEqual(emulator.requests({ service: 'connector' }), []);
    });
  }

  it('refuses a webchat activity signed with a key endorsed for webchat only, and one with a made-up or missing channel id', async () => {
    // botbuilder prints every key it has for a token whose key lacks the endorsement; keep the run's output readable.
    const realWrite = process.stderr.write;
    process.stderr.write = () => true;
    try {
      await refuseOddChannels();
    } finally {
      process.stderr.write = realWrite;
    }
  });

  async function refuseOddChannels(): Promise<void> {
    const webchatOnly = signedCommand('webchat', 'unendorsed');
    assert.equal((await post(h.bot.url, webchatOnly.activity, webchatOnly.token)).status, 403);
    for (const channelId of ['MSTeams', 'emulator', undefined]) {
      const { activity, token } = signedCommand('msteams');
      if (channelId === undefined) delete activity.channelId;
      else activity.channelId = channelId;
      const res = await post(h.bot.url, activity, token);
      // botbuilder itself refuses a key that does not endorse the channel (401); the rest get 403, or 400 without a channel.
      assert.ok([400, 401, 403].includes(res.status), `${channelId}: ${res.status}`);
      assert.equal(typeof (res.body as { error?: unknown } | null)?.error === 'string' || res.status === 401, true, `${channelId}: a message says why`);
    }
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
    assert.deepEqual(emulator.requests({ service: 'connector' }), []);
  }
});
