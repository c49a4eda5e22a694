import * as crypto from 'node:crypto';
import { channelOf, context, HttpError, type Call } from './graph-call';
import { sendJson } from './http';
import type { TenantState, ThreadRecord } from './state';
import type { UploadedFile } from './types';

/** Largest file the simple upload (`PUT …:/content`) takes; larger files need an upload session. */
export const SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;

/** The one Graph route whose request body is raw bytes, whatever its content type says. */
const DRIVE_UPLOAD = /^\/(?:v1\.0|beta)\/drives\/[^/]+\/items\/[^/]+(?::|%3a)\/[^/]+(?::|%3a)\/content$/i;

/** True for `PUT /drives/{drive}/items/{parent}:/{name}:/content` (the body is a file, not JSON). */
export function isDriveUpload(method: string, rawPath: string): boolean {
  return method === 'PUT' && DRIVE_UPLOAD.test(rawPath);
}

/** Characters SharePoint refuses in a file name. */
const INVALID_NAME = /["*:<>?/\\|]/;

/**
 * Files uploaded through the drive API, by drive, folder and lower-case name. Uploading the same
 * name again replaces the file: same item id and GUID, next version. `clear()` empties it.
 */
export class FileStore {
  private readonly files = new Map<string, UploadedFile>();

  clear(): void {
    this.files.clear();
  }

  /** Every file (latest version), in first-upload order; copies. */
  list(): UploadedFile[] {
    return [...this.files.values()].map((f) => ({ ...f, content: Buffer.from(f.content) }));
  }

  /** Stores a file; returns it and whether it replaced an earlier upload. */
  put(file: Omit<UploadedFile, 'itemId' | 'eTag' | 'version'>): { file: UploadedFile; replaced: boolean } {
    const key = `${file.driveId}/${file.parentId}/${file.name.toLowerCase()}`;
    const old = this.files.get(key);
    const guid = old ? guidOf(old.eTag) : crypto.randomUUID().toUpperCase();
    const version = (old?.version ?? 0) + 1;
    const stored: UploadedFile = { ...file, itemId: old?.itemId ?? itemId(key), eTag: `"{${guid}},${version}"`, version };
    this.files.set(key, stored);
    return { file: stored, replaced: old !== undefined };
  }
}

function guidOf(eTag: string): string {
  return /\{([^}]+)\}/.exec(eTag)?.[1] ?? crypto.randomUUID().toUpperCase();
}

/** A SharePoint-looking item id (`01` + 32 upper-case characters), stable for a seed. */
function itemId(seed: string): string {
  return `01${crypto.createHash('sha256').update(seed).digest('hex').toUpperCase().slice(0, 32)}`;
}

/** The document library holding a channel's files: the team's site, or the channel's own for private and shared channels. */
function driveIdOf(thread: ThreadRecord): string {
  const owner = thread.membershipType === 'standard' ? `team:${(thread.teamId ?? '').toLowerCase()}` : `channel:${thread.id}`;
  return `b!${crypto.createHash('sha256').update(owner).digest('base64url')}`;
}

/** A channel's files folder: drive, item id, name and web URL. */
interface Folder {
  thread: ThreadRecord;
  driveId: string;
  id: string;
  name: string;
  webUrl: string;
}

function folderOf(state: TenantState, thread: ThreadRecord): Folder {
  const team = state.team(thread.teamId ?? '');
  const host = (state.fixture.tenants.find((t) => t.id === thread.tenantId)?.domain ?? 'contoso').split('.')[0];
  const teamSite = (team?.displayName ?? 'team').replace(/[^A-Za-z0-9]/g, '');
  const site = thread.membershipType === 'standard' ? teamSite : `${teamSite}-${thread.displayName.replace(/[^A-Za-z0-9]/g, '')}`;
  return {
    thread,
    driveId: driveIdOf(thread),
    id: itemId(`folder:${thread.id}`),
    name: thread.displayName,
    webUrl: `https://${host}.sharepoint.com/sites/${site}/Shared%20Documents/${encodeURIComponent(thread.displayName)}`,
  };
}

/** The channel folder with this drive and item id in the caller's tenant, if any. */
function findFolder(state: TenantState, tenantId: string, driveId: string, id: string): Folder | undefined {
  for (const t of state.threads.values()) {
    if (t.kind !== 'channel' || t.tenantId !== tenantId) continue;
    const folder = folderOf(state, t);
    if (folder.driveId === driveId && folder.id.toLowerCase() === id.toLowerCase()) return folder;
  }
  return undefined;
}

/** `GET /teams/{team}/channels/{channel}/filesFolder`: the channel's folder as a driveItem. */
export function getFilesFolder(call: Call): void {
  const thread = channelOf(call);
  const f = folderOf(call.core.state, thread);
  sendJson(call.ctx, 200, {
    '@odata.context': context(call, `teams('${thread.teamId}')/channels('${thread.id}')/filesFolder/$entity`),
    id: f.id,
    createdDateTime: thread.createdDateTime,
    lastModifiedDateTime: thread.createdDateTime,
    name: f.name,
    webUrl: f.webUrl,
    size: 0,
    parentReference: { driveId: f.driveId, driveType: 'documentLibrary' },
    fileSystemInfo: { createdDateTime: thread.createdDateTime, lastModifiedDateTime: thread.createdDateTime },
    folder: { childCount: 0 },
  });
}

/**
 * `PUT /drives/{drive}/items/{parent}:/{name}:/content` (simple upload): the raw request body is
 * the file, at most 4 MB (413 beyond, checked as the body is read). Answers 201 with the
 * driveItem, or 200 when the name existed and the file was replaced.
 */
export function uploadFile(call: Call): void {
  const { core, ctx, params } = call;
  const folder = findFolder(core.state, call.principal.tenantId, params.drive, params.parent);
  if (!folder) throw new HttpError(404, 'itemNotFound', `The resource could not be found: no folder ${params.parent} in drive ${params.drive}.`);
  const name = params.name.trim();
  if (name === '' || INVALID_NAME.test(name)) throw new HttpError(400, 'invalidRequest', `Invalid file name '${params.name}'.`);
  if (ctx.rawBody.length > SIMPLE_UPLOAD_MAX_BYTES) {
    throw new HttpError(413, 'RequestEntityTooLarge', 'The file is larger than 4 MB, the limit of a simple upload; use an upload session.');
  }
  const contentType = typeof ctx.req.headers['content-type'] === 'string' ? ctx.req.headers['content-type'] : null;
  const { file, replaced } = core.state.files.put({
    driveId: folder.driveId,
    parentId: folder.id,
    channelId: folder.thread.id,
    name,
    size: ctx.rawBody.length,
    contentType,
    webUrl: `${folder.webUrl}/${encodeURIComponent(name)}`,
    content: Buffer.from(ctx.rawBody),
    uploadedBy: call.principal.clientId,
  });
  const now = new Date().toISOString();
  sendJson(ctx, replaced ? 200 : 201, {
    '@odata.context': context(call, `drives('${folder.driveId}')/items/$entity`),
    id: file.itemId,
    name: file.name,
    size: file.size,
    webUrl: file.webUrl,
    eTag: file.eTag,
    cTag: `"c:${file.eTag.slice(1, -1)}"`,
    createdDateTime: now,
    lastModifiedDateTime: now,
    file: { mimeType: contentType ?? 'application/octet-stream' },
    parentReference: { driveId: folder.driveId, driveType: 'documentLibrary', id: folder.id },
  });
}
