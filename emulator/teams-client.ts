import { channelConversationId, personalConversationId, teamsUserId } from './conversations';
import { defaultFixture, type FixtureUser, type TenantFixture } from './fixture';
import { jsonText } from './json';
import type { Emulator, RecordedActivity } from './types';

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
    return {
      conversationId,
      says: (text, o = {}) => {
        const a = base('message', o.localTimezone);
        const mention = o.mentionBot ?? mentionByDefault;
        const tag = `<at>${bot.name}</at>`;
        a.text = mention ? `${tag} ${text}` : text;
        a.textFormat = 'plain';
        if (mention) a.entities.push({ type: 'mention', text: tag, mentioned: { ...bot } });
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
