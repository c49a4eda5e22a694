import type { FixtureUser } from './fixture';
import type { TenantState } from './state';

/** Bot-facing conversation id of a user's personal chat with the bot (project convention). */
export function personalConversationId(userKey: string): string {
  return `a:personal-${userKey}`;
}

/** Bot-facing conversation id of a channel post: `<thread id>;messageid=<n>`. */
export function channelConversationId(threadId: string, messageId: string): string {
  return `${threadId};messageid=${messageId}`;
}

/** The Teams user id (`29:...`) the emulator gives a fixture user. */
export function teamsUserId(user: FixtureUser): string {
  return `29:${user.key}`;
}

/** The thread a conversation id belongs to (the part before `;messageid=`). */
export function threadOfConversation(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i < 0 ? conversationId : conversationId.slice(0, i);
}

/** Members of a conversation: the personal chat's user, the team of a channel, or a chat's members. */
export function conversationMembers(state: TenantState, conversationId: string): FixtureUser[] | undefined {
  if (conversationId.startsWith('a:personal-')) {
    const user = state.usersByKey.get(conversationId.slice('a:personal-'.length));
    return user ? [user] : undefined;
  }
  const thread = state.threads.get(threadOfConversation(conversationId));
  if (!thread) return undefined;
  const keys = thread.kind === 'channel' ? (state.team(thread.teamId ?? '')?.members ?? []) : thread.members;
  return keys.map((k) => state.usersByKey.get(k)).filter((u): u is FixtureUser => !!u);
}

/** A fixture user as Teams describes a member (TeamsChannelAccount). */
export function teamsChannelAccount(user: FixtureUser): Record<string, unknown> {
  return {
    id: teamsUserId(user),
    name: user.displayName,
    aadObjectId: user.id,
    givenName: user.givenName,
    surname: user.surname,
    email: user.mail ?? user.userPrincipalName,
    userPrincipalName: user.userPrincipalName,
    tenantId: user.tenantId,
    userRole: user.userType === 'Guest' ? 'guest' : 'user',
  };
}

/** Finds a user by Teams id (`29:<key>`), object id or UPN. */
export function findMember(state: TenantState, id: string): FixtureUser | undefined {
  if (id.startsWith('29:')) return state.usersByKey.get(id.slice(3)) ?? state.findUser(id.slice(3));
  return state.findUser(id);
}
