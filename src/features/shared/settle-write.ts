import { formatErrorCode, type GraphFailure } from '../../domain/graph-failure';
import { snapshotOf } from '../../domain/targets';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { TargetRef, ThreadSnapshot } from '../../domain/targets';

/** What reading the thread back showed about a write whose answer was lost or ambiguous. */
export type ReadBack = { state: 'happened'; snapshot: ThreadSnapshot } | { state: 'not-happened'; snapshot: ThreadSnapshot } | { state: 'unreadable' };

/**
 * A write whose answer was lost (timeout, reset, 5xx after retries) or ambiguous (graph-client's
 * own retry of a write that had worked gets "already in migration" / "not in migration") is
 * settled by reading the thread, never by guessing (`mayHaveTakenEffect` in the domain says
 * when). Returns what the thread shows.
 */
export async function settleWrite(directory: TeamsDirectory, target: TargetRef, happened: (snapshot: ThreadSnapshot) => boolean): Promise<ReadBack> {
  try {
    const snapshot = snapshotOf(await directory.getThread(target));
    return happened(snapshot) ? { state: 'happened', snapshot } : { state: 'not-happened', snapshot };
  } catch {
    return { state: 'unreadable' };
  }
}

/** What to tell the admin when reading the thread shows a lost write did not happen. */
export function nothingChanged(failure: GraphFailure): string {
  return `Microsoft Graph did not confirm the change (${formatErrorCode(failure)}), and reading the thread back shows nothing was changed. Try again in a minute.`;
}
