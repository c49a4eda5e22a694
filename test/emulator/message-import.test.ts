import * as assert from 'node:assert/strict';
import { type Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { Emulator } from '../../emulator/index';
import { enc, ENG_TEAM, expectGraphError, FOREIGN_TEAM, graphFor, MY_TEAM, rawRequest, tokenFor, USERS, useEmulator } from './helpers';

const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const FALCON = '19:myteam-falcon@thread.tacv2';
const LEGACY = '19:eng-legacy@thread.tacv2';
const VENDOR = '19:eng-vendor@thread.tacv2';
const SLACK = '19:group-slack@thread.v2';
const LAUNCH = '19:group-launch@thread.v2';
const SINCE = '2020-01-01T00:00:00Z';
const DUPLICATE = 'A message with the same createdDateTime already exists in this thread; adjust the value and retry.';

const channel = (id: string, team = MY_TEAM) => `/teams/${team}/channels/${enc(id)}`;
const chat = (id: string) => `/chats/${enc(id)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An importable chatMessage from a fixture user at a time, with any extra fields. */
function message(from: string, at: string | undefined, html: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    from: { user: { id: from, displayName: 'someone', userIdentityType: 'aadUser' } },
    body: { contentType: 'html', content: html },
    ...extra,
  };
  if (at !== undefined) body.createdDateTime = at;
  return body;
}

/** Puts a thread of the fixture into migration mode for the migration app, created at SINCE. */
async function migrate(graph: Client, path: string): Promise<void> {
  await graph.api(`${path}/startMigration`).post({ conversationCreationDateTime: SINCE });
}

/** Puts a thread into migration mode directly (no request, so no throttling budget is used). */
function inMigration(em: Emulator, id: string): void {
  em.setThread(id, { migrationMode: 'inProgress', migrationOwnerAppId: em.info.migrationApp.clientId, createdDateTime: SINCE });
}

describe('the emulator imports messages like Graph', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  describe('a thread in migration mode takes imports from the app that started it', () => {
    it('imports a channel message: 201 with the chatMessage, request-id headers, and em.messages() shows it', async () => {
      const em = emulator();
      const graph = graphFor(em);
      await migrate(graph, channel(GENERAL));
      const res = (await graph
        .api(`${channel(GENERAL)}/messages`)
        .responseType(ResponseType.RAW)
        .post(message(USERS.alex, '2020-01-02T10:00:00.123Z', '<p>Hello <b>world</b></p>', { subject: 'First' }))) as Response;
      assert.equal(res.status, 201);
      assert.match(res.headers.get('request-id') ?? '', /^[0-9a-f-]{36}$/);
      const m = await res.json();
      assert.match(m.id, /^\d+$/, 'a numeric id like Graph channel message ids');
      assert.equal(m.id, String(Date.parse('2020-01-02T10:00:00.123Z')));
      assert.equal(m['@odata.context'], `${em.baseUrl}/v1.0/$metadata#teams('${MY_TEAM}')/channels('${GENERAL}')/messages/$entity`);
      assert.deepEqual(
        [m.replyToId, m.createdDateTime, m.messageType, m.subject, m.from.user.id, m.from.user.displayName, m.from.user.userIdentityType],
        [null, '2020-01-02T10:00:00.123Z', 'message', 'First', USERS.alex, 'Alex Wilber', 'aadUser'],
      );
      assert.deepEqual(m.body, { contentType: 'html', content: '<p>Hello <b>world</b></p>' });
      assert.deepEqual([m.mentions, m.reactions, m.attachments], [[], [], []]);
      const stored = em.messages(GENERAL);
      assert.equal(stored.length, 1);
      assert.deepEqual([stored[0].id, stored[0].replyToId, stored[0].importedBy], [m.id, null, em.info.migrationApp.clientId]);
    });

    it('imports into a chat in migration mode, and works under /beta too', async () => {
      const em = emulator();
      const created = await graphFor(em)
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.megan, '2017-05-05T05:05:05+02:00', 'hi'));
      assert.equal(created.createdDateTime, '2017-05-05T03:05:05.000Z');
      assert.equal(created.chatId, SLACK);
      await graphFor(em, em.info.migrationApp, { version: 'beta' })
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, '2017-05-05T03:05:06Z', 'hello'));
      assert.deepEqual(
        em.messages(SLACK).map((x) => x.body.content),
        ['hi', 'hello'],
      );
    });

    it('uses "now" when createdDateTime is omitted', async () => {
      const em = emulator();
      const before = Date.now();
      const m = await graphFor(em)
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, undefined, 'now'));
      const at = Date.parse(m.createdDateTime);
      assert.ok(at >= before && at <= Date.now(), m.createdDateTime);
    });

    it('refuses a thread that was never put in migration mode with 400', async () => {
      const em = emulator();
      const err = await expectGraphError(
        graphFor(em)
          .api(`${channel(GENERAL)}/messages`)
          .post(message(USERS.alex, '2025-01-01T00:00:00Z', 'x')),
        400,
        'BadRequest',
      );
      assert.match(err.message, /not in migration mode/);
      await expectGraphError(
        graphFor(em)
          .api(`${chat(LAUNCH)}/messages`)
          .post(message(USERS.alex, '2025-01-01T00:00:00Z', 'x')),
        400,
        'BadRequest',
      );
      assert.deepEqual(em.messages(GENERAL), []);
    });

    it('refuses imports after completeMigration with 400 until startMigration is called again', async () => {
      const em = emulator();
      const graph = graphFor(em);
      await migrate(graph, channel(ANNOUNCEMENTS));
      await graph.api(`${channel(ANNOUNCEMENTS)}/messages`).post(message(USERS.alex, '2021-01-01T00:00:00Z', 'before'));
      await graph.api(`${channel(ANNOUNCEMENTS)}/completeMigration`).post(undefined);
      const err = await expectGraphError(
        graph.api(`${channel(ANNOUNCEMENTS)}/messages`).post(message(USERS.alex, '2021-01-02T00:00:00Z', 'after')),
        400,
        'BadRequest',
      );
      assert.match(err.message, /not in migration mode: its migration was completed/);
      await graph.api(`${channel(ANNOUNCEMENTS)}/startMigration`).post(undefined);
      await graph.api(`${channel(ANNOUNCEMENTS)}/messages`).post(message(USERS.alex, '2021-01-02T00:00:00Z', 'after'));
      assert.deepEqual(
        em.messages(ANNOUNCEMENTS).map((m) => m.body.content),
        ['before', 'after'],
      );
    });

    it("refuses another app's migration with 403, and takes that app's imports", async () => {
      const em = emulator();
      const err = await expectGraphError(
        graphFor(em)
          .api(`${channel(VENDOR, ENG_TEAM)}/messages`)
          .post(message(USERS.alex, '2024-01-01T00:00:00Z', 'x')),
        403,
        'Forbidden',
      );
      assert.match(err.message, /started by another application/);
      await graphFor(em, em.info.otherApp)
        .api(`${channel(VENDOR, ENG_TEAM)}/messages`)
        .post(message(USERS.alex, '2024-01-01T00:00:00Z', 'x'));
      assert.equal(em.messages(VENDOR)[0].importedBy, em.info.otherApp.clientId);
    });

    it('answers 404 for a thread that does not exist for the caller, and 403 without Teamwork.Migrate.All', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const body = message(USERS.alex, '2024-01-01T00:00:00Z', 'x');
      await expectGraphError(graph.api(`${channel('19:nope@thread.tacv2')}/messages`).post(body), 404, 'NotFound');
      await expectGraphError(graph.api(`${channel(LEGACY, MY_TEAM)}/messages`).post(body), 404, 'NotFound');
      await expectGraphError(graph.api(`${channel('19:other-general@thread.tacv2', FOREIGN_TEAM)}/messages`).post(body), 404, 'NotFound');
      await expectGraphError(graph.api(`${chat('19:other-group@thread.v2')}/messages`).post(body), 404, 'NotFound');
      await expectGraphError(
        graphFor(em, em.info.readOnlyApp)
          .api(`${channel(LEGACY, ENG_TEAM)}/messages`)
          .post(body),
        403,
        'Forbidden',
      );
    });
  });

  describe('the sender', () => {
    it('refuses a message without from.user.id with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const err = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post({ createdDateTime: '2020-01-01T00:00:00Z', body: { contentType: 'html', content: 'x' } }),
        400,
        'BadRequest',
      );
      assert.match(err.message, /from\.user\.id is required/);
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post({ ...message(USERS.alex, '2020-01-01T00:00:00Z', 'x'), from: { user: { displayName: 'Alex' } } }),
        400,
      );
    });

    it('refuses a sender from another tenant or unknown to the directory with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const foreign = await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post(message(USERS.olga, '2020-01-01T00:00:00Z', 'x')), 400, 'BadRequest');
      assert.match(foreign.message, /is not a user of this tenant/);
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message('00000000-0000-0000-0000-0000000000ff', '2020-01-01T00:00:00Z', 'x')),
        400,
        'BadRequest',
      );
    });

    it("refuses a userIdentityType other than 'aadUser' with 400", async () => {
      const em = emulator();
      const body = message(USERS.alex, '2020-01-01T00:00:00Z', 'x', { from: { user: { id: USERS.alex, userIdentityType: 'anonymousGuest' } } });
      await expectGraphError(
        graphFor(em)
          .api(`${chat(SLACK)}/messages`)
          .post(body),
        400,
        'BadRequest',
      );
    });
  });

  describe('createdDateTime', () => {
    it("refuses a time not later than the thread's createdDateTime with 400", async () => {
      const em = emulator();
      const graph = graphFor(em);
      await migrate(graph, channel(GENERAL));
      const err = await expectGraphError(graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2019-12-31T23:59:59Z', 'x')), 400, 'BadRequest');
      assert.match(err.message, /must be later than the channel's createdDateTime \(2020-01-01T00:00:00Z\)/);
      await expectGraphError(graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, SINCE, 'x')), 400, 'BadRequest');
      await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:00.001Z', 'first millisecond'));
    });

    it('refuses a time in the future with 400, tolerating a few seconds of clock skew', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const err = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, new Date(Date.now() + 60_000).toISOString(), 'x')),
        400,
        'BadRequest',
      );
      assert.match(err.message, /is in the future/);
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, new Date(Date.now() + 2000).toISOString(), 'skewed'));
    });

    it('refuses an unparsable time or one without an offset with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      for (const at of ['yesterday', '2020-01-01T00:00:00', '2020-13-01T00:00:00Z']) {
        await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, at, 'x')), 400, 'BadRequest');
      }
      await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, 42 as unknown as string, 'x')), 400, 'BadRequest');
    });

    it('refuses a second message at the same millisecond with 409', async () => {
      const em = emulator();
      const graph = graphFor(em);
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-06-01T12:00:00.500Z', 'first'));
      const err = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.megan, '2020-06-01T14:00:00.500+02:00', 'same instant, other offset')),
        409,
        'Conflict',
      );
      assert.equal(err.message, DUPLICATE);
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.megan, '2020-06-01T12:00:00.501Z', 'one millisecond later'));
      assert.equal(em.messages(SLACK).length, 2);
    });

    it('shares one millisecond space between the roots and the replies of a channel, but not between threads', async () => {
      const em = emulator();
      const graph = graphFor(em);
      inMigration(em, GENERAL);
      inMigration(em, ANNOUNCEMENTS);
      const root = await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2021-01-01T00:00:00Z', 'root'));
      await graph.api(`${channel(GENERAL)}/messages/${root.id}/replies`).post(message(USERS.megan, '2021-01-01T00:00:01Z', 'reply'));
      await expectGraphError(graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2021-01-01T00:00:01Z', 'root 2')), 409, 'Conflict');
      const other = await graph.api(`${channel(ANNOUNCEMENTS)}/messages`).post(message(USERS.alex, '2021-01-01T00:00:00Z', 'same time elsewhere'));
      assert.notEqual(other.id, root.id, 'message ids stay unique across threads');
    });
  });

  describe('replies', () => {
    it('imports a reply with replyToId, later than its parent', async () => {
      const em = emulator();
      const graph = graphFor(em);
      inMigration(em, GENERAL);
      const root = await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2021-03-01T09:00:00Z', 'question'));
      const reply = await graph.api(`${channel(GENERAL)}/messages/${root.id}/replies`).post(message(USERS.megan, '2021-03-01T09:05:00Z', 'answer'));
      assert.equal(reply.replyToId, root.id);
      assert.equal(reply['@odata.context'], `${em.baseUrl}/v1.0/$metadata#teams('${MY_TEAM}')/channels('${GENERAL}')/messages('${root.id}')/replies/$entity`);
      assert.deepEqual(
        em.messages(GENERAL).map((m) => [m.body.content, m.replyToId]),
        [
          ['question', null],
          ['answer', root.id],
        ],
      );
    });

    it('refuses a reply not later than its parent with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      inMigration(em, GENERAL);
      const root = await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2021-03-01T09:00:00Z', 'question'));
      const err = await expectGraphError(
        graph.api(`${channel(GENERAL)}/messages/${root.id}/replies`).post(message(USERS.megan, '2021-03-01T08:59:59Z', 'too early')),
        400,
        'BadRequest',
      );
      assert.match(err.message, /later than its parent/);
    });

    it('answers 404 for a reply to an unknown message or to a reply', async () => {
      const em = emulator();
      const graph = graphFor(em);
      inMigration(em, GENERAL);
      await expectGraphError(
        graph.api(`${channel(GENERAL)}/messages/1234567890123/replies`).post(message(USERS.megan, '2021-03-01T09:05:00Z', 'x')),
        404,
        'NotFound',
      );
      const root = await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, '2021-03-01T09:00:00Z', 'q'));
      const reply = await graph.api(`${channel(GENERAL)}/messages/${root.id}/replies`).post(message(USERS.megan, '2021-03-01T09:05:00Z', 'a'));
      await expectGraphError(
        graph.api(`${channel(GENERAL)}/messages/${reply.id}/replies`).post(message(USERS.megan, '2021-03-01T09:06:00Z', 'x')),
        404,
        'NotFound',
      );
    });
  });

  describe('the body and what it refers to', () => {
    it('refuses a body that is not html or text, or has no content, with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const base = message(USERS.alex, '2020-01-01T00:00:00Z', 'x');
      await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post({ ...base, body: { contentType: 'markdown', content: '*x*' } }), 400, 'BadRequest');
      await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post({ ...base, body: { contentType: 'html' } }), 400, 'BadRequest');
      await expectGraphError(graph.api(`${chat(SLACK)}/messages`).post({ ...base, body: undefined }), 400, 'BadRequest');
      const text = await graph.api(`${chat(SLACK)}/messages`).post({ ...base, body: { contentType: 'text', content: 'plain' } });
      assert.equal(text.body.contentType, 'text');
    });

    it('imports @mentions that match the body, and refuses a mismatch either way with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const mention = (id: number, user: string) => ({
        id,
        mentionText: 'Megan',
        mentioned: { user: { id: user, displayName: 'Megan Bowen', userIdentityType: 'aadUser' } },
      });
      const ok = await graph
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, '2020-01-01T00:00:01Z', 'hi <at id="0">Megan</at>', { mentions: [mention(0, USERS.megan)] }));
      assert.equal(ok.mentions[0].mentioned.user.id, USERS.megan);
      const noEntry = await expectGraphError(
        graph
          .api(`${chat(SLACK)}/messages`)
          .post(message(USERS.alex, '2020-01-01T00:00:02Z', '<at id="0">M</at> <at id="1">A</at>', { mentions: [mention(0, USERS.megan)] })),
        400,
        'BadRequest',
      );
      assert.match(noEntry.message, /<at id="1">.*no entry/);
      const noTag = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:03Z', 'no tags', { mentions: [mention(0, USERS.megan)] })),
        400,
        'BadRequest',
      );
      assert.match(noTag.message, /mentions entry 0 has no <at id="0">/);
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:04Z', '<at id="0">Olga</at>', { mentions: [mention(0, USERS.olga)] })),
        400,
        'BadRequest',
      );
      assert.equal(em.messages(SLACK).length, 1);
    });

    it('imports inline images whose hostedContents and body references agree, and refuses a mismatch with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64');
      const hosted = (id: string, bytes = png) => ({ '@microsoft.graph.temporaryId': id, contentBytes: bytes, contentType: 'image/png' });
      const img = (id: string) => `<img src="../hostedContents/${id}/$value">`;
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:01Z', `look ${img('1')}`, { hostedContents: [hosted('1')] }));
      assert.deepEqual(em.messages(SLACK)[0].hostedContents, [{ temporaryId: '1', contentType: 'image/png', bytes: 8 }]);
      const unknown = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:02Z', `${img('1')}${img('2')}`, { hostedContents: [hosted('1')] })),
        400,
        'BadRequest',
      );
      assert.match(unknown.message, /no temporaryId '2'/);
      const unreferenced = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:03Z', img('1'), { hostedContents: [hosted('1'), hosted('2')] })),
        400,
        'BadRequest',
      );
      assert.match(unreferenced.message, /'2' is not referenced/);
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:04Z', img('1'), { hostedContents: [hosted('1', 'not base64!')] })),
        400,
        'BadRequest',
      );
    });

    it('imports up to 250 reactions by tenant users, and refuses more, a foreign user or a reaction without a type with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const reaction = (user: string, type = 'like') => ({
        reactionType: type,
        createdDateTime: '2020-01-02T00:00:00Z',
        user: { user: { id: user, displayName: 'x', userIdentityType: 'aadUser' } },
      });
      const many = (n: number) => Array.from({ length: n }, () => reaction(USERS.megan, '👍'));
      const ok = await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:01Z', 'popular', { reactions: many(250) }));
      assert.equal(ok.reactions.length, 250);
      assert.deepEqual(ok.reactions[0].user.user, { id: USERS.megan, displayName: 'Megan Bowen', userIdentityType: 'aadUser' });
      const tooMany = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:02Z', 'too popular', { reactions: many(251) })),
        400,
        'BadRequest',
      );
      assert.match(tooMany.message, /at most 250 reactions; got 251/);
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:03Z', 'x', { reactions: [reaction(USERS.olga)] })),
        400,
        'BadRequest',
      );
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:04Z', 'x', { reactions: [reaction(USERS.megan, '')] })),
        400,
        'BadRequest',
      );
    });

    it('imports reference attachments that match the body, and refuses a mismatch or another kind of attachment with 400', async () => {
      const em = emulator();
      const graph = graphFor(em);
      const file = (id: string) => ({ id, contentType: 'reference', contentUrl: `https://example.sharepoint.com/sites/x/${id}.pdf`, name: `${id}.pdf` });
      const tag = (id: string) => `<attachment id="${id}"></attachment>`;
      const ok = await graph
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, '2020-01-01T00:00:01Z', `report ${tag('a1')}`, { attachments: [file('a1')] }));
      assert.equal(ok.attachments[0].contentUrl, 'https://example.sharepoint.com/sites/x/a1.pdf');
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:02Z', tag('a1') + tag('a2'), { attachments: [file('a1')] })),
        400,
        'BadRequest',
      );
      await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:03Z', 'no tag', { attachments: [file('a1')] })),
        400,
        'BadRequest',
      );
      const card = { id: 'c1', contentType: 'application/vnd.microsoft.card.adaptive', content: '{}' };
      const err = await expectGraphError(
        graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:04Z', tag('c1'), { attachments: [card] })),
        400,
        'BadRequest',
      );
      assert.match(err.message, /only reference attachments/);
    });
  });

  describe('reading messages back', () => {
    it('needs ChannelMessage.Read.All / Chat.Read.All, which the migration app lacks until granted', async () => {
      const em = emulator();
      inMigration(em, GENERAL);
      const err = await expectGraphError(
        graphFor(em)
          .api(`${channel(GENERAL)}/messages`)
          .get(),
        403,
        'Forbidden',
      );
      assert.match(err.message, /ChannelMessage\.Read\.All/);
      await expectGraphError(
        graphFor(em)
          .api(`${chat(SLACK)}/messages`)
          .get(),
        403,
        'Forbidden',
      );
      em.grantRoles(em.info.migrationApp.clientId, ['ChannelMessage.Read.All', 'Chat.Read.All']);
      assert.deepEqual(
        (
          await graphFor(em)
            .api(`${channel(GENERAL)}/messages`)
            .get()
        ).value,
        [],
      );
      assert.deepEqual(
        (
          await graphFor(em)
            .api(`${chat(SLACK)}/messages`)
            .get()
        ).value,
        [],
      );
      em.reset();
      await expectGraphError(
        graphFor(em)
          .api(`${chat(SLACK)}/messages`)
          .get(),
        403,
        'Forbidden',
      );
    });

    it('lists root messages newest first in pages of $top (default 20, at most 50), and replies the same way', async () => {
      const em = emulator();
      em.grantRoles(em.info.migrationApp.clientId, ['ChannelMessage.Read.All']);
      const graph = graphFor(em);
      inMigration(em, GENERAL);
      const at = (minute: number, second = 0) => new Date(Date.parse('2021-05-01T00:00:00Z') + minute * 60_000 + second * 1000).toISOString();
      const roots = [];
      for (let i = 0; i < 25; i++) roots.push(await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, at(i), `root ${i}`)));
      for (let i = 1; i <= 3; i++) await graph.api(`${channel(GENERAL)}/messages/${roots[0].id}/replies`).post(message(USERS.megan, at(0, i), `reply ${i}`));

      const first = await graph.api(`${channel(GENERAL)}/messages`).get();
      assert.equal(first.value.length, 20);
      assert.equal(first.value[0].body.content, 'root 24', 'newest first');
      assert.ok(
        first.value.every((m: any) => m.replyToId === null),
        'replies are not listed with the roots',
      );
      const second = await graph.api(first['@odata.nextLink']).get();
      assert.deepEqual(
        second.value.map((m: any) => m.body.content),
        ['root 4', 'root 3', 'root 2', 'root 1', 'root 0'],
      );
      assert.equal(second['@odata.nextLink'], undefined);

      const small = await graph
        .api(`${channel(GENERAL)}/messages`)
        .top(10)
        .get();
      assert.equal(small.value.length, 10);
      assert.match(small['@odata.nextLink'], /\$top=10/);
      await expectGraphError(
        graph
          .api(`${channel(GENERAL)}/messages`)
          .top(51)
          .get(),
        400,
        'BadRequest',
      );

      const replies = await graph
        .api(`${channel(GENERAL)}/messages/${roots[0].id}/replies`)
        .top(2)
        .get();
      assert.deepEqual(
        replies.value.map((m: any) => [m.body.content, m.replyToId]),
        [
          ['reply 3', roots[0].id],
          ['reply 2', roots[0].id],
        ],
      );
      const rest = await graph.api(replies['@odata.nextLink']).get();
      assert.deepEqual(
        rest.value.map((m: any) => m.body.content),
        ['reply 1'],
      );
      await expectGraphError(graph.api(`${channel(GENERAL)}/messages/999/replies`).get(), 404, 'NotFound');

      const all = em.messages(GENERAL);
      assert.equal(all.length, 28);
      assert.deepEqual(
        all.slice(0, 5).map((m) => m.body.content),
        ['root 0', 'reply 1', 'reply 2', 'reply 3', 'root 1'],
        'em.messages(): roots and replies, oldest first',
      );
    });

    it('lists chat messages newest first', async () => {
      const em = emulator();
      em.grantRoles(em.info.migrationApp.clientId, ['Chat.Read.All']);
      const graph = graphFor(em);
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.alex, '2020-01-01T00:00:01Z', 'one'));
      await graph.api(`${chat(SLACK)}/messages`).post(message(USERS.megan, '2020-01-01T00:00:02Z', 'two'));
      const list = await graph.api(`${chat(SLACK)}/messages`).get();
      assert.deepEqual(
        list.value.map((m: any) => [m.body.content, m.from.user.id]),
        [
          ['two', USERS.megan],
          ['one', USERS.alex],
        ],
      );
    });

    it('forgets imported messages on reset()', async () => {
      const em = emulator();
      await graphFor(em)
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, '2020-01-01T00:00:01Z', 'one'));
      em.reset();
      assert.deepEqual(em.messages(SLACK), []);
      await graphFor(em)
        .api(`${chat(SLACK)}/messages`)
        .post(message(USERS.alex, '2020-01-01T00:00:01Z', 'the same millisecond is free again'));
    });
  });
});

