import type { Client } from '@microsoft/microsoft-graph-client';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { ImportChatMessage } from '../domain/import/teams-message';
import type { TargetRef } from '../domain/targets';
import { errorFromResponse, toGraphCallError } from './graph-errors';
import { graphSegment } from './graph-ids';
import { threadPath } from './migration-api';
import { withTimeout } from './request-timeout';

/** An imported message as Graph returns it (the fields the importer reads). */
export interface ImportedMessage {
  id: string;
  createdDateTime: string;
  replyToId?: string | null;
  from?: { user?: { id?: string } | null } | null;
  body?: { content?: string } | null;
}

/** What a successful import returns: the new message's id and Graph's `request-id`. */
export interface ImportReceipt {
  id: string;
  requestId: string | null;
}

interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

/** A driveItem as the upload answers it. */
export interface UploadedFile {
  id: string;
  name: string;
  webUrl: string;
  eTag: string | null;
}

/**
 * The message import surface of spec §9 with the migration app's identity: post a message or a
 * reply into a thread in migration mode, read messages back (reconciliation), and upload a file
 * to a channel's files folder. Every id is checked and encoded; failures become `GraphCallError`.
 */
export class MessageImportApi {
  constructor(
    private readonly client: Client,
    private readonly timeoutMs: number,
  ) {}

  private async raw(method: 'post' | 'put', path: string, body: unknown, contentType?: string): Promise<Response> {
    return withTimeout(this.timeoutMs, async (signal) => {
      let request = this.client.api(path).option('signal', signal).responseType(ResponseType.RAW);
      if (contentType) request = request.header('Content-Type', contentType);
      let response: Response;
      try {
        response = (await request[method](body)) as Response;
      } catch (err) {
        throw toGraphCallError(err);
      }
      if (!response.ok) throw await errorFromResponse(response);
      return response;
    });
  }

  private async send(path: string, message: ImportChatMessage): Promise<ImportReceipt> {
    try {
      const response = await this.raw('post', path, message);
      const created = (await response.json()) as { id?: unknown };
      if (typeof created.id !== 'string') throw new Error('Graph answered without the new message id');
      return { id: created.id, requestId: response.headers.get('request-id') };
    } catch (err) {
      throw toGraphCallError(err);
    }
  }

  /** Imports a root message (channel post or chat message). */
  importMessage(target: TargetRef, message: ImportChatMessage): Promise<ImportReceipt> {
    return this.send(`${threadPath(target)}/messages`, message);
  }

  /** Imports a reply under the channel message `parentId`. */
  importReply(target: TargetRef, parentId: string, message: ImportChatMessage): Promise<ImportReceipt> {
    return this.send(`${threadPath(target)}/messages/${graphSegment('message', parentId)}/replies`, message);
  }

  /**
   * Reads a thread's root messages, or one message's replies, page by page (Graph returns newest
   * first) and hands each page to `visit` until it returns true or `maxPages` were read; returns
   * whether `visit` stopped it. Needs ChannelMessage.Read.All / Chat.Read.All.
   */
  async scanMessages(target: TargetRef, parentId: string | null, visit: (page: ImportedMessage[]) => boolean, maxPages: number): Promise<boolean> {
    const base = parentId ? `${threadPath(target)}/messages/${graphSegment('message', parentId)}/replies` : `${threadPath(target)}/messages`;
    try {
      let page = (await withTimeout(this.timeoutMs, (signal) =>
        this.client.api(base).option('signal', signal).query({ $top: '50' }).get(),
      )) as Page<ImportedMessage>;
      for (let pages = 1; ; pages++) {
        if (visit(page.value)) return true;
        const next = page['@odata.nextLink'];
        if (!next || pages >= maxPages) return false;
        page = (await withTimeout(this.timeoutMs, (signal) => this.client.api(next).option('signal', signal).get())) as Page<ImportedMessage>;
      }
    } catch (err) {
      throw toGraphCallError(err);
    }
  }

  /** Uploads `bytes` as `name` into the channel's files folder (simple upload, at most 4 MB). */
  async uploadToChannelFiles(teamId: string, channelId: string, name: string, bytes: Buffer): Promise<UploadedFile> {
    try {
      const folder = (await withTimeout(this.timeoutMs, (signal) =>
        this.client
          .api(`/teams/${graphSegment('team', teamId)}/channels/${graphSegment('channel', channelId)}/filesFolder`)
          .option('signal', signal)
          .get(),
      )) as { id: string; parentReference?: { driveId?: string } };
      const driveId = folder.parentReference?.driveId;
      const path = `/drives/${graphSegment('driveObject', driveId)}/items/${graphSegment('driveObject', folder.id)}:/${encodeURIComponent(safeFileName(name))}:/content`;
      const response = await this.raw('put', path, bytes, 'application/octet-stream');
      const item = (await response.json()) as { id: string; name: string; webUrl: string; eTag?: string };
      return { id: item.id, name: item.name, webUrl: item.webUrl, eTag: item.eTag ?? null };
    } catch (err) {
      throw toGraphCallError(err);
    }
  }
}

/** A file name SharePoint accepts: no path separators or characters it forbids, bounded length. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const cleaned = name.replace(/[\\/:*?"<>|#%\u0000-\u001f]/g, '_').replace(/^[.\s]+|[.\s]+$/g, '');
  return (cleaned || 'file').slice(0, 200);
}
