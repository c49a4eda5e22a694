import { explainFailure } from '../../domain/explain-failure';
import { GraphCallError, toGraphCallError } from '../../graph/graph-errors';
import type { Channel, Chat, Team, TeamsDirectory } from '../../graph/teams-directory';
import type { TargetRef } from '../../domain/targets';
import { isChannelId, isGuid } from '../../domain/parse/ids';
import { isGraphId, malformedIdMessage } from '../../domain/parse/ids';
import type { TargetSpec } from '../../domain/parse/command-parser';

/** Where a command was typed, as far as resolving `this` needs it. */
export interface ConversationPlace {
  /** `personal`, `channel` or `groupChat`, as the client sent it (anything else resolves no `this`). */
  conversationType: string;
  tenantId: string | null;
  /** The channel's thread id, in a team channel. */
  channelId: string | null;
  /** The group chat's id, in a group chat. */
  chatId: string | null;
  /** Resolves the Graph team id of the channel's team (aadGroupId, never channelData.team.id). */
  teamId: () => Promise<string | null>;
}

export type ResolvedTarget =
  { kind: 'channel'; team: Team; channel: Channel; ref: TargetRef; displayName: string } | { kind: 'chat'; chat: Chat; ref: TargetRef; displayName: string };

export type Resolution<T> = { ok: true; value: T } | { ok: false; message: string };

const MAX_CANDIDATES = 10;

function list(names: string[]): string {
  const shown = names.slice(0, MAX_CANDIDATES).join(', ');
  return names.length > MAX_CANDIDATES ? `${shown} and ${names.length - MAX_CANDIDATES} more` : shown;
}

/** A chat's name as an admin recognises it. */
export function chatDisplayName(chat: Chat): string {
  if (chat.topic) return chat.topic;
  const names = (chat.members ?? []).map((m) => m.displayName).filter((n): n is string => !!n);
  if (names.length > 0)
    return `${chat.chatType === 'oneOnOne' ? 'one-on-one' : 'chat'} with ${names.slice(0, 4).join(', ')}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`;
  if (chat.chatType === 'oneOnOne') return 'one-on-one chat';
  if (chat.chatType === 'meeting') return 'meeting chat';
  return 'group chat (no topic)';
}

/**
 * Turns what the admin typed (names, ids, links, `this`) into live Graph objects, with specific
 * messages for unknown or ambiguous names. Reads only; every read goes through `TeamsDirectory`.
 */
export class TargetResolver {
  constructor(private readonly directory: TeamsDirectory) {}

  private failure<T>(err: unknown, notFound: string): Resolution<T> {
    const failure = toGraphCallError(err).failure;
    if (failure.status === 404) return { ok: false, message: notFound };
    return { ok: false, message: explainFailure(failure, 'read') };
  }

  /** Finds a team by Graph id or by display name. */
  async resolveTeam(nameOrId: string): Promise<Resolution<Team>> {
    if (isGuid(nameOrId)) {
      try {
        return { ok: true, value: await this.directory.getTeam(nameOrId.toLowerCase()) };
      } catch (err) {
        return this.failure(err, `No team with id ${nameOrId} was found in your organisation.`);
      }
    }
    try {
      const exact = (await this.directory.findTeamsByName(nameOrId)).filter((t) => t.displayName.toLowerCase() === nameOrId.toLowerCase());
      if (exact.length === 1) return { ok: true, value: exact[0] };
      if (exact.length > 1) {
        return {
          ok: false,
          message: `${exact.length} teams are named "${nameOrId}": ${list(exact.map((t) => `${t.displayName} (id ${t.id}${t.description ? `, ${t.description}` : ''})`))}. Use the team id instead of the name.`,
        };
      }
      const similar = await this.directory.searchTeams(nameOrId.slice(0, 3), MAX_CANDIDATES);
      const hint = similar.length > 0 ? ` Teams starting with "${nameOrId.slice(0, 3)}": ${list(similar.map((t) => t.displayName))}.` : '';
      return { ok: false, message: `No team named "${nameOrId}" was found.${hint}` };
    } catch (err) {
      return this.failure(err, `No team named "${nameOrId}" was found.`);
    }
  }

