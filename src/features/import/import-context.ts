import type { AuthorMapping } from '../../domain/import/authors';
import { authorMapping } from '../../domain/import/authors';
import { markdownToHtml } from '../../domain/import/mattermost-markdown';
import { slackToHtml } from '../../domain/import/slack-mrkdwn';
import type { SourceChannel, SourceMessage, SourceUser } from '../../domain/import/source-model';
import type { RenderContext, RenderedText, TeamsIdentity } from '../../domain/import/teams-message';
import type { UsersDirectory } from '../../graph/users-directory';
import { emojiFor } from '../../sources/emoji-table';
import type { ExportReader } from '../../sources/export-reader';

/**
 * What the import knows about the source workspace and the tenant, built once per plan or run:
 * every source user's mapping to a tenant user (looked up by e-mail, 15 addresses per Graph
 * request), the channels by id, and the text conversion bound to both.
 */
export class ImportContext implements RenderContext {
  private constructor(
    readonly kind: ExportReader['kind'],
    readonly users: ReadonlyMap<string, AuthorMapping>,
    private readonly usersByName: ReadonlyMap<string, AuthorMapping>,
    readonly channels: readonly SourceChannel[],
  ) {}

  /** Reads the export's users and channels and maps users to the tenant. */
  static async build(reader: ExportReader, directory: UsersDirectory): Promise<ImportContext> {
    const [users, channels] = await Promise.all([reader.users(), reader.channels()]);
    const found = await directory.findByEmail(users.flatMap((u) => (u.email ? [u.email] : [])));
    const mappings = new Map<string, AuthorMapping>();
    const byName = new Map<string, AuthorMapping>();
    for (const user of users) {
      const mapping = authorMapping(user, user.email ? (found.get(user.email.toLowerCase()) ?? null) : null);
      mappings.set(user.id, mapping);
      byName.set(user.name.toLowerCase(), mapping);
    }
    return new ImportContext(reader.kind, mappings, byName, channels);
  }

  user(idOrName: string): { teams: TeamsIdentity | null; name: string } | null {
    const mapping = this.users.get(idOrName) ?? this.usersByName.get(idOrName.toLowerCase());
    if (!mapping?.user) return null;
    return { teams: mapping.status === 'matched' ? mapping.teams : null, name: displayName(mapping.user) };
  }

  channelName(id: string): string | null {
    return this.channels.find((c) => c.id === id)?.name ?? null;
  }

  emoji(shortName: string): string | null {
    return emojiFor(shortName);
  }

  /** The tenant user a source user id stands for, when matched. */
  teamsUser(sourceUserId: string): TeamsIdentity | null {
    const m = this.users.get(sourceUserId) ?? this.usersByName.get(sourceUserId.toLowerCase());
    return m?.status === 'matched' ? m.teams : null;
  }

  /** A message's text as Teams HTML with its mentions. */
  render(message: SourceMessage): RenderedText {
    return message.markup === 'slack-mrkdwn' ? slackToHtml(message.text, this) : markdownToHtml(message.text, this);
  }
}

function displayName(user: SourceUser): string {
  return user.displayName || user.name || user.id;
}
