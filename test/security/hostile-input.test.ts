import assert from 'node:assert/strict';
import fc from 'fast-check';
import { specFromTargetKey } from '../../src/domain/parse/target-key';
import { parseCommand, type TargetSpec } from '../../src/domain/parse/command-parser';
import { parseCreationDate } from '../../src/domain/parse/dates';
import { isChannelId, isChatId, isGuid } from '../../src/domain/parse/ids';
import { parseTeamsLink } from '../../src/domain/parse/teams-links';
import { targetKey, type TargetRef } from '../../src/domain/targets';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { answerText, execute, fixtureActor, mark, message, personalChat, post, routeViolation, submit } from './support/attack';

/** Cases generated in this file; the last test checks the total. */
let generated = 0;
const counted = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  arb.map((v) => {
    generated += 1;
    return v;
  });

// ---------------------------------------------------------------------------------------------
// Generators: what an attacker (or a clumsy paste) can put into text, ids, links, dates, cards.
// ---------------------------------------------------------------------------------------------

const NASTY = [
  '../',
  '..\\',
  '..',
  '%2F',
  '%2f',
  '%252F',
  '%2E%2E%2F',
  '?',
  '#',
  '&',
  '%',
  '%00',
  '\u0000',
  '/',
  '\\',
  "'",
  "''",
  '"',
  '“',
  '”',
  '‘',
  '<at>Migration Bot</at>',
  '<b>',
  '&quot;',
  '&amp;',
  '19:',
  '@thread.tacv2',
  '@thread.v2',
  '@unq.gbl.spaces',
  ';messageid=1',
  'https://teams.microsoft.com/l/channel/',
  'https://evil.example/l/chat/',
  '\u202e',
  '\u200b',
  '🙂',
  '👩‍👩‍👧',
  'é',
  'Ω',
  '中文',
  ' ',
  '\t',
  '\n',
  'since',
  'this',
  'here',
  'channel',
  'chat',
  'team',
  'last',
  'user',
  '$filter=',
  ' or 1 eq 1',
  '/../../users',
  '?$top=999',
  '#frag',
  '00000000-0000-0000-0000-000000000031',
  '19:myteam-announcements@thread.tacv2',
  '19:group-launch@thread.v2',
  '2020-01-01',
  '9999-12-31',
];
const nasty = fc.constantFrom(...NASTY);
const piece = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const hostileText = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));
const hugeText = fc.tuple(piece, fc.integer({ min: 300, max: 2500 })).map(([p, n]) => (p || 'x').repeat(n).slice(0, 2500));
const anyText = fc.oneof({ weight: 8, arbitrary: hostileText }, { weight: 1, arbitrary: hugeText });

const guid = fc.uuid();
const opaque = fc.stringMatching(/^[A-Za-z0-9_\-.=]{1,40}$/);
const validChannelId = opaque.map((o) => `19:${o}@thread.tacv2`);
const validChatId = fc.oneof(
  opaque.map((o) => `19:${o}@thread.v2`),
  fc.tuple(guid, guid).map(([a, b]) => `19:${a}_${b}@unq.gbl.spaces`),
);
/** Ids that look almost right, with something hostile spliced in. */
const hostileId = fc.oneof(
  fc.tuple(piece, fc.constantFrom('@thread.tacv2', '@thread.v2', '@unq.gbl.spaces', '')).map(([p, s]) => `19:${p}${s}`),
  fc.tuple(validChatId, nasty).map(([id, n]) => `${id}${n}`),
  fc.tuple(nasty, validChannelId).map(([n, id]) => `${n}${id}`),
  fc.tuple(guid, nasty).map(([g, n]) => `${g}${n}`),
  hostileText,
);
const encodeTimes = (s: string, times: number) => {
  let out = s;
  for (let i = 0; i < times; i++) out = encodeURIComponent(out);
  return out;
};
const linkHost = fc.constantFrom(
  'teams.microsoft.com',
  'teams.cloud.microsoft',
  'TEAMS.MICROSOFT.COM',
  'evil.example',
  'teams.microsoft.com.evil.example',
  'teams.microsoft.com@evil.example',
);
/** Links built from hostile parts, encoded zero to two times. */
const hostileLink = fc
  .record({
    scheme: fc.constantFrom('https', 'http', 'javascript', 'HTTPS'),
    host: linkHost,
    kind: fc.constantFrom('channel', 'chat', 'message', 'meetup-join', '..', '%2E%2E', ''),
    id: fc.oneof(hostileId, validChannelId, validChatId),
    enc: fc.integer({ min: 0, max: 2 }),
    name: hostileText,
    groupId: fc.oneof(guid, hostileText, fc.constant('')),
    tenantId: fc.oneof(guid, fc.constant('00000000-0000-0000-0000-000000000001'), hostileText, fc.constant('')),
    tail: fc.oneof(fc.constant(''), nasty, hostileText),
  })
  .map((l) => `${l.scheme}://${l.host}/l/${l.kind}/${encodeTimes(l.id, l.enc)}/${l.name}?groupId=${l.groupId}&tenantId=${l.tenantId}${l.tail}`);

