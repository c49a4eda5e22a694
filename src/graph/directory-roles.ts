import type { Client } from '@microsoft/microsoft-graph-client';
import { toGraphCallError } from './graph-errors';
import { withTimeout } from './request-timeout';
import { graphSegment } from './graph-ids';

/**
 * `checkMemberObjects` (spec §7): which of `ids` (role template ids, group ids) the user holds
 * tenant-wide and active, directly or through groups. One call answers the admin question.
 */
export class DirectoryRoles {
  constructor(
    private readonly client: Client,
    private readonly timeoutMs: number,
  ) {}

  async heldBy(userId: string, ids: string[]): Promise<string[]> {
    try {
      const result = (await withTimeout(this.timeoutMs, (signal) =>
        this.client
          .api(`/users/${graphSegment('user', userId)}/checkMemberObjects`)
          .option('signal', signal)
          .post({ ids }),
      )) as { value?: string[] };
      return (result?.value ?? []).map((id) => id.toLowerCase());
    } catch (err) {
      throw toGraphCallError(err);
    }
  }
}
