/**
 * Helpers the security suites share: raw Teams-shaped activities for any identity (including ones
 * Teams itself would never send, such as a user without `aadObjectId`), the shapes of every Graph
 * route the bot is allowed to call, and the patterns of secret material that must never be logged.
 */
import type { Emulator, LoggedRequest, PostResult } from '../../../emulator/index';
import { defaultFixture } from '../../../emulator/fixture';
import { jsonText } from '../../../emulator/json';
import { cardText } from '../../support/harness';

const fixture = defaultFixture();
const BOT = { id: `28:${fixture.bot.appId}`, name: fixture.bot.name };
let sequence = 0;

/** Someone (or something) posting to the bot: a fixture user, or a hand-made identity. */
export interface Actor {
  key: string;
  name: string;
  /** absent = Teams did not send an Entra identity */
  aadObjectId?: string;
  tenantId: string;
}

/** The fixture user with this key, as the actor Teams would describe. */
export function fixtureActor(key: string): Actor {
  const u = fixture.users.find((x) => x.key === key);
  if (!u) throw new Error(`no fixture user ${key}`);
  return { key: u.key, name: u.displayName, aadObjectId: u.id, tenantId: u.tenantId };
}

/** A member of the home tenant whose activity carries no `aadObjectId`. */
export const anonymousActor: Actor = { key: 'anonymous', name: 'No Identity', tenantId: '00000000-0000-0000-0000-000000000001' };

/** Where an actor talks: a group chat everybody can post into (its conversation id is the chat id). */
export interface Place {
  conversationId: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
}

export const groupChat = (chatId: string): Place => ({ conversationId: chatId, conversationType: 'groupChat' });
export const personalChat = (key: string): Place => ({ conversationId: `a:personal-${key}`, conversationType: 'personal' });

function nextId(): string {
  sequence += 1;
  return `${Date.now()}${String(sequence).padStart(5, '0')}`;
}

/** The envelope every Teams activity shares, for `actor` in `place`. */
export function envelope(emulator: Emulator, actor: Actor, place: Place, type: string): Record<string, any> {
  const from: Record<string, unknown> = { id: `29:${actor.key}`, name: actor.name };
  if (actor.aadObjectId) from.aadObjectId = actor.aadObjectId;
  return {
    type,
    id: nextId(),
    timestamp: new Date().toISOString(),
    serviceUrl: emulator.connectorUrl,
    channelId: 'msteams',
    from,
    conversation: {
      id: place.conversationId,
      conversationType: place.conversationType,
      tenantId: actor.tenantId,
      isGroup: place.conversationType !== 'personal',
    },
    recipient: { ...BOT },
    locale: 'en-US',
    entities: [{ type: 'clientInfo', locale: 'en-US', timezone: 'Europe/Berlin' }],
    channelData: { tenant: { id: actor.tenantId } },
  };
}

/** A typed message (no @mention: group chats accept plain text from the emulator). */
export function message(emulator: Emulator, actor: Actor, place: Place, text: string): Record<string, any> {
  return { ...envelope(emulator, actor, place, 'message'), text, textFormat: 'plain' };
}

/** An `Action.Execute` press: an `adaptiveCard/action` invoke. */
export function execute(emulator: Emulator, actor: Actor, place: Place, replyToId: string, verb: string, data: unknown): Record<string, any> {
  return {
    ...envelope(emulator, actor, place, 'invoke'),
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', id: verb, verb, data }, trigger: 'manual' },
  };
}

/** An `Action.Submit` press: a message whose `value` holds the card's data. */
export function submit(emulator: Emulator, actor: Actor, place: Place, replyToId: string, value: unknown): Record<string, any> {
  const a = envelope(emulator, actor, place, 'message');
  a.replyToId = replyToId;
  a.value = value;
  a.channelData.source = { name: 'message' };
  return a;
}

/** POSTs an activity to the bot (no Authorization header unless a token is given). */
export async function post(botUrl: string, activity: unknown, token?: string): Promise<PostResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers, body: JSON.stringify(activity), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: any = text === '' ? null : text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/** How far a conversation's connector record went, so an answer can be read from what came after. */
export interface Mark {
  sent: number;
  updated: number;
}

/** The current length of a conversation's sent and updated activities. */
export function mark(emulator: Emulator, conversationId: string): Mark {
  return { sent: emulator.connector.sent(conversationId).length, updated: emulator.connector.updates(conversationId).length };
}

/**
 * What the person reads after an activity: the invoke response (card or message), plus every
 * message sent and card updated in the conversation since `since`.
 */
export function answerText(emulator: Emulator, conversationId: string, result: PostResult, since: Mark): string {
  const parts: string[] = [];
  const body = result.body as { type?: string; value?: unknown } | null;
  if (body && typeof body === 'object' && typeof body.type === 'string') {
    parts.push(body.type === 'application/vnd.microsoft.card.adaptive' ? cardText(body.value) : jsonText(body.value ?? ''));
  }
  const later = [...emulator.connector.sent(conversationId).slice(since.sent), ...emulator.connector.updates(conversationId).slice(since.updated)];
  for (const a of later) {
    const card = a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
    parts.push(card ? cardText(card) : (a.text ?? ''));
  }
  return parts.join('\n');
}

