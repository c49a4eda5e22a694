/**
 * The Graph chatMessage shapes an import sends (spec §9), and what text conversion produces.
 * Pure data: built by the domain, sent by `src/graph/message-import-api.ts`.
 */

/** A tenant user as Graph's `identitySet.user` names them. */
export interface TeamsIdentity {
  id: string;
  displayName: string;
}

/** One `mentions[]` entry; its `id` matches an `<at id="n">` in the body. */
export interface ImportMention {
  id: number;
  mentionText: string;
  mentioned: { user: { id: string; displayName: string; userIdentityType: 'aadUser' } };
}

/** An inline image carried in the request (`hostedContents`), referenced as `../hostedContents/{id}/$value`. */
export interface ImportHostedContent {
  '@microsoft.graph.temporaryId': string;
  contentBytes: string;
  contentType: string;
}

/** A file already uploaded to SharePoint, attached by reference (`<attachment id="…">` in the body). */
export interface ImportReferenceAttachment {
  id: string;
  contentType: 'reference';
  contentUrl: string;
  name: string;
}

export interface ImportReaction {
  reactionType: string;
  createdDateTime: string;
  user: { user: { id: string; displayName: string; userIdentityType: 'aadUser' } };
}

/** The body of `POST …/messages` or `…/replies` for an imported message. */
export interface ImportChatMessage {
  createdDateTime: string;
  from: { user: { id: string; displayName: string; userIdentityType: 'aadUser' } };
  body: { contentType: 'html'; content: string };
  mentions?: ImportMention[];
  reactions?: ImportReaction[];
  hostedContents?: ImportHostedContent[];
  attachments?: ImportReferenceAttachment[];
}

/**
 * What the text converters need to know about the world, all answered synchronously from tables
 * the engine built before converting.
 */
export interface RenderContext {
  /**
   * A source user by id (Slack id) or handle (Mattermost username): the tenant user they map to
   * (null when unmapped) and the name to show. Null when the export does not know them.
   */
  user(sourceUserIdOrName: string): { teams: TeamsIdentity | null; name: string } | null;
  /** A source channel's name by id (Slack `<#C…>` without a label), or null. */
  channelName(sourceChannelId: string): string | null;
  /** Unicode for a short name (`smile`, `+1`, `+1::skin-tone-3`), or null for a custom / unknown emoji. */
  emoji(shortName: string): string | null;
}

/** Converted text: HTML safe to send (no source text ever becomes a tag) and the mentions it uses. */
export interface RenderedText {
  html: string;
  /** One per `<at id="n">` in `html`, ids 0.. in order of appearance. */
  mentions: ImportMention[];
}
