import * as crypto from 'node:crypto';
import { BOT_FRAMEWORK_RESOURCE, BOT_FRAMEWORK_TENANT, type Core, isGraphResource, normaliseResource } from './core';
import { sendAadError, sendJson, type RequestContext } from './http';
import { decodeJwt, nowSeconds, signJwt, verifyJwtSignature } from './jwt';
import { keyRing } from './keys';

/** The real tenant id of botframework.com, used as `tid` of Bot Framework tokens. */
export const BOT_FRAMEWORK_TENANT_ID = 'd6d49420-f39b-4df7-a1dc-d59a935871db';

/** An app as the token endpoint sees it. */
interface Client {
  clientId: string;
  clientSecret: string;
  displayName: string;
  roles: string[];
}

/** A verified caller of Graph, from its access token. */
export interface Principal {
  clientId: string;
  tenantId: string;
  roles: string[];
}

/** Maps a tenant segment (id, domain or botframework.com) to its tenant id; undefined if unknown. */
export function resolveTenant(core: Core, segment: string): string | undefined {
  const s = segment.toLowerCase();
  if (s === BOT_FRAMEWORK_TENANT) return BOT_FRAMEWORK_TENANT_ID;
  for (const t of core.state.fixture.tenants) {
    if (t.id.toLowerCase() === s || t.domain.toLowerCase() === s) return t.id;
  }
  return undefined;
}

/** Apps that can sign in to a tenant: its registered apps, plus the bot in its own tenant and in botframework.com. */
function findClient(core: Core, tenantId: string, clientId: string): Client | undefined {
  const bot = core.state.fixture.bot;
  if (clientId.toLowerCase() === bot.appId.toLowerCase()) {
    const botTenants = [BOT_FRAMEWORK_TENANT_ID, core.state.fixture.homeTenantId];
    if (!botTenants.includes(tenantId)) return undefined;
    return { clientId: bot.appId, clientSecret: bot.password, displayName: bot.name, roles: [] };
  }
  const app = core.state.appsByClientId.get(clientId.toLowerCase());
  if (!app || app.tenantId !== tenantId) return undefined;
  return { clientId: app.clientId, clientSecret: app.clientSecret, displayName: app.displayName, roles: core.state.rolesOf(app) };
}

