import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index';

/** Client credentials of one of the emulator's apps, plus the tenant it signs in to. */
export interface TestApp {
  clientId: string;
  clientSecret: string;
  tenantId?: string;
}

/**
 * Starts an emulator for one suite (random port, quiet) and stops it afterwards; `reset()` runs
 * before every test so each test starts from the fixture. Returns a getter for the emulator.
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emulator: Emulator | undefined;
  before(async () => {
    emulator = await startEmulator({ quiet: true, port: 0, ...options });
  });
  beforeEach(() => emulator?.reset());
  after(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('emulator not started');
    return emulator;
  };
}

/** An MSAL confidential client for an app, pointed at the emulator's Entra ID. */
export function msalFor(em: Emulator, app: TestApp, extra: { authorityTenant?: string } = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authority: `${em.baseUrl}/${extra.authorityTenant ?? app.tenantId ?? em.info.tenantId}`,
      knownAuthorities: [`127.0.0.1:${em.port}`],
    },
  });
}

/** A graph-client Client authenticated through MSAL, as the bot builds it. */
export function graphFor(em: Emulator, app: TestApp = em.info.migrationApp, opts: { version?: 'v1.0' | 'beta'; scopeRoot?: string } = {}): Client {
  const msal = msalFor(em, app);
  return Client.initWithMiddleware({
    baseUrl: `${em.baseUrl}/`,
    defaultVersion: opts.version ?? 'v1.0',
    customHosts: new Set(['127.0.0.1']),
    authProvider: {
      getAccessToken: async () => {
        const r = await msal.acquireTokenByClientCredential({ scopes: [`${opts.scopeRoot ?? em.info.graphEndpoint}/.default`] });
        if (!r) throw new Error('no token');
        return r.accessToken;
      },
    },
  });
}

/** Awaits a Graph call that must fail and checks its status (and code); returns the GraphError. */
export async function expectGraphError(call: Promise<unknown>, statusCode: number, code?: string): Promise<GraphError> {
  try {
    await call;
  } catch (e) {
    const err = e as GraphError;
    assert.equal(err.statusCode, statusCode, `expected HTTP ${statusCode}, got ${err.statusCode}: ${err.message}`);
    if (code) assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected HTTP ${statusCode}, but the call succeeded`);
}

/** A raw HTTPS answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/**
 * Sends a request exactly as given (no URL normalisation, so `..` and raw `/` reach the emulator)
 * and parses a JSON answer when there is one.
 */
export function rawRequest(
  em: Emulator,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: em.port, method, path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A Graph access token for an app, fetched through MSAL. */
export async function tokenFor(em: Emulator, app: TestApp = em.info.migrationApp): Promise<string> {
  const r = await msalFor(em, app).acquireTokenByClientCredential({ scopes: [`${em.info.graphEndpoint}/.default`] });
  if (!r) throw new Error('no token');
  return r.accessToken;
}

/** The payload of a JWT (unverified), for asserting on claims. */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Encodes a thread id for a URL path segment, as the bot must. */
export const enc = encodeURIComponent;

export const MY_TEAM = '00000000-0000-0000-0000-000000000031';
export const ENG_TEAM = '00000000-0000-0000-0000-000000000032';
export const FOREIGN_TEAM = '11111111-0000-0000-0000-000000000031';
export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
export const TEAMS_ADMIN = '69091246-20e8-4a56-aa4d-066075b2a7a8';
export const OPERATORS_GROUP = '00000000-0000-0000-0000-0000000000a1';
export const TEAMS_ADMINS_GROUP = '00000000-0000-0000-0000-0000000000a2';
export const USERS = {
  alex: '00000000-0000-0000-0000-000000000020',
  megan: '00000000-0000-0000-0000-000000000021',
  adele: '00000000-0000-0000-0000-000000000022',
  isaiah: '00000000-0000-0000-0000-000000000023',
  patti: '00000000-0000-0000-0000-000000000024',
  lynne: '00000000-0000-0000-0000-000000000025',
  nestor: '00000000-0000-0000-0000-000000000026',
  gary: '00000000-0000-0000-0000-000000000027',
  olga: '11111111-0000-0000-0000-000000000030',
};