const hostileDate = fc.oneof(
  fc.date({ min: new Date(-62198755200000), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: -5, max: 12000 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 33 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc
    .tuple(
      fc.constantFrom('2020-01-01T09:00', '2020-02-30T25:61:61', '2020-01-01 09:00', '2019-06-01T00:00:00.1234567'),
      fc.constantFrom('', 'Z', '+14:00', '+15:00', '-12:60', '+0200', 'EST', '#'),
    )
    .map(([a, b]) => `${a}${b}`),
  hostileText,
);

const verb = fc.constantFrom('migrate', 'status', 'complete', 'audit', 'locked', 'help', 'MIGRATE', '/migrate', 'Status', 'migrat', 'delete', '?', '');
const quote = (s: string) => `"${s.replace(/"/g, '')}"`;
const targetWords = fc.oneof(
  fc.tuple(hostileText, hostileText).map(([t, c]) => `channel ${quote(t)} ${quote(c)}`),
  fc.tuple(anyText, anyText).map(([t, c]) => `channel ${t} ${c}`),
  hostileId.map((id) => `chat ${id}`),
  validChatId.map((id) => `chat ${id}`),
  hostileLink,
  hostileLink.map((l) => `chat ${l}`),
  fc.constantFrom('this', 'here', 'this please', ''),
  hostileText.map((t) => `team ${quote(t)}`),
  hostileText.map((t) => `user ${quote(t)}`),
  anyText,
);
const structuredCommand = fc
  .tuple(
    verb,
    targetWords,
    fc.option(hostileDate, { nil: undefined }),
    fc.option(fc.oneof(fc.integer({ min: -5, max: 100000 }).map(String), hostileText), { nil: undefined }),
  )
  .map(([v, t, since, last]) => [v, t, since !== undefined ? `since ${since}` : '', last !== undefined ? `last ${last}` : ''].filter(Boolean).join(' '));

// ---------------------------------------------------------------------------------------------
// Oracles: what a well-formed parse result must look like.
// ---------------------------------------------------------------------------------------------

const NOW_SLACK_MS = 60_000;

/** Why a parsed target is unsafe to resolve (null when it is safe): ids must have their exact shapes. */
function unsafeTarget(t: TargetSpec | null): string | null {
  if (t === null) return null;
  switch (t.kind) {
    case 'this':
      return null;
    case 'chat':
      return isChatId(t.chatId) ? null : `chat id ${JSON.stringify(t.chatId)}`;
    case 'channel':
      return t.team.trim() && t.channel.trim() && t.team.length <= 256 && t.channel.length <= 256 ? null : 'team/channel name out of bounds';
    case 'link': {
      const l = t.link;
      if (l.tenantId !== null && !isGuid(l.tenantId)) return `link tenant ${JSON.stringify(l.tenantId)}`;
      if (l.kind === 'chat') return isChatId(l.chatId) ? null : `link chat id ${JSON.stringify(l.chatId)}`;
      return isGuid(l.teamId) && isChannelId(l.channelId) ? null : `link channel ${JSON.stringify(l)}`;
    }
  }
}

function unsafeDate(iso: string | null): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || !/Z$/.test(iso)) return `date ${iso} is not a UTC instant`;
  if (ms > Date.now() + NOW_SLACK_MS) return `date ${iso} is in the future`;
  return null;
}

