import type { AttachedFile } from '../features/import-flow/import-commands';

/** The content type of a file a user attached in the bot's personal chat (Teams `supportsFiles`). */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** At most this many files of one message reach the import feature; the rest are ignored. */
export const MAX_FILES_PER_MESSAGE = 10;

const MAX_NAME_LENGTH = 255;
const MAX_URL_LENGTH = 8192;
const MAX_FILE_TYPE_LENGTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the activity's attachments include at least one file (well formed or not). */
export function hasFileAttachment(attachments: unknown): boolean {
  return Array.isArray(attachments) && attachments.some((a) => isObject(a) && a.contentType === FILE_DOWNLOAD_INFO);
}

/**
 * The files attached to a message, read defensively: the activity is signed by the channel, but
 * its attachments are whatever the sender's client put there. An attachment without a string
 * `content.downloadUrl` is left out; names and types are cut to sane lengths, and nothing here is
 * trusted as a path or a URL (the import feature checks the URL before any download).
 */
export function fileAttachments(attachments: unknown): AttachedFile[] {
  if (!Array.isArray(attachments)) return [];
  const files: AttachedFile[] = [];
  for (const a of attachments) {
    if (files.length >= MAX_FILES_PER_MESSAGE) break;
    if (!isObject(a) || a.contentType !== FILE_DOWNLOAD_INFO || !isObject(a.content)) continue;
    const { downloadUrl, fileType } = a.content;
    if (typeof downloadUrl !== 'string' || !downloadUrl.trim() || downloadUrl.length > MAX_URL_LENGTH) continue;
    const name = typeof a.name === 'string' && a.name.trim() ? a.name.trim().slice(0, MAX_NAME_LENGTH) : 'unnamed file';
    files.push({
      name,
      downloadUrl: downloadUrl.trim(),
      fileType: typeof fileType === 'string' && fileType.trim() ? fileType.trim().toLowerCase().slice(0, MAX_FILE_TYPE_LENGTH) : null,
    });
  }
  return files;
}
