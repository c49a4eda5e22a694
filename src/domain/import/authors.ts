/**
 * Who authors each imported message. A source user maps to the tenant user with the same e-mail
 * (matched case-insensitively against `mail` and `userPrincipalName`); everyone else — not in the
 * tenant, without an e-mail, deleted, bots — is posted as the fallback user the admin named, with
 * the original author's name shown in the message. No fallback, and one is needed: the run refuses.
 */

import type { SourceMessage, SourceUser } from './source-model';
import type { TeamsIdentity } from './teams-message';

export type AuthorStatus = 'matched' | 'not in this tenant' | 'no e-mail in the export' | 'deleted user' | 'bot' | 'unknown to the export';

/** A source user and the tenant user they map to (null when unmatched). */
export interface AuthorMapping {
  user: SourceUser | null;
  teams: TeamsIdentity | null;
  status: AuthorStatus;
}

/** The mapping of one source user given the directory's answer for their e-mail. */
export function authorMapping(user: SourceUser, found: TeamsIdentity | null): AuthorMapping {
  if (found && !user.deleted && !user.bot) return { user, teams: found, status: 'matched' };
  if (user.bot) return { user, teams: null, status: 'bot' };
  if (user.deleted) return { user, teams: found, status: 'deleted user' };
  if (!user.email) return { user, teams: null, status: 'no e-mail in the export' };
  return { user, teams: null, status: 'not in this tenant' };
}

/** The name an unmatched author is shown under, with why they are not themselves. */
export interface FallbackCredit {
  name: string;
  status: AuthorStatus;
}

export type AuthorDecision = { from: TeamsIdentity; credit: FallbackCredit | null } | { needsFallback: FallbackCredit };

/** The name a message is credited to at the source. */
export function sourceAuthorName(message: Pick<SourceMessage, 'userId' | 'authorName'>, mapping: AuthorMapping | undefined): string {
  return mapping?.user?.displayName || message.authorName || mapping?.user?.name || message.userId || 'unknown author';
}

/**
 * Decides who a message is sent as. A deleted user whose address still matches a tenant user is
 * credited through the fallback too: the person may no longer be the one behind that address.
 */
export function decideAuthor(
  message: Pick<SourceMessage, 'userId' | 'authorName' | 'subtype'>,
  mappings: ReadonlyMap<string, AuthorMapping>,
  fallback: TeamsIdentity | null,
): AuthorDecision {
  const mapping = message.userId ? mappings.get(message.userId) : undefined;
  if (mapping?.status === 'matched' && mapping.teams) return { from: mapping.teams, credit: null };
  const status: AuthorStatus = mapping?.status ?? (message.subtype === 'bot_message' || !message.userId ? 'bot' : 'unknown to the export');
  const credit: FallbackCredit = { name: sourceAuthorName(message, mapping), status };
  return fallback ? { from: fallback, credit } : { needsFallback: credit };
}
