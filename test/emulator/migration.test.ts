import * as assert from 'node:assert/strict';
import { enc, ENG_TEAM, expectGraphError, graphFor, MY_TEAM, useEmulator } from './helpers';

const GENERAL = '19:myteam-general@thread.tacv2';
const FALCON = '19:myteam-falcon@thread.tacv2';
const PARTNERS = '19:myteam-partners@thread.tacv2';
const LEGACY = '19:eng-legacy@thread.tacv2';
const VENDOR = '19:eng-vendor@thread.tacv2';
const LAUNCH = '19:group-launch@thread.v2';
const ONE_ON_ONE = '19:00000000-0000-0000-0000-000000000020_00000000-0000-0000-0000-000000000025@unq.gbl.spaces';
const VERSION_MISMATCH = '19:00000000-0000-0000-0000-000000000020_00000000-0000-0000-0000-000000000021@unq.gbl.spaces';
const MEETING = '19:meeting_weeklysync@thread.v2';
const SLACK = '19:group-slack@thread.v2';

const channel = (team: string, id: string) => `/teams/${team}/channels/${enc(id)}`;
const chat = (id: string) => `/chats/${enc(id)}`;

describe('emulated Graph: startMigration (spec §2)', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('backdates a channel: createdDateTime moves back, the old value is kept, the app owns the migration', async () => {
    const em = emulator();
    const graph = graphFor(em);
    const result = await graph.api(`${channel(MY_TEAM, GENERAL)}/startMigration`).post({ conversationCreationDateTime: '2020-01-01T00:00:00+02:00' });
    assert.equal(result, undefined, '204 resolves to undefined');
    const t = em.thread(GENERAL);
    assert.equal(t?.createdDateTime, '2019-12-31T22:00:00Z');
    assert.equal(t?.originalCreatedDateTime, '2024-06-10T09:30:00Z');
    assert.equal(t?.migrationMode, 'inProgress');
    assert.equal(t?.migrationOwnerAppId, em.info.migrationApp.clientId);
    const read = await graph.api(channel(MY_TEAM, GENERAL)).get();
    assert.deepEqual([read.migrationMode, read.createdDateTime, read.originalCreatedDateTime], ['inProgress', '2019-12-31T22:00:00Z', '2024-06-10T09:30:00Z']);
    assert.equal(em.graphWrites().length, 1);
  });

  it('leaves createdDateTime alone when the body is omitted', async () => {
    const em = emulator();
    await graphFor(em)
      .api(`${channel(MY_TEAM, FALCON)}/startMigration`)
      .post(undefined);
    const t = em.thread(FALCON);
    assert.deepEqual([t?.migrationMode, t?.createdDateTime], ['inProgress', '2024-06-10T09:30:00Z']);
  });

  it('supports private and shared channels, group and one-on-one chats', async () => {
    const em = emulator();
    const graph = graphFor(em);
    const body = { conversationCreationDateTime: '2015-03-04T05:06:07Z' };
    await graph.api(`${channel(MY_TEAM, FALCON)}/startMigration`).post(body);
    await graph.api(`${channel(MY_TEAM, PARTNERS)}/startMigration`).post(body);
    await graph.api(`${chat(LAUNCH)}/startMigration`).post(body);
    await graph.api(`${chat(ONE_ON_ONE)}/startMigration`).post(body);
    for (const id of [FALCON, PARTNERS, LAUNCH, ONE_ON_ONE]) {
      assert.deepEqual([em.thread(id)?.migrationMode, em.thread(id)?.createdDateTime], ['inProgress', '2015-03-04T05:06:07Z'], id);
    }
  });

  it('refuses a meeting chat with 400', async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em)
        .api(`${chat(MEETING)}/startMigration`)
        .post({}),
      400,
      'BadRequest',
    );
    assert.equal(em.thread(MEETING)?.migrationMode, null);
  });

  it('refuses a thread already in migration with 400, and does not change its owner', async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em, em.info.otherApp)
        .api(`${channel(ENG_TEAM, LEGACY)}/startMigration`)
        .post({}),
      400,
      'BadRequest',
    );
    await expectGraphError(
      graphFor(em)
        .api(`${chat(SLACK)}/startMigration`)
        .post({}),
      400,
      'BadRequest',
    );
    assert.equal(em.thread(LEGACY)?.migrationOwnerAppId, em.info.migrationApp.clientId);
  });

  it('refuses a date that is not earlier than the current createdDateTime, or unparsable, with 400', async () => {
    const em = emulator();
    const graph = graphFor(em);
    const start = (d: unknown) => graph.api(`${channel(MY_TEAM, GENERAL)}/startMigration`).post({ conversationCreationDateTime: d });
    await expectGraphError(start('2024-06-10T09:30:00Z'), 400, 'BadRequest');
    await expectGraphError(start('2025-01-01T00:00:00Z'), 400, 'BadRequest');
    await expectGraphError(start('yesterday'), 400, 'BadRequest');
    await expectGraphError(start('2020-13-01T00:00:00Z'), 400, 'BadRequest');
    await expectGraphError(start('2020-01-01T00:00:00'), 400, 'BadRequest');
    await expectGraphError(start(20200101), 400, 'BadRequest');
    assert.equal(em.thread(GENERAL)?.migrationMode, null);
    assert.equal(em.thread(GENERAL)?.startMigrationCalls, 6);
  });

  it('answers 412 "Version mismatch for thread resource" for the flagged one-on-one chat', async () => {
    const em = emulator();
    const err = await expectGraphError(
      graphFor(em)
        .api(`${chat(VERSION_MISMATCH)}/startMigration`)
        .post({}),
      412,
      'PreconditionFailed',
    );
    assert.equal(err.message, 'Version mismatch for thread resource');
  });

  it('re-opens a completed thread, keeping the first originalCreatedDateTime, and createdDateTime only moves back', async () => {
    const em = emulator();
    const graph = graphFor(em);
    await graph.api(`${channel(MY_TEAM, GENERAL)}/startMigration`).post({ conversationCreationDateTime: '2020-01-01T00:00:00Z' });
    await graph.api(`${channel(MY_TEAM, GENERAL)}/completeMigration`).post(undefined);
    await expectGraphError(graph.api(`${channel(MY_TEAM, GENERAL)}/startMigration`).post({ conversationCreationDateTime: '2021-01-01T00:00:00Z' }), 400);
    await graph.api(`${channel(MY_TEAM, GENERAL)}/startMigration`).post({ conversationCreationDateTime: '2018-01-01T00:00:00Z' });
    const t = em.thread(GENERAL);
    assert.deepEqual([t?.migrationMode, t?.createdDateTime, t?.originalCreatedDateTime], ['inProgress', '2018-01-01T00:00:00Z', '2024-06-10T09:30:00Z']);
  });

  it('answers 404 for an unknown channel or chat and changes nothing', async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em)
        .api(`${channel(MY_TEAM, '19:nope@thread.tacv2')}/startMigration`)
        .post({}),
      404,
      'NotFound',
    );
    await expectGraphError(
      graphFor(em)
        .api(`${channel('00000000-0000-0000-0000-000000000099', GENERAL)}/startMigration`)
        .post({}),
      404,
      'NotFound',
    );
    await expectGraphError(
      graphFor(em)
        .api(`${chat('19:nope@thread.v2')}/startMigration`)
        .post({}),
      404,
      'NotFound',
    );
  });

  it('lets a test put a thread into a state with setThread', async () => {
    const em = emulator();
    em.setThread(GENERAL, { migrationMode: 'inProgress', migrationOwnerAppId: em.info.otherApp.clientId });
    const read = await graphFor(em).api(channel(MY_TEAM, GENERAL)).get();
    assert.equal(read.migrationMode, 'inProgress');
  });
});

