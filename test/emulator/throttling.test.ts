import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import type { Emulator } from '../../emulator/index';
import { enc, ENG_TEAM, expectGraphError, graphFor, MY_TEAM, rawRequest, tokenFor, useEmulator } from './helpers';

const GENERAL = '19:myteam-general@thread.tacv2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GETs a Graph path with a bearer token, without graph-client's retries. */
async function get(em: Emulator, token: string, path: string) {
  return rawRequest(em, 'GET', `/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('emulated Graph: throttling (spec §5)', () => {
  const emulator = useEmulator();

  it('allows one request per second per app on one channel, answering 429 with a fractional Retry-After', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const path = `/teams/${MY_TEAM}/channels/${enc(GENERAL)}`;
    assert.equal((await get(em, token, path)).status, 200);
    const throttled = await get(em, token, path);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.error.code, 'TooManyRequests');
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 1, `Retry-After ${retryAfter}`);
    assert.match(String(throttled.headers['retry-after']), /^\d+(\.\d{1,3})?$/);
    await sleep(retryAfter * 1000 + 20);
    assert.equal((await get(em, token, path)).status, 200, 'a client that waits as told gets through');
  });

  it('extends the throttle for a client that retries early', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const path = `/chats/${enc('19:group-launch@thread.v2')}`;
    await get(em, token, path);
    const first = await get(em, token, path);
    await sleep(100);
    const early = await get(em, token, path);
    assert.equal(early.status, 429);
    // Without the extension the early retry would be told about 0.1 s less than the first answer.
    assert.ok(
      Number(early.headers['retry-after']) > Number(first.headers['retry-after']) - 0.05,
      `early retry: ${String(early.headers['retry-after'])} vs first ${String(first.headers['retry-after'])}`,
    );
  });

  it('allows four requests per second per app on one team', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const statuses: number[] = [];
    for (const n of ['01', '02', '03', '04', '05'])
      statuses.push((await get(em, token, `/teams/${ENG_TEAM}/channels/${enc(`19:eng-ch${n}@thread.tacv2`)}`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    assert.equal((await get(em, token, `/teams/${MY_TEAM}`)).status, 200, 'another team has its own budget');
  });

  it('allows thirty requests per second per app in the tenant, and counts each app separately', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const statuses = await Promise.all(Array.from({ length: 31 }, () => get(em, token, '/teams?$top=1').then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 30);
    assert.equal(statuses.filter((s) => s === 429).length, 1);
    const other = await tokenFor(em, em.info.readOnlyApp);
    assert.equal((await get(em, other, '/teams?$top=1')).status, 200);
  });

  it('gives listing channels its own budget of sixty per second', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    const teams = (await get(em, token, '/teams?$top=100&$select=id')).json.value.map((t: any) => t.id);
    const lists = await Promise.all(teams.map((id: string) => get(em, token, `/teams/${id}/channels?$select=id`).then((r) => r.status)));
    assert.equal(lists.length, 34);
    assert.ok(
      lists.every((s: number) => s === 200),
      'more than 30 channel lists in a second are fine',
    );
    em.setLimits({ channelsListPerAppPerTenant: 2 });
    assert.equal((await get(em, token, `/teams/${teams[0]}/channels`)).status, 429);
    assert.equal((await get(em, token, '/teams?$top=1')).status, 200, 'the general budget is separate');
  });

  it('turns throttling off with setLimits({ enabled: false })', async () => {
    const em = emulator();
    em.setLimits({ enabled: false });
    const token = await tokenFor(em);
    const path = `/teams/${MY_TEAM}/channels/${enc(GENERAL)}`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(em, token, path)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    em.setLimits({ enabled: true });
  });

  it("graph-client's retry middleware rides out the per-channel limit on a read-then-start sequence", async () => {
    const em = emulator();
    const graph = graphFor(em);
    await graph.api(`/teams/${MY_TEAM}/channels/${enc(GENERAL)}`).get();
    await graph.api(`/teams/${MY_TEAM}/channels/${enc(GENERAL)}/startMigration`).post({ conversationCreationDateTime: '2020-01-01T00:00:00Z' });
    assert.equal(em.thread(GENERAL)?.migrationMode, 'inProgress');
    assert.deepEqual(
      em.graphWrites().map((r) => r.status),
      [429, 204],
    );
  });
});

describe('emulated Graph: injected faults', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it("graph-client's retry middleware recovers from an injected 429 with a fractional Retry-After", async () => {
    const em = emulator();
    em.faults.inject({ method: 'POST', path: '/startMigration', kind: '429', retryAfter: 0.25, times: 2 });
    const started = Date.now();
    await graphFor(em)
      .api(`/teams/${MY_TEAM}/channels/${enc(GENERAL)}/startMigration`)
      .post({});
    assert.ok(Date.now() - started >= 500, 'waited Retry-After twice');
    assert.deepEqual(
      em.graphWrites().map((r) => r.status),
      [429, 429, 204],
    );
    assert.equal(em.thread(GENERAL)?.startMigrationCalls, 1);
  });

  it('answers 503 and 504 with or without Retry-After, and graph-client gives up after three retries', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    em.faults.inject({ path: /\/teams$/, kind: '503', retryAfter: 2.5 });
    const r = await get(em, token, '/teams');
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '2.5');
    assert.equal(r.json.error.code, 'ServiceUnavailable');
    em.faults.inject({ path: `/teams/${MY_TEAM}`, kind: '504', times: 4, retryAfter: 0.01 });
    await expectGraphError(graphFor(em).api(`/teams/${MY_TEAM}`).get(), 504);
    assert.equal(em.requests({ pathIncludes: `/teams/${MY_TEAM}` }).length, 4);
  });

  it('only applies a rule to its method', async () => {
    const em = emulator();
    const token = await tokenFor(em);
    em.faults.inject({ method: 'POST', path: '/teams', kind: '503' });
    assert.equal((await get(em, token, '/teams')).status, 200);
    em.faults.clear();
  });

  it('resets the connection', async () => {
    const em = emulator();
    em.faults.inject({ path: '/v1.0/teams', kind: 'reset' });
    await assert.rejects(rawRequest(em, 'GET', '/v1.0/teams'), /ECONNRESET|socket hang up/);
    assert.equal(em.requests({ pathIncludes: '/v1.0/teams' })[0].status, 0);
  });

  it('returns a malformed body that graph-client cannot parse, and keeps serving', async () => {
    const em = emulator();
    em.faults.inject({ path: '/v1.0/teams', kind: 'malformed' });
    await assert.rejects(graphFor(em).api('/teams').get());
    const ok = await graphFor(em).api('/teams').top(1).get();
    assert.equal(ok.value.length, 1);
  });

  it('hangs a request until hangMs passes, then drops it; stop() does not wait for it', async () => {
    const em = emulator();
    em.faults.inject({ path: '/v1.0/teams', kind: 'hang', hangMs: 300 });
    const started = Date.now();
    await assert.rejects(rawRequest(em, 'GET', '/v1.0/teams'), /ECONNRESET|socket hang up/);
    assert.ok(Date.now() - started >= 280);
  });

  it('a hanging request is released when the emulator stops', async () => {
    const { startEmulator } = await import('../../emulator/index');
    const em = await startEmulator({ quiet: true });
    em.faults.inject({ path: '/v1.0/teams', kind: 'hang' });
    const agent = new https.Agent({ keepAlive: false });
    const pending = new Promise<string>((resolve) => {
      https.get({ host: '127.0.0.1', port: em.port, path: '/v1.0/teams', agent }, () => resolve('answered')).on('error', () => resolve('dropped'));
    });
    await sleep(100);
    const started = Date.now();
    await em.stop();
    assert.equal(await pending, 'dropped');
    assert.ok(Date.now() - started < 2000);
  });
});
