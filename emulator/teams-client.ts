import { channelConversationId, personalConversationId, teamsUserId } from './conversations';
import { defaultFixture, type FixtureUser, type TenantFixture } from './fixture';
import { jsonText } from './json';
import { FILE_CONSENT_CARD } from './connector-store';
import type { Emulator, FileConsentCardSent, FileInfoCardSent, FileUploadSlot, HostedFile, HostFileOptions, RecordedActivity } from './types';

/** Content type of the attachment Teams puts on a message when the user attached a file. */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** A file a user attaches to a message. */
export interface OutgoingFile {
  name: string;
  content: Buffer | string;
  /** how the emulator serves it (lifetime, filler, speed...); `owner` defaults to the sending user */
  hosting?: HostFileOptions;
  /** put this URL in `content.downloadUrl` instead of the hosted one (a forged activity: another host, http, ...) */
  downloadUrl?: string;
}

/** Options of `sendsFile` / `sendsFiles`. */
export interface SendFileOptions {
  /** @mention the bot in the text (default: as `says` does, i.e. in channels and group chats) */
  mentionBot?: boolean;
  /** add the `text/html` attachment Teams adds to a message with text (default true when there is text) */
  htmlAttachment?: boolean;
}

/** The bot's answer to a message with attachments, and the files as hosted. */
export interface FilePostResult extends PostResult {
  /** the hosted files, in attachment order */
  files: HostedFile[];
  /** the activity as POSTed */
  activity: Record<string, unknown>;
}

/** The bot's answer to a consent accept, and the upload URL the invoke carried. */
export interface AcceptResult extends PostResult {
  upload: FileUploadSlot;
}

/** The `file.download.info` attachment Teams puts on a message for a file the user attached. */
export function fileDownloadAttachment(file: HostedFile, downloadUrl = file.downloadUrl): Record<string, unknown> {
  return {
    contentType: FILE_DOWNLOAD_INFO,
    contentUrl: file.contentUrl,
    name: file.name,
    content: { downloadUrl, uniqueId: file.uniqueId, fileType: file.fileType, etag: file.etag },
  };
}

/** Minimal HTML escaping for the `text/html` attachment. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The bot's answer to a POSTed activity: HTTP status and parsed body (the invoke response for invokes). */
export interface PostResult {
  status: number;
  body: unknown;
}

/** One conversation a user talks to the bot in. */
export interface Conversation {
  readonly conversationId: string;
  /** a message; in channels and group chats the bot is @mentioned unless `mentionBot: false` */
  says(text: string, opts?: { mentionBot?: boolean; localTimezone?: string }): Promise<PostResult>;
  /** Action.Submit: a message whose `value` holds the card's inputs */
  submits(replyToId: string, value: Record<string, unknown>): Promise<PostResult>;
  /** Action.Execute: an `adaptiveCard/action` invoke */
  executes(replyToId: string, verb: string, data: Record<string, unknown>): Promise<PostResult>;
  /** type-ahead: an `application/search` invoke */
  searches(dataset: string, queryText: string, data?: Record<string, unknown>): Promise<PostResult>;
  /** conversationUpdate adding the bot (what Teams sends on installation) */
  installed(): Promise<PostResult>;
  /** activities the bot sent to this conversation, in order */
  replies(): RecordedActivity[];
  lastReply(): RecordedActivity | undefined;
  /** content of the last adaptive card in this conversation, after updates */
  lastCard(): unknown;
  /**
   * The user attaches a file (hosted by `em.files`) to a message, optionally with text: a message whose
   * attachments are `file.download.info` (then `text/html` when there is text), as Teams sends in a
   * personal chat. Works in channels and group chats too, where Teams never sends it (a forged activity).
   */
  sendsFile(
    name: string,
    content: Buffer | string,
    text?: string,
    opts?: SendFileOptions & { hosting?: HostFileOptions; downloadUrl?: string },
  ): Promise<FilePostResult>;
  /** several files on one message (Teams allows that); see sendsFile */
  sendsFiles(files: OutgoingFile[], text?: string, opts?: SendFileOptions): Promise<FilePostResult>;
  /**
   * The user clicks Allow on the file consent card of that activity: `em.files.createUpload` makes the
   * upload URL, then a `fileConsent/invoke` with `action: 'accept'`, the card's `acceptContext` and
   * `uploadInfo` goes to the bot (`replyToId` = the card's activity). Throws when the activity has no
   * consent card in this conversation.
   */
  acceptsFile(activityId: string, opts?: { uploadUrl?: string }): Promise<AcceptResult>;
  /** The user clicks Decline: a `fileConsent/invoke` with `action: 'decline'` and the card's `declineContext`, no uploadInfo. */
  declinesFile(activityId: string): Promise<PostResult>;
  /** file consent cards the bot sent to this conversation, in order */
  fileConsents(): FileConsentCardSent[];
  lastFileConsent(): FileConsentCardSent | undefined;
  /** file info cards (uploaded files) the bot sent to this conversation, in order */
  fileInfos(): FileInfoCardSent[];
  lastFileInfo(): FileInfoCardSent | undefined;
  /** POSTs a raw activity; `token: null` sends no Authorization header, a string sends that token */
  post(activity: Record<string, unknown>, opts?: { token?: string | null }): Promise<PostResult>;
}

