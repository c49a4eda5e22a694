import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { Emulator } from '../../emulator/index';
import { claimsOf, msalFor, rawRequest, useEmulator } from './helpers';

/** Posts a form to the token endpoint without MSAL, to see Entra's raw error shapes. */
function tokenRequest(em: Emulator, tenant: string, form: Record<string, string>) {
  return rawRequest(em, 'POST', `/${tenant}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('emulated Entra ID: the bot signs in with client credentials', () => {
  const emulator = useEmulator();

  it('gives the migration app a token with a client secret, and MSAL serves the second call from its cache', async () => {
    const em = emulator();
    const msal = msalFor(em, em.info.migrationApp);
    const first = await msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] });
    const second = await msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] });
    assert.ok(first?.accessToken);
    assert.equal(second?.fromCache, true);
    assert.equal(second?.accessToken, first?.accessToken);
    assert.equal(em.tokenCount(em.info.migrationApp.clientId), 1);
    assert.equal(em.requests({ service: 'entra', pathIncludes: '/oauth2/v2.0/token' }).length, 1);
  });

  it('issues RS256 tokens carrying aud, tid, appid and the granted roles', async () => {
    const em = emulator();
    const r = await msalFor(em, em.info.migrationApp).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    const header = JSON.parse(Buffer.from((r?.accessToken ?? '').split('.')[0], 'base64url').toString());
    const c = claimsOf(r?.accessToken ?? '');
    assert.equal(header.alg, 'RS256');
    assert.equal(c.aud, 'https://graph.microsoft.com');
    assert.equal(c.tid, em.info.tenantId);
    assert.equal(c.appid, em.info.migrationApp.clientId);
    assert.deepEqual([...c.roles].sort(), ['Channel.ReadBasic.All', 'Chat.ReadBasic.All', 'Team.ReadBasic.All', 'Teamwork.Migrate.All', 'User.Read.All']);
    assert.ok(c.exp - c.iat >= 3500 && c.nbf <= c.iat);
  });

  it("sets the token's audience to the emulator when the scope names the emulator as Graph root", async () => {
    const em = emulator();
    const r = await msalFor(em, em.info.readOnlyApp).acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] });
    assert.equal(claimsOf(r?.accessToken ?? '').aud, em.baseUrl);
    assert.ok(!claimsOf(r?.accessToken ?? '').roles.includes('Teamwork.Migrate.All'));
  });

  for (const variant of ['thumbprintSha256', 'thumbprint'] as const) {
    it(`accepts a certificate client assertion signed by MSAL (${variant === 'thumbprint' ? 'x5t, RS256' : 'x5t#S256, PS256'})`, async () => {
      const em = emulator();
      const m = em.info.migrationApp;
      const privateKey = fs.readFileSync(m.certificatePath, 'utf8');
      const clientCertificate =
        variant === 'thumbprint' ? { thumbprint: m.certificateThumbprint, privateKey } : { thumbprintSha256: m.certificateThumbprintSha256, privateKey };
      const msal = new ConfidentialClientApplication({
        auth: { clientId: m.clientId, clientCertificate, authority: `${em.baseUrl}/${em.info.tenantId}`, knownAuthorities: [`127.0.0.1:${em.port}`] },
      });
      const r = await msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] });
      assert.equal(claimsOf(r?.accessToken ?? '').appidacr, '2');
      assert.equal(em.tokenCount(m.clientId), 1);
      const logged = em.requests({ pathIncludes: '/token' })[0].body as Record<string, string>;
      assert.equal(logged.client_assertion, '[redacted]', 'the request log never holds credentials');
    });
  }

  it('refuses an assertion signed with a certificate the app never registered (AADSTS700027)', async () => {
    const em = emulator();
    const m = em.info.migrationApp;
    const tlsKey = fs.readFileSync(em.certPath.replace('cert.pem', 'key.pem'), 'utf8');
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: m.clientId,
        clientCertificate: { thumbprintSha256: m.certificateThumbprintSha256, privateKey: tlsKey },
        authority: `${em.baseUrl}/${em.info.tenantId}`,
        knownAuthorities: [`127.0.0.1:${em.port}`],
      },
    });
    await assert.rejects(msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] }), /AADSTS700027/);
    assert.equal(em.tokenCount(m.clientId), 0);
  });

  it('answers a wrong secret with invalid_client AADSTS7000215 and counts no token', async () => {
    const em = emulator();
    const msal = msalFor(em, { clientId: em.info.migrationApp.clientId, clientSecret: 'not-the-secret' });
    await assert.rejects(msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] }), /invalid_client[\s\S]*AADSTS7000215|AADSTS7000215/);
    const r = await tokenRequest(em, em.info.tenantId, {
      grant_type: 'client_credentials',
      client_id: em.info.migrationApp.clientId,
      client_secret: 'x',
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'invalid_client');
    assert.deepEqual(r.json.error_codes, [7000215]);
    assert.match(r.json.error_description, /^AADSTS7000215: /);
    assert.equal(em.tokenCount(em.info.migrationApp.clientId), 0);
  });

  it('does not know an app in a tenant it is not registered in (AADSTS700016)', async () => {
    const em = emulator();
    const r = await tokenRequest(em, em.info.foreignTenantId, {
      grant_type: 'client_credentials',
      client_id: em.info.migrationApp.clientId,
      client_secret: em.info.migrationApp.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'unauthorized_client');
    assert.deepEqual(r.json.error_codes, [700016]);
  });

  it('answers an unknown tenant with AADSTS90002, also to MSAL', async () => {
    const em = emulator();
    const r = await tokenRequest(em, '99999999-9999-9999-9999-999999999999', { grant_type: 'client_credentials' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json.error_codes, [90002]);
    const msal = msalFor(em, em.info.migrationApp, { authorityTenant: '99999999-9999-9999-9999-999999999999' });
    await assert.rejects(msal.acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] }));
  });

  it('refuses a scope without /.default and a resource it does not host', async () => {
    const em = emulator();
    const base = { grant_type: 'client_credentials', client_id: em.info.migrationApp.clientId, client_secret: em.info.migrationApp.clientSecret };
    const noDefault = await tokenRequest(em, em.info.tenantId, { ...base, scope: 'https://graph.microsoft.com/User.Read.All' });
    assert.equal(noDefault.status, 400);
    assert.equal(noDefault.json.error, 'invalid_scope');
    const unknown = await tokenRequest(em, em.info.tenantId, { ...base, scope: 'https://vault.azure.net/.default' });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.json.error_codes, [500011]);
    const grant = await tokenRequest(em, em.info.tenantId, { ...base, grant_type: 'password', scope: 'https://graph.microsoft.com/.default' });
    assert.equal(grant.json.error, 'unsupported_grant_type');
    const missing = await tokenRequest(em, em.info.tenantId, {
      grant_type: 'client_credentials',
      client_id: base.client_id,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json.error_codes, [7000218]);
  });

  it('publishes OpenID configuration and signing keys under the tenant', async () => {
    const em = emulator();
    const conf = await rawRequest(em, 'GET', `/${em.info.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(conf.json.token_endpoint, `${em.baseUrl}/${em.info.tenantId}/oauth2/v2.0/token`);
    assert.equal(conf.json.issuer, `${em.baseUrl}/${em.info.tenantId}/v2.0`);
    assert.ok(conf.json.authorization_endpoint && conf.json.jwks_uri);
    const keys = await rawRequest(em, 'GET', `/${em.info.tenantId}/discovery/v2.0/keys`);
    assert.equal(keys.json.keys[0].kty, 'RSA');
    assert.ok(keys.json.keys[0].n && keys.json.keys[0].e);
  });

  it('gives the bot a Bot Framework token from the botframework.com tenant', async () => {
    const em = emulator();
    const msal = new ConfidentialClientApplication({
      auth: { clientId: em.info.bot.appId, clientSecret: em.info.bot.password, authority: em.info.bot.loginUrl, knownAuthorities: [`127.0.0.1:${em.port}`] },
    });
    const r = await msal.acquireTokenByClientCredential({ scopes: [`${em.info.bot.oauthScope}/.default`] });
    assert.equal(claimsOf(r?.accessToken ?? '').aud, 'https://api.botframework.com');
    assert.equal(claimsOf(r?.accessToken ?? '').appid, em.info.bot.appId);
    assert.equal(em.tokenCount(em.info.bot.appId), 1);
  });

  it('lets a test make the token endpoint fail with a 5xx or invalid_client', async () => {
    const em = emulator();
    em.faults.inject({ path: '/oauth2/v2.0/token', kind: 'token-5xx', retryAfter: null });
    await assert.rejects(msalFor(em, em.info.readOnlyApp).acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] }));
    em.faults.inject({ path: '/oauth2/v2.0/token', kind: 'invalid_client' });
    await assert.rejects(msalFor(em, em.info.otherApp).acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] }), /invalid_client|AADSTS7000215/);
    const ok = await msalFor(em, em.info.migrationApp).acquireTokenByClientCredential({ scopes: [`${em.baseUrl}/.default`] });
    assert.ok(ok?.accessToken, 'faults are used up after one request each');
    assert.deepEqual(
      em.requests({ pathIncludes: '/token' }).map((r) => r.status),
      [503, 401, 200],
    );
  });
});