/** Checks one parse: known verb, specific message for anything invalid, safe targets and dates otherwise. */
function checkCommand(text: string): void {
  const c = parseCommand(text);
  switch (c.verb) {
    case 'invalid':
      assert.ok(c.message.trim().length > 10 && c.message.length < 400, `specific, bounded message for ${JSON.stringify(text.slice(0, 80))}: ${c.message}`);
      assert.ok(c.usage.trim().length > 0);
      return;
    case 'unknown':
      assert.ok(c.word.length <= 61);
      return;
    case 'help':
    case 'migrate-form':
    case 'locked':
      return;
    case 'migrate':
      assert.equal(unsafeTarget(c.target), null);
      assert.equal(unsafeDate(c.since), null);
      return;
    case 'status':
    case 'complete':
      assert.equal(unsafeTarget(c.target), null);
      return;
    case 'migrate-team':
      assert.equal(unsafeDate(c.since), null);
      assert.ok(c.team.trim() && c.team.length <= 256);
      return;
    case 'status-team':
    case 'complete-team':
      assert.ok(c.team.trim() && c.team.length <= 256);
      return;
    case 'audit':
      assert.equal(unsafeTarget(c.target), null);
      assert.ok(Number.isInteger(c.last) && c.last >= 1 && c.last <= 200);
      assert.ok(c.user === null || c.user.length <= 256);
      return;
    default:
      assert.fail(`unexpected verb ${(c as { verb: string }).verb}`);
  }
}

