import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { TurnContext } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/log/logger';
import { fullBucket, senderKey, slowDownText, takeToken, UserCommandLimiter } from '../../src/teams/user-command-limiter';

const limits = { perMinute: 60, burst: 3 };

/** A turn context that records what the limiter sends, for an activity of `type` from `aadObjectId`. */
function turn(type: string, aadObjectId = 'OID-1', tenant = 'T-1') {
  const sent: { type?: string; text?: string; value?: unknown }[] = [];
  const context = {
    activity: { type, from: { id: '29:x', aadObjectId }, channelData: { tenant: { id: tenant } }, conversation: { id: 'c' } },
    sendActivity: async (a: unknown) => {
      sent.push(typeof a === 'string' ? { type: 'message', text: a } : (a as never));
      return { id: '1' };
    },
  } as unknown as TurnContext;
  return { context, sent };
}

function limiter(clock: { t: number }, logs: string[] = []) {
  const sink = new Writable({ write: (c, _e, done) => (logs.push(c.toString()), done()) });
  return new UserCommandLimiter({ limits, logger: createLogger('info', sink), now: () => clock.t });
}

describe('the per-user command limit (token bucket)', () => {
  it("does not spend an admin's commands on their client's own card refreshes and type-ahead, which have a larger allowance of their own", async () => {
    const clock = { t: 0 };
    const l = limiter(clock);
    const invoke = (name: string, value: unknown) => {
      const t = turn(ActivityTypes.Invoke);
      Object.assign(t.context.activity, { name, value });
      return t.context;
    };
    for (let i = 0; i < 3; i++) assert.equal(await l.admit(turn(ActivityTypes.Message).context), true);
    let refreshed = 0;
    for (let i = 0; i < 40; i++) if (await l.admit(invoke('adaptiveCard/action', { trigger: 'automatic', action: { verb: 'refreshView' } }))) refreshed++;
    assert.equal(refreshed, 15, 'opening a busy channel refreshes its summaries: five times the burst, then the client is told too');
    const searches = [];
    for (let i = 0; i < 3; i++) searches.push(await l.admit(invoke('application/search', { queryText: 'Pro' })));
    assert.deepEqual(searches, [false, false, false], 'type-ahead shares the client allowance');
    assert.equal(await l.admit(invoke('adaptiveCard/action', { action: { verb: 'confirm' } })), false, 'a pressed button is a command: the burst was used');
  });

  it('drops a flood before authentication only once the sender was told, and never from a forged first sight', async () => {
    const clock = { t: 0 };
    const l = limiter(clock);
    const activity = (type: string, aadObjectId = 'OID-1') => turn(type, aadObjectId).context.activity;
    assert.equal(l.refuseEarly(activity(ActivityTypes.Message, 'OID-NEW')), null, 'an unknown sender goes on to authentication');
    assert.equal(l.tracked, 0, 'and is not tracked by it');
    for (let i = 0; i < 3; i++) await l.admit(turn(ActivityTypes.Message).context);
    assert.equal(l.refuseEarly(activity(ActivityTypes.Message)), null, 'an empty bucket not yet told goes on, so admit can say "slow down"');
    await l.admit(turn(ActivityTypes.Message).context);
    assert.deepEqual(l.refuseEarly(activity(ActivityTypes.Message)), {}, 'told: dropped silently before authentication');
    assert.deepEqual(l.refuseEarly(activity(ActivityTypes.Invoke)), { invokeText: slowDownText(1) });
    assert.equal(l.refuseEarly(activity(ActivityTypes.ConversationUpdate)), null);
    clock.t = 1000;
    assert.equal(l.refuseEarly(activity(ActivityTypes.Message)), null, 'a refilled token goes on, and refuseEarly took none');
    assert.equal(await l.admit(turn(ActivityTypes.Message).context), true);
  });

  it('lets a burst through, then refills at the configured rate', () => {
    const b = fullBucket(limits, 0);
    assert.deepEqual([takeToken(b, limits, 0), takeToken(b, limits, 0), takeToken(b, limits, 0)], [0, 0, 0]);
    assert.equal(takeToken(b, limits, 0), 1000, 'one token a second at 60 a minute');
    assert.equal(takeToken(b, limits, 400), 600);
    assert.equal(takeToken(b, limits, 1000), 0);
    assert.equal(takeToken(b, limits, 60_000), 0, 'refills to the burst, never beyond');
    assert.equal(b.tokens, 2);
  });

  it('keys a sender on tenant and Entra object id, case-insensitively, and on the channel id without one', () => {
    assert.equal(senderKey({ from: { id: '29:a', aadObjectId: 'ABC', name: '' }, channelData: { tenant: { id: 'T' } } }), 't|abc');
    assert.equal(senderKey({ from: { id: '29:a', name: '' }, channelData: { tenant: { id: 'T' } } }), 't|channel:29:a');
  });

  it('says "slow down" once per window, drops the rest silently with one log line, and lets the user back in after the wait', async () => {
    const clock = { t: 0 };
    const logs: string[] = [];
    const l = limiter(clock, logs);
    for (let i = 0; i < 3; i++) assert.equal(await l.admit(turn(ActivityTypes.Message).context), true);
    const first = turn(ActivityTypes.Message);
    assert.equal(await l.admit(first.context), false);
    assert.deepEqual(first.sent, [{ type: 'message', text: slowDownText(1) }]);
    for (let i = 0; i < 50; i++) {
      const t = turn(ActivityTypes.Message);
      assert.equal(await l.admit(t.context), false);
      assert.deepEqual(t.sent, [], 'silent within the window');
    }
    assert.equal(logs.length, 1);
    clock.t = 1000;
    assert.equal(await l.admit(turn(ActivityTypes.Message).context), true, 'a token after the wait it named');
    clock.t = 61_000;
    for (let i = 0; i < 3; i++) await l.admit(turn(ActivityTypes.Message).context);
    const next = turn(ActivityTypes.Message);
    assert.equal(await l.admit(next.context), false);
    assert.equal(next.sent.length, 1, 'told again in the next window');
    assert.equal(logs.length, 2);
    assert.match(logs[1], /"refusedInPreviousWindow":50/);
    assert.equal(l.refused, 52);
  });

  it('answers a refused card press in its invoke response, and leaves other users and conversation events alone', async () => {
    const l = limiter({ t: 0 });
    for (let i = 0; i < 5; i++) await l.admit(turn(ActivityTypes.Invoke).context);
    const press = turn(ActivityTypes.Invoke);
    assert.equal(await l.admit(press.context), false);
    assert.equal(press.sent[0].type, 'invokeResponse');
    assert.match(JSON.stringify(press.sent[0].value), /faster than I can act/);
    assert.equal(await l.admit(turn(ActivityTypes.Message, 'OID-2').context), true, 'another user has their own allowance');
    assert.equal(await l.admit(turn(ActivityTypes.Message, 'OID-1', 'T-2').context), true, 'the same id in another tenant is another user');
    assert.equal(await l.admit(turn(ActivityTypes.ConversationUpdate).context), true);
  });

  it('reads its settings from the environment, with defaults and clear messages', () => {
    const base = {
      LOCAL_MODE: 'true',
      LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true',
      GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000001',
      GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
      GRAPH_CLIENT_SECRET: 's',
    };
    assert.deepEqual(loadConfig(base).load, { maxTurnsInFlight: 256, userCommandsPerMinute: 60, userCommandsBurst: 20 });
    assert.deepEqual(loadConfig({ ...base, MAX_TURNS_IN_FLIGHT: '8', USER_COMMANDS_PER_MINUTE: '0.5', USER_COMMANDS_BURST: '2' }).load, {
      maxTurnsInFlight: 8,
      userCommandsPerMinute: 0.5,
      userCommandsBurst: 2,
    });
    assert.throws(() => loadConfig({ ...base, USER_COMMANDS_BURST: '0' }), /USER_COMMANDS_BURST must be a number from 1/);
    assert.throws(() => loadConfig({ ...base, MAX_TURNS_IN_FLIGHT: 'many' }), /MAX_TURNS_IN_FLIGHT must be a number/);
  });
});
