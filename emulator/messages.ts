import { BadRequest, HttpError, NotFound, parseDateTimeOffset } from './graph-call';
import { asObject, jsonText } from './json';
import type { TenantState, ThreadRecord } from './state';
import type { ImportedMessage, MessageAttachment, MessageHostedContent, MessageMention, MessageReaction, MessageUser } from './types';

/** The 409 answer to a second message at the same millisecond of one thread (spec §9). */
export const DUPLICATE_TIME_MESSAGE = 'A message with the same createdDateTime already exists in this thread; adjust the value and retry.';

/** Reactions one imported message may carry (spec §9). */
export const MAX_REACTIONS = 250;

/** Clock skew tolerated before a createdDateTime counts as "in the future". */
export const FUTURE_SKEW_MS = 5000;

/**
 * Imported messages of every thread. Roots and replies of one thread share one millisecond space
 * (two messages of a thread never have the same createdDateTime); message ids are unique across
 * the emulator. `clear()` empties it (state reset).
 */
export class MessageStore {
  private readonly byThread = new Map<string, ImportedMessage[]>();
  private readonly times = new Map<string, Set<number>>();
  private readonly ids = new Set<string>();

  clear(): void {
    this.byThread.clear();
    this.times.clear();
    this.ids.clear();
  }

  /** Every message of a thread (roots and replies) in import order; the stored objects themselves. */
  all(threadId: string): ImportedMessage[] {
    return this.byThread.get(threadId) ?? [];
  }

  /** A root message of the thread by id. */
  root(threadId: string, id: string): ImportedMessage | undefined {
    return this.all(threadId).find((m) => m.id === id && m.replyToId === null);
  }

  /** True when the thread already has a message at this millisecond. */
  takenAt(threadId: string, ms: number): boolean {
    return this.times.get(threadId)?.has(ms) ?? false;
  }

  /** A numeric id like Graph's: the createdDateTime in epoch ms (0 before 1970), bumped by one while taken. */
  newId(ms: number): string {
    let n = Math.max(0, ms);
    while (this.ids.has(String(n))) n++;
    return String(n);
  }

  add(message: ImportedMessage): void {
    const list = this.byThread.get(message.threadId) ?? [];
    list.push(message);
    this.byThread.set(message.threadId, list);
    const times = this.times.get(message.threadId) ?? new Set<number>();
    times.add(Date.parse(message.createdDateTime));
    this.times.set(message.threadId, times);
    this.ids.add(message.id);
  }
}

/** One import request, after route, token, permission and throttling passed and the thread was found. */
export interface ImportRequest {
  state: TenantState;
  store: MessageStore;
  thread: ThreadRecord;
  /** the calling app */
  clientId: string;
  /** the root message a reply answers; undefined when importing a root message */
  parentId?: string;
  body: unknown;
  bodyError: string | null;
  now: number;
}

/**
 * Validates an import (spec §9) and stores the message. Rules, in order: the thread is in migration
 * mode (400) and owned by the caller (403); a reply's parent exists (404); `from.user` is a user of
 * the thread's tenant; `createdDateTime` is later than the thread's (and a reply's parent's), not
 * in the future and free in the thread (409); the body; mentions, hosted contents, reactions and
 * reference attachments agree with the body. Throws an HttpError on the first rule broken.
 */
export function importMessage(r: ImportRequest): ImportedMessage {
  checkImportable(r.thread, r.clientId);
  const parent = r.parentId === undefined ? null : parentOf(r, r.parentId);
  const input = requestObject(r.body, r.bodyError);
  const from = userRef(r, asObject(input.from)?.user, 'from.user');
  const createdMs = createdTime(r, input.createdDateTime, parent);
  const body = messageBody(input.body);
  const mentions = checkMentions(r, body.content, input.mentions);
  const hostedContents = checkHostedContents(body.content, input.hostedContents);
  const reactions = checkReactions(r, input.reactions);
  const attachments = checkAttachments(body.content, input.attachments);
  const message: ImportedMessage = {
    id: r.store.newId(createdMs),
    threadId: r.thread.id,
    replyToId: parent?.id ?? null,
    createdDateTime: new Date(createdMs).toISOString(),
    from: { user: from },
    subject: typeof input.subject === 'string' ? input.subject : null,
    body,
    mentions,
    reactions,
    attachments,
    hostedContents,
    importedBy: r.clientId,
    importedAt: new Date(r.now).toISOString(),
  };
  r.store.add(message);
  return message;
}

