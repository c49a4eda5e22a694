import type { Application, TurnState } from '@microsoft/teams-ai';
import type { ReportCommands } from '../features/reports/report-commands';
import type { Logger } from '../log/logger';
import { checkDownloadUrl } from '../sources/teams-file-download';
import { fileInfoAttachment, readUploadInfo } from './file-cards';
import { uploadSession } from './file-upload';
import type { ReplyDelivery } from './reply-delivery';
import { conversationOf } from './turn-context';

export interface FileConsentDeps {
  /** The reports feature's answers to its consent cards; absent in a deployment without it. */
  consent: Pick<ReportCommands, 'accept' | 'decline'> | undefined;
  delivery: Pick<ReplyDelivery, 'send'>;
  logger: Logger;
  /** Where files may be uploaded: the places Teams keeps files (IMPORT_DOWNLOAD_HOSTS; the emulator in local mode). */
  fileHosts: readonly string[];
}

const NOT_AVAILABLE = 'Reports as files are not available in this deployment. Nothing was sent.';
const UPLOAD_HOST_REFUSED =
  'The place Teams gave for the file is not one where Teams keeps files (IMPORT_DOWNLOAD_HOSTS), so nothing was sent. Ask for the report again.';
const NO_UPLOAD_INFO = 'Teams did not say where to put the file, so nothing was sent. Ask for the report again.';

/** The host of a URL, for the log (never its path or query: an upload URL is pre-authenticated). */
function hostOnly(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** The context the card sent back with the answer (untrusted: the feature reads only an opaque id from it). */
function answerContext(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { context?: unknown }).context : undefined;
}

/**
 * The answers to a file consent card (`fileConsent/invoke`). Accept: the feature re-checks the
 * presser and the offer and writes the file to the upload session Teams opened; then the file is
 * shown with a file info card and the consent card is deleted. Decline: the feature says nothing
 * was sent. teams-ai answers the invoke itself with 200 once the handler has returned.
 */
export function registerFileConsent(app: Application<TurnState>, deps: FileConsentDeps): void {
  const { consent, delivery, logger } = deps;

  app.fileConsentAccept(async (context) => {
    if (!consent) {
      await context.sendActivity(NOT_AVAILABLE);
      return;
    }
    const value: unknown = context.activity.value;
    const info = readUploadInfo(value);
    if (!info) {
      await context.sendActivity(NO_UPLOAD_INFO);
      return;
    }
    // A forged answer could name any server: the report goes only where Teams keeps files.
    try {
      checkDownloadUrl(info.uploadUrl, deps.fileHosts);
    } catch {
      logger.warn({ host: hostOnly(info.uploadUrl) }, 'file consent answer with an upload address off the allowed hosts; nothing uploaded');
      await context.sendActivity(UPLOAD_HOST_REFUSED);
      return;
    }
    const answer = await consent.accept(conversationOf(context), answerContext(value), uploadSession(info.uploadUrl));
    if (!answer.uploaded) {
      await delivery.send(context, answer.reply);
      return;
    }
    await context.sendActivity({ type: 'message', attachments: [fileInfoAttachment(info)] });
    if (answer.note) await context.sendActivity(answer.note);
    // The card has done its job; left in place its Accept would only say the file was sent already.
    const cardId = context.activity.replyToId;
    if (cardId) {
      try {
        await context.deleteActivity(cardId);
      } catch (err) {
        logger.warn({ err: { message: (err as Error)?.message } }, 'could not delete the file consent card');
      }
    }
  });

  app.fileConsentDecline(async (context) => {
    if (!consent) {
      await context.sendActivity(NOT_AVAILABLE);
      return;
    }
    await delivery.send(context, await consent.decline(conversationOf(context), answerContext(context.activity.value)));
  });
}