describe('emulated Graph: completeMigration (spec §3)', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('completes a migration the app owns', async () => {
    const em = emulator();
    await graphFor(em)
      .api(`${channel(ENG_TEAM, LEGACY)}/completeMigration`)
      .post(undefined);
    assert.equal(em.thread(LEGACY)?.migrationMode, 'completed');
    assert.equal(em.thread(LEGACY)?.completeMigrationCalls, 1);
    await graphFor(em)
      .api(`${chat(SLACK)}/completeMigration`)
      .post(undefined);
    assert.equal(em.thread(SLACK)?.migrationMode, 'completed');
  });

  it('refuses a second completion with "Channel has already been finalized."', async () => {
    const em = emulator();
    const graph = graphFor(em);
    await graph.api(`${channel(ENG_TEAM, LEGACY)}/completeMigration`).post(undefined);
    const err = await expectGraphError(graph.api(`${channel(ENG_TEAM, LEGACY)}/completeMigration`).post(undefined), 400, 'BadRequest');
    assert.equal(err.message, 'Channel has already been finalized.');
  });

  it('refuses a thread that was never in migration with 400', async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em)
        .api(`${channel(MY_TEAM, GENERAL)}/completeMigration`)
        .post(undefined),
      400,
      'BadRequest',
    );
    assert.equal(em.thread(GENERAL)?.migrationMode, null);
  });

  it("refuses to complete another app's migration with 403", async () => {
    const em = emulator();
    await expectGraphError(
      graphFor(em)
        .api(`${channel(ENG_TEAM, VENDOR)}/completeMigration`)
        .post(undefined),
      403,
      'Forbidden',
    );
    assert.equal(em.thread(VENDOR)?.migrationMode, 'inProgress');
    await graphFor(em, em.info.otherApp)
      .api(`${channel(ENG_TEAM, VENDOR)}/completeMigration`)
      .post(undefined);
    assert.equal(em.thread(VENDOR)?.migrationMode, 'completed');
  });

  it('records the owner of a new migration, so another app cannot complete it', async () => {
    const em = emulator();
    await graphFor(em, em.info.otherApp)
      .api(`${chat(LAUNCH)}/startMigration`)
      .post({});
    await expectGraphError(
      graphFor(em)
        .api(`${chat(LAUNCH)}/completeMigration`)
        .post(undefined),
      403,
      'Forbidden',
    );
  });
});