  /** Finds a channel of a team by thread id or display name. */
  async resolveChannel(team: Team, nameOrId: string): Promise<Resolution<Channel>> {
    try {
      if (isChannelId(nameOrId)) {
        return { ok: true, value: await this.directory.getChannel(team.id, nameOrId) };
      }
      const channels = await this.directory.listChannels(team.id);
      const match = channels.find((c) => c.displayName.toLowerCase() === nameOrId.toLowerCase());
      if (!match) {
        return {
          ok: false,
          message: `Team "${team.displayName}" has no channel named "${nameOrId}". Its channels: ${list(channels.map((c) => c.displayName))}.`,
        };
      }
      // The list is a page of summaries; read the channel itself for live state.
      return { ok: true, value: await this.directory.getChannel(team.id, match.id) };
    } catch (err) {
      return this.failure(err, `Team "${team.displayName}" has no channel "${nameOrId}".`);
    }
  }

  private async channelTarget(teamIdOrName: string, channelNameOrId: string): Promise<Resolution<ResolvedTarget>> {
    const team = await this.resolveTeam(teamIdOrName);
    if (!team.ok) return team;
    const channel = await this.resolveChannel(team.value, channelNameOrId);
    if (!channel.ok) return channel;
    return { ok: true, value: this.channelResolved(team.value, channel.value) };
  }

  private channelResolved(team: Team, channel: Channel): ResolvedTarget {
    return {
      kind: 'channel',
      team,
      channel,
      displayName: `${team.displayName} › ${channel.displayName}`,
      ref: { kind: 'channel', teamId: team.id, channelId: channel.id, displayName: channel.displayName, teamName: team.displayName },
    };
  }

  private async chatTarget(chatId: string): Promise<Resolution<ResolvedTarget>> {
    try {
      const chat = await this.directory.getChat(chatId);
      const displayName = chatDisplayName(chat);
      return { ok: true, value: { kind: 'chat', chat, displayName, ref: { kind: 'chat', chatId: chat.id, displayName } } };
    } catch (err) {
      return this.failure(err, `No chat with id ${chatId} was found in your organisation.`);
    }
  }

  /** Resolves a parsed target against Graph, in the place the command was typed. */
  async resolve(spec: TargetSpec, place: ConversationPlace): Promise<Resolution<ResolvedTarget>> {
    switch (spec.kind) {
      case 'channel':
        return this.channelTarget(spec.team, spec.channel);
      case 'chat':
        return this.chatTarget(spec.chatId);
      case 'link': {
        const link = spec.link;
        if (link.tenantId && place.tenantId && link.tenantId !== place.tenantId.toLowerCase()) {
          return {
            ok: false,
            message: 'That link belongs to another organisation (its tenantId is not yours). Only threads in your own tenant can be migrated.',
          };
        }
        if (link.kind === 'chat') return this.chatTarget(link.chatId);
        return this.channelTarget(link.teamId, link.channelId);
      }
      case 'this':
        return this.resolveHere(place);
    }
  }

  private async resolveHere(place: ConversationPlace): Promise<Resolution<ResolvedTarget>> {
    if (place.conversationType === 'channel' && place.channelId) {
      // Ids Teams sent are used as ids, never looked up as names: a wrong shape is refused outright.
      if (!isGraphId('channel', place.channelId))
        return { ok: false, message: `${malformedIdMessage('channel', place.channelId)} Name the channel instead: channel "<team>" "<channel>".` };
      let teamId: string | null;
      try {
        teamId = await place.teamId();
      } catch (err) {
        return {
          ok: false,
          message: `This channel's team could not be identified (${err instanceof GraphCallError ? err.failure.code : 'lookup failed'}). Name it instead: channel "<team>" "<channel>".`,
        };
      }
      if (!teamId) return { ok: false, message: 'Teams did not say which team this channel belongs to. Name it instead: channel "<team>" "<channel>".' };
      if (!isGraphId('team', teamId))
        return { ok: false, message: `${malformedIdMessage('team', teamId)} Name the channel instead: channel "<team>" "<channel>".` };
      return this.channelTarget(teamId, place.channelId);
    }
    if (place.conversationType === 'groupChat' && place.chatId) return this.chatTarget(place.chatId);
    return {
      ok: false,
      message:
        '"this" means the channel or group chat you are typing in, and this is a personal chat with the bot. Name a target instead (channel "<team>" "<channel>", chat <id>, or a Teams link), or type migrate for the form.',
    };
  }
}
