import * as assert from 'node:assert/strict';
import { enc, ENG_TEAM, expectGraphError, FOREIGN_TEAM, graphFor, MY_TEAM, rawRequest, tokenFor, USERS, useEmulator } from './helpers';

describe('emulated Graph: the bot reads teams, channels, chats and users', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('pages through every team of the tenant with absolute nextLinks', async () => {
    const graph = graphFor(emulator());
    const first = await graph.api('/teams').get();
    assert.equal(first.value.length, 20);
    assert.match(first['@odata.nextLink'], new RegExp(`^${emulator().baseUrl}/v1.0/teams\\?.*\\$skiptoken=`));
    const names: string[] = first.value.map((t: any) => t.displayName);
    let link: string | undefined = first['@odata.nextLink'];
    while (link) {
      const next = await graph.api(link).get();
      names.push(...next.value.map((t: any) => t.displayName));
      link = next['@odata.nextLink'];
    }
    assert.equal(names.length, 34);
    assert.ok(names.includes('Project 30') && names.includes('My Team'));
    assert.ok(!names.includes('Other Corp'), "another tenant's team is never listed");
  });

  it('honours $top as the page size (at most 999) and refuses a bad one', async () => {
    const graph = graphFor(emulator());
    const page = await graph.api('/teams').top(5).get();
    assert.equal(page.value.length, 5);
    assert.match(page['@odata.nextLink'], /\$top=5/);
    await expectGraphError(graph.api('/teams').top(1000).get(), 400, 'BadRequest');
    await expectGraphError(graph.api('/teams').query('$top=abc').get(), 400, 'BadRequest');
  });

  it('filters teams by exact name and by name prefix', async () => {
    const graph = graphFor(emulator());
    const marketing = await graph.api('/teams').filter("displayName eq 'Marketing'").get();
    assert.deepEqual(
      marketing.value.map((t: any) => t.id),
      ['00000000-0000-0000-0000-000000000034', '00000000-0000-0000-0000-000000000035'],
    );
    const projects = await graph.api('/teams').filter("startswith(displayName,'Project 0')").top(100).get();
    assert.equal(projects.value.length, 9);
    const quoted = await graph.api('/teams').filter("displayName eq 'O''Brien'").get();
    assert.deepEqual(quoted.value, []);
    await expectGraphError(graph.api('/teams').filter("description eq 'x'").get(), 400, 'BadRequest');
  });

  it('trims fields with $select and refuses unknown properties', async () => {
    const graph = graphFor(emulator());
    const teams = await graph.api('/teams').select(['id', 'displayName']).top(2).get();
    assert.deepEqual(Object.keys(teams.value[0]).sort(), ['displayName', 'id']);
    await expectGraphError(graph.api('/teams').select('nope').get(), 400, 'BadRequest');
  });

  it('reads a team with its id, name, description and creation time', async () => {
    const team = await graphFor(emulator()).api(`/teams/${MY_TEAM}`).get();
    assert.equal(team.id, MY_TEAM);
    assert.equal(team.displayName, 'My Team');
    assert.equal(team.createdDateTime, '2024-06-10T09:30:00Z');
    assert.equal(typeof team.description, 'string');
    assert.equal(team.migrationMode, undefined, 'teams themselves have no migration mode');
  });

  it('lists all 66 channels of Contoso Engineering and filters them by name and membership type', async () => {
    const graph = graphFor(emulator());
    const all = await graph.api(`/teams/${ENG_TEAM}/channels`).get();
    assert.equal(all.value.length, 66);
    const legacy = all.value.find((c: any) => c.displayName === 'Legacy Import');
    assert.equal(legacy.migrationMode, 'inProgress');
    assert.equal(legacy.originalCreatedDateTime, '2023-02-01T12:00:00Z');
    const ch07 = await graph.api(`/teams/${ENG_TEAM}/channels`).filter("displayName eq 'Channel 07'").get();
    assert.deepEqual(
      ch07.value.map((c: any) => [c.id, c.membershipType]),
      [['19:eng-ch07@thread.tacv2', 'private']],
    );
    const priv = await graph.api(`/teams/${ENG_TEAM}/channels`).filter("membershipType eq 'private'").select('id').get();
    assert.equal(priv.value.length, 9);
    const shared = await graph.api(`/teams/${MY_TEAM}/channels`).filter("membershipType eq 'shared'").get();
    assert.deepEqual(
      shared.value.map((c: any) => c.displayName),
      ['Partners'],
    );
  });

  it('reads a channel whose id is URL-encoded once, with migrationMode null when never migrated', async () => {
    const channel = await graphFor(emulator())
      .api(`/teams/${MY_TEAM}/channels/${enc('19:myteam-falcon@thread.tacv2')}`)
      .get();
    assert.equal(channel.displayName, 'Project Falcon');
    assert.equal(channel.membershipType, 'private');
    assert.equal(channel.migrationMode, null);
    assert.equal(channel.originalCreatedDateTime, null);
    assert.match(channel.webUrl, /^https:\/\/teams\.microsoft\.com\/l\/channel\//);
  });

  it('answers 404 for a channel of another team, and for a path an un-encoded id splits, and logs the attempt', async () => {
    const em = emulator();
    const graph = graphFor(em);
    await expectGraphError(graph.api(`/teams/${MY_TEAM}/channels/${enc('19:eng-ch01@thread.tacv2')}`).get(), 404, 'NotFound');
    const token = await tokenFor(em);
    const split = await rawRequest(em, 'GET', `/v1.0/teams/${MY_TEAM}/channels/19:a/b@thread.tacv2`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(split.status, 404);
    assert.equal(split.json.error.code, 'NotFound');
    const dotted = await rawRequest(em, 'GET', `/v1.0/teams/${MY_TEAM}/channels/../../users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(dotted.status, 404);
    assert.ok(em.requests({ service: 'graph' }).some((r) => r.path === `/v1.0/teams/${MY_TEAM}/channels/19:a/b@thread.tacv2`));
  });

  it('reads chats: group, one-on-one and meeting', async () => {
    const graph = graphFor(emulator());
    const group = await graph.api(`/chats/${enc('19:group-launch@thread.v2')}`).get();
    assert.deepEqual([group.topic, group.chatType, group.migrationMode], ['Launch planning', 'group', null]);
    const oneOnOne = await graph.api(`/chats/${enc('19:00000000-0000-0000-0000-000000000020_00000000-0000-0000-0000-000000000025@unq.gbl.spaces')}`).get();
    assert.deepEqual([oneOnOne.topic, oneOnOne.chatType, oneOnOne.createdDateTime], [null, 'oneOnOne', '2024-01-02T03:04:05Z']);
    const meeting = await graph.api(`/chats/${enc('19:meeting_weeklysync@thread.v2')}`).get();
    assert.equal(meeting.chatType, 'meeting');
    await expectGraphError(graph.api(`/chats/${enc('19:nope@thread.v2')}`).get(), 404, 'NotFound');
  });

  it("lists a user's chats with $top at most 50 and paging", async () => {
    const graph = graphFor(emulator());
    const all = await graph.api(`/users/${USERS.alex}/chats`).get();
    assert.equal(all.value.length, 6);
    const page = await graph.api(`/users/${USERS.alex}/chats`).top(4).get();
    assert.equal(page.value.length, 4);
    const rest = await graph.api(page['@odata.nextLink']).get();
    assert.equal(rest.value.length, 2);
    assert.equal(rest['@odata.nextLink'], undefined);
    await expectGraphError(graph.api(`/users/${USERS.alex}/chats`).top(51).get(), 400, 'BadRequest');
    const lynne = await graph.api('/users/lynner@example.com/chats').get();
    assert.equal(lynne.value.length, 4);
  });

  it('reads a user, with userType on request', async () => {
    const guest = await graphFor(emulator()).api(`/users/${USERS.gary}`).select(['id', 'userType']).get();
    assert.equal(guest.userType, 'Guest');
  });

  it('serves the same surface under /beta', async () => {
    const em = emulator();
    const beta = graphFor(em, em.info.migrationApp, { version: 'beta' });
    const channel = await beta.api(`/teams/${MY_TEAM}/channels/${enc('19:myteam-general@thread.tacv2')}`).get();
    assert.equal(channel.displayName, 'General');
    assert.ok(em.requests({ service: 'graph' }).every((r) => r.path.startsWith('/beta/')));
  });
});

describe('emulated Graph: tokens, permissions and tenants', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  const path = `/v1.0/teams/${MY_TEAM}`;

  it('answers 401 without a token, and with a garbage one', async () => {
    const em = emulator();
    const none = await rawRequest(em, 'GET', path);
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'InvalidAuthenticationToken');
    const garbage = await rawRequest(em, 'GET', path, { headers: { authorization: 'Bearer not.a.jwt' } });
    assert.equal(garbage.status, 401);
  });

  it('answers 401 for an expired token, a bad signature, a wrong audience and an unknown tenant', async () => {
    const em = emulator();
    const app = em.info.migrationApp.clientId;
    const cases = {
      expired: em.mintAccessToken({ clientId: app, tenantId: em.info.tenantId, expiresInSeconds: -10 }),
      badSignature: em.mintAccessToken({ clientId: app, tenantId: em.info.tenantId, foreignKey: true }),
      wrongAudience: em.mintAccessToken({ clientId: app, tenantId: em.info.tenantId, audience: 'https://api.botframework.com' }),
      unknownTenant: em.mintAccessToken({ clientId: app, tenantId: '22222222-2222-2222-2222-222222222222' }),
      appNotInTenant: em.mintAccessToken({ clientId: app, tenantId: em.info.foreignTenantId }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await rawRequest(em, 'GET', path, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 401, name);
      assert.equal(r.json.error.code, 'InvalidAuthenticationToken', name);
    }
    const fresh = em.mintAccessToken({ clientId: app, tenantId: em.info.tenantId });
    assert.equal((await rawRequest(em, 'GET', path, { headers: { authorization: `Bearer ${fresh}` } })).status, 200, 'the control case passes');
  });

  it('answers 403 naming the missing role when the read-only app starts a migration', async () => {
    const em = emulator();
    const err = await expectGraphError(
      graphFor(em, em.info.readOnlyApp)
        .api(`/teams/${MY_TEAM}/channels/${enc('19:myteam-general@thread.tacv2')}/startMigration`)
        .post({}),
      403,
      'Forbidden',
    );
    assert.match(
      err.message,
      /^Missing role permissions on the request\. API requires one of 'Teamwork\.Migrate\.All'\. Roles on the request '.*User\.Read\.All.*'\.$/,
    );
    assert.equal(em.thread('19:myteam-general@thread.tacv2')?.migrationMode, null);
  });

  it("keeps tenants apart: tenant B's app sees its own team and none of tenant A's", async () => {
    const em = emulator();
    const foreign = graphFor(em, em.info.foreignApp);
    const teams = await foreign.api('/teams').get();
    assert.deepEqual(
      teams.value.map((t: any) => t.id),
      [FOREIGN_TEAM],
    );
    await expectGraphError(foreign.api(`/teams/${MY_TEAM}`).get(), 404, 'NotFound');
    await expectGraphError(foreign.api(`/users/${USERS.alex}/chats`).get(), 404, 'NotFound');
    await expectGraphError(graphFor(em).api(`/teams/${FOREIGN_TEAM}`).get(), 404, 'NotFound');
    await expectGraphError(
      graphFor(em)
        .api(`/chats/${enc('19:other-group@thread.v2')}`)
        .get(),
      404,
      'NotFound',
    );
  });

  it('puts request-id and client-request-id in headers and in innerError', async () => {
    const em = emulator();
    const r = await rawRequest(em, 'GET', '/v1.0/teams/unknown', {
      headers: { authorization: `Bearer ${await tokenFor(em)}`, 'client-request-id': 'abc-123' },
    });
    assert.equal(r.status, 404);
    assert.equal(r.headers['client-request-id'], 'abc-123');
    assert.equal(r.json.error.innerError['client-request-id'], 'abc-123');
    assert.equal(r.json.error.innerError['request-id'], r.headers['request-id']);
    assert.match(r.json.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(em.requests({ pathIncludes: '/teams/unknown' })[0].requestId, r.headers['request-id']);
  });
});