function noun(thread: ThreadRecord): string {
  return thread.kind === 'channel' ? 'channel' : 'chat';
}

/** In migration mode (never started or completed → 400) and owned by the caller (403). */
function checkImportable(thread: ThreadRecord, clientId: string): void {
  const Noun = thread.kind === 'channel' ? 'Channel' : 'Chat';
  if (thread.migrationMode === 'completed') {
    throw new BadRequest(
      `${Noun} ${thread.id} is not in migration mode: its migration was completed. Call startMigration again before importing more messages.`,
    );
  }
  if (thread.migrationMode !== 'inProgress') {
    throw new BadRequest(`${Noun} ${thread.id} is not in migration mode; messages can be imported only after startMigration.`);
  }
  if (thread.migrationOwnerAppId?.toLowerCase() !== clientId.toLowerCase()) {
    throw new HttpError(
      403,
      'Forbidden',
      `The migration of this ${noun(thread)} was started by another application; only that application can import messages into it.`,
    );
  }
}

function parentOf(r: ImportRequest, id: string): ImportedMessage {
  const parent = r.store.root(r.thread.id, id);
  if (!parent) throw new NotFound(`Message ${id} was not found in this ${noun(r.thread)}.`);
  return parent;
}

function requestObject(body: unknown, bodyError: string | null): Record<string, unknown> {
  if (bodyError) throw new BadRequest(bodyError);
  const o = asObject(body);
  if (!o || Array.isArray(o)) throw new BadRequest('The request body must be a JSON object (a chatMessage).');
  return o;
}

/**
 * A `{ id, displayName, userIdentityType }` naming a user of the thread's tenant (looked up by
 * object id); `label` is its path in the request, for the message. The display name is the
 * directory's.
 */
function userRef(r: ImportRequest, value: unknown, label: string): MessageUser {
  const o = asObject(value);
  const id = o?.id;
  if (typeof id !== 'string' || id === '') throw new BadRequest(`${label}.id is required: an imported message must name a user of the tenant.`);
  const user = r.state.usersById.get(id.toLowerCase());
  if (!user || user.tenantId !== r.thread.tenantId) throw new BadRequest(`${label}.id '${id}' is not a user of this tenant.`);
  const type = o?.userIdentityType;
  if (type !== undefined && type !== null && type !== 'aadUser') {
    throw new BadRequest(`${label}.userIdentityType must be 'aadUser'; got '${jsonText(type)}'.`);
  }
  return { id: user.id, displayName: user.displayName, userIdentityType: 'aadUser' };
}

/** Epoch ms of the message: given or now; later than the thread (and parent), not in the future, free (409). */
function createdTime(r: ImportRequest, value: unknown, parent: ImportedMessage | null): number {
  const ms = value === undefined || value === null ? r.now : parseDateTimeOffset(value);
  const shown = jsonText(value ?? new Date(r.now).toISOString());
  if (Number.isNaN(ms)) throw new BadRequest(`Invalid createdDateTime '${shown}': expected an ISO 8601 date and time with an offset.`);
  if (ms <= Date.parse(r.thread.createdDateTime)) {
    throw new BadRequest(`createdDateTime (${shown}) must be later than the ${noun(r.thread)}'s createdDateTime (${r.thread.createdDateTime}).`);
  }
  if (ms > r.now + FUTURE_SKEW_MS) throw new BadRequest(`createdDateTime (${shown}) is in the future.`);
  if (parent && ms <= Date.parse(parent.createdDateTime)) {
    throw new BadRequest(`A reply's createdDateTime (${shown}) must be later than its parent message's (${parent.createdDateTime}).`);
  }
  if (r.store.takenAt(r.thread.id, ms)) throw new HttpError(409, 'Conflict', DUPLICATE_TIME_MESSAGE);
  return ms;
}

