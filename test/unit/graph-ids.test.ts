import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphCallError } from '../../src/graph/graph-errors';
import { graphSegment } from '../../src/graph/graph-ids';
import { isGraphId, malformedIdMessage, type GraphIdKind } from '../../src/domain/parse/ids';
import { explainFailure } from '../../src/domain/explain-failure';
import { DirectoryRoles } from '../../src/graph/directory-roles';
import { MigrationApi, threadPath } from '../../src/graph/migration-api';
import { TeamsDirectory } from '../../src/graph/teams-directory';

const KINDS: GraphIdKind[] = ['team', 'user', 'userRef', 'tenant', 'channel', 'chat', 'message', 'driveObject'];
const opaque = fc.stringMatching(/^[A-Za-z0-9_\-.=]{1,60}$/);
const genuine: Record<GraphIdKind, fc.Arbitrary<string>> = {
  team: fc.uuid(),
  user: fc.uuid(),
  tenant: fc.uuid(),
  userRef: fc.oneof(fc.uuid(), fc.constantFrom('megan@contoso.com', "o'brien@contoso.onmicrosoft.com", 'guest_fabrikam.com#EXT#@contoso.onmicrosoft.com')),
  channel: fc.oneof(
    opaque.map((o) => `19:${o}@thread.tacv2`),
    opaque.map((o) => `19:${o}@thread.skype`),
  ),
  chat: fc.oneof(
    opaque.map((o) => `19:${o}@thread.v2`),
    opaque.map((o) => `19:meeting_${o}@thread.v2`),
    fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]) => `19:${a}_${b}@unq.gbl.spaces`),
  ),
  message: fc.bigInt({ min: 1n, max: 10n ** 20n }).map(String),
  driveObject: fc.stringMatching(/^[A-Za-z0-9!_-]{1,60}$/),
};
/** What must never survive into a path segment, spliced anywhere into a genuine id. */
const POISON = ['/', '\\', '?', '#', '%', '%2F', '%2e%2e', ' ', '\t', '\n', '\u0000', '\u007f', '\u202e', '/../', '..', '&', '@'];

/** A Graph client stand-in that records every path it is asked for and answers nothing. */
function recordingClient(paths: string[]): Client {
  const request = {
    option: () => request,
    query: () => request,
    responseType: () => request,
    get: async () => ({ value: [] }),
    post: async () => ({ value: [] }),
  };
  return { api: (p: string) => (paths.push(p), request) } as unknown as Client;
}

