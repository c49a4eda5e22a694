import * as path from 'node:path';
import { z } from 'zod';
import { longestCallMs } from '../domain/graph-call-timing';
import { clouds, GLOBAL_ADMINISTRATOR_ROLE, TEAMS_ADMINISTRATOR_ROLE } from './clouds';
import type { CloudName } from '../domain/national-clouds';
import { isLoopbackHost } from './loopback';
import { DEFAULT_DOWNLOAD_HOSTS, formatHostPattern, parseHostPattern } from '../domain/download-hosts';

/** The bot's validated configuration. Read once at start-up by `loadConfig`; nothing else reads `process.env`. */
export interface Config {
  port: number;
  /** 127.0.0.1 in local mode (no channel authentication), otherwise all interfaces. */
  host: string;
  localMode: boolean;
  bot: { appId: string; password: string; tenantId: string; appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI' };
  /** Bot Framework endpoint overrides passed to `ConfigurationBotFrameworkAuthentication` as-is. */
  botFrameworkOverrides: Record<string, string>;
  dataDir: string;
  graph: {
    tenantId: string;
    clientId: string;
    credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };
    cloud: CloudName;
    authorityHost: string;
    endpoint: string;
    apiVersion: 'v1.0' | 'beta';
    timeoutMs: number;
  };
  admin: { roleIds: string[]; groupIds: string[]; allowedTenantIds: string[]; cacheSeconds: number };
  logLevel: string;
  storage: { kind: 'sqlite' } | { kind: 'table'; connectionString: string };
  stateBlobContainer: string | null;
  reminders: { afterDays: number; checkMinutes: number };
  /** `intentSettleMs`: how old an item's recorded intent must be before another instance reads and acts on it. */
  bulk: { perTeamPerSecond: number; perTenantPerSecond: number; typedConfirmationAbove: number; intentSettleMs: number };
  pendingTtlMinutes: number;
  /** Days an expired confirmation is kept (a press on its card answers with its result); 0 keeps them. */
  pendingRetentionDays: number;
  /** Minutes a start waits after this bot completed the same thread (spec §4: stuck chats); 0: no wait. */
  restartCooldownMinutes: number;
  /** Flood protection: activities handled at once, and each user's command rate (token bucket). */
  load: { maxTurnsInFlight: number; userCommandsPerMinute: number; userCommandsBurst: number };
  /**
   * History import: message imports per second per thread, the caps that refuse hostile archives, and
   * exports attached in Teams: the hosts they may be downloaded from (`host`, `*.host` for subdomains,
   * optional `:port`; in local mode the emulator's host is added), their largest size, and the days an
   * uploaded export is kept after its job finished (0 keeps them).
   */
  import: {
    perThreadPerSecond: number;
    archive: { maxEntries: number; maxTotalBytes: number; maxEntryBytes: number; maxCompressionRatio: number };
    downloadHosts: string[];
    maxUploadBytes: number;
    exportRetentionDays: number;
    /** More messages than this need the team's name typed on the plan card to confirm. */
    typedConfirmationAbove: number;
  };
}

/** Thrown when the environment is unusable; the message names variables, never their values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Keys `ConfigurationBotFrameworkAuthentication` understands (platform-notes: set all seven together). */
export const BOT_FRAMEWORK_KEYS = [
  'ToChannelFromBotLoginUrl',
  'ToChannelFromBotOAuthScope',
  'ToBotFromChannelTokenIssuer',
  'OAuthUrl',
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromEmulatorOpenIdMetadataUrl',
  'CallerId',
] as const;

/**
 * Flood protection defaults. 256 turns in flight is above the 200 admins at once of the benchmark.
 * A person types or presses at most about one command a second; a burst of 20 covers a card's
 * refreshes and the form's type-ahead arriving together.
 */
