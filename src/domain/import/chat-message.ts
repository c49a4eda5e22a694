/**
 * Builds the Graph chatMessage an imported message is sent as (spec §9): author, time, converted
 * text, the original author's name when posted as the fallback user, a line per file, inline
 * images, reference attachments and reactions.
 */

import type { FallbackCredit } from './authors';
import { escapeHtml } from './html';
import type { SourceKind } from './source-model';
import type { ImportChatMessage, ImportHostedContent, ImportReaction, ImportReferenceAttachment, RenderedText, TeamsIdentity } from './teams-message';

/** What became of one file of the message. */
export type FilePart =
  | { kind: 'not in export'; name: string }
  | { kind: 'not uploaded'; name: string; why: string }
  | { kind: 'inline image'; name: string; contentType: string; base64: string }
  | { kind: 'uploaded'; name: string; id: string; url: string };

/** Everything decided about one message before it is sent. */
export interface ChatMessageInput {
  timeMs: number;
  from: TeamsIdentity;
  credit: FallbackCredit | null;
  source: SourceKind;
  text: RenderedText;
  /** Slack `/me` messages read as actions. */
  meMessage: boolean;
  files: FilePart[];
  reactions: ImportReaction[];
}

const SOURCE_NAMES: Record<SourceKind, string> = { slack: 'Slack', mattermost: 'Mattermost' };

function identity(user: TeamsIdentity): { user: { id: string; displayName: string; userIdentityType: 'aadUser' } } {
  return { user: { id: user.id, displayName: user.displayName, userIdentityType: 'aadUser' } };
}

function creditLine(credit: FallbackCredit, source: SourceKind): string {
  const why = credit.status === 'matched' ? '' : ` · ${credit.status}`;
  return `<p><b>${escapeHtml(credit.name)}</b> <i>(${SOURCE_NAMES[source]}${escapeHtml(why)})</i></p>`;
}

function fileLine(part: FilePart): string {
  const name = escapeHtml(part.name);
  switch (part.kind) {
    case 'not in export':
      return `<p>📎 ${name} <i>(file not included in the export)</i></p>`;
    case 'not uploaded':
      return `<p>📎 ${name} <i>(${escapeHtml(part.why)})</i></p>`;
    case 'inline image':
      return '';
    case 'uploaded':
      return `<attachment id="${escapeHtml(part.id)}"></attachment>`;
  }
}

/** The request body for `POST …/messages` or `…/replies`. */
export function buildChatMessage(input: ChatMessageInput): ImportChatMessage {
  const hosted: ImportHostedContent[] = [];
  const attachments: ImportReferenceAttachment[] = [];
  let images = '';
  for (const part of input.files) {
    if (part.kind === 'inline image') {
      const tempId = String(hosted.length + 1);
      hosted.push({ '@microsoft.graph.temporaryId': tempId, contentBytes: part.base64, contentType: part.contentType });
      images += `<p><img src="../hostedContents/${tempId}/$value" alt="${escapeHtml(part.name)}"></p>`;
    } else if (part.kind === 'uploaded') {
      attachments.push({ id: part.id, contentType: 'reference', contentUrl: part.url, name: part.name });
    }
  }
  const text = input.text.html ? (input.meMessage ? `<i>${input.text.html}</i>` : input.text.html) : '';
  const content = [input.credit ? creditLine(input.credit, input.source) : '', text, images, ...input.files.map(fileLine)].join('');
  const message: ImportChatMessage = {
    createdDateTime: new Date(input.timeMs).toISOString(),
    from: identity(input.from),
    body: { contentType: 'html', content },
  };
  if (input.text.mentions.length) message.mentions = input.text.mentions;
  if (input.reactions.length) message.reactions = input.reactions;
  if (hosted.length) message.hostedContents = hosted;
  if (attachments.length) message.attachments = attachments;
  return message;
}

/** Graph takes at most 250 reactions per message (spec §9). */
export const MAX_REACTIONS = 250;

/**
 * A message's reactions by tenant users: one per (emoji, mapped user), dated at the message.
 * Reactions by unmatched users, or with a custom emoji that has no Unicode form, are dropped and
 * counted.
 */
export function reactionsFor(
  reactions: readonly { emoji: string; userIds: readonly string[] }[],
  userOf: (sourceUserId: string) => TeamsIdentity | null,
  emojiOf: (shortName: string) => string | null,
  timeMs: number,
): { reactions: ImportReaction[]; dropped: number } {
  const out: ImportReaction[] = [];
  let dropped = 0;
  const at = new Date(timeMs).toISOString();
  for (const r of reactions) {
    const unicode = emojiOf(r.emoji);
    for (const id of r.userIds) {
      const user = userOf(id);
      if (!unicode || !user || out.length >= MAX_REACTIONS) {
        dropped++;
        continue;
      }
      out.push({ reactionType: unicode, createdDateTime: at, user: identity(user) });
    }
  }
  return { reactions: out, dropped };
}