describe('graph ids: every id has its exact shape before it goes into a Graph path', () => {
  it('accepts every genuine id of each kind, and encodes it into one segment unchanged', () => {
    for (const kind of KINDS) {
      fc.assert(
        fc.property(genuine[kind], (id) => {
          assert.ok(isGraphId(kind, id), `${kind} ${id}`);
          assert.equal(decodeURIComponent(graphSegment(kind, id)), id);
          assert.doesNotMatch(graphSegment(kind, id), /[/?#\\]/);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('refuses ".", "..", empty, non-strings and over-long values for every kind', () => {
    for (const kind of KINDS) {
      for (const bad of ['.', '..', '', ' ', null, undefined, 42, {}, `19:${'a'.repeat(201)}@thread.v2`, `${'a'.repeat(65)}@contoso.com`]) {
        assert.equal(isGraphId(kind, bad), false, `${kind} ${JSON.stringify(bad)}`);
        assert.throws(
          () => graphSegment(kind, bad),
          (e: unknown) => e instanceof GraphCallError && e.failure.code === 'MalformedId',
        );
      }
    }
  });

  it('refuses any genuine id with a slash, ?, #, %, whitespace or a control character spliced in (property-based)', () => {
    const spliced = fc
      .tuple(fc.constantFrom(...KINDS.filter((k) => k !== 'userRef')), fc.nat(), fc.constantFrom(...POISON), fc.nat())
      .chain(([kind, , poison, at]) =>
        genuine[kind].map((id) => ({ kind, poison, id: `${id.slice(0, at % (id.length + 1))}${poison}${id.slice(at % (id.length + 1))}` })),
      );
    fc.assert(
      fc.property(spliced, ({ kind, id, poison }) => {
        // `@` is part of a thread id's suffix; splicing a second one in can still leave a valid shape only for UPNs.
        if (poison === '@' || poison === '..') fc.pre(!isGraphId(kind, id));
        assert.equal(isGraphId(kind, id), false, `${kind} ${JSON.stringify(id)}`);
        assert.throws(() => graphSegment(kind, id), GraphCallError);
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets an accepted value decode to a dot segment or carry a path or query character (property-based)', () => {
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.constantFrom(...POISON).map((p) => `19:${p}@thread.v2`),
    );
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), anything, (kind, value) => {
        if (!isGraphId(kind, value)) return;
        assert.notEqual(value, '.');
        assert.notEqual(value, '..');
        // eslint-disable-next-line no-control-regex -- control characters are exactly what a Graph id must not contain
        assert.doesNotMatch(value, /[/?%\\\s\u0000-\u001f\u007f]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('names which id was malformed and what a good one looks like', () => {
    assert.match(malformedIdMessage('user', '..'), /Entra object id \(aadObjectId\) "\.\." is malformed.*should be a GUID/);
    assert.match(malformedIdMessage('chat', 'x\u0000'), /chat id "x\\u0000" is malformed.*19:…@thread\.v2/);
    assert.match(malformedIdMessage('channel', 'z'.repeat(500)), /channel id "z{60}…" is malformed.*@thread\.tacv2/);
    const failure = (() => {
      try {
        graphSegment('team', '..');
      } catch (e) {
        return (e as GraphCallError).failure;
      }
      throw new Error('not refused');
    })();
    assert.equal(failure.outcomeUnknown, false, 'Graph was never called, so the outcome is known');
    assert.match(explainFailure(failure, 'read'), /team id "\.\." is malformed/);
  });

  it('every Graph path builder refuses a malformed id before asking the client for a request', async () => {
    const paths: string[] = [];
    const client = recordingClient(paths);
    const directory = new TeamsDirectory(client, 1000);
    const migration = new MigrationApi(client, 1000);
    const roles = new DirectoryRoles(client, 1000);
    const good = { team: '00000000-0000-0000-0000-000000000031', channel: '19:myteam-general@thread.tacv2', chat: '19:group-launch@thread.v2' };
    const attempts: [string, () => Promise<unknown>][] = [
      ['getTeam', () => directory.getTeam('..')],
      ['listChannels', () => directory.listChannels('../../users')],
      ['getChannel team', () => directory.getChannel('.', good.channel)],
      ['getChannel channel', () => directory.getChannel(good.team, '19:a/../b@thread.tacv2')],
      ['getChat', () => directory.getChat('..')],
      ['getThread', () => directory.getThread({ kind: 'chat', chatId: '19:x?$top=1@thread.v2' })],
      ['listUserChats', () => directory.listUserChats('../..')],
      ['startMigration', () => migration.startMigration({ kind: 'channel', teamId: good.team, channelId: '..' }, null)],
      ['completeMigration', () => migration.completeMigration({ kind: 'chat', chatId: '19:x#y@thread.v2' })],
      ['checkMemberObjects', () => roles.heldBy('..', ['62e90394-69f5-4237-9190-012177145e10'])],
    ];
    for (const [name, attempt] of attempts) {
      await assert.rejects(attempt(), (e: unknown) => e instanceof GraphCallError && e.failure.code === 'MalformedId', name);
    }
    assert.deepEqual(paths, [], 'no request was built');
    assert.equal(
      threadPath({ kind: 'channel', teamId: good.team, channelId: good.channel }),
      `/teams/${good.team}/channels/${encodeURIComponent(good.channel)}`,
    );
    await directory.getChat(good.chat);
    assert.deepEqual(paths, [`/chats/${encodeURIComponent(good.chat)}`], 'a good id still reaches the client');
  });
});
