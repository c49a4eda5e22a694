import type { Client } from '@microsoft/microsoft-graph-client';
import type { TeamsIdentity } from '../domain/import/teams-message';
import { toGraphCallError } from './graph-errors';
import { graphSegment } from './graph-ids';
import { withTimeout } from './request-timeout';
import { odataString } from './teams-directory';

interface DirectoryUser {
  id: string;
  displayName: string | null;
  mail: string | null;
  userPrincipalName: string | null;
}

/** Graph takes at most 15 values in one `in (…)` of a `$filter`. */
const VALUES_PER_QUERY = 15;

/**
 * Tenant users looked up with the migration app's identity (`User.Read.All`): by e-mail in
 * batches (one request per 15 addresses, matched against `mail` and `userPrincipalName`), or one by
 * object id or sign-in name.
 */
export class UsersDirectory {
  constructor(
    private readonly client: Client,
    private readonly timeoutMs: number,
  ) {}

  /** Each address (lower-cased) that names a tenant user, with that user; addresses without one are absent. */
  async findByEmail(emails: readonly string[]): Promise<Map<string, TeamsIdentity>> {
    const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
    const found = new Map<string, TeamsIdentity>();
    for (let i = 0; i < wanted.length; i += VALUES_PER_QUERY) {
      const batch = wanted.slice(i, i + VALUES_PER_QUERY);
      const list = batch.map(odataString).join(',');
      const filter = `mail in (${list}) or userPrincipalName in (${list})`;
      let users: DirectoryUser[];
      try {
        const page = (await withTimeout(this.timeoutMs, (signal) =>
          this.client
            .api('/users')
            .option('signal', signal)
            .query({ $filter: encodeURIComponent(filter), $select: 'id,displayName,mail,userPrincipalName', $top: '999' })
            .get(),
        )) as { value: DirectoryUser[] };
        users = page.value;
      } catch (err) {
        throw toGraphCallError(err);
      }
      for (const u of users) {
        const identity = { id: u.id, displayName: u.displayName ?? u.userPrincipalName ?? u.id };
        for (const address of [u.mail, u.userPrincipalName]) {
          const key = address?.toLowerCase();
          if (key && batch.includes(key) && !found.has(key)) found.set(key, identity);
        }
      }
    }
    return found;
  }

  /** Up to `count` users whose name or sign-in name starts with `text` (the fallback user's type-ahead). */
  async searchUsers(text: string, count: number): Promise<TeamsIdentity[]> {
    const q = odataString(text.trim().slice(0, 64));
    const query: Record<string, string> = { $select: 'id,displayName,mail,userPrincipalName', $top: String(Math.min(Math.max(count, 1), 25)) };
    if (text.trim()) query.$filter = encodeURIComponent(`startswith(displayName,${q}) or startswith(userPrincipalName,${q})`);
    try {
      const page = (await withTimeout(this.timeoutMs, (signal) => this.client.api('/users').option('signal', signal).query(query).get())) as {
        value: DirectoryUser[];
      };
      return page.value.map((u) => ({ id: u.id, displayName: u.displayName ?? u.userPrincipalName ?? u.id }));
    } catch (err) {
      throw toGraphCallError(err);
    }
  }

  /** One user by object id or sign-in name; a `GraphCallError` (404) when there is none. */
  async getUser(idOrUpn: string): Promise<TeamsIdentity> {
    try {
      const u = (await withTimeout(this.timeoutMs, (signal) =>
        this.client
          .api(`/users/${graphSegment('userRef', idOrUpn)}`)
          .option('signal', signal)
          .query({ $select: 'id,displayName,mail,userPrincipalName' })
          .get(),
      )) as DirectoryUser;
      return { id: u.id, displayName: u.displayName ?? u.userPrincipalName ?? u.id };
    } catch (err) {
      throw toGraphCallError(err);
    }
  }
}
