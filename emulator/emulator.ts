import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { openIdMetadataUrl, signChannelToken, BOT_FRAMEWORK_ISSUER } from './botframework';
import { type AppCertificate, defaultDataDir, ensureAppCertificate, ensureCertificate } from './cert';
import { ConnectorStore } from './connector-store';
import { BOT_FRAMEWORK_RESOURCE, BOT_FRAMEWORK_TENANT, type Core } from './core';
import { mintToken } from './entra';
import { FaultStore } from './faults';
import { keyRing } from './keys';
import { defaultFixture, expandFixture, type TenantFixture } from './fixture';
import { sendGraphError, sendJson, type RequestContext } from './http';
import { createListener } from './server';
import { TenantState } from './state';
import { TeamsFileStore } from './teams-files';
import { RateLimiter } from './throttle';
import type {
  AccessTokenClaims,
  AddedTeam,
  ChannelTokenClaims,
  Emulator,
  EmulatorInfo,
  ImportedMessage,
  LoggedRequest,
  NewTeam,
  RateLimits,
  Service,
  TeamsFiles,
  ThreadState,
  UploadedFile,
} from './types';

/** Options of startEmulator; every field is optional. */
export interface EmulatorOptions {
  /** default 0 = any free port */
  port?: number;
  /** default `<repo>/.emulator` (git-ignored); the TLS certificate is cached at `<dataDir>/tls/{cert,key}.pem` */
  dataDir?: string;
  /** default: emulator/fixture/tenant.json (raw, with `generate` series, or already expanded) */
  fixture?: TenantFixture;
  /** rate limits; throttling is on by default, `{ enabled: false }` turns it off */
  limits?: Partial<RateLimits>;
  /** lifetime of issued access tokens, default 3599 */
  tokenLifetimeSeconds?: number;
  /** where to write the info JSON (default `<dataDir>/emulator.json`) */
  infoFile?: string;
  /** no console output */
  quiet?: boolean;
}

/** File name of each app's client certificate under `<dataDir>/apps/`. */
function certificateName(appKey: string): string {
  return appKey === 'migration' ? 'migration-app' : `${appKey}-app`;
}

class RunningEmulator implements Emulator {
  readonly faults = new FaultStore();
  readonly connector: ConnectorStore;
  readonly files: TeamsFiles;
  private readonly log: LoggedRequest[] = [];
  private readonly hanging = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private stopped = false;