/** A fixture user who can open conversations with the bot. */
export interface TeamsUser {
  inPersonalChat(): Conversation;
  inChannel(teamName: string, channelName: string, opts?: { includeAadGroupId?: boolean }): Conversation;
  inGroupChat(chatId: string): Conversation;
}

/** An activity being built: any fields, plus the two the builders add to. */
interface OutgoingActivity extends Record<string, unknown> {
  entities: Record<string, unknown>[];
  channelData: Record<string, unknown>;
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
let sequence = 0;

/** Teams-style numeric message ids, unique within the process. */
function nextMessageId(): string {
  sequence += 1;
  return `${Date.now()}${String(sequence).padStart(4, '0')}`;
}

/**
 * Builds Teams-shaped activities (personal chat, channel post, group chat, card submits and
 * invokes, installation) for fixture users and POSTs them to a bot, so tests read like
 * "Alex types X in channel Y". With `signTokens` each request carries a channel token signed by
 * the emulator's msteams key, as the Bot Framework would send.
 */
export class TeamsClient {
  private readonly fixture: TenantFixture;

  constructor(private readonly opts: { emulator: Emulator; botUrl: string; signTokens?: boolean; fixture?: TenantFixture }) {
    this.fixture = opts.fixture ?? defaultFixture();
  }

  /** The user with this fixture key ('alex', 'megan', ...). */
  as(userKey: string): TeamsUser {
    const user = this.fixture.users.find((u) => u.key === userKey);
    if (!user) throw new Error(`TeamsClient: no fixture user '${userKey}'`);
    return {
      inPersonalChat: () => this.personal(user),
      inChannel: (teamName, channelName, o) => this.channel(user, teamName, channelName, o?.includeAadGroupId ?? true),
      inGroupChat: (chatId) => this.groupChat(user, chatId),
    };
  }

  private personal(user: FixtureUser): Conversation {
    return this.conversation(
      user,
      { id: personalConversationId(user.key), conversationType: 'personal', tenantId: user.tenantId, isGroup: false },
      { tenant: { id: user.tenantId } },
      false,
    );
  }