export const DEFAULT_MAX_TURNS_IN_FLIGHT = 256;
export const DEFAULT_USER_COMMANDS_PER_MINUTE = 60;
export const DEFAULT_USER_COMMANDS_BURST = 20;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const bool = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return false;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
      return z.NEVER;
    });

const int = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(v) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const whole = (name: string, fallback: number, min: number, max: number) =>
  int(name, fallback, min, max).superRefine((v, ctx) => {
    if (!Number.isInteger(v)) ctx.addIssue({ code: 'custom', message: `${name} must be a whole number` });
  });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const guidList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ids = (v ?? '')
        .split(/[,;\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.some((id) => !GUID.test(id))) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a comma-separated list of GUIDs` });
        return z.NEVER;
      }
      return ids.map((id) => id.toLowerCase());
    });

const hostList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = (v ?? '')
        .split(/[,;\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (entries.length === 0) return [...DEFAULT_DOWNLOAD_HOSTS];
      const parsed = entries.map(parseHostPattern);
      if (parsed.some((p) => p === null)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a comma-separated list of host names (*.name for any subdomain of name), each with an optional :port`,
        });
        return z.NEVER;
      }
      return [...new Set(parsed.map((p) => formatHostPattern(p!)))];
    });

const httpsUrl = (name: string) =>
  optionalString.superRefine((v, ctx) => {
    if (v === undefined) return;
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `${name} must be an https URL` });
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must be an https URL` });
    }
  });

const envSchema = z.object({
  PORT: whole('PORT', 3978, 0, 65535),
  BOT_ID: optionalString,
  BOT_PASSWORD: optionalString,
  BOT_TENANT_ID: optionalString,
  BOT_TYPE: optionalString,
  LOCAL_MODE: bool('LOCAL_MODE'),
  LOCAL_MODE_ALLOW_REMOTE_GRAPH: bool('LOCAL_MODE_ALLOW_REMOTE_GRAPH'),
  DATA_DIR: optionalString,
  GRAPH_TENANT_ID: optionalString,
  GRAPH_CLIENT_ID: optionalString,
  GRAPH_CLIENT_SECRET: optionalString,
  GRAPH_CERTIFICATE_PATH: optionalString,
  GRAPH_CLOUD: optionalString,
  GRAPH_AUTHORITY_HOST: httpsUrl('GRAPH_AUTHORITY_HOST'),
  GRAPH_ENDPOINT: httpsUrl('GRAPH_ENDPOINT'),
  GRAPH_API_VERSION: optionalString,
  GRAPH_TIMEOUT_SECONDS: int('GRAPH_TIMEOUT_SECONDS', 30, 1, 600),
  ADMIN_ROLE_IDS: guidList('ADMIN_ROLE_IDS'),
  ADMIN_GROUP_IDS: guidList('ADMIN_GROUP_IDS'),
  ALLOWED_TENANT_IDS: guidList('ALLOWED_TENANT_IDS'),
  ADMIN_CACHE_SECONDS: whole('ADMIN_CACHE_SECONDS', 300, 0, 86400),
  LOG_LEVEL: optionalString,
  STORAGE_BACKEND: optionalString,
  AZURE_STORAGE_CONNECTION_STRING: optionalString,
  STATE_BLOB_CONTAINER: optionalString,
  REMINDER_AFTER_DAYS: int('REMINDER_AFTER_DAYS', 7, 0, 3650),
  REMINDER_CHECK_MINUTES: int('REMINDER_CHECK_MINUTES', 60, 0, 10080),
  BULK_TEAM_RPS: int('BULK_TEAM_RPS', 4, 0.01, 1000),
  BULK_TENANT_RPS: int('BULK_TENANT_RPS', 30, 0.01, 10000),
  BULK_CONFIRM_THRESHOLD: whole('BULK_CONFIRM_THRESHOLD', 10, 0, 100000),
  // -1 (unset): derived from GRAPH_TIMEOUT_SECONDS below.
  BULK_INTENT_SETTLE_SECONDS: whole('BULK_INTENT_SETTLE_SECONDS', -1, 0, 86400),
  PENDING_TTL_MINUTES: int('PENDING_TTL_MINUTES', 60, 1, 10080),
  PENDING_RETENTION_DAYS: whole('PENDING_RETENTION_DAYS', 30, 0, 3650),
  RESTART_COOLDOWN_MINUTES: int('RESTART_COOLDOWN_MINUTES', 10, 0, 10080),
  MAX_TURNS_IN_FLIGHT: whole('MAX_TURNS_IN_FLIGHT', DEFAULT_MAX_TURNS_IN_FLIGHT, 1, 100000),
  USER_COMMANDS_PER_MINUTE: int('USER_COMMANDS_PER_MINUTE', DEFAULT_USER_COMMANDS_PER_MINUTE, 0.1, 1000000),
  USER_COMMANDS_BURST: whole('USER_COMMANDS_BURST', DEFAULT_USER_COMMANDS_BURST, 1, 1000000),
  IMPORT_THREAD_RPS: int('IMPORT_THREAD_RPS', 5, 0.01, 1000),
  IMPORT_MAX_ENTRIES: whole('IMPORT_MAX_ENTRIES', 500000, 1, 100000000),
  IMPORT_MAX_EXPORT_GB: int('IMPORT_MAX_EXPORT_GB', 20, 0.001, 10000),
  IMPORT_MAX_FILE_MB: int('IMPORT_MAX_FILE_MB', 1024, 0.001, 1000000),
  IMPORT_MAX_COMPRESSION_RATIO: int('IMPORT_MAX_COMPRESSION_RATIO', 100, 1, 100000),
  IMPORT_DOWNLOAD_HOSTS: hostList('IMPORT_DOWNLOAD_HOSTS'),
  IMPORT_MAX_UPLOAD_MB: int('IMPORT_MAX_UPLOAD_MB', 2048, 0.001, 1000000),
  IMPORT_EXPORT_RETENTION_DAYS: whole('IMPORT_EXPORT_RETENTION_DAYS', 30, 0, 3650),
  IMPORT_CONFIRM_THRESHOLD: whole('IMPORT_CONFIRM_THRESHOLD', 1000, 0, 100000000),
});

const oneOf = <T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T, problems: string[]): T => {
  if (value === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!match) problems.push(`${name} must be one of ${allowed.join(', ')}`);
  return match ?? fallback;
};

/**
 * Local mode accepts any caller without channel authentication, so by default it may only act on
 * an emulator on this machine: returns a problem for each endpoint (by variable name) that is not
 * on a loopback host. LOCAL_MODE_ALLOW_REMOTE_GRAPH=true lifts this for a developer's test tenant.
 */
function remoteGraphInLocalMode(endpoints: Record<'GRAPH_ENDPOINT' | 'GRAPH_AUTHORITY_HOST', string>): string[] {
  return Object.entries(endpoints)
    .filter(([, url]) => !isLoopbackHost(new URL(url).host))
    .map(
      ([name]) =>
        `${name} must point to this machine (127.0.0.1, localhost or [::1]) when LOCAL_MODE=true, because local mode accepts activities without channel authentication; set LOCAL_MODE_ALLOW_REMOTE_GRAPH=true to use a real tenant anyway (development only)`,
    );
}

/**
 * Validates the environment and returns the bot's configuration, or throws a `ConfigError` listing
 * every problem by variable name (values are never echoed: some are secrets).
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => i.message));
  }
  const e = parsed.data;
  const problems: string[] = [];

  const localMode = e.LOCAL_MODE;
  if (!localMode && !e.BOT_ID) problems.push('BOT_ID is required (set LOCAL_MODE=true only for the local emulator or the Agents Playground)');
  if (e.BOT_ID && !e.BOT_PASSWORD && e.BOT_TYPE !== 'UserAssignedMSI') problems.push('BOT_PASSWORD is required when BOT_ID is set');
  const appType = oneOf('BOT_TYPE', e.BOT_TYPE, ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const, 'MultiTenant', problems);
  if (appType !== 'MultiTenant' && e.BOT_ID && !e.BOT_TENANT_ID) problems.push(`BOT_TENANT_ID is required when BOT_TYPE is ${appType}`);

  if (!e.GRAPH_TENANT_ID) problems.push('GRAPH_TENANT_ID is required');
  else if (!GUID.test(e.GRAPH_TENANT_ID)) problems.push('GRAPH_TENANT_ID must be a GUID');
  if (!e.GRAPH_CLIENT_ID) problems.push('GRAPH_CLIENT_ID is required');
  else if (!GUID.test(e.GRAPH_CLIENT_ID)) problems.push('GRAPH_CLIENT_ID must be a GUID');
  if (e.GRAPH_CLIENT_SECRET && e.GRAPH_CERTIFICATE_PATH) problems.push('set exactly one of GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, not both');
  if (!e.GRAPH_CLIENT_SECRET && !e.GRAPH_CERTIFICATE_PATH) problems.push('one of GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH is required');

  const cloud = oneOf('GRAPH_CLOUD', e.GRAPH_CLOUD, ['global', 'usgov', 'dod', 'china'] as const, 'global', problems);
  const authorityHost = (e.GRAPH_AUTHORITY_HOST ?? clouds[cloud].authorityHost).replace(/\/+$/, '');
  const graphEndpoint = (e.GRAPH_ENDPOINT ?? clouds[cloud].graphEndpoint).replace(/\/+$/, '');
  if (localMode && !e.LOCAL_MODE_ALLOW_REMOTE_GRAPH)
    problems.push(...remoteGraphInLocalMode({ GRAPH_ENDPOINT: graphEndpoint, GRAPH_AUTHORITY_HOST: authorityHost }));
  const apiVersion = oneOf('GRAPH_API_VERSION', e.GRAPH_API_VERSION, ['v1.0', 'beta'] as const, 'v1.0', problems);
  const logLevel = oneOf('LOG_LEVEL', e.LOG_LEVEL, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', problems);
  const storageKind = oneOf('STORAGE_BACKEND', e.STORAGE_BACKEND, ['sqlite', 'table'] as const, 'sqlite', problems);
  if (storageKind === 'table' && !e.AZURE_STORAGE_CONNECTION_STRING) problems.push('AZURE_STORAGE_CONNECTION_STRING is required when STORAGE_BACKEND is table');
  if (e.STATE_BLOB_CONTAINER && storageKind !== 'table')
    problems.push('STATE_BLOB_CONTAINER needs STORAGE_BACKEND=table (conversation state in blobs is for several instances, which also need the shared ledger)');

  if ((e.ADMIN_ROLE_IDS.length || 2) + e.ADMIN_GROUP_IDS.length > 20) {
    problems.push('ADMIN_ROLE_IDS and ADMIN_GROUP_IDS together may name at most 20 ids (one checkMemberObjects call)');
  }

  const botFrameworkOverrides: Record<string, string> = {};
  for (const key of [...BOT_FRAMEWORK_KEYS, 'ValidateAuthority'] as const) {
    const v = env[key];
    if (v !== undefined && v !== '') botFrameworkOverrides[key] = v;
  }

  if (problems.length > 0) throw new ConfigError(problems);

  // In local mode Teams is the emulator, which hosts attached files on its own https origin.
  const emulatorHosts = localMode ? [graphEndpoint, authorityHost].map((url) => new URL(url).host).filter(isLoopbackHost) : [];
  const downloadHosts = [...new Set([...e.IMPORT_DOWNLOAD_HOSTS, ...emulatorHosts])];

  const graphTenantId = e.GRAPH_TENANT_ID!.toLowerCase();
  return {
    port: e.PORT,
    host: localMode ? '127.0.0.1' : '0.0.0.0',
    localMode,
    bot: { appId: localMode ? (e.BOT_ID ?? '') : e.BOT_ID!, password: e.BOT_PASSWORD ?? '', tenantId: e.BOT_TENANT_ID ?? '', appType },
    botFrameworkOverrides,
    dataDir: path.resolve(e.DATA_DIR ?? './data'),
    graph: {
      tenantId: graphTenantId,
      clientId: e.GRAPH_CLIENT_ID!,
      credential: e.GRAPH_CLIENT_SECRET
        ? { kind: 'secret', secret: e.GRAPH_CLIENT_SECRET }
        : { kind: 'certificate', path: path.resolve(e.GRAPH_CERTIFICATE_PATH!) },
      cloud,
      authorityHost,
      endpoint: graphEndpoint,
      apiVersion,
      timeoutMs: e.GRAPH_TIMEOUT_SECONDS * 1000,
    },
    admin: {
      roleIds: e.ADMIN_ROLE_IDS.length > 0 ? e.ADMIN_ROLE_IDS : [GLOBAL_ADMINISTRATOR_ROLE, TEAMS_ADMINISTRATOR_ROLE],
      groupIds: e.ADMIN_GROUP_IDS,
      allowedTenantIds: e.ALLOWED_TENANT_IDS.length > 0 ? e.ALLOWED_TENANT_IDS : [graphTenantId],
      cacheSeconds: e.ADMIN_CACHE_SECONDS,
    },
    logLevel,
    storage: storageKind === 'table' ? { kind: 'table', connectionString: e.AZURE_STORAGE_CONNECTION_STRING! } : { kind: 'sqlite' },
    stateBlobContainer: e.STATE_BLOB_CONTAINER ?? null,
    reminders: { afterDays: e.REMINDER_AFTER_DAYS, checkMinutes: e.REMINDER_CHECK_MINUTES },
    bulk: {
      perTeamPerSecond: e.BULK_TEAM_RPS,
      perTenantPerSecond: e.BULK_TENANT_RPS,
      typedConfirmationAbove: e.BULK_CONFIRM_THRESHOLD,
      // By default the longest one Graph call can run, so a call still in flight elsewhere has landed.
      intentSettleMs: e.BULK_INTENT_SETTLE_SECONDS >= 0 ? e.BULK_INTENT_SETTLE_SECONDS * 1000 : longestCallMs(e.GRAPH_TIMEOUT_SECONDS * 1000),
    },
    pendingTtlMinutes: e.PENDING_TTL_MINUTES,
    pendingRetentionDays: e.PENDING_RETENTION_DAYS,
    restartCooldownMinutes: e.RESTART_COOLDOWN_MINUTES,
    load: { maxTurnsInFlight: e.MAX_TURNS_IN_FLIGHT, userCommandsPerMinute: e.USER_COMMANDS_PER_MINUTE, userCommandsBurst: e.USER_COMMANDS_BURST },
    import: {
      perThreadPerSecond: e.IMPORT_THREAD_RPS,
      archive: {
        maxEntries: e.IMPORT_MAX_ENTRIES,
        maxTotalBytes: Math.round(e.IMPORT_MAX_EXPORT_GB * 1024 ** 3),
        maxEntryBytes: Math.round(e.IMPORT_MAX_FILE_MB * 1024 ** 2),
        maxCompressionRatio: e.IMPORT_MAX_COMPRESSION_RATIO,
      },
      downloadHosts,
      maxUploadBytes: Math.round(e.IMPORT_MAX_UPLOAD_MB * 1024 ** 2),
      exportRetentionDays: e.IMPORT_EXPORT_RETENTION_DAYS,
      typedConfirmationAbove: e.IMPORT_CONFIRM_THRESHOLD,
    },
  };
}
