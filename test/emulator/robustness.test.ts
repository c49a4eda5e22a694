import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from '../../emulator/index';
import { enc, graphFor, MY_TEAM, rawRequest, tokenFor, useEmulator } from './helpers';

const START = `/v1.0/teams/${MY_TEAM}/channels/${enc('19:myteam-general@thread.tacv2')}/startMigration`;

/** True when an answer is a Graph error: `{ error: { code, message, innerError } }`. */
function isGraphError(json: any): boolean {
  return typeof json?.error?.code === 'string' && typeof json.error.message === 'string' && typeof json.error.innerError?.['request-id'] === 'string';
}

describe('the emulator never crashes on bad input', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('answers malformed JSON with a Graph-shaped 400 and changes nothing', async () => {
    const em = emulator();
    const r = await rawRequest(em, 'POST', START, {
      headers: { authorization: `Bearer ${await tokenFor(em)}`, 'content-type': 'application/json' },
      body: '{"conversationCreationDateTime": ',
    });
    assert.equal(r.status, 400);
    assert.ok(isGraphError(r.json));
    assert.equal(em.thread('19:myteam-general@thread.tacv2')?.migrationMode, null);
    const array = await rawRequest(em, 'POST', START, {
      headers: { authorization: `Bearer ${await tokenFor(em)}`, 'content-type': 'application/json' },
      body: '[1,2]',
    });
    assert.equal(array.status, 400);
  });

  it('answers unknown routes with 404 and wrong methods with 405, both Graph-shaped', async () => {
    const em = emulator();
    for (const [method, p, status] of [
      ['GET', '/v1.0/me', 404],
      ['GET', '/v1.0', 404],
      ['GET', '/v2.0/teams', 404],
      ['DELETE', `/v1.0/teams/${MY_TEAM}`, 405],
      ['GET', START, 405],
      ['BREW', '/v1.0/teams', 400],
      ['GET', '/favicon.ico', 404],
      ['GET', '/', 404],
    ] as const) {
      const r = await rawRequest(em, method, p);
      assert.equal(r.status, status, `${method} ${p}`);
      assert.ok(isGraphError(r.json), `${method} ${p}: ${r.text}`);
    }
  });

  it('answers broken percent-encoding with 400', async () => {
    const em = emulator();
    const r = await rawRequest(em, 'GET', '/v1.0/teams/%E0%A4%A', { headers: { authorization: `Bearer ${await tokenFor(em)}` } });
    assert.equal(r.status, 400);
    assert.ok(isGraphError(r.json));
  });

  it('answers a wrong content type or an empty form at the token endpoint in the AADSTS shape', async () => {
    const em = emulator();
    const json = await rawRequest(em, 'POST', `/${em.info.tenantId}/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    assert.equal(json.status, 400);
    assert.equal(json.json.error, 'invalid_request');
    assert.match(json.json.error_description, /^AADSTS900144/);
    const get = await rawRequest(em, 'GET', `/${em.info.tenantId}/oauth2/v2.0/token`);
    assert.equal(get.status, 405);
  });

  it('answers garbage sent to the connector with a Bot Framework error', async () => {
    const em = emulator();
    const r = await rawRequest(em, 'POST', '/connector/v3/conversations/a%3Apersonal-alex/activities', {
      headers: { 'content-type': 'application/json' },
      body: 'not json',
    });
    assert.equal(r.status, 400);
    assert.equal(typeof r.json.error.code, 'string');
    const unknown = await rawRequest(em, 'PUT', '/connector/v3/conversations/a%3Apersonal-alex/activities/999', {
      headers: { 'content-type': 'application/json' },
      body: '{"type":"message"}',
    });
    assert.equal(unknown.status, 404);
    const member = await rawRequest(em, 'GET', '/connector/v3/conversations/a%3Apersonal-alex/members/29%3Amegan');
    assert.equal(member.status, 404);
  });

  it('still serves normally after all of that', async () => {
    const em = emulator();
    await rawRequest(em, 'POST', START, { headers: { 'content-type': 'application/json' }, body: '{{{' });
    await rawRequest(em, 'PATCH', '/v1.0/teams', { body: Buffer.from([0xff, 0xfe, 0x00]) });
    const teams = await graphFor(em).api('/teams').top(1).get();
    assert.equal(teams.value.length, 1);
  });

  it('reset() brings back the fixture and clears logs, faults, token counts and connector records', async () => {
    const em = emulator();
    await graphFor(em)
      .api(`/teams/${MY_TEAM}/channels/${enc('19:myteam-general@thread.tacv2')}/startMigration`)
      .post({});
    em.faults.inject({ path: '/v1.0/teams', kind: '503', times: 5 });
    await rawRequest(em, 'POST', '/connector/v3/conversations/a%3Apersonal-alex/activities', {
      headers: { 'content-type': 'application/json' },
      body: '{"type":"message","text":"hi"}',
    });
    em.reset();
    assert.equal(em.thread('19:myteam-general@thread.tacv2')?.migrationMode, null);
    assert.equal(em.requests().length, 0);
    assert.equal(em.tokenCount(em.info.migrationApp.clientId), 0);
    assert.equal(em.connector.sent().length, 0);
    const teams = await graphFor(em).api('/teams').top(1).get();
    assert.equal(teams.value.length, 1, 'the 503 rule is gone');
  });

  it('offers the control plane over HTTP: info, thread state and reset', async () => {
    const em = emulator();
    const info = await rawRequest(em, 'GET', '/_emulator/info');
    assert.equal(info.json.baseUrl, em.baseUrl);
    const thread = await rawRequest(em, 'GET', `/_emulator/threads/${enc('19:eng-legacy@thread.tacv2')}`);
    assert.equal(thread.json.migrationMode, 'inProgress');
    assert.equal((await rawRequest(em, 'POST', '/_emulator/reset')).status, 200);
  });
});

describe('starting the emulator', () => {
  it('writes the info file with the connection details and credentials, and stops cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-'));
    const em = await startEmulator({ dataDir: dir, quiet: true });
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dir, 'emulator.json'), 'utf8'));
      assert.deepEqual(info, em.info);
      assert.equal(info.connectorUrl, `${em.baseUrl}/connector/`);
      assert.equal(info.tenantId, '00000000-0000-0000-0000-000000000001');
      assert.equal(info.migrationApp.clientId, 'aaaaaaaa-0000-0000-0000-000000000001');
      assert.ok(fs.readFileSync(info.migrationApp.certificatePath, 'utf8').includes('BEGIN CERTIFICATE'));
      assert.equal(info.bot.loginUrl, `${em.baseUrl}/botframework.com`);
      assert.equal(em.certPath, path.join(dir, 'tls', 'cert.pem'));
    } finally {
      await em.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuses the cached certificate on the next start', async () => {
    const { ensureCertificate, defaultDataDir } = await import('../../emulator/index');
    const first = await ensureCertificate();
    const before = fs.readFileSync(first.certPath, 'utf8');
    const second = await ensureCertificate(defaultDataDir());
    assert.equal(second.certPath, first.certPath);
    assert.equal(fs.readFileSync(second.certPath, 'utf8'), before);
  });
});