/** A stable pseudo object id for an app's service principal. */
function servicePrincipalId(clientId: string, tenantId: string): string {
  const h = crypto.createHash('sha256').update(`${tenantId}/${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The issuer Entra writes into v1 access tokens. */
function issuerFor(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/**
 * Signs an access token like Entra's v1 app-only tokens (aud, iss, tid, appid, azp, roles, iat,
 * nbf, exp). Used by the token endpoint and by tests that need expired or foreign tokens.
 */
export function mintToken(opts: {
  clientId: string;
  tenantId: string;
  audience: string;
  roles: string[];
  lifetimeSeconds: number;
  appDisplayName?: string;
  appidacr?: string;
  foreignKey?: boolean;
}): string {
  const now = nowSeconds();
  const oid = servicePrincipalId(opts.clientId, opts.tenantId);
  const payload: Record<string, unknown> = {
    aud: opts.audience,
    iss: issuerFor(opts.tenantId),
    iat: now,
    nbf: now,
    exp: now + opts.lifetimeSeconds,
    app_displayname: opts.appDisplayName ?? opts.clientId,
    appid: opts.clientId,
    azp: opts.clientId,
    appidacr: opts.appidacr ?? '1',
    idp: issuerFor(opts.tenantId),
    idtyp: 'app',
    oid,
    sub: oid,
    roles: opts.roles,
    tid: opts.tenantId,
    uti: crypto.randomBytes(16).toString('base64url'),
    ver: '1.0',
  };
  if (opts.roles.length === 0) delete payload.roles;
  const ring = keyRing();
  return signJwt(payload, opts.foreignKey ? ring.foreign : ring.entra, { x5t: ring.entra.kid });
}

/** Why a Graph bearer token was refused, or who the caller is. */
export type TokenCheck = { ok: true; principal: Principal } | { ok: false; message: string };

/**
 * Validates a bearer token presented to Graph: signature by the emulator's Entra key, not expired,
 * audience = Graph, issuer = a tenant the emulator hosts and the app registered there.
 */
export function checkGraphToken(core: Core, authorization: string | undefined): TokenCheck {
  if (!authorization || !/^bearer\s+\S/i.test(authorization)) return { ok: false, message: 'Access token is empty.' };
  const token = authorization.replace(/^bearer\s+/i, '').trim();
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, message: 'CompactToken parsing failed with error code: 80049217' };
  const ring = keyRing();
  if (jwt.header.alg !== 'RS256' || jwt.header.kid !== ring.entra.kid || !verifyJwtSignature(jwt, ring.entra.publicKey)) {
    return { ok: false, message: 'Access token validation failure. Invalid signature.' };
  }
  const p = jwt.payload;
  const now = nowSeconds();
  if (typeof p.exp !== 'number' || p.exp <= now || (typeof p.nbf === 'number' && p.nbf > now + 300)) {
    return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
  }
  if (typeof p.aud !== 'string' || !isGraphResource(core, p.aud)) {
    return { ok: false, message: 'Access token validation failure. Invalid audience.' };
  }
  const tenantId = typeof p.tid === 'string' ? p.tid : '';
  const hosted = core.state.fixture.tenants.some((t) => t.id === tenantId);
  const clientId = typeof p.appid === 'string' ? p.appid : typeof p.azp === 'string' ? p.azp : '';
  if (!hosted || p.iss !== issuerFor(tenantId) || !findClient(core, tenantId, clientId)) {
    return { ok: false, message: 'Access token validation failure. Invalid issuer or tenant.' };
  }
  const roles = Array.isArray(p.roles) ? p.roles.filter((r: unknown): r is string => typeof r === 'string') : [];
  return { ok: true, principal: { clientId, tenantId, roles } };
}

/** The app id named by a bearer token, unverified (for the request log only). */
export function clientIdOfAuthorization(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const jwt = decodeJwt(authorization.replace(/^bearer\s+/i, '').trim());
  const id = jwt?.payload.appid ?? jwt?.payload.azp;
  return typeof id === 'string' ? id : null;
}

/**
 * Handles the Entra routes under `/{tenant}/...`: OpenID configuration, signing keys and the
 * client-credentials token endpoint. Returns false when the path is not an Entra route.
 */
export function handleEntra(core: Core, ctx: RequestContext, segments: string[]): boolean {
  if (segments.length < 2) return false;
  const [tenantSegment, ...rest] = segments;
  const route = rest.join('/');
  const known = [
    'v2.0/.well-known/openid-configuration',
    '.well-known/openid-configuration',
    'discovery/v2.0/keys',
    'discovery/keys',
    'oauth2/v2.0/token',
    'oauth2/v2.0/authorize',
    'oauth2/token',
  ];
  if (!known.includes(route)) return false;
  const tenantId = resolveTenant(core, tenantSegment);
  if (!tenantId) {
    sendAadError(
      ctx,
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
    return true;
  }
  const authority = `${core.baseUrl}/${tenantSegment}`;
  if (route.endsWith('.well-known/openid-configuration')) {
    if (ctx.method !== 'GET') return methodNotAllowed(ctx);
    sendJson(ctx, 200, openIdConfiguration(core, authority, tenantId));
    return true;
  }
  if (route.startsWith('discovery/')) {
    if (ctx.method !== 'GET') return methodNotAllowed(ctx);
    const k = keyRing().entra;
    sendJson(ctx, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: k.kid, x5t: k.kid, n: k.jwk.n, e: k.jwk.e, issuer: `${authority}/v2.0` }] });
    return true;
  }
  if (route === 'oauth2/v2.0/token') {
    if (ctx.method !== 'POST') return methodNotAllowed(ctx);
    tokenEndpoint(core, ctx, tenantId, `${authority}/oauth2/v2.0/token`);
    return true;
  }
  sendAadError(
    ctx,
    400,
    'invalid_request',
    900561,
    'The endpoint only accepts POST requests for the client credentials grant; interactive and v1 flows are not emulated.',
  );
  return true;
}

function methodNotAllowed(ctx: RequestContext): true {
  sendAadError(ctx, 405, 'invalid_request', 900561, `The endpoint does not accept ${ctx.method} requests.`);
  return true;
}

/** What MSAL reads from the discovery document (it requires these four plus a matching issuer host). */
function openIdConfiguration(core: Core, authority: string, tenantId: string): Record<string, unknown> {
  return {
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${authority}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${core.baseUrl}/${tenantId}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${core.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'roles', 'appid', 'azp'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator.local',
    cloud_graph_host_name: core.baseUrl.replace(/^https:\/\//, ''),
    msgraph_host: core.baseUrl.replace(/^https:\/\//, ''),
  };
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The client-credentials grant (spec §6), with secret or certificate assertion. */
function tokenEndpoint(core: Core, ctx: RequestContext, tenantId: string, tokenUrl: string): void {
  const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (!type.includes('application/x-www-form-urlencoded') || !ctx.body || typeof ctx.body !== 'object') {
    sendAadError(ctx, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    return;
  }
  const form = ctx.body as Record<string, string>;
  for (const required of ['grant_type', 'client_id', 'scope']) {
    if (!form[required]) {
      sendAadError(ctx, 400, 'invalid_request', 900144, `The request body must contain the following parameter: '${required}'.`);
      return;
    }
  }
  if (form.grant_type !== 'client_credentials') {
    sendAadError(ctx, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type}'.`);
    return;
  }
  ctx.log.clientId = form.client_id;
  const client = findClient(core, tenantId, form.client_id);
  if (!client) {
    sendAadError(
      ctx,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.client_id}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
    return;
  }
  const scopes = form.scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s.toLowerCase()));
  if (scopes.length !== 1 || !/\/\.default$/i.test(scopes[0])) {
    sendAadError(
      ctx,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${form.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
    return;
  }
  const resource = scopes[0].replace(/\/\.default$/i, '');
  const isBotResource = normaliseResource(resource) === BOT_FRAMEWORK_RESOURCE;
  if (!isGraphResource(core, resource) && !isBotResource) {
    sendAadError(
      ctx,
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
    return;
  }
  let appidacr = '1';
  if (form.client_secret !== undefined) {
    if (form.client_secret !== client.clientSecret) {
      sendAadError(
        ctx,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      );
      return;
    }
  } else if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER) {
      sendAadError(ctx, 400, 'invalid_request', 50027, `Invalid client_assertion_type '${form.client_assertion_type ?? ''}'; expected '${JWT_BEARER}'.`);
      return;
    }
    const problem = checkClientAssertion(core, client.clientId, form.client_assertion, tokenUrl);
    if (problem) {
      sendAadError(ctx, 401, 'invalid_client', problem.code, problem.message);
      return;
    }
    appidacr = '2';
  } else {
    sendAadError(ctx, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    return;
  }
  const audience = isBotResource ? BOT_FRAMEWORK_RESOURCE : resource.replace(/\/+$/, '');
  const token = mintToken({
    clientId: client.clientId,
    tenantId,
    audience,
    roles: isBotResource ? [] : client.roles,
    lifetimeSeconds: core.tokenLifetimeSeconds,
    appDisplayName: client.displayName,
    appidacr,
  });
  const key = client.clientId.toLowerCase();
  core.tokenCounts.set(key, (core.tokenCounts.get(key) ?? 0) + 1);
  sendJson(
    ctx,
    200,
    { token_type: 'Bearer', expires_in: core.tokenLifetimeSeconds, ext_expires_in: core.tokenLifetimeSeconds, access_token: token },
    { pragma: 'no-cache' },
  );
}

/**
 * Verifies a certificate client assertion as Entra does: the thumbprint header (`x5t#S256` or
 * `x5t`) names the app's registered certificate, the signature verifies with it (RS256 or PS256),
 * `aud` is the token endpoint, `iss` = `sub` = the client id and the assertion is within its lifetime.
 */
function checkClientAssertion(core: Core, clientId: string, assertion: string, tokenUrl: string): { code: number; message: string } | null {
  const cert = core.appCertificates.get(clientId.toLowerCase());
  const jwt = decodeJwt(assertion);
  if (!jwt) return { code: 700025, message: 'The client assertion is not a well-formed JWT.' };
  if (!cert)
    return {
      code: 700027,
      message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
    };
  const s256 = Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url');
  const s1 = Buffer.from(cert.thumbprint, 'hex').toString('base64url');
  const presented = jwt.header['x5t#S256'] ?? jwt.header.x5t;
  const matches = jwt.header['x5t#S256'] !== undefined ? presented === s256 : presented === s1;
  if (typeof presented !== 'string' || !matches) {
    return {
      code: 700027,
      message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(presented)}'.]`,
    };
  }
  if (!verifyJwtSignature(jwt, cert.publicKey)) return { code: 700027, message: 'Client assertion failed signature validation.' };
  const p = jwt.payload;
  const now = nowSeconds();
  if (typeof p.exp !== 'number' || p.exp < now - 300 || (typeof p.nbf === 'number' && p.nbf > now + 300)) {
    return { code: 700024, message: 'Client assertion is not within its valid time range.' };
  }
  const aud = typeof p.aud === 'string' ? p.aud : '';
  const tenantPrefix = tokenUrl.replace(/\/oauth2\/v2\.0\/token$/, '');
  if (aud.toLowerCase() !== tokenUrl.toLowerCase() && aud.toLowerCase() !== tenantPrefix.toLowerCase()) {
    return { code: 700212, message: `The audience claim of the client assertion '${aud}' does not match the token endpoint '${tokenUrl}'.` };
  }
  if (p.iss !== clientId || p.sub !== clientId) {
    return { code: 700021, message: "Client assertion application identifier doesn't match 'client_id' parameter." };
  }
  return null;
}