function messageBody(value: unknown): ImportedMessage['body'] {
  const o = asObject(value);
  const type = typeof o?.contentType === 'string' ? o.contentType.toLowerCase() : o?.contentType;
  if (type !== 'html' && type !== 'text') throw new BadRequest("body.contentType must be 'html' or 'text'.");
  if (typeof o?.content !== 'string') throw new BadRequest('body.content must be a string.');
  return { contentType: type, content: o.content };
}

/** An optional array field: [] when absent or null, else 400 unless it is an array. */
function optionalArray(value: unknown, label: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest(`${label} must be an array.`);
  return value as unknown[];
}

/** The `id` attribute of every `<tag …>` in the body (null for a tag without one). */
function tagIds(content: string, tag: 'at' | 'attachment'): (string | null)[] {
  const ids: (string | null)[] = [];
  for (const m of content.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))) {
    const id = /\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(m[1]);
    ids.push(id ? (id[1] ?? id[2] ?? id[3]) : null);
  }
  return ids;
}

/** The tag ids of the body as a set; a tag without an id is a 400. */
function bodyIds(content: string, tag: 'at' | 'attachment'): Set<string> {
  const ids = tagIds(content, tag);
  if (ids.includes(null)) throw new BadRequest(`An <${tag}> tag in the body has no id attribute.`);
  return new Set(ids as string[]);
}

/** Throws on a repeated id in a list of entries. */
function checkUnique(ids: string[], label: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new BadRequest(`${label} has two entries with id '${id}'.`);
    seen.add(id);
  }
}

/** Each `<at id="n">` has a `mentions` entry with that id and vice versa; each mentioned user is a tenant user. */
function checkMentions(r: ImportRequest, content: string, value: unknown): MessageMention[] {
  const mentions = optionalArray(value, 'mentions').map((m, i) => mention(r, m, i));
  const ids = mentions.map((m) => String(m.id));
  checkUnique(ids, 'mentions');
  const inBody = bodyIds(content, 'at');
  for (const id of inBody) {
    if (!ids.includes(id)) throw new BadRequest(`The body mentions <at id="${id}"> but mentions has no entry with id ${id}.`);
  }
  for (const id of ids) {
    if (!inBody.has(id)) throw new BadRequest(`mentions entry ${id} has no <at id="${id}"> in the body.`);
  }
  return mentions;
}

