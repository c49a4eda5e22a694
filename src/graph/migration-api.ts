import type { Client } from '@microsoft/microsoft-graph-client';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { CloudName } from '../domain/national-clouds';
import type { TargetRef } from '../domain/targets';
import { errorFromResponse, toGraphCallError } from './graph-errors';
import { withTimeout } from './request-timeout';
import { graphSegment } from './graph-ids';

/** What a successful write returns: Graph's `request-id` for the audit ledger. */
export interface WriteReceipt {
  requestId: string | null;
}

/**
 * The Graph path of a target's thread, every id checked for its shape and encoded into its own
 * segment. Throws a `MalformedId` `GraphCallError` for an id of the wrong shape.
 */
export function threadPath(target: TargetRef): string {
  return target.kind === 'channel'
    ? `/teams/${graphSegment('team', target.teamId)}/channels/${graphSegment('channel', target.channelId)}`
    : `/chats/${graphSegment('chat', target.chatId)}`;
}

/**
 * `startMigration` and `completeMigration` (spec §2, §3). The raw response is kept so a `204`
 * still yields its `request-id`; failures become `GraphCallError`.
 */
export class MigrationApi {
  constructor(
    private readonly client: Client,
    private readonly timeoutMs: number,
    private readonly cloud: CloudName = 'global',
  ) {}

  private async post(path: string, body: Record<string, unknown> | undefined): Promise<WriteReceipt> {
    try {
      return await withTimeout(this.timeoutMs, async (signal) => {
        let response: Response;
        try {
          response = (await this.client
            .api(path)
            .option('signal', signal)
            .responseType(ResponseType.RAW)
            .post(body ?? '')) as Response;
        } catch (err) {
          throw toGraphCallError(err);
        }
        if (!response.ok) throw await errorFromResponse(response);
        return { requestId: response.headers.get('request-id') };
      });
    } catch (err) {
      // Outside the global service the admin is told the APIs may not be offered (spec §2).
      const failure = toGraphCallError(err);
      if (this.cloud !== 'global') failure.failure.nationalCloud = this.cloud;
      throw failure;
    }
  }

  /** Puts the thread into migration mode; `conversationCreationDateTime` omitted keeps the current date. */
  async startMigration(target: TargetRef, conversationCreationDateTime: string | null): Promise<WriteReceipt> {
    return this.post(`${threadPath(target)}/startMigration`, conversationCreationDateTime ? { conversationCreationDateTime } : undefined);
  }

  /** Ends migration mode; only the app that started it may do this. */
  async completeMigration(target: TargetRef): Promise<WriteReceipt> {
    return this.post(`${threadPath(target)}/completeMigration`, undefined);
  }
}