/** POSTs an import with a bearer token, without graph-client's retries. */
function post(em: Emulator, token: string, path: string, body: unknown) {
  return rawRequest(em, 'POST', `/v1.0${path}`, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the emulator throttles message import per thread (spec §9)', () => {
  const emulator = useEmulator();
  let clock = Date.parse('2022-01-01T00:00:00Z');
  const next = () => new Date((clock += 1000)).toISOString();

  it('takes five imports per second on one thread, answers the sixth 429 with Retry-After, while another thread is not throttled', async () => {
    const em = emulator();
    inMigration(em, GENERAL);
    inMigration(em, ANNOUNCEMENTS);
    const token = await tokenFor(em);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(em, token, `${channel(GENERAL)}/messages`, message(USERS.alex, next(), `m${i}`))).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201], 'neither the 1/s per-thread nor the 4/s per-team budget applies to imports');
    const throttled = await post(em, token, `${channel(GENERAL)}/messages`, message(USERS.alex, next(), 'm5'));
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.error.code, 'TooManyRequests');
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 1, `Retry-After ${retryAfter}`);
    assert.equal((await post(em, token, `${channel(ANNOUNCEMENTS)}/messages`, message(USERS.alex, next(), 'elsewhere'))).status, 201);
    await sleep(retryAfter * 1000 + 20);
    assert.equal((await post(em, token, `${channel(GENERAL)}/messages`, message(USERS.alex, next(), 'm5 again'))).status, 201);
    assert.equal(em.messages(GENERAL).length, 6);
  });

  it('counts an early retry, so a client that retried early waits longer than it was first told', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const path = `${chat(SLACK)}/messages`;
    await post(em, token, path, message(USERS.alex, next(), 'x'));
    await sleep(300);
    for (let i = 0; i < 4; i++) await post(em, token, path, message(USERS.alex, next(), 'x'));
    const firstAt = Date.now();
    const first = await post(em, token, path, message(USERS.alex, next(), 'x'));
    await sleep(100);
    const early = await post(em, token, path, message(USERS.alex, next(), 'x'));
    assert.deepEqual([first.status, early.status], [429, 429]);
    const told = Number(first.headers['retry-after']);
    assert.ok(Number(early.headers['retry-after']) > told, `early retry: ${String(early.headers['retry-after'])} vs first ${told}`);
    await sleep(Math.max(0, firstAt + told * 1000 + 20 - Date.now()));
    assert.equal((await post(em, token, path, message(USERS.alex, next(), 'x'))).status, 429, 'the first Retry-After is no longer enough');
  });

  it('follows setLimits({ importPerThread }), and graph-client rides the 429s out', async () => {
    const em = emulator();
    em.setLimits({ importPerThread: 2 });
    inMigration(em, GENERAL);
    const graph = graphFor(em);
    for (let i = 0; i < 4; i++) await graph.api(`${channel(GENERAL)}/messages`).post(message(USERS.alex, next(), `m${i}`));
    const statuses = em.graphWrites().map((r) => r.status);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 201).length, 4);
    assert.equal(em.messages(GENERAL).length, 4);
    em.setLimits({ importPerThread: 5 });
  });
});

