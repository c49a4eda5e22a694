import type { FilePart } from '../../domain/import/chat-message';
import type { SourceFile } from '../../domain/import/source-model';
import type { MessageImportApi } from '../../graph/message-import-api';
import { toGraphCallError } from '../../graph/graph-errors';
import { formatErrorCode } from '../../domain/graph-failure';
import type { ExportReader } from '../../sources/export-reader';

/** Images Teams shows inline (`hostedContents`). */
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif']);
/** Graph's simple upload takes at most 4 MB; inline images are held to the same size. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface FileDeps {
  reader: ExportReader;
  api: MessageImportApi;
  /** Upload other files to the channel's files folder (IMPORT option `--upload-files`). */
  upload: { teamId: string; channelId: string } | null;
  /** Runs one Graph request within the pacer's budgets. */
  paced: <T>(request: () => Promise<T>) => Promise<T>;
}

/** GUID of a driveItem's eTag (`"{GUID},1"`): the id a reference attachment is given. */
function attachmentId(eTag: string | null, fallback: string): string {
  return /\{?([0-9a-f-]{36})\}?/i.exec(eTag ?? '')?.[1] ?? fallback;
}

/**
 * What becomes of each file of a message: a line naming it when its bytes are not in the export,
 * an inline image when they are and it is a small image, an upload to the channel's files folder
 * when that option is on, else a line saying it was not uploaded. Uploading the same name again
 * (a resumed run) replaces the file, so a retry leaves one copy.
 */
export async function fileParts(files: readonly SourceFile[], deps: FileDeps): Promise<FilePart[]> {
  const parts: FilePart[] = [];
  for (const file of files) {
    const name = file.name || 'file';
    if (!file.contentPath) {
      parts.push({ kind: 'not in export', name });
      continue;
    }
    const type = (file.mimeType ?? '').toLowerCase();
    if (INLINE_IMAGE_TYPES.has(type)) {
      const bytes = await deps.reader.fileBytes(file, MAX_FILE_BYTES);
      if (bytes) {
        parts.push({ kind: 'inline image', name, contentType: type, base64: bytes.toString('base64') });
        continue;
      }
    }
    if (!deps.upload) {
      parts.push({ kind: 'not uploaded', name, why: 'in the export, not uploaded: this import did not upload files' });
      continue;
    }
    const bytes = await deps.reader.fileBytes(file, MAX_FILE_BYTES);
    if (!bytes) {
      parts.push({ kind: 'not uploaded', name, why: 'larger than the 4 MB an import uploads' });
      continue;
    }
    const { teamId, channelId } = deps.upload;
    try {
      const uploaded = await deps.paced(() => deps.api.uploadToChannelFiles(teamId, channelId, `${file.id}-${name}`, bytes));
      parts.push({ kind: 'uploaded', name, id: attachmentId(uploaded.eTag, uploaded.id), url: uploaded.webUrl });
    } catch (err) {
      // The message still goes in, naming the file and why it is not attached (e.g. Files.ReadWrite.All not granted).
      const failure = toGraphCallError(err).failure;
      parts.push({ kind: 'not uploaded', name, why: `the upload failed: ${formatErrorCode(failure)} ${failure.message}`.slice(0, 300) });
    }
  }
  return parts;
}