describe('threat: hostile input (property-based, fast-check)', function () {
  describe('the pure layer', () => {
    it('parseCommand never throws on arbitrary text and answers every invalid input specifically', () => {
      fc.assert(
        fc.property(counted(anyText), (t) => checkCommand(t)),
        { numRuns: 2500 },
      );
    });

    it('parseCommand accepts only well-formed targets and dates from command-shaped hostile text', () => {
      fc.assert(
        fc.property(counted(structuredCommand), (t) => checkCommand(t)),
        { numRuns: 2500 },
      );
    });

    it('parseTeamsLink never throws, and what it accepts has exact id shapes (no /, ?, #, .. survive)', () => {
      fc.assert(
        fc.property(counted(fc.oneof(hostileLink, anyText)), (link) => {
          const r = parseTeamsLink(link);
          if (!r.ok) {
            assert.ok(r.message.trim().length > 10, `specific message for ${link}`);
            return;
          }
          assert.equal(unsafeTarget({ kind: 'link', link: r.link }), null);
          const host = new URL(link.trim()).hostname.toLowerCase();
          assert.ok(host === 'teams.microsoft.com' || host === 'teams.cloud.microsoft', `host ${host} accepted`);
          if (r.link.tenantId) assert.ok(isGuid(r.link.tenantId));
        }),
        { numRuns: 1500 },
      );
    });

    it('parseTeamsLink reads back the exact ids of genuine links, encoded zero to two times', () => {
      // Teams refuses channel names that start with "." or "_", so genuine links never carry them.
      const channelName = hostileText.filter((n) => !/^[._]/.test(n));
      const genuine = fc.oneof(
        fc.record({
          kind: fc.constant('channel' as const),
          id: validChannelId,
          team: guid,
          tenant: guid,
          enc: fc.integer({ min: 0, max: 2 }),
          name: channelName,
        }),
        fc.record({ kind: fc.constant('chat' as const), id: validChatId, team: guid, tenant: guid, enc: fc.integer({ min: 0, max: 2 }), name: channelName }),
      );
      fc.assert(
        fc.property(counted(genuine), (g) => {
          const link =
            g.kind === 'channel'
              ? `https://teams.microsoft.com/l/channel/${encodeTimes(g.id, g.enc)}/${encodeURIComponent(g.name) || 'x'}?groupId=${g.team}&tenantId=${g.tenant}`
              : `https://teams.microsoft.com/l/chat/${encodeTimes(g.id, g.enc)}/conversations?context=${encodeURIComponent('{"contextType":"chat"}')}&tenantId=${g.tenant}`;
          const r = parseTeamsLink(link);
          assert.ok(r.ok, `${link}: ${!r.ok ? r.message : ''}`);
          if (r.link.kind === 'channel') {
            assert.equal(r.link.channelId, g.id);
            assert.equal(r.link.teamId, g.team.toLowerCase());
          } else assert.equal(r.link.chatId, g.id);
          assert.equal(r.link.tenantId, g.tenant.toLowerCase());
        }),
        { numRuns: 1000 },
      );
    });

    it('parseCreationDate never throws, never accepts the future, and names the input it refuses', () => {
      fc.assert(
        fc.property(counted(hostileDate), (d) => {
          const r = parseCreationDate(d);
          if (r.ok) assert.equal(unsafeDate(r.iso), null);
          else {
            const shown = d.trim().slice(0, 40);
            assert.ok(r.message.includes(shown), `the message names the input: ${r.message}`);
          }
        }),
        { numRuns: 1200 },
      );
    });

    it('parseCreationDate reads every real calendar day in the past exactly (midnight UTC)', () => {
      const day = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date(Date.now() - 86400000), noInvalidDate: true });
      fc.assert(
        fc.property(counted(day), (d) => {
          const text = d.toISOString().slice(0, 10);
          const r = parseCreationDate(text);
          assert.ok(r.ok, `${text}: ${!r.ok ? r.message : ''}`);
          assert.equal(Date.parse(r.iso), Date.parse(`${text}T00:00:00Z`));
        }),
        { numRuns: 700 },
      );
    });

    it('specFromTargetKey (the key on Status/Complete buttons) accepts only exact target shapes', () => {
      const keys = fc.oneof(
        anyText,
        fc.tuple(fc.oneof(guid, hostileText), fc.oneof(validChannelId, hostileId)).map(([t, c]) => `channel:${t}:${c}`),
        fc.oneof(validChatId, hostileId).map((c) => `chat:${c}`),
        fc.anything(),
      );
      fc.assert(
        fc.property(counted(keys), (k) => {
          const spec = specFromTargetKey(k);
          assert.equal(unsafeTarget(spec), null);
          if (spec?.kind === 'channel') assert.ok(isGuid(spec.team) && isChannelId(spec.channel));
        }),
        { numRuns: 600 },
      );
    });

    it('specFromTargetKey reads back every target key the bot writes', () => {
      const refs: fc.Arbitrary<TargetRef> = fc.oneof(
        fc.record({ kind: fc.constant('channel' as const), teamId: guid, channelId: validChannelId }),
        fc.record({ kind: fc.constant('chat' as const), chatId: validChatId }),
      );
      fc.assert(
        fc.property(counted(refs), (ref) => {
          const spec = specFromTargetKey(targetKey(ref));
          if (ref.kind === 'channel') assert.deepEqual(spec, { kind: 'channel', team: ref.teamId, channel: ref.channelId });
          else assert.deepEqual(spec, { kind: 'chat', chatId: ref.chatId });
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('end to end through HTTP against one bot', () => {
    let h: Harness;
    const alex = fixtureActor('alex');
    const chat = personalChat('alex');
    let cardId = '';
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);

    before(async () => {
      process.on('unhandledRejection', onRejection);
      h = await startHarness();
      await post(h.bot.url, message(h.emulator, alex, chat, 'help'));
      cardId = h.emulator.connector.sent(chat.conversationId).at(-1)!.id;
      for (const v of CANDIDATE_VERBS) {
        const res = await post(h.bot.url, execute(h.emulator, alex, chat, cardId, v, { verb: v }));
        if (res.status !== 501) verbs.push(v);
      }
      assert.ok(verbs.includes('confirm') && verbs.includes('formNext'), `known verbs: ${verbs.join(', ')}`);
    });
    after(async () => {
      process.off('unhandledRejection', onRejection);
      await h?.stop();
    });

    const GENERIC = /Something went wrong on my side/;

    /** Posts one activity and checks: served, answered specifically, no Graph write, only intended Graph routes. */
    async function attack(activity: Record<string, any>, expect?: (answer: string) => void): Promise<void> {
      const graphBefore = h.emulator.requests({ service: 'graph' }).length;
      const before = mark(h.emulator, chat.conversationId);
      const res = await post(h.bot.url, activity);
      assert.equal(res.status, 200, `status ${res.status} for ${JSON.stringify(activity.text ?? activity.value).slice(0, 200)}`);
      const answer = answerText(h.emulator, chat.conversationId, res, before);
      assert.ok(answer.trim().length > 0, `an answer for ${JSON.stringify(activity.text ?? activity.value).slice(0, 200)}`);
      assert.doesNotMatch(answer, GENERIC, `a specific answer, not the catch-all, for ${JSON.stringify(activity.text ?? activity.value).slice(0, 300)}`);
      expect?.(answer);
      assert.deepEqual(
        h.emulator.graphWrites().map((w) => `${w.method} ${w.path}`),
        [],
        'no Graph write',
      );
      const bad = h.emulator.requests({ service: 'graph' }).slice(graphBefore).map(routeViolation).filter(Boolean);
      assert.deepEqual(bad, [], `only intended Graph routes for ${JSON.stringify(activity.text ?? activity.value).slice(0, 300)}`);
    }

    it('typed hostile commands: no crash, a specific answer, no Graph write, only intended Graph routes', async () => {
      await fc.assert(
        fc.asyncProperty(counted(fc.oneof(structuredCommand, anyText)), async (text) => {
          // An empty text is a different bug, covered by its own test below.
          if (text === '') return;
          await attack(message(h.emulator, alex, chat, text), (answer) => {
            if (!text.trim()) return;
            const parsed = parseCommand(text);
            if (parsed.verb === 'invalid') assert.ok(answer.includes(parsed.message), `the parse message for ${JSON.stringify(text.slice(0, 100))}`);
            if (parsed.verb === 'unknown') assert.match(answer, /I don't know|didn't catch/);
          });
        }),
        { numRuns: 150 },
      );
    });

    /** Card verbs the bot may know; the ones it does not answer (501) are left to the unknown-verb tests. */
    const CANDIDATE_VERBS = [
      'confirm',
      'cancel',
      'cancelOp',
      'completeConfirm',
      'completeAsk',
      'status',
      'formNext',
      'openForm',
      'refreshView',
      'bulkAskStart',
      'bulkAskComplete',
      'bulkConfirm',
      'bulkCancel',
    ];
    const verbs: string[] = [];
    const wrongType = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(anyText, { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), anyText, { maxKeys: 3 }),
      anyText,
      hostileId,
      hostileLink,
    );
    const cardData = fc.record(
      {
        opId: wrongType,
        target: fc.oneof(
          wrongType,
          hostileId.map((i) => `chat:${i}`),
          fc.tuple(hostileText, hostileId).map(([t, c]) => `channel:${t}:${c}`),
        ),
        kind: fc.oneof(fc.constantFrom('this', 'channel', 'chat', 'team', ''), wrongType),
        teamId: fc.oneof(guid, wrongType),
        channelId: fc.oneof(validChannelId, wrongType),
        chatId: fc.oneof(validChatId, wrongType),
        chatText: fc.oneof(hostileLink, wrongType),
        date: fc.oneof(hostileDate, wrongType),
        time: fc.oneof(fc.constantFrom('09:30', '24:00', '9:5', ''), wrongType),
        team: wrongType,
        since: wrongType,
      },
      { requiredKeys: [] },
    );

    it('hostile card payloads (Action.Execute and Action.Submit): a specific answer and no Graph write', async () => {
      await fc.assert(
        fc.asyncProperty(counted(fc.tuple(fc.constantFrom(...verbs), cardData, fc.boolean())), async ([v, data, asSubmit]) => {
          const activity = asSubmit
            ? submit(h.emulator, alex, chat, cardId, { verb: v, ...data })
            : execute(h.emulator, alex, chat, cardId, v, { verb: v, ...data });
          await attack(activity);
        }),
        { numRuns: 120 },
      );
    });

    it('invokes of the wrong shape altogether (value not an object, action missing) are answered, not crashed on', async () => {
      const shapes = fc.oneof(
        fc.constant(null),
        fc.integer(),
        anyText,
        fc.array(fc.anything(), { maxLength: 3 }),
        fc.record({ action: fc.oneof(fc.constant(null), anyText, fc.record({ verb: wrongType, data: wrongType })) }),
      );
      await fc.assert(
        fc.asyncProperty(counted(shapes), async (value) => {
          const res = await post(h.bot.url, { ...execute(h.emulator, alex, chat, cardId, 'confirm', {}), value });
          assert.ok(res.status < 500 || res.status === 501, `invoke with value ${JSON.stringify(value)?.slice(0, 100)} answered ${res.status}`);
          assert.doesNotMatch(JSON.stringify(res.body ?? ''), GENERIC);
          assert.deepEqual(h.emulator.graphWrites(), []);
        }),
        { numRuns: 40 },
      );
      const health = await fetch(`${h.bot.url}/healthz`);
      assert.equal(health.status, 200);
    });

    it('team names with &, #, + and % reach Graph as one whole $filter literal', async () => {
      for (const name of ['R&D', 'Ops #1', 'C++ Guild', '100% Remote', "O'Brien & Co"]) {
        const before = h.emulator.requests({ service: 'graph' }).length;
        await attack(message(h.emulator, alex, chat, `status channel "${name}" General`));
        const mine = h.emulator
          .requests({ service: 'graph' })
          .slice(before)
          .filter((r) => r.query.$filter !== undefined);
        assert.ok(mine.length >= 1, `a team lookup for ${name}`);
        assert.equal(mine[0].query.$filter, `displayName eq '${name.replace(/'/g, "''")}'`, `the $filter Graph received for ${name}`);
      }
    });

    it('a card press with a verb the bot does not know gets a specific answer, not HTTP 501', async () => {
      for (const v of ['nope', '__proto__', 'constructor', 'toString']) {
        await attack(execute(h.emulator, alex, chat, cardId, v, { verb: v, opId: 'AAAAAAAAAAAAAAAAAAAAAA' }), (answer) =>
          assert.match(answer, /not one this bot knows|fresh card|Run the command again/),
        );
      }
    });

    it('a message without text (an unknown card submit, an image) gets a specific answer, not silence', async () => {
      await attack(submit(h.emulator, alex, chat, cardId, { verb: 'nope', opId: 'AAAAAAAAAAAAAAAAAAAAAA' }), (answer) =>
        assert.match(answer, /not one this bot knows/),
      );
      const image = message(h.emulator, alex, chat, '');
      image.attachments = [{ contentType: 'image/png', contentUrl: 'https://example.invalid/x.png' }];
      await attack(image, (answer) => assert.match(answer, /Type a command|help/));
    });

    it('a card submit whose value is null gets a specific answer, not the catch-all error', async () => {
      await attack(submit(h.emulator, alex, chat, cardId, null), (answer) => assert.match(answer, /not one this bot knows/));
    });

    it('no unhandled promise rejection happened while the bot was attacked', () => {
      assert.deepEqual(rejections.map(String), []);
    });
  });

  describe('in total', () => {
    it('ran at least 10,000 generated cases', () => {
      assert.ok(generated >= 10_000, `${generated} cases`);
    });
  });
});