describe('the emulator finds users by mail and user principal name', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  const upns = (r: any) => r.value.map((u: any) => u.userPrincipalName);

  it("answers `mail in (…) or userPrincipalName in (…)` case-insensitively, only with the caller's tenant", async () => {
    const graph = graphFor(emulator());
    const values = ["'ALEXW@example.com'", "'meganb@EXAMPLE.com'", "'olga@othercorp.example'", "'gary_fabrikam.example#EXT#@example.com'"].join(',');
    const found = await graph
      .api('/users')
      .filter(encodeURIComponent(`mail in (${values}) or userPrincipalName in (${values})`))
      .select('id,mail,userPrincipalName')
      .get();
    assert.deepEqual(upns(found), ['alexw@example.com', 'meganb@example.com', 'gary_fabrikam.example#EXT#@example.com']);
    assert.deepEqual(Object.keys(found.value[0]).sort(), ['id', 'mail', 'userPrincipalName']);
  });

  it('refuses more than 15 values in one `in` with 400', async () => {
    const graph = graphFor(emulator());
    const values = Array.from({ length: 16 }, (_, i) => `'u${i}@example.com'`).join(',');
    const err = await expectGraphError(
      graph
        .api('/users')
        .filter(encodeURIComponent(`mail in (${values})`))
        .get(),
      400,
      'BadRequest',
    );
    assert.match(err.message, /Max allowed: 15/);
    const fifteen = Array.from({ length: 14 }, (_, i) => `'u${i}@example.com'`).concat("'pattif@example.com'");
    assert.deepEqual(
      upns(
        await graph
          .api('/users')
          .filter(encodeURIComponent(`mail in (${fifteen.join(',')})`))
          .get(),
      ),
      ['pattif@example.com'],
    );
  });

  it('supports eq on mail and userPrincipalName, $top and paging, and refuses unknown filters', async () => {
    const graph = graphFor(emulator());
    assert.deepEqual(upns(await graph.api('/users').filter(encodeURIComponent("mail eq 'LynneR@example.com'")).get()), ['lynner@example.com']);
    assert.deepEqual(upns(await graph.api('/users').filter(encodeURIComponent("userPrincipalName eq 'nestorw@example.com'")).get()), ['nestorw@example.com']);
    const first = await graph.api('/users').top(5).get();
    assert.equal(first.value.length, 5);
    const second = await graph.api(first['@odata.nextLink']).get();
    assert.equal(second.value.length, 3, 'eight users in the home tenant');
    await expectGraphError(graph.api('/users').top(1000).get(), 400, 'BadRequest');
    await expectGraphError(graph.api('/users').filter(encodeURIComponent("jobTitle eq 'x'")).get(), 400, 'BadRequest');
  });
});

