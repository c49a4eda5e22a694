import { type Call, channelOf, chatOf, context, listBody, NotFound, page } from './graph-call';
import { sendJson } from './http';
import { importMessage } from './messages';
import type { ThreadRecord } from './state';
import type { ImportedMessage } from './types';

/** `POST /teams/{team}/channels/{channel}/messages`: imports a root message (spec §9). */
export function importChannelMessage(call: Call): void {
  answerImport(call, channelOf(call));
}

/** `POST /teams/{team}/channels/{channel}/messages/{message}/replies`: imports a reply to a root message. */
export function importReply(call: Call): void {
  answerImport(call, channelOf(call), call.params.message);
}

/** `POST /chats/{chat}/messages`: imports a chat message. */
export function importChatMessage(call: Call): void {
  answerImport(call, chatOf(call));
}

/** Runs the import rules (messages.ts) and answers 201 with the stored chatMessage. */
function answerImport(call: Call, thread: ThreadRecord, parentId?: string): void {
  const { core, ctx } = call;
  const message = importMessage({
    state: core.state,
    store: core.state.messages,
    thread,
    clientId: call.principal.clientId,
    parentId,
    body: ctx.body,
    bodyError: ctx.bodyError,
    now: Date.now(),
  });
  sendJson(ctx, 201, { '@odata.context': context(call, `${collection(thread, message.replyToId)}/$entity`), ...messageJson(thread, message) });
}

/** The OData path of a thread's messages, or of a root's replies. */
function collection(thread: ThreadRecord, rootId: string | null): string {
  if (thread.kind === 'chat') return `chats('${thread.id}')/messages`;
  const messages = `teams('${thread.teamId}')/channels('${thread.id}')/messages`;
  return rootId === null ? messages : `${messages}('${rootId}')/replies`;
}

/** A stored message as Graph's chatMessage. */
function messageJson(thread: ThreadRecord, m: ImportedMessage): Record<string, unknown> {
  const channel = thread.kind === 'channel';
  const ms = Date.parse(m.createdDateTime);
  return {
    id: m.id,
    replyToId: m.replyToId,
    etag: m.id,
    messageType: 'message',
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.createdDateTime,
    lastEditedDateTime: null,
    deletedDateTime: null,
    subject: m.subject,
    summary: null,
    chatId: channel ? null : thread.id,
    importance: 'normal',
    locale: 'en-us',
    webUrl: channel
      ? `https://teams.microsoft.com/l/message/${encodeURIComponent(thread.id)}/${m.id}?groupId=${thread.teamId}&tenantId=${thread.tenantId}&createdTime=${ms}&parentMessageId=${m.replyToId ?? m.id}`
      : null,
    channelIdentity: channel ? { teamId: thread.teamId, channelId: thread.id } : null,
    policyViolation: null,
    eventDetail: null,
    from: { application: null, device: null, user: { ...m.from.user, tenantId: thread.tenantId } },
    body: m.body,
    attachments: m.attachments.map((a) => ({ ...a, content: null, thumbnailUrl: null, teamsAppId: null })),
    mentions: m.mentions,
    reactions: m.reactions,
  };
}

/** Newest first, as Graph lists channel messages (used for every message list, consistently). */
function newestFirst(messages: ImportedMessage[]): ImportedMessage[] {
  return [...messages].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
}

/** Answers one page (`$top` 1–50, default 20) of messages, newest first. */
function answerList(call: Call, thread: ThreadRecord, rootId: string | null, messages: ImportedMessage[]): void {
  const p = page(call, newestFirst(messages), 20, 50, 50);
  sendJson(call.ctx, 200, listBody(call, collection(thread, rootId), { items: p.items.map((m) => messageJson(thread, m)), next: p.next }));
}

/** `GET /teams/{team}/channels/{channel}/messages`: the channel's root messages (no replies). */
export function listChannelMessages(call: Call): void {
  const thread = channelOf(call);
  answerList(
    call,
    thread,
    null,
    call.core.state.messages.all(thread.id).filter((m) => m.replyToId === null),
  );
}

/** `GET /teams/{team}/channels/{channel}/messages/{message}/replies`: one root's replies; unknown root 404. */
export function listReplies(call: Call): void {
  const thread = channelOf(call);
  const root = call.core.state.messages.root(thread.id, call.params.message);
  if (!root) throw new NotFound(`Message ${call.params.message} was not found in this channel.`);
  answerList(
    call,
    thread,
    root.id,
    call.core.state.messages.all(thread.id).filter((m) => m.replyToId === root.id),
  );
}

/** `GET /chats/{chat}/messages`: the chat's messages. */
export function listChatMessages(call: Call): void {
  const thread = chatOf(call);
  answerList(call, thread, null, call.core.state.messages.all(thread.id));
}
