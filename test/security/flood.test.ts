import assert from 'node:assert/strict';
import type { Emulator, LoggedRequest } from '../../emulator/index';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { answerText, fixtureActor, mark, message, personalChat, post } from './support/attack';

const ANNOUNCEMENTS = `migrate channel "My Team" "Announcements" since 2020-01-01`;
const LAUNCH_CHAT = '19:group-launch@thread.v2';
const SLOW_DOWN = /You are sending commands faster than I can act on them\. Wait \d+ seconds? and try again; nothing was done for the last one\./;

/** A POST to the bot with its response headers (the attack helper's `post` keeps only status and body). */
async function postWithHeaders(botUrl: string, activity: unknown) {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
}

/** Graph requests the emulator logged from index `from` on. */
function graphSince(emulator: Emulator, from: number): LoggedRequest[] {
  return emulator
    .requests()
    .slice(from)
    .filter((r) => r.service === 'graph');
}

const confirmationCards = (emulator: Emulator, conversationId: string) =>
  emulator.connector.sent(conversationId).filter((a) => a.attachments?.some((x) => x.contentType === 'application/vnd.microsoft.card.adaptive'));

describe('threat: one user floods the bot with commands', function () {
  this.timeout(60_000);
  const alex = fixtureActor('alex');
  const megan = fixtureActor('megan');
  const alexChat = personalChat('alex');
  const meganChat = personalChat('megan');

  describe('hundreds of commands from one admin', () => {
    let h: Harness;
    // Refill of one command a minute: within the test, alex gets exactly the burst.
    before(async () => {
      h = await startHarness({ env: { USER_COMMANDS_BURST: '5', USER_COMMANDS_PER_MINUTE: '1' } });
    });
    after(async () => h?.stop());

    it('answers one "slow down" (not 200), makes only the allowed commands\' Graph calls, and still serves another admin in the middle', async () => {
      const { emulator } = h;
      // What one migrate command costs in Graph, measured on megan's first one (admin lookup included).
      let from = emulator.requests().length;
      assert.equal((await post(h.bot.url, message(emulator, megan, meganChat, ANNOUNCEMENTS))).status, 200);
      const perCommand = graphSince(emulator, from).length;
      assert.ok(perCommand > 0);

      h.reset();
      from = emulator.requests().length;
      const flood: Promise<{ status: number }>[] = [];
      let meganAnswer: Promise<{ status: number; body: unknown }> | undefined;
      const meganBefore = mark(emulator, meganChat.conversationId);
      for (let i = 0; i < 200; i++) {
        flood.push(post(h.bot.url, message(emulator, alex, alexChat, ANNOUNCEMENTS)));
        if (i === 100) meganAnswer = post(h.bot.url, message(emulator, megan, meganChat, `status chat ${LAUNCH_CHAT}`));
      }
      const statuses = (await Promise.all(flood)).map((r) => r.status);
      const meganResult = await meganAnswer!;

      assert.deepEqual([...new Set(statuses)], [200], 'every flooded POST is accepted (nothing to retry), most of them silently');
      const sentToAlex = emulator.connector.sent(alexChat.conversationId);
      const slowDowns = sentToAlex.filter((a) => SLOW_DOWN.test(a.text ?? ''));
      assert.equal(slowDowns.length, 1, 'one "slow down" reply for the whole flood');
      assert.equal(confirmationCards(emulator, alexChat.conversationId).length, 5, 'the five commands of the burst were handled');
      assert.equal(sentToAlex.length, 6, 'and nothing else was sent to the connector');

      const alexCalls = graphSince(emulator, from).filter((r) => !r.path.includes('/chats/') && !r.path.includes(megan.aadObjectId!));
      assert.ok(
        alexCalls.length > 0 && alexCalls.length <= 5 * perCommand,
        `${alexCalls.length} Graph calls for 5 allowed commands (at most ${5 * perCommand})`,
      );

      assert.equal(meganResult.status, 200);
      assert.match(answerText(emulator, meganChat.conversationId, meganResult, meganBefore), /Launch planning/i, "megan's status is answered as usual");
      assert.doesNotMatch(answerText(emulator, meganChat.conversationId, meganResult, meganBefore), SLOW_DOWN);

      const lines = h.logs.filter((l) => l.includes('faster than USER_COMMANDS_PER_MINUTE'));
      assert.equal(lines.length, 1, 'one log line for the window, not one per dropped command');
      assert.equal((await fetch(`${h.bot.url}/healthz`)).status, 200);
    });

    it('answers a flooded card press in its own invoke response, without posting to the conversation', async () => {
      const { emulator } = h;
      const before = mark(emulator, alexChat.conversationId);
      const press = {
        ...message(emulator, alex, alexChat, ''),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'confirm', data: { verb: 'confirm', opId: 'x' } }, trigger: 'manual' },
      };
      delete (press as Record<string, unknown>).text;
      const from = emulator.requests().length;
      const res = await post(h.bot.url, press);
      assert.equal(res.status, 200);
      assert.match(String((res.body as { value?: unknown }).value), SLOW_DOWN);
      assert.deepEqual(mark(emulator, alexChat.conversationId), before, 'no connector call');
      assert.deepEqual(graphSince(emulator, from), [], 'no Graph call');
    });
  });

  describe('a burst beyond the turns the bot takes at once', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ env: { MAX_TURNS_IN_FLIGHT: '4', USER_COMMANDS_BURST: '1000' } });
    });
    after(async () => h?.stop());

    it('answers 503 with Retry-After before doing any work, keeps its health probe up, and serves again afterwards', async () => {
      const { emulator } = h;
      // Warm up (token, admin answer), and learn what one command costs in Graph.
      let from = emulator.requests().length;
      assert.equal((await post(h.bot.url, message(emulator, alex, alexChat, ANNOUNCEMENTS))).status, 200);
      const perCommand = graphSince(emulator, from).length;

      // Four slow turns hold every slot for 1.5 s.
      emulator.faults.inject({ method: 'GET', path: '/teams', kind: 'hang', hangMs: 1500, times: 4 });
      from = emulator.requests().length;
      const burst = Array.from({ length: 12 }, () => postWithHeaders(h.bot.url, message(emulator, alex, alexChat, ANNOUNCEMENTS)));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await fetch(`${h.bot.url}/healthz`)).status, 200, 'the health probe answers while every slot is taken');
      const results = await Promise.all(burst);

      const busy = results.filter((r) => r.status === 503);
      assert.equal(busy.length, 8, `statuses: ${results.map((r) => r.status).join(', ')}`);
      for (const r of busy) {
        assert.equal(r.retryAfter, '1');
        assert.match(r.text, /busy/);
        assert.doesNotMatch(r.text, /at .*\.js:\d+/, 'no stack trace');
      }
      assert.equal(results.filter((r) => r.status === 200).length, 4, 'the four admitted turns finish');
      assert.ok(graphSince(emulator, from).length <= 4 * (perCommand + 1), 'the refused requests made no Graph call');
      assert.ok(
        h.logs.some((l) => l.includes('MAX_TURNS_IN_FLIGHT')),
        'the refusal is logged',
      );

      emulator.faults.clear();
      const before = mark(emulator, alexChat.conversationId);
      const again = await post(h.bot.url, message(emulator, alex, alexChat, ANNOUNCEMENTS));
      assert.equal(again.status, 200);
      assert.match(answerText(emulator, alexChat.conversationId, again, before), /Confirm/);
    });
  });
});