  private channel(user: FixtureUser, teamName: string, channelName: string, includeAadGroupId: boolean): Conversation {
    const teams = this.fixture.teams.filter((t) => t.id === teamName || t.displayName === teamName);
    if (teams.length === 0) throw new Error(`TeamsClient: no team '${teamName}'`);
    if (teams.length > 1) throw new Error(`TeamsClient: several teams are named '${teamName}'; pass the team id instead`);
    const team = teams[0];
    const channel = team.channels.find((c) => c.displayName === channelName || c.id === channelName);
    if (!channel) throw new Error(`TeamsClient: no channel '${channelName}' in team '${team.displayName}'`);
    const general = team.channels[0];
    const teamData: Record<string, unknown> = { id: general.id, name: team.displayName };
    if (includeAadGroupId) teamData.aadGroupId = team.id;
    return this.conversation(
      user,
      {
        id: channelConversationId(channel.id, nextMessageId()),
        conversationType: 'channel',
        tenantId: user.tenantId,
        isGroup: true,
        name: channel.displayName,
      },
      {
        teamsChannelId: channel.id,
        teamsTeamId: general.id,
        channel: { id: channel.id, name: channel.displayName },
        team: teamData,
        tenant: { id: user.tenantId },
      },
      true,
      'teamMemberAdded',
    );
  }

  private groupChat(user: FixtureUser, chatId: string): Conversation {
    const chat = this.fixture.chats.find((c) => c.id === chatId);
    if (!chat) throw new Error(`TeamsClient: no chat '${chatId}'`);
    return this.conversation(
      user,
      { id: chat.id, conversationType: 'groupChat', tenantId: user.tenantId, isGroup: true },
      { tenant: { id: user.tenantId } },
      true,
    );
  }

