import type { FlowReply } from '../shared/acting';
import type { ButtonHandlers, Conversation } from '../shared/conversation';

/**
 * A file Teams attached to a message (`application/vnd.microsoft.teams.file.download.info`), as the
 * Teams edge read it off the activity. Every field is untrusted: the feature checks the URL's scheme
 * and host before anything is downloaded, and only after the sender's admin role was checked.
 */
export interface AttachedFile {
  /** The file name as Teams shows it (shown, never used as a path). */
  name: string;
  /** Pre-authenticated, short-lived download URL (fetched without an Authorization header). */
  downloadUrl: string;
  /** Teams' file type (`zip`, `jsonl`, …), or null. */
  fileType: string | null;
}

/** What the Teams edge hands to the import feature: typed commands, attachments, card verbs and type-ahead. */
export interface ImportCommands {
  /** A message with file attachments (`import into "<team>"` or any text, or none). */
  received(conversation: Conversation, files: AttachedFile[], team: string | null): Promise<FlowReply>;
  /** `import` / `import into "<team>"` typed without a file: says how to attach the export. */
  withoutFile(conversation: Conversation, team: string | null): Promise<FlowReply>;
  /** `import status [<job id>]`: the import jobs, or one job. */
  status(conversation: Conversation, jobId: string | null): Promise<FlowReply>;
  /** The card verbs of the plan, progress and summary cards. */
  buttons(): ButtonHandlers;
  /** Type-ahead for the fallback user picker (`application/search`, dataset `users`). */
  searchUsers(conversation: Conversation, queryText: string, count: number): Promise<{ title: string; value: string }[]>;
}
