import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type FaultRule } from '../../emulator/index';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import type { LedgerEntry } from '../../src/store/ports/ledger';
import { answerText, execute, fixtureActor, mark, message, newestConfirmation, personalChat, post, submit, waitUntil } from './support/attack';

const LAUNCH_CHAT = '19:group-launch@thread.v2';
const CHAT_PATH = `/chats/${encodeURIComponent(LAUNCH_CHAT)}`;
const START_PATH = `${CHAT_PATH}/startMigration`;
const SINCE = '2020-01-01T00:00:00Z';
const MIGRATION_APP = 'aaaaaaaa-0000-0000-0000-000000000001';

describe('threat: cloud outages make the bot do (or report) the wrong thing', function () {
  let emulator: Emulator;
  /** GRAPH_TIMEOUT_SECONDS=2: for hangs and timeouts. */
  let quick: Harness;
  /** GRAPH_TIMEOUT_SECONDS=10: room for graph-client's default back-off (3 s without Retry-After). */
  let patient: Harness;
  const alex = fixtureActor('alex');
  const chat = personalChat('alex');

  before(async () => {
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    quick = await startHarness({ sharedEmulator: emulator, env: { GRAPH_TIMEOUT_SECONDS: '2' } });
    patient = await startHarness({ sharedEmulator: emulator, env: { GRAPH_TIMEOUT_SECONDS: '10' } });
  });
  after(async () => {
    await quick?.stop();
    await patient?.stop();
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator.reset();
    quick.logs.length = 0;
    patient.logs.length = 0;
  });

  const starts = () => emulator.requests({ service: 'graph', method: 'POST', pathIncludes: '/startMigration' });

  /** Alex asks to migrate the Launch planning chat and gets the confirmation card. */
  async function prepare(h: Harness) {
    await post(h.bot.url, message(emulator, alex, chat, `migrate chat ${LAUNCH_CHAT} since 2020-01-01`));
    const c = newestConfirmation(emulator, chat.conversationId);
    assert.ok(c, 'a confirmation card');
    return c;
  }

  /** Prepares, injects `faults`, presses Confirm; returns what Alex reads and the ledger's newest start entry. */
  async function confirmDespite(h: Harness, faults: FaultRule[], during?: () => Promise<void>) {
    const c = await prepare(h);
    for (const f of faults) emulator.faults.inject(f);
    const started = Date.now();
    const pressing = post(h.bot.url, execute(emulator, alex, chat, c.activityId, 'confirm', { verb: 'confirm', opId: c.opId }));
    await during?.();
    const res = await pressing;
    const elapsedMs = Date.now() - started;
    assert.equal(res.status, 200);
    const text = answerText(emulator, chat.conversationId, res, mark(emulator, chat.conversationId));
    const ledger = await h.bot.store.queryLedger({ targetKey: `chat:${LAUNCH_CHAT}`, limit: 5 });
    const entry: LedgerEntry | undefined = ledger.find((e) => e.action === 'start');
    return { text, entry, elapsedMs };
  }

  async function stillServing(h: Harness) {
    const health = await fetch(`${h.bot.url}/healthz`);
    assert.equal(health.status, 200, 'the process stays up and healthy');
    const res = await post(h.bot.url, message(emulator, alex, chat, 'help'));
    assert.equal(res.status, 200, 'and keeps answering');
  }

  const gapsMs = () => {
    const at = starts().map((r) => r.at);
    return at.slice(1).map((t, i) => t - at[i]);
  };

  describe('Graph throttling and outages on startMigration', () => {
    it('429 with a fractional Retry-After: waits as asked, retries, and starts the migration', async () => {
      const { text, entry } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind: '429', retryAfter: 0.6, times: 2 }]);
      assert.match(text, /Migration started/);
      assert.equal(starts().length, 3);
      for (const gap of gapsMs()) assert.ok(gap >= 550, `waited ${gap} ms before retrying (Retry-After 0.6)`);
      assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, 'inProgress');
      assert.equal(entry?.outcome, 'succeeded');
    });

    it('429 without Retry-After: backs off (graph-client default, about 3 s) and starts the migration', async () => {
      const { text } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind: '429', retryAfter: null }]);
      assert.match(text, /Migration started/);
      assert.equal(starts().length, 2);
      assert.ok(gapsMs()[0] >= 2900, `backed off ${gapsMs()[0]} ms`);
    });

    it('429 on every attempt: three retries, then a clear message, the failure in the ledger, and nothing started', async () => {
      const { text, entry } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind: '429', retryAfter: 0.2, times: 10 }]);
      assert.equal(starts().length, 4, 'the first attempt and three retries');
      assert.match(text, /Migration not started/);
      assert.match(text, /throttling/);
      assert.match(text, /429/);
      assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, null);
      assert.equal(entry?.outcome, 'failed');
      assert.equal(entry?.error?.status, 429);
      await stillServing(patient);
    });

    for (const kind of ['503', '504'] as const) {
      it(`${kind} once (Retry-After 0.2): retried and started`, async () => {
        const { text, entry } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind, retryAfter: 0.2 }]);
        assert.match(text, /Migration started/);
        assert.equal(starts().length, 2);
        assert.equal(entry?.outcome, 'succeeded');
      });

      it(`${kind} on every attempt: a clear message that says to check the status, the failure in the ledger`, async () => {
        const { text, entry } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind, retryAfter: 0.1, times: 10 }]);
        assert.equal(starts().length, 4);
        assert.match(text, /Migration not started/);
        assert.match(text, /reading the thread back shows nothing was changed/, 'the lost outcome is settled by reading the thread');
        assert.match(text, new RegExp(kind));
        assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, null);
        assert.ok(entry && ['failed', 'unknown'].includes(entry.outcome), `ledger outcome ${entry?.outcome}`);
        assert.equal(entry?.error?.status, Number(kind));
        await stillServing(patient);
      });
    }

    it('a request that hangs past GRAPH_TIMEOUT_SECONDS: the turn ends in time, the thread is read back, and the admin learns nothing was changed', async () => {
      const { text, entry, elapsedMs } = await confirmDespite(quick, [{ method: 'POST', path: START_PATH, kind: 'hang', hangMs: 20_000 }]);
      assert.ok(elapsedMs < 8000, `answered after ${elapsedMs} ms`);
      assert.match(text, /Migration not started/);
      assert.match(text, /did not confirm the change \(Timeout\)/);
      assert.match(text, /reading the thread back shows nothing was changed/);
      assert.doesNotMatch(text, /Migration started/);
      assert.equal(entry?.outcome, 'failed', 'settled by the read: it did not happen');
      assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, null);
      await stillServing(quick);
    });

    it('a reset connection: a clear message, recorded, the process stays up', async () => {
      const { text, entry } = await confirmDespite(quick, [{ method: 'POST', path: START_PATH, kind: 'reset' }]);
      assert.match(text, /Migration not started/);
      assert.match(text, /did not confirm the change \(NetworkError\).*nothing was changed/s);
      assert.ok(entry && ['failed', 'unknown'].includes(entry.outcome));
      await stillServing(quick);
    });
  });

  describe('an outcome Graph did not confirm', () => {
    it('a startMigration that timed out but took effect is reconciled by reading migrationMode and reported as started', async () => {
      const { text, entry } = await confirmDespite(quick, [{ method: 'POST', path: START_PATH, kind: 'hang', hangMs: 20_000 }], async () => {
        // While the request hangs, the service carries it out (as a real timeout can hide).
        await waitUntil(() => starts().length === 1, 5000, 'the startMigration request');
        emulator.setThread(LAUNCH_CHAT, {
          migrationMode: 'inProgress',
          createdDateTime: SINCE,
          originalCreatedDateTime: '2024-06-10T09:30:00Z',
          migrationOwnerAppId: MIGRATION_APP,
        });
      });
      assert.match(text, /Migration started/);
      assert.match(text, /reading the thread back shows migration mode is on/);
      assert.doesNotMatch(text, /already in migration/i);
      assert.equal(entry?.outcome, 'succeeded');
      assert.equal(starts().length, 1, 'no second startMigration');
    });

    it('a 504 whose start took effect, then graph-client\'s own retry hears "already in migration": still reported as started', async () => {
      const { text, entry } = await confirmDespite(patient, [{ method: 'POST', path: START_PATH, kind: '504', retryAfter: 1 }], async () => {
        await waitUntil(() => starts().length === 1, 5000, 'the first startMigration');
        emulator.setThread(LAUNCH_CHAT, {
          migrationMode: 'inProgress',
          createdDateTime: SINCE,
          originalCreatedDateTime: '2024-06-10T09:30:00Z',
          migrationOwnerAppId: MIGRATION_APP,
        });
      });
      assert.equal(starts().length, 2, 'graph-client retried once and got 400 already in migration');
      assert.equal(starts()[1].status, 400);
      assert.match(text, /Migration started/);
      assert.doesNotMatch(text, /already in migration mode/i);
      assert.equal(entry?.outcome, 'succeeded');
    });
  });

  describe('malformed answers', () => {
    it('a malformed JSON body while resolving the target: a clear message, no card, no write', async () => {
      emulator.faults.inject({ method: 'GET', path: CHAT_PATH, kind: 'malformed' });
      const before = mark(emulator, chat.conversationId);
      const res = await post(quick.bot.url, message(emulator, alex, chat, `migrate chat ${LAUNCH_CHAT} since 2020-01-01`));
      const text = answerText(emulator, chat.conversationId, res, before);
      assert.doesNotMatch(text, /Start migration\?/);
      assert.doesNotMatch(text, /Something went wrong on my side/);
      assert.ok(text.length > 20, text);
      assert.deepEqual(emulator.graphWrites(), []);
      await stillServing(quick);
    });

    it('a malformed JSON body on the live re-read before startMigration: nothing written, recorded as failed (not unknown)', async () => {
      const c = await prepare(quick);
      emulator.faults.inject({ method: 'GET', path: CHAT_PATH, kind: 'malformed' });
      const res = await post(quick.bot.url, execute(emulator, alex, chat, c.activityId, 'confirm', { verb: 'confirm', opId: c.opId }));
      const text = answerText(emulator, chat.conversationId, res, mark(emulator, chat.conversationId));
      assert.match(text, /Migration not started/);
      assert.equal(starts().length, 0);
      const entry = (await quick.bot.store.queryLedger({ targetKey: `chat:${LAUNCH_CHAT}`, limit: 1 }))[0];
      assert.equal(entry?.action, 'start');
      assert.equal(entry?.outcome, 'failed', 'no write was attempted, so the outcome is known: nothing changed');
    });
  });

  describe('the token endpoint failing (a fresh bot, nothing cached)', () => {
    for (const kind of ['token-5xx', 'invalid_client'] as const) {
      it(`${kind}: a clear message, a 'refused' ledger entry for the failed check, no Graph call, the process stays up`, async () => {
        const fresh = await startHarness({ sharedEmulator: emulator });
        try {
          emulator.faults.inject({ path: /oauth2\/v2\.0\/token/, kind, times: 10, retryAfter: 0.1 });
          const before = mark(emulator, chat.conversationId);
          const res = await post(fresh.bot.url, message(emulator, alex, chat, `migrate chat ${LAUNCH_CHAT} since 2020-01-01`));
          assert.equal(res.status, 200);
          const text = answerText(emulator, chat.conversationId, res, before);
          assert.match(text, /could not be checked right now.*correlation id/s);
          assert.doesNotMatch(text, /AADSTS|GRAPH_CLIENT_SECRET/, 'credential details go to the log, not to whoever typed');
          assert.ok(
            fresh.logs.some((line) => /could not sign in to Microsoft Entra ID/.test(line)),
            'the detail is in the log',
          );
          assert.deepEqual(emulator.requests({ service: 'graph' }), []);
          const refused = await fresh.bot.store.queryLedger({ action: 'refused', limit: 1 });
          assert.equal(refused[0]?.parameters.reason, 'check-failed');
          // A second try is answered just as clearly, without hammering the token endpoint.
          const again = mark(emulator, chat.conversationId);
          const second = await post(fresh.bot.url, message(emulator, alex, chat, 'locked'));
          assert.match(answerText(emulator, chat.conversationId, second, again), /could not be checked/);
          assert.ok(emulator.requests({ pathIncludes: '/oauth2/v2.0/token' }).length <= 3, 'no retry storm against Entra');
          await stillServing(fresh);
        } finally {
          await fresh.stop();
        }
      });
    }
  });

  describe('the connector failing while the bot replies', () => {
    const activitiesPath = `/connector/v3/conversations/${encodeURIComponent(chat.conversationId)}/activities`;

    it('a reply that fails once (503) is retried and delivered', async () => {
      emulator.faults.inject({ method: 'POST', path: activitiesPath, kind: '503', retryAfter: 0.1 });
      const before = mark(emulator, chat.conversationId);
      const res = await post(quick.bot.url, message(emulator, alex, chat, `status chat ${LAUNCH_CHAT}`));
      assert.equal(res.status, 200);
      assert.equal(emulator.requests({ service: 'connector', method: 'POST' }).length, 2);
      assert.match(answerText(emulator, chat.conversationId, res, before), /Status: Launch planning/);
    });

    it('a connector that stays down: the failure is logged with a correlation id and the process stays up', async () => {
      emulator.faults.inject({ method: 'POST', path: activitiesPath, kind: '503', retryAfter: 0.1, times: 50 });
      const res = await post(quick.bot.url, message(emulator, alex, chat, `status chat ${LAUNCH_CHAT}`));
      assert.ok(res.status === 200 || res.status === 500, `answered ${res.status}`);
      assert.ok(
        quick.logs.some((l) => /"level":50/.test(l) && /correlationId/.test(l)),
        'an error with a correlation id is logged',
      );
      emulator.faults.clear();
      await stillServing(quick);
    });

    it('the card update failing after Confirm (Action.Submit): the admin learns the migration started, never "nothing was changed"', async () => {
      const c = await prepare(quick);
      emulator.faults.inject({ method: 'PUT', path: `${activitiesPath}/`, kind: '503', retryAfter: 0.1, times: 50 });
      const before = mark(emulator, chat.conversationId);
      const res = await post(quick.bot.url, submit(emulator, alex, chat, c.activityId, { verb: 'confirm', opId: c.opId }));
      assert.equal(res.status, 200);
      assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, 'inProgress', 'the migration did start');
      const entry = (await quick.bot.store.queryLedger({ targetKey: `chat:${LAUNCH_CHAT}`, limit: 1 }))[0];
      assert.equal(entry?.outcome, 'succeeded');
      const text = answerText(emulator, chat.conversationId, res, before);
      assert.doesNotMatch(text, /Nothing else was changed/, 'the admin must not be told nothing changed after a start');
      assert.match(text, /Migration started/);
    });
  });
});