  private conversation(
    user: FixtureUser,
    conversation: Record<string, unknown>,
    channelData: Record<string, unknown>,
    mentionByDefault: boolean,
    installEventType?: string,
  ): Conversation {
    const emulator = this.opts.emulator;
    const conversationId = conversation.id as string;
    const bot = { id: `28:${this.fixture.bot.appId}`, name: this.fixture.bot.name };
    const base = (type: string, timezone = 'Europe/Berlin'): OutgoingActivity => ({
      type,
      id: nextMessageId(),
      timestamp: new Date().toISOString(),
      localTimestamp: new Date().toISOString(),
      serviceUrl: emulator.connectorUrl,
      channelId: 'msteams',
      from: { id: teamsUserId(user), name: user.displayName, aadObjectId: user.id },
      conversation: { ...conversation },
      recipient: { ...bot },
      locale: 'en-US',
      localTimezone: timezone,
      entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone }],
      channelData: JSON.parse(JSON.stringify(channelData)) as Record<string, unknown>,
    });
    const post = (activity: Record<string, unknown>, o?: { token?: string | null }) => this.post(activity, o?.token);
    const replies = () => emulator.connector.sent(conversationId);
    const withText = (a: OutgoingActivity, text: string, mentionBot: boolean | undefined) => {
      const mention = mentionBot ?? mentionByDefault;
      const tag = `<at>${bot.name}</at>`;
      a.text = mention ? `${tag} ${text}` : text;
      a.textFormat = 'plain';
      if (mention) a.entities.push({ type: 'mention', text: tag, mentioned: { ...bot } });
    };
    const sendsFiles = async (files: OutgoingFile[], text?: string, o: SendFileOptions = {}): Promise<FilePostResult> => {
      const hosted = files.map((f) => emulator.files.host(f.name, f.content, { owner: user.key, ...f.hosting }));
      const a = base('message');
      const attachments: Record<string, unknown>[] = hosted.map((h, i) => fileDownloadAttachment(h, files[i].downloadUrl));
      if (text !== undefined && text !== '') {
        withText(a, text, o.mentionBot);
        if (o.htmlAttachment ?? true) attachments.push({ contentType: 'text/html', content: `<p>${escapeHtml(a.text as string)}</p>` });
      }
      a.attachments = attachments;
      const result = await post(a);
      return { ...result, files: hosted, activity: a };
    };
    const consentCard = (activityId: string): FileConsentCardSent => {
      const card = emulator.connector.fileConsentCards(conversationId).find((c) => c.activityId === activityId);
      if (!card) throw new Error(`TeamsClient: activity '${activityId}' in ${conversationId} carries no ${FILE_CONSENT_CARD} attachment`);
      return card;
    };
    const consentInvoke = (activityId: string, value: Record<string, unknown>): OutgoingActivity => {
      const a = base('invoke');
      a.name = 'fileConsent/invoke';
      a.replyToId = activityId;
      a.value = value;
      return a;
    };
    return {
      conversationId,
      says: (text, o = {}) => {
        const a = base('message', o.localTimezone);
        withText(a, text, o.mentionBot);
        return post(a);
      },
      submits: (replyToId, value) => {
        const a = base('message');
        a.replyToId = replyToId;
        a.value = value;
        a.channelData.source = { name: 'message' };
        return post(a);
      },
      executes: (replyToId, verb, data) => {
        const a = base('invoke');
        a.name = 'adaptiveCard/action';
        a.replyToId = replyToId;
        a.value = { action: { type: 'Action.Execute', id: verb, verb, data }, trigger: 'manual' };
        return post(a);
      },
      searches: (dataset, queryText, data) => {
        const a = base('invoke');
        a.name = 'application/search';
        a.value = { queryText, dataset, queryOptions: { skip: 0, top: 15 }, ...(data ? { data } : {}) };
        return post(a);
      },
      installed: () => {
        const a = base('conversationUpdate');
        a.membersAdded = [{ id: bot.id }];
        if (installEventType) a.channelData.eventType = installEventType;
        return post(a);
      },
      sendsFile: (name, content, text, o = {}) => sendsFiles([{ name, content, hosting: o.hosting, downloadUrl: o.downloadUrl }], text, o),
      sendsFiles,
      acceptsFile: async (activityId, o = {}) => {
        const card = consentCard(activityId);
        const upload = emulator.files.createUpload(card.name, { owner: user.key });
        const uploadInfo = {
          contentUrl: upload.contentUrl,
          name: upload.name,
          // A forged answer may name another upload address.
          uploadUrl: o.uploadUrl ?? upload.uploadUrl,
          fileType: upload.fileType,
          uniqueId: upload.uniqueId,
        };
        const result = await post(consentInvoke(activityId, { type: 'fileUpload', action: 'accept', context: card.acceptContext, uploadInfo }));
        return { ...result, upload };
      },
      declinesFile: (activityId) => {
        const card = consentCard(activityId);
        return post(consentInvoke(activityId, { type: 'fileUpload', action: 'decline', context: card.declineContext }));
      },
      fileConsents: () => emulator.connector.fileConsentCards(conversationId),
      lastFileConsent: () => emulator.connector.fileConsentCards(conversationId).at(-1),
      fileInfos: () => emulator.connector.fileInfoCards(conversationId),
      lastFileInfo: () => emulator.connector.fileInfoCards(conversationId).at(-1),
      replies,
      lastReply: () => replies().at(-1),
      lastCard: () => {
        const sent = replies();
        for (let i = sent.length - 1; i >= 0; i--) {
          const current = emulator.connector.current(sent[i].id) ?? sent[i];
          const card = current.attachments?.find((x) => x.contentType === ADAPTIVE_CARD);
          if (card) return card.content;
        }
        return undefined;
      },
      post,
    };
  }

  /** POSTs one activity to the bot and returns its status and parsed body. */
  private async post(activity: Record<string, unknown>, token?: string | null): Promise<PostResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const bearer =
      token !== undefined
        ? token
        : this.opts.signTokens
          ? this.opts.emulator.signChannelToken({ serviceUrl: jsonText(activity.serviceUrl ?? this.opts.emulator.connectorUrl) })
          : null;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const res = await fetch(this.opts.botUrl, { method: 'POST', headers, body: JSON.stringify(activity), signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    let body: unknown = text === '' ? null : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  }
}