/** The `opId` on the newest confirmation card the bot sent to a conversation, and that card's activity id. */
export function newestConfirmation(emulator: Emulator, conversationId: string): { activityId: string; opId: string; verb: string } | null {
  const sent = emulator.connector.sent(conversationId);
  for (let i = sent.length - 1; i >= 0; i--) {
    const card = sent[i].attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
    const action = (card as { actions?: { title?: string; verb?: string; data?: { opId?: string } }[] } | undefined)?.actions?.find(
      (a) => a.data?.opId && a.title !== 'Cancel',
    );
    if (action?.data?.opId) return { activityId: sent[i].id, opId: action.data.opId, verb: String(action.verb) };
  }
  return null;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const THREAD = '19:[A-Za-z0-9_\\-.=]{1,200}@(thread\\.(tacv2|skype|v2)|unq\\.gbl\\.spaces)';

/** Every route shape the bot may call, with each id segment as it must look once decoded. */
const ROUTES: { method: string; segments: RegExp[] }[] = [
  { method: 'GET', segments: [/^teams$/] },
  { method: 'GET', segments: [/^teams$/, new RegExp(`^${GUID}$`)] },
  { method: 'GET', segments: [/^teams$/, new RegExp(`^${GUID}$`), /^channels$/] },
  { method: 'GET', segments: [/^teams$/, new RegExp(`^${GUID}$`), /^channels$/, new RegExp(`^${THREAD}$`)] },
  { method: 'POST', segments: [/^teams$/, new RegExp(`^${GUID}$`), /^channels$/, new RegExp(`^${THREAD}$`), /^(startMigration|completeMigration)$/] },
  { method: 'GET', segments: [/^chats$/, new RegExp(`^${THREAD}$`)] },
  { method: 'POST', segments: [/^chats$/, new RegExp(`^${THREAD}$`), /^(startMigration|completeMigration)$/] },
  // The form lists another user's chats by object id or sign-in name (UPN).
  { method: 'GET', segments: [/^users$/, new RegExp(`^(?:${GUID}|[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,190})$`), /^chats$/] },
  { method: 'POST', segments: [/^users$/, new RegExp(`^${GUID}$`), /^checkMemberObjects$/] },
];

/** The only `$filter` expressions the bot builds: one complete, quote-escaped string literal. */
const FILTERS = [/^displayName eq '(?:[^']|'')*'$/, /^startswith\(displayName,'(?:[^']|'')*'\)$/];

/** Query parameters a Graph read may carry. */
const QUERY_KEYS = new Set(['$expand', '$filter', '$select', '$top', '$skiptoken', '$count']);

/**
 * Why a logged Graph request is not one of the intended route shapes (null when it is): every id
 * sits in exactly one segment, percent-encoded, with no `.`/`..` segment, no extra segment and no
 * query parameter the bot never sends.
 */
export function routeViolation(r: LoggedRequest): string | null {
  const m = /^\/(v1\.0|beta)\/(.*)$/.exec(r.path);
  if (!m) return `not under a Graph version: ${r.path}`;
  const raw = m[2].split('/');
  if (raw.some((s) => s === '' || s === '.' || s === '..')) return `empty or dot segment in ${r.path}`;
  let decoded: string[];
  try {
    decoded = raw.map((s) => decodeURIComponent(s));
  } catch {
    return `broken percent-encoding in ${r.path}`;
  }
  if (decoded.some((s) => s === '.' || s === '..' || /[/?#%\\]/.test(s))) return `a segment decodes to a dot segment or a path or query character in ${r.path}`;
  if (r.rawUrl.includes('#')) return `raw URL contains a fragment: ${r.rawUrl}`;
  const matched = ROUTES.some(
    (route) => route.method === r.method && route.segments.length === decoded.length && route.segments.every((re, i) => re.test(decoded[i])),
  );
  if (!matched) return `${r.method} ${r.path} is not a route the bot uses`;
  for (const key of Object.keys(r.query)) if (!QUERY_KEYS.has(key)) return `unexpected query parameter ${key} in ${r.rawUrl}`;
  const filter = r.query.$filter;
  if (filter !== undefined && !FILTERS.some((re) => re.test(filter))) return `$filter is not a whole, quoted literal: ${JSON.stringify(filter)} in ${r.rawUrl}`;
  return null;
}

/** A JWT: three base64url parts, the first starting like a JSON header. */
export const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

/** Every client secret and password the emulator's apps and bot have. */
export function fixtureSecrets(): string[] {
  const out = fixture.apps.map((a) => a.clientSecret).filter((s): s is string => typeof s === 'string' && s.length > 0);
  out.push(fixture.bot.password);
  return out;
}

/** Polls until `predicate` holds or `ms` pass. */
export async function waitUntil(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The environment of a bot that authenticates the channel the way a deployed bot does, with the
 * emulator standing in for the Bot Framework token service (all seven override keys, platform-notes).
 */
export function channelAuthEnv(emulator: Emulator): Record<string, string | undefined> {
  const info = emulator.info;
  return {
    LOCAL_MODE: undefined,
    BOT_ID: info.bot.appId,
    BOT_PASSWORD: info.bot.password,
    ToBotFromChannelOpenIdMetadataUrl: info.bot.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: info.bot.tokenIssuer,
    ToChannelFromBotLoginUrl: info.bot.loginUrl,
    ToChannelFromBotOAuthScope: info.bot.oauthScope,
    ToBotFromEmulatorOpenIdMetadataUrl: info.bot.openIdMetadataUrl,
    OAuthUrl: emulator.baseUrl,
    CallerId: 'urn:botframework:azure',
  };
}

/** Every way secret material could show up in text, with a name for the failure message. */
export function secretLeaks(text: string, privateKeyLines: string[] = []): string[] {
  const found: string[] = [];
  for (const s of fixtureSecrets()) if (text.includes(s)) found.push(`secret ${s.slice(0, 8)}…`);
  if (JWT_PATTERN.test(text)) found.push('a JWT (access or channel token)');
  if (/PRIVATE KEY/.test(text)) found.push('PEM private key header');
  for (const line of privateKeyLines) if (text.includes(line)) found.push('a line of the private key');
  return found;
}
