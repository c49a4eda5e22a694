import type { FlowReply } from '../shared/acting';
import type { Conversation } from '../shared/conversation';

/**
 * Where an accepted file goes: the upload session Teams opened in the user's OneDrive when they
 * pressed Accept on the consent card. The Teams edge implements it over `uploadInfo.uploadUrl`, a
 * pre-authenticated URL that therefore never reaches a feature (nor a feature's log lines).
 */
export interface FileDestination {
  /** Stores the bytes; rejects with `UploadFailed` (a message without the URL) when they were not stored. */
  put(bytes: Uint8Array, contentType: string): Promise<void>;
}

/** The upload to the user's OneDrive did not complete; `message` is safe to log and names no URL. */
export class UploadFailed extends Error {
  override name = 'UploadFailed';
  constructor(
    message: string,
    /** The HTTP status the upload session answered, when it answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** What the edge does after an Accept: show the uploaded file (and a note), or only say something. */
export type AcceptAnswer = { uploaded: true; note: string | null } | { uploaded: false; reply: FlowReply };

/** What the Teams edge hands to the reports feature: the typed commands and the consent card's answers. */
export interface ReportCommands {
  /** `audit export [since <date>]`: the ledger as a CSV file, offered in the personal chat. */
  auditExport(conversation: Conversation, since: string | null, typed: string): Promise<FlowReply>;
  /** `import report <job id>`: one import job's message rows as a CSV file, offered in the personal chat. */
  importReport(conversation: Conversation, jobId: string, typed: string): Promise<FlowReply>;
  /** The user pressed Accept: `context` is the card's (untrusted) acceptContext. */
  accept(conversation: Conversation, context: unknown, destination: FileDestination): Promise<AcceptAnswer>;
  /** The user pressed Decline: `context` is the card's (untrusted) declineContext. */
  decline(conversation: Conversation, context: unknown): Promise<FlowReply>;
}
