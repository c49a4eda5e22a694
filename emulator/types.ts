/**
 * Public types of the local Microsoft cloud emulator. Tests and the bot's tooling import these
 * names; they are kept stable because the bot's own test suite is written against them.
 */

/** The service a request was addressed to, decided from the first path segment. */
export type Service = 'entra' | 'graph' | 'botframework' | 'connector' | 'control';

/** Requests per second allowed per window (spec §5); `enabled: false` turns all throttling off. */
export interface RateLimits {
  enabled: boolean;
  perAppPerTenant: number;
  channelsListPerAppPerTenant: number;
  perAppPerTeam: number;
  perAppPerThread: number;
}

/** One request as the emulator received and answered it. */
export interface LoggedRequest {
  at: number;
  service: Service;
  method: string;
  /** raw path as received, without the query string */
  path: string;
  rawUrl: string;
  query: Record<string, string>;
  body: unknown;
  /** the app from the bearer token (or the client_id of a token request) */
  clientId: string | null;
  /** status sent; 0 when the connection was reset or left hanging */
  status: number;
  requestId: string | null;
}

/** The migration-relevant state of a channel or chat. */
export interface ThreadState {
  id: string;
  kind: 'channel' | 'chat';
  tenantId: string;
  teamId?: string;
  displayName: string;
  membershipType?: 'standard' | 'private' | 'shared';
  chatType?: 'oneOnOne' | 'group' | 'meeting';
  createdDateTime: string;
  originalCreatedDateTime: string | null;
  migrationMode: 'inProgress' | 'completed' | null;
  migrationOwnerAppId: string | null;
  /** calls that reached the thread (authenticated, permitted, not throttled), whatever their outcome */
  startMigrationCalls: number;
  completeMigrationCalls: number;
}

/** Kinds of injected faults. */
export type FaultKind = '429' | '503' | '504' | 'hang' | 'reset' | 'malformed' | 'token-5xx' | 'invalid_client';

/** A fault rule: the next `times` requests matching method + path get `kind` instead of an answer. */
export interface FaultRule {
  method?: string;
  /** a string matches when the raw path contains it; a RegExp is tested against the raw path */
  path: string | RegExp;
  /** default 1 */
  times?: number;
  kind: FaultKind;
  /** seconds, fractional allowed; null = no header. Default: 1 for 429, none otherwise */
  retryAfter?: number | null;
  /** for 'hang': how long to hold the request before dropping the connection (default 120 s) */
  hangMs?: number;
}

export interface FaultInjector {
  inject(rule: FaultRule): void;
  clear(): void;
}

/** An activity the bot sent to (or updated on) the emulated connector. */
export interface RecordedActivity {
  id: string;
  conversationId: string;
  replyToId: string | null;
  type: string;
  text?: string;
  attachments?: { contentType: string; content: unknown }[];
  raw: unknown;
  operation: 'send' | 'update';
  at: number;
}

export interface ConnectorRecorder {
  /** every activity the bot sent (POST), in order, with the id the connector gave it */
  sent(conversationId?: string): RecordedActivity[];
  /** every update (PUT) */
  updates(conversationId?: string): RecordedActivity[];
  /** the current version of an activity after all updates */
  current(activityId: string): RecordedActivity | undefined;
  /** resolves when predicate matches a sent/updated activity (polls), rejects after timeoutMs (default 5000) */
  waitFor(predicate: (a: RecordedActivity) => boolean, timeoutMs?: number): Promise<RecordedActivity>;
  /** Authorization headers seen on connector calls (for channel-auth tests) */
  authorizations(): (string | null)[];
  /**
   * The bot's app is not installed for this fixture user (personal scope nor a shared team): creating
   * their personal chat is refused with 403 `BotNotInConversationRoster`, as Teams does. Until reset.
   */
  uninstallBotFor(userKey: string): void;
}

/** Credentials of an app registered in the emulated Entra ID. */
export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Where everything is and which credentials to use; also written as JSON to `infoFile`. */
export interface EmulatorInfo {
  baseUrl: string;
  certPath: string;
  authorityHost: string;
  graphEndpoint: string;
  connectorUrl: string;
  tenantId: string;
  foreignTenantId: string;
  migrationApp: AppCredentials & {
    /** PEM file holding the app's private key followed by its certificate */
    certificatePath: string;
    /** SHA-1 thumbprint of the certificate, hex (MSAL `thumbprint`) */
    certificateThumbprint: string;
    /** SHA-256 thumbprint of the certificate, hex (MSAL `thumbprintSha256`) */
    certificateThumbprintSha256: string;
  };
  readOnlyApp: AppCredentials;
  otherApp: AppCredentials;
  /** an app registered in the foreign tenant (for tenant-isolation tests) */
  foreignApp: AppCredentials & { tenantId: string };
  bot: {
    appId: string;
    password: string;
    openIdMetadataUrl: string;
    tokenIssuer: string;
    loginUrl: string;
    oauthScope: string;
  };
}

/** Claims for a channel (Bot Framework → bot) token minted by the emulator. */
export interface ChannelTokenClaims {
  serviceUrl: string;
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  keyId?: 'msteams' | 'unendorsed' | 'multichannel' | 'foreign';
}

/** Claims for a Graph access token minted directly (negative tests: expired, foreign tenant...). */
export interface AccessTokenClaims {
  clientId: string;
  tenantId: string;
  roles?: string[];
  audience?: string;
  expiresInSeconds?: number;
  /** sign with a key the emulator does not publish (bad signature) */
  foreignKey?: boolean;
}

/** A running emulator. */
export interface Emulator {
  readonly baseUrl: string;
  readonly port: number;
  readonly certPath: string;
  readonly info: EmulatorInfo;
  readonly connectorUrl: string;
  stop(): Promise<void>;
  /** state back to the fixture; logs, faults, token counts, connector records cleared */
  reset(): void;
  requests(filter?: { service?: Service; method?: string; pathIncludes?: string }): LoggedRequest[];
  /** POST/PATCH/PUT/DELETE to Graph, except checkMemberObjects */
  graphWrites(): LoggedRequest[];
  thread(id: string): ThreadState | undefined;
  /** tokens issued by Entra to that app since reset */
  tokenCount(clientId: string): number;
  faults: FaultInjector;
  setLimits(limits: Partial<RateLimits>): void;
  setThread(id: string, patch: Partial<ThreadState>): void;
  connector: ConnectorRecorder;
  signChannelToken(claims: ChannelTokenClaims): string;
  /** mint a Graph access token without going through the token endpoint (for negative tests) */
  mintAccessToken(claims: AccessTokenClaims): string;
}