function mention(r: ImportRequest, value: unknown, i: number): MessageMention {
  const o = asObject(value);
  const id = o?.id;
  const validId = (typeof id === 'number' && Number.isInteger(id) && id >= 0) || (typeof id === 'string' && /^\d+$/.test(id));
  if (!o || !validId) throw new BadRequest(`mentions[${i}].id must be a non-negative integer.`);
  if (typeof o.mentionText !== 'string') throw new BadRequest(`mentions[${i}].mentionText must be a string.`);
  const user = userRef(r, asObject(o.mentioned)?.user, `mentions[${i}].mentioned.user`);
  return { id, mentionText: o.mentionText, mentioned: { user } };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOSTED_REFERENCE = /\.\.\/hostedContents\/([^/"'\s<>]+)\/\$value/g;

/** Each hosted content is well formed and referenced as `../hostedContents/{id}/$value`; every reference is known. */
function checkHostedContents(content: string, value: unknown): MessageHostedContent[] {
  const hosted = optionalArray(value, 'hostedContents').map((h, i) => hostedContent(h, i));
  const ids = hosted.map((h) => h.temporaryId);
  checkUnique(ids, 'hostedContents');
  const referenced = new Set([...content.matchAll(HOSTED_REFERENCE)].map((m) => m[1]));
  for (const id of referenced) {
    if (!ids.includes(id)) throw new BadRequest(`The body references ../hostedContents/${id}/$value, but hostedContents has no temporaryId '${id}'.`);
  }
  for (const id of ids) {
    if (!referenced.has(id)) throw new BadRequest(`hostedContents '${id}' is not referenced in the body as ../hostedContents/${id}/$value.`);
  }
  return hosted;
}

function hostedContent(value: unknown, i: number): MessageHostedContent {
  const o = asObject(value);
  const id = o?.['@microsoft.graph.temporaryId'];
  if (typeof id !== 'string' || id === '') throw new BadRequest(`hostedContents[${i}] needs a '@microsoft.graph.temporaryId'.`);
  const bytes = o?.contentBytes;
  if (typeof bytes !== 'string' || bytes === '' || !BASE64.test(bytes)) throw new BadRequest(`hostedContents '${id}': contentBytes must be base64.`);
  if (typeof o?.contentType !== 'string' || o.contentType === '') throw new BadRequest(`hostedContents '${id}': contentType is required.`);
  return { temporaryId: id, contentType: o.contentType, bytes: Buffer.from(bytes, 'base64').length };
}

/** At most 250 reactions, each with a type, a time and a tenant user. */
function checkReactions(r: ImportRequest, value: unknown): MessageReaction[] {
  const list = optionalArray(value, 'reactions');
  if (list.length > MAX_REACTIONS) throw new BadRequest(`A message can carry at most ${MAX_REACTIONS} reactions; got ${list.length}.`);
  return list.map((x, i) => {
    const o = asObject(x);
    if (typeof o?.reactionType !== 'string' || o.reactionType === '') throw new BadRequest(`reactions[${i}].reactionType is required.`);
    const at = parseDateTimeOffset(o.createdDateTime);
    if (Number.isNaN(at)) throw new BadRequest(`reactions[${i}].createdDateTime must be an ISO 8601 date and time with an offset.`);
    const user = userRef(r, asObject(o.user)?.user, `reactions[${i}].user.user`);
    return { reactionType: o.reactionType, createdDateTime: new Date(at).toISOString(), user: { user } };
  });
}

/** Only reference attachments; each `<attachment id="x">` in the body matches an attachment and vice versa. */
function checkAttachments(content: string, value: unknown): MessageAttachment[] {
  const attachments = optionalArray(value, 'attachments').map((a, i) => attachment(a, i));
  const ids = attachments.map((a) => a.id);
  checkUnique(ids, 'attachments');
  const inBody = bodyIds(content, 'attachment');
  for (const id of inBody) {
    if (!ids.includes(id)) throw new BadRequest(`The body has <attachment id="${id}"> but attachments has no entry with that id.`);
  }
  for (const id of ids) {
    if (!inBody.has(id)) throw new BadRequest(`attachments entry '${id}' has no <attachment id="${id}"></attachment> in the body.`);
  }
  return attachments;
}

function attachment(value: unknown, i: number): MessageAttachment {
  const o = asObject(value);
  if (o?.contentType !== 'reference') {
    throw new BadRequest(`attachments[${i}]: only reference attachments can be imported (contentType 'reference'); got '${jsonText(o?.contentType)}'.`);
  }
  if (typeof o.id !== 'string' || o.id === '') throw new BadRequest(`attachments[${i}].id is required.`);
  if (typeof o.contentUrl !== 'string' || o.contentUrl === '') throw new BadRequest(`attachments[${i}].contentUrl is required.`);
  if (o.name !== undefined && o.name !== null && typeof o.name !== 'string') throw new BadRequest(`attachments[${i}].name must be a string.`);
  return { id: o.id, contentType: 'reference', contentUrl: o.contentUrl, name: typeof o.name === 'string' ? o.name : null };
}