describe('the emulator stores files for reference attachments', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it("uploads into a channel's files folder and the importer attaches the file by its eTag GUID", async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em)
        .api(`${channel(GENERAL)}/filesFolder`)
        .get(),
      403,
      'Forbidden',
    );
    em.grantRoles(em.info.migrationApp.clientId, ['Files.ReadWrite.All']);
    const graph = graphFor(em);
    const folder = await graph.api(`${channel(GENERAL)}/filesFolder`).get();
    assert.equal(folder.name, 'General');
    assert.match(folder.parentReference.driveId, /^b!/);
    const bytes = Buffer.from('%PDF-1.4 a report');
    const item = await graph
      .api(`/drives/${folder.parentReference.driveId}/items/${folder.id}:/${encodeURIComponent('Q3 report.pdf')}:/content`)
      .header('Content-Type', 'application/pdf')
      .put(bytes);
    assert.equal(item.name, 'Q3 report.pdf');
    assert.equal(item.size, bytes.length);
    assert.match(item.webUrl, /^https:\/\/example\.sharepoint\.com\/sites\/MyTeam\/Shared%20Documents\/General\/Q3%20report\.pdf$/);
    const guid = /^"\{([0-9A-F-]{36})\},1"$/.exec(item.eTag)?.[1];
    assert.ok(guid, item.eTag);
    const [file] = em.uploadedFiles();
    assert.deepEqual(
      [file.name, file.channelId, file.contentType, file.content.toString()],
      ['Q3 report.pdf', GENERAL, 'application/pdf', '%PDF-1.4 a report'],
    );

    inMigration(em, GENERAL);
    const attachment = { id: guid, contentType: 'reference', contentUrl: item.webUrl, name: item.name };
    const m = await graph
      .api(`${channel(GENERAL)}/messages`)
      .post(message(USERS.alex, '2021-01-01T00:00:00Z', `see <attachment id="${guid}"></attachment>`, { attachments: [attachment] }));
    assert.equal(m.attachments[0].id, guid);
  });

  it('takes a binary body whatever its content type, replaces a file of the same name, and refuses more than 4 MB with 413', async () => {
    const em = emulator();
    em.grantRoles(em.info.migrationApp.clientId, ['Files.ReadWrite.All']);
    const graph = graphFor(em);
    const folder = await graph.api(`${channel(FALCON)}/filesFolder`).get();
    const upload = (name: string) => `/drives/${folder.parentReference.driveId}/items/${folder.id}:/${name}:/content`;
    const binary = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x22]); // starts like JSON, is not
    const first = await graph.api(upload('blob.bin')).put(binary);
    const again = await graph.api(upload('blob.bin')).put(Buffer.from('v2'));
    assert.equal(again.id, first.id);
    assert.equal(again.eTag, first.eTag.replace(',1"', ',2"'));
    const full = await graph.api(upload('full.bin')).put(Buffer.alloc(4 * 1024 * 1024, 1));
    assert.equal(full.size, 4 * 1024 * 1024);
    await expectGraphError(graph.api(upload('big.bin')).put(Buffer.alloc(4 * 1024 * 1024 + 1, 1)), 413);
    assert.deepEqual(
      em.uploadedFiles().map((f) => [f.name, f.size, f.version]),
      [
        ['blob.bin', 2, 2],
        ['full.bin', 4 * 1024 * 1024, 1],
      ],
    );
    await expectGraphError(graph.api(`/drives/${folder.parentReference.driveId}/items/01NOPE:/x.txt:/content`).put(Buffer.from('x')), 404);
    em.reset();
    assert.deepEqual(em.uploadedFiles(), []);
  });
});