  constructor(
    private readonly server: https.Server,
    private readonly core: Core,
    readonly info: EmulatorInfo,
    readonly port: number,
  ) {
    this.connector = core.connector;
    this.files = core.teamsFiles;
    server.on('request', createListener({ core, faults: this.faults, log: this.log, hanging: this.hanging, control: (ctx) => this.control(ctx) }));
    // Every TCP connection, also one still in its TLS handshake (which closeAllConnections does not
    // know yet), so that stop() never leaves a client waiting on a busy machine.
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get baseUrl(): string {
    return this.info.baseUrl;
  }

  get certPath(): string {
    return this.info.certPath;
  }

  get connectorUrl(): string {
    return this.info.connectorUrl;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const socket of this.hanging) socket.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  reset(): void {
    this.core.state.reset();
    this.log.length = 0;
    this.faults.clear();
    this.core.tokenCounts.clear();
    this.core.connector.clear();
    this.core.teamsFiles.clear();
    this.core.limiter.clear();
  }

  requests(filter: { service?: Service; method?: string; pathIncludes?: string } = {}): LoggedRequest[] {
    return this.log.filter(
      (r) =>
        (!filter.service || r.service === filter.service) &&
        (!filter.method || r.method === filter.method.toUpperCase()) &&
        (!filter.pathIncludes || r.path.includes(filter.pathIncludes)),
    );
  }

  graphWrites(): LoggedRequest[] {
    return this.log.filter((r) => r.service === 'graph' && ['POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method) && !/\/checkMemberObjects$/i.test(r.path));
  }

  thread(id: string): ThreadState | undefined {
    return this.core.state.publicThread(id);
  }

  tokenCount(clientId: string): number {
    return this.core.tokenCounts.get(clientId.toLowerCase()) ?? 0;
  }

  setLimits(limits: Partial<RateLimits>): void {
    this.core.limiter.set(limits);
  }

  setThread(id: string, patch: Partial<ThreadState>): void {
    this.core.state.patchThread(id, patch);
  }

  addTeam(team: NewTeam): AddedTeam {
    const { state } = this.core;
    const tenantId = state.fixture.homeTenantId;
    const taken = [...state.teams.values()].some((t) => t.tenantId === tenantId && t.displayName.toLowerCase() === team.displayName.toLowerCase());
    if (taken) throw new Error(`addTeam: the tenant already has a team named "${team.displayName}"`);
    const teamId = randomUUID();
    const thread = (n: number) => `19:added-${teamId.replace(/-/g, '')}-${String(n).padStart(3, '0')}@thread.tacv2`;
    const createdDateTime = team.createdDateTime ?? '2024-06-10T09:30:00Z';
    const names = ['General', ...team.channels];
    state.addTeam({
      id: teamId,
      tenantId,
      displayName: team.displayName,
      description: 'Added by addTeam.',
      createdDateTime,
      members: [...(team.members ?? [])],
      channels: names.map((displayName, i) => ({ id: thread(i), displayName, membershipType: 'standard' as const, createdDateTime })),
    });
    return { teamId, generalChannelId: thread(0), channelIds: team.channels.map((_, i) => thread(i + 1)) };
  }

  messages(threadId: string): ImportedMessage[] {
    const all = this.core.state.messages.all(threadId).map((m) => structuredClone(m));
    return all.sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
  }

  uploadedFiles(): UploadedFile[] {
    return this.core.state.files.list();
  }

  grantRoles(clientId: string, roles: string[]): void {
    this.core.state.grantRoles(clientId, roles);
  }

  signChannelToken(claims: ChannelTokenClaims): string {
    return signChannelToken(this.core, claims);
  }

  mintAccessToken(claims: AccessTokenClaims): string {
    const app = this.core.state.appsByClientId.get(claims.clientId.toLowerCase());
    return mintToken({
      clientId: claims.clientId,
      tenantId: claims.tenantId,
      audience: claims.audience ?? 'https://graph.microsoft.com',
      roles: claims.roles ?? (app ? this.core.state.rolesOf(app) : []),
      lifetimeSeconds: claims.expiresInSeconds ?? this.core.tokenLifetimeSeconds,
      appDisplayName: app?.displayName,
      foreignKey: claims.foreignKey,
    });
  }

  /** `/_emulator/...`: info, reset, thread state, imported messages and the request log over HTTP (for the CLI and manual runs). */
  private control(ctx: RequestContext): boolean {
    const parts = ctx.path
      .split('/')
      .slice(2)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    if (ctx.method === 'GET' && parts.join('/') === 'info') sendJson(ctx, 200, this.info);
    else if (ctx.method === 'POST' && parts.join('/') === 'reset') {
      this.reset();
      sendJson(ctx, 200, { reset: true });
    } else if (ctx.method === 'GET' && parts[0] === 'threads' && parts.length === 2) {
      const t = this.thread(parts[1]);
      if (t) sendJson(ctx, 200, t);
      else sendGraphError(ctx, 404, 'NotFound', `Thread ${parts[1]} not found.`);
    } else if (ctx.method === 'GET' && parts[0] === 'threads' && parts[2] === 'messages' && parts.length === 3) {
      sendJson(ctx, 200, this.messages(parts[1]));
    } else if (ctx.method === 'GET' && parts.join('/') === 'requests') sendJson(ctx, 200, this.log);
    else sendGraphError(ctx, 404, 'NotFound', `No control route for ${ctx.method} ${ctx.path}.`);
    return true;
  }
}

/**
 * Starts the emulator on 127.0.0.1 (HTTPS, self-signed certificate under dataDir), with the
 * tenant fixture loaded, and writes its info JSON. Resolves once it listens; call `stop()` when
 * done. Each call is an independent emulator with its own state, log and port.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const { certPath, keyPath } = await ensureCertificate(dataDir);
  const fixture = options.fixture ? expandFixture(options.fixture) : defaultFixture();
  const state = new TenantState(fixture);
  keyRing(); // generate the signing keys now rather than on the first token request
  const appCertificates = new Map<string, AppCertificate>();
  for (const app of fixture.apps) {
    if (app.certificate) appCertificates.set(app.clientId.toLowerCase(), await ensureAppCertificate(dataDir, certificateName(app.key)));
  }
  const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Requests Node's HTTP parser cannot read (unknown methods, broken headers) still get a Graph-shaped answer.
  server.on('clientError', (_err, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: 'The request could not be parsed as HTTP.',
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': null },
      },
    });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `https://127.0.0.1:${port}`;
  const core: Core = {
    baseUrl,
    state,
    appCertificates,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    tokenCounts: new Map(),
    limiter: new RateLimiter(options.limits),
    connector: new ConnectorStore(),
    teamsFiles: new TeamsFileStore(baseUrl, state),
  };
  const info = buildInfo(core, certPath);
  const emulator = new RunningEmulator(server, core, info, port);
  const infoFile = options.infoFile ?? path.join(dataDir, 'emulator.json');
  fs.mkdirSync(path.dirname(infoFile), { recursive: true });
  fs.writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  if (!options.quiet) process.stdout.write(`emulator listening on ${baseUrl} (info: ${infoFile})\n`);
  return emulator;
}

function buildInfo(core: Core, certPath: string): EmulatorInfo {
  const { fixture } = core.state;
  const app = (key: string) => {
    const a = core.state.appsByKey.get(key);
    if (!a) throw new Error(`fixture has no '${key}' app`);
    return a;
  };
  const migration = app('migration');
  const cert = core.appCertificates.get(migration.clientId.toLowerCase());
  if (!cert) throw new Error("the fixture's migration app must have `certificate: true`");
  const foreign = app('foreign');
  return {
    baseUrl: core.baseUrl,
    certPath,
    authorityHost: core.baseUrl,
    graphEndpoint: core.baseUrl,
    connectorUrl: `${core.baseUrl}/connector/`,
    tenantId: fixture.homeTenantId,
    foreignTenantId: fixture.foreignTenantId,
    migrationApp: {
      clientId: migration.clientId,
      clientSecret: migration.clientSecret,
      certificatePath: cert.pemPath,
      certificateThumbprint: cert.thumbprint,
      certificateThumbprintSha256: cert.thumbprintSha256,
    },
    readOnlyApp: { clientId: app('readOnly').clientId, clientSecret: app('readOnly').clientSecret },
    otherApp: { clientId: app('other').clientId, clientSecret: app('other').clientSecret },
    foreignApp: { clientId: foreign.clientId, clientSecret: foreign.clientSecret, tenantId: foreign.tenantId },
    bot: {
      appId: fixture.bot.appId,
      password: fixture.bot.password,
      openIdMetadataUrl: openIdMetadataUrl(core.baseUrl),
      tokenIssuer: BOT_FRAMEWORK_ISSUER,
      loginUrl: `${core.baseUrl}/${BOT_FRAMEWORK_TENANT}`,
      oauthScope: BOT_FRAMEWORK_RESOURCE,
    },
  };
}
