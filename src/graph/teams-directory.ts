import type { Client } from '@microsoft/microsoft-graph-client';
import { toGraphCallError } from './graph-errors';
import type { MigrationMode } from '../domain/targets';
import type { TargetRef } from '../domain/targets';
import { withTimeout } from './request-timeout';
import { graphSegment } from './graph-ids';

export interface Team {
  id: string;
  displayName: string;
  description?: string | null;
  createdDateTime?: string | null;
}

export interface Channel {
  id: string;
  displayName: string;
  /** `standard`, `private` or `shared`; kept as sent, Graph may add kinds. */
  membershipType: string;
  createdDateTime: string | null;
  migrationMode: MigrationMode;
  originalCreatedDateTime: string | null;
  webUrl?: string | null;
}

export interface Chat {
  id: string;
  topic: string | null;
  /** `oneOnOne`, `group` or `meeting`; kept as sent, Graph may add kinds. */
  chatType: string;
  createdDateTime: string | null;
  migrationMode: MigrationMode;
  originalCreatedDateTime: string | null;
  tenantId?: string | null;
  webUrl?: string | null;
  /** Present when listed with `$expand=members`. */
  members?: { displayName?: string | null; userId?: string | null }[];
}

interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

/** Escapes a string literal for an OData `$filter` (single quotes are doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Read-only Graph calls about teams, channels and chats, made with the migration app's identity.
 * Every id is checked for its shape and URL-encoded into its own path segment (`graphSegment`); a
 * malformed id and every failure become a `GraphCallError`, returned as a rejected promise.
 */
export class TeamsDirectory {
  constructor(
    private readonly client: Client,
    private readonly timeoutMs: number,
  ) {}

  private async get<T>(path: string, query?: Record<string, string>): Promise<T> {
    try {
      return await withTimeout(this.timeoutMs, async (signal) => {
        let request = this.client.api(path).option('signal', signal);
        // graph-client joins query values as given; encode them so a name with & # + cannot break out.
        if (query) request = request.query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, encodeURIComponent(v)])));
        return (await request.get()) as T;
      });
    } catch (err) {
      throw toGraphCallError(err);
    }
  }

  private async all<T>(path: string, query: Record<string, string>, limit: number): Promise<T[]> {
    const items: T[] = [];
    let page = await this.get<Page<T>>(path, query);
    items.push(...page.value);
    while (page['@odata.nextLink'] && items.length < limit) {
      page = await this.get<Page<T>>(page['@odata.nextLink']);
      items.push(...page.value);
    }
    return items.slice(0, limit);
  }

  /** Reads one team by its Graph id (the Microsoft 365 group id). */
  async getTeam(teamId: string): Promise<Team> {
    return this.get<Team>(`/teams/${graphSegment('team', teamId)}`);
  }

  /** Teams whose display name equals `name` (Graph compares case-insensitively). */
  findTeamsByName(name: string): Promise<Team[]> {
    return this.all<Team>('/teams', { $filter: `displayName eq ${odataString(name)}`, $select: 'id,displayName,description' }, 50);
  }

  /** Teams whose display name starts with `prefix`, for type-ahead and "did you mean". */
  searchTeams(prefix: string, limit = 15): Promise<Team[]> {
    const query: Record<string, string> = { $select: 'id,displayName,description', $top: String(Math.min(limit, 100)) };
    if (prefix.trim()) query.$filter = `startswith(displayName,${odataString(prefix.trim())})`;
    return this.all<Team>('/teams', query, limit);
  }

  /** Every channel of a team, with kind and migration state. */
  async listChannels(teamId: string): Promise<Channel[]> {
    return this.all<Channel>(`/teams/${graphSegment('team', teamId)}/channels`, {}, 10000);
  }

  /** Reads one channel, including `migrationMode` and the creation dates. */
  async getChannel(teamId: string, channelId: string): Promise<Channel> {
    return this.get<Channel>(`/teams/${graphSegment('team', teamId)}/channels/${graphSegment('channel', channelId)}`);
  }

  /** Reads one chat, including `chatType`, `migrationMode` and the creation dates. */
  async getChat(chatId: string): Promise<Chat> {
    return this.get<Chat>(`/chats/${graphSegment('chat', chatId)}`);
  }

  /** Reads the channel or chat a target names. */
  getThread(target: TargetRef): Promise<Channel | Chat> {
    return target.kind === 'channel' ? this.getChannel(target.teamId, target.channelId) : this.getChat(target.chatId);
  }

  /** The chats a user (object id or UPN) is a member of, with their members (first `limit`, in Graph's order). */
  async listUserChats(userId: string, limit = 50): Promise<Chat[]> {
    return this.all<Chat>(`/users/${graphSegment('userRef', userId)}/chats`, { $top: String(Math.min(limit, 50)), $expand: 'members' }, limit);
  }
}
