/**
 * Public types of the local Microsoft cloud emulator. Tests and the bot's tooling import these
 * names; they are kept stable because the bot's own test suite is written against them.
 */

/** The service a request was addressed to, decided from the first path segment. */
export type Service = 'entra' | 'graph' | 'botframework' | 'connector' | 'control' | 'files';

/** Requests per second allowed per window (spec §5); `enabled: false` turns all throttling off. */
export interface RateLimits {
  enabled: boolean;
  perAppPerTenant: number;
  channelsListPerAppPerTenant: number;
  perAppPerTeam: number;
  perAppPerThread: number;
  /** message import (spec §9): per app per thread, instead of the per-team and per-thread budgets */
  importPerThread: number;
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

/** A user as a chatMessage names them (`from.user`, `mentioned.user`, a reaction's `user.user`). */
export interface MessageUser {
  id: string;
  displayName: string | null;
  userIdentityType: 'aadUser';
}

/** One `mentions[]` entry of an imported message; its `id` matches an `<at id="…">` in the body. */
export interface MessageMention {
  id: number | string;
  mentionText: string;
  mentioned: { user: MessageUser };
}

/** One reaction of an imported message. */
export interface MessageReaction {
  reactionType: string;
  createdDateTime: string;
  user: { user: MessageUser };
}

/** A reference attachment (a file already in SharePoint); its `id` matches an `<attachment id="…">` in the body. */
export interface MessageAttachment {
  id: string;
  contentType: 'reference';
  contentUrl: string;
  name: string | null;
}

/** An inline image sent with an imported message (`hostedContents`); the bytes are counted, not kept. */
export interface MessageHostedContent {
  temporaryId: string;
  contentType: string;
  bytes: number;
}

/**
 * A message imported into a thread in migration mode (spec §9), as the emulator stored it. Graph's
 * answers show the same fields; `threadId`, `hostedContents`, `importedBy` and `importedAt` are
 * the emulator's own bookkeeping for tests.
 */
export interface ImportedMessage {
  /** numeric string: the createdDateTime in epoch milliseconds, bumped while taken (unique in the emulator) */
  id: string;
  threadId: string;
  /** the root message's id for a reply, null for a root */
  replyToId: string | null;
  /** ISO 8601 UTC with milliseconds (`2020-01-01T10:00:00.000Z`) */
  createdDateTime: string;
  from: { user: MessageUser };
  subject: string | null;
  body: { contentType: 'html' | 'text'; content: string };
  mentions: MessageMention[];
  reactions: MessageReaction[];
  attachments: MessageAttachment[];
  hostedContents: MessageHostedContent[];
  /** client id of the importing app */
  importedBy: string;
  /** when the import request was answered (ISO) */
  importedAt: string;
}

/** A file uploaded to a channel's files folder with `PUT /drives/{drive}/items/{parent}:/{name}:/content`. */
export interface UploadedFile {
  driveId: string;
  /** the folder (a channel's filesFolder id) */
  parentId: string;
  /** the channel whose files folder holds it */
  channelId: string;
  itemId: string;
  name: string;
  size: number;
  /** the request's content-type header, or null */
  contentType: string | null;
  /** `"{GUID},{version}"`; the GUID (upper case) is what a reference attachment's id names */
  eTag: string;
  webUrl: string;
  /** 1 for the first upload, +1 each time the same name is uploaded again (replaced) */
  version: number;
  content: Buffer;
  uploadedBy: string;
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

/** Options of `TeamsFiles.host`: how long the URL works and how the bytes are served. */
export interface HostFileOptions {
  /** seconds (fractional allowed) until the download URL stops working (then 410); default 300, 0 = already expired */
  expiresInSeconds?: number;
  /**
   * after the content, serve this many bytes of generated filler (lines of `x` ending in `\n`) that
   * are never stored: a large download without holding it in memory. Counted in `size`.
   */
  fillerBytes?: number;
  /** stream at most this many bytes per second (a slow download); default unlimited */
  bytesPerSecond?: number;
  /** send this many bytes, then keep the connection open without finishing (until the client gives up or the emulator stops) */
  stallAfterBytes?: number;
  /** send `Content-Length` (default true); false = chunked transfer encoding, the size is not announced */
  contentLength?: boolean;
  /** fixture user key whose OneDrive holds the file (it shapes `contentUrl`); default 'alex' (else the fixture's first user); TeamsClient passes the sender */
  owner?: string;
  /** the file's unique id (default a new upper-case GUID) */
  uniqueId?: string;
}

/** A file the emulator serves at a pre-authenticated, short-lived URL, as Teams hands a bot a file the user attached. */
export interface HostedFile {
  /** the random token in `downloadUrl` */
  token: string;
  name: string;
  /** bytes a complete download returns (content plus filler) */
  size: number;
  /** `https://127.0.0.1:<port>/_files/download/<token>`: GET without Authorization returns the bytes */
  downloadUrl: string;
  /** upper-case GUID */
  uniqueId: string;
  /** the file's place in the owner's OneDrive (on the emulator; it answers 401 without a token, as SharePoint does) */
  contentUrl: string;
  /** the extension without its dot, lower case ('' when the name has none) */
  fileType: string;
  /** `"{<uniqueId>},1"` */
  etag: string;
  /** epoch ms after which the download URL answers 410 */
  expiresAt: number;
}

/** One request for a hosted file (its `downloadUrl`, or its `contentUrl`), recorded whatever the answer. */
export interface FileDownload {
  /** the token of the URL asked for (for `contentUrl` requests, the hosted file's token when known, else '') */
  token: string;
  /** the hosted file's name, or null when the token is unknown */
  name: string | null;
  /** epoch ms when the request arrived */
  at: number;
  method: string;
  /** which URL was used: `downloadUrl` (right) or `contentUrl` (needs a token; 401) */
  via: 'downloadUrl' | 'contentUrl';
  /** status answered: 200, 404 (unknown), 410 (expired), 401 (contentUrl), 405 */
  status: number;
  /** body bytes written so far (final once the download finished or was aborted) */
  bytes: number;
  /** true once every byte was sent; false while streaming, and for aborted or stalled downloads */
  completed: boolean;
  /** the request headers, names lower case (e.g. check that `authorization` is absent) */
  headers: Record<string, string>;
}

/** Where the bot uploads a file the user accepted: what Teams puts in `fileConsent/invoke`'s `uploadInfo`, plus the token. */
export interface FileUploadSlot {
  /** the random token in `uploadUrl` */
  token: string;
  name: string;
  /** `https://127.0.0.1:<port>/_files/upload/<token>`: PUT with `Content-Range` */
  uploadUrl: string;
  /** where the file will live in the user's OneDrive (on the emulator) */
  contentUrl: string;
  /** upper-case GUID */
  uniqueId: string;
  /** the extension without its dot, lower case */
  fileType: string;
  /** epoch ms after which the upload URL answers 404 */
  expiresAt: number;
}

/** A completed upload to a consent upload URL. */
export interface FileUpload {
  token: string;
  name: string;
  /** the whole file, fragments joined */
  bytes: Buffer;
  /** `Content-Type` of the first fragment, or null */
  contentType: string | null;
  uniqueId: string;
  contentUrl: string;
  fileType: string;
  /** the driveItem id the final fragment's answer carried */
  itemId: string;
  /** number of PUT fragments */
  fragments: number;
  /** the first fragment's request headers, names lower case */
  headers: Record<string, string>;
  /** epoch ms when the last fragment arrived */
  at: number;
}

/**
 * Files between a Teams user and the bot in a personal chat: files the user attaches (hosted at a
 * pre-authenticated download URL) and files the bot sends after a consent card (upload URLs).
 * Everything is cleared by `reset()`.
 */
export interface TeamsFiles {
  /** stores `content` and serves it at a new download URL; see HostFileOptions */
  host(name: string, content: Buffer | string, opts?: HostFileOptions): HostedFile;
  /** makes a hosted file's download URL answer 410 from now on (token or the whole URL) */
  expire(tokenOrUrl: string): void;
  /** every request for a hosted file since reset, in arrival order (copies) */
  downloads(): FileDownload[];
  /** a new upload URL in `owner`'s OneDrive (what Teams creates when the user accepts a consent card); TeamsClient.acceptsFile calls it */
  createUpload(name: string, opts?: { owner?: string; expiresInSeconds?: number }): FileUploadSlot;
  /** every upload completed since reset, in order (copies) */
  uploads(): FileUpload[];
}

/** A `application/vnd.microsoft.teams.card.file.consent` attachment the bot sent. */
export interface FileConsentCardSent {
  /** the connector's id of the activity carrying the card (what `acceptsFile` takes) */
  activityId: string;
  conversationId: string;
  name: string;
  description?: string;
  sizeInBytes?: number;
  acceptContext?: unknown;
  declineContext?: unknown;
}

/** A `application/vnd.microsoft.teams.card.file.info` attachment the bot sent (the uploaded file, shown to the user). */
export interface FileInfoCardSent {
  activityId: string;
  conversationId: string;
  name: string;
  contentUrl: string;
  uniqueId?: string;
  fileType?: string;
  etag?: unknown;
}

/** A DELETE of an activity on the connector. */
export interface DeletedActivity {
  conversationId: string;
  activityId: string;
  at: number;
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
  /** file consent cards in sent activities (latest version of each activity), in order */
  fileConsentCards(conversationId?: string): FileConsentCardSent[];
  /** file info cards in sent activities (latest version of each activity), in order */
  fileInfoCards(conversationId?: string): FileInfoCardSent[];
  /** activities the bot deleted (DELETE …/activities/{id}), in order */
  deletions(conversationId?: string): DeletedActivity[];
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

/** A team for `Emulator.addTeam`. */
export interface NewTeam {
  displayName: string;
  /** display names of the standard channels after General, in order */
  channels: string[];
  createdDateTime?: string;
  members?: string[];
}

/** What `Emulator.addTeam` created: the team's id and its channels' thread ids (same order as asked). */
export interface AddedTeam {
  teamId: string;
  generalChannelId: string;
  channelIds: string[];
}

/** A running emulator. */
export interface Emulator {
  readonly baseUrl: string;
  readonly port: number;
  readonly certPath: string;
  readonly info: EmulatorInfo;
  readonly connectorUrl: string;
  stop(): Promise<void>;
  /** state back to the fixture; logs, faults, token counts, connector records, imported messages, uploaded files, hosted and consent files and granted roles cleared (rate limits stay) */
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
  /**
   * Adds a team of the home tenant: a General channel plus one standard channel per name in
   * `channels`, created `createdDateTime` (default 2024-06-10T09:30:00Z), with `members` (fixture
   * user keys, default none). It joins the fixture, so `reset()` keeps it (back to never migrated).
   * Throws when a team of the tenant already has that display name.
   */
  addTeam(team: NewTeam): AddedTeam;
  /** every message imported into a thread since reset, roots and replies, oldest first */
  messages(threadId: string): ImportedMessage[];
  /** every file uploaded through the drive API since reset, in upload order (latest version of each) */
  uploadedFiles(): UploadedFile[];
  /**
   * Grants an app extra application permissions (admin consent) until reset, e.g.
   * `ChannelMessage.Read.All` or `Files.ReadWrite.All`; tokens issued afterwards carry them.
   */
  grantRoles(clientId: string, roles: string[]): void;
  connector: ConnectorRecorder;
  /** files the user attaches in the personal chat (download URLs) and files the bot sends after consent (upload URLs) */
  readonly files: TeamsFiles;
  signChannelToken(claims: ChannelTokenClaims): string;
  /** mint a Graph access token without going through the token endpoint (for negative tests) */
  mintAccessToken(claims: AccessTokenClaims): string;
}
