import type { Attachment } from 'botbuilder';
import type { FlowReply } from '../features/shared/acting';

/** The card that asks the user to accept a file from the bot (personal chat only). */
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
/** The card that shows a file the bot uploaded to the user's OneDrive. */
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

type FileOffer = Extract<FlowReply, { kind: 'file' }>;

/** What the accept and decline bring back: the offer's opaque id and nothing else. */
export interface OfferContext {
  offerId: string;
}

/**
 * The consent card for an offered file. Teams shows `name`, `description` and the size, and sends
 * `acceptContext` / `declineContext` back unchanged with the user's answer; they carry only the
 * offer's opaque id, so a rewritten context can name an offer but never change what it holds.
 */
export function consentCardAttachment(offer: FileOffer): Attachment {
  const context: OfferContext = { offerId: offer.offerId };
  return {
    contentType: FILE_CONSENT_CARD,
    name: offer.name,
    content: { description: offer.description, sizeInBytes: offer.sizeInBytes, acceptContext: context, declineContext: context },
  };
}

/** Where Teams opened an upload session for an accepted file (`value.uploadInfo` of the accept). */
export interface UploadInfo {
  name: string;
  /** Pre-authenticated OneDrive upload session: a secret, never logged. */
  uploadUrl: string;
  contentUrl: string;
  uniqueId: string;
  fileType: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= max;

/** The accept's `uploadInfo`, checked field by field (the invoke value is sender-controlled); null when unusable. */
export function readUploadInfo(value: unknown): UploadInfo | null {
  const info = isObject(value) ? value.uploadInfo : undefined;
  if (!isObject(info)) return null;
  const { name, uploadUrl, contentUrl, uniqueId, fileType } = info;
  if (!nonEmpty(uploadUrl, 8192) || !/^https:\/\//i.test(uploadUrl)) return null;
  if (!nonEmpty(name, 255) || !nonEmpty(contentUrl, 8192) || !nonEmpty(uniqueId, 128)) return null;
  return { name, uploadUrl, contentUrl, uniqueId, fileType: nonEmpty(fileType, 32) ? fileType : 'csv' };
}

/** The card showing the uploaded file, as Teams documents it: name, contentUrl, uniqueId and fileType. */
export function fileInfoAttachment(info: UploadInfo): Attachment {
  return { contentType: FILE_INFO_CARD, contentUrl: info.contentUrl, name: info.name, content: { uniqueId: info.uniqueId, fileType: info.fileType } };
}
