import { renderCard, type ListView } from '../../cards/renderer';
import { daysBetween, formatBoth } from '../../domain/parse/dates';
import { targetDisplayName } from '../../domain/targets';
import { toGraphCallError } from '../../graph/graph-errors';
import type { TeamsDirectory } from '../../graph/teams-directory';
import { openMigrations } from '../../store/ledger-queries';
import type { Store } from '../../store/ports/store';
import { card, type ActingContext, type FlowReply } from '../shared/acting';
import { MAX_LIST_ROWS } from '../shared/list-card';
import type { OperationGuard } from '../shared/operation-guard';
import { mapLimited } from './map-limited';

/** What the locked board needs: the guard, live Graph reads and the ledger. */
export interface LockedDeps {
  guard: OperationGuard;
  directory: TeamsDirectory;
  store: Store;
}

/**
 * `locked`: the board of threads this bot put into migration mode that are still locked, from the
 * ledger's open starts, each verified live against Graph.
 */
export class LockedFlow {
  constructor(private readonly deps: LockedDeps) {}

  /** `locked`: threads this bot started that are still in migration mode, verified live. */
  async locked(who: ActingContext, command = 'locked'): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'locked', { command });
    if (refusal) return refusal;
    const open = await openMigrations(this.deps.store, who.tenantId ?? undefined);
    const now = new Date();
    // Live check, a few reads at a time (Graph allows 30 requests/s per app and tenant).
    const states = await mapLimited(open, 4, async (entry) => {
      try {
        return (await this.deps.directory.getThread(entry.target!)).migrationMode;
      } catch (err) {
        const failure = toGraphCallError(err).failure;
        return failure.status === 404 ? 'gone' : `unknown (${failure.code})`;
      }
    });
    const lockedEntries = open.filter((_, i) => states[i] === 'inProgress' || String(states[i]).startsWith('unknown'));
    const rows: ListView['rows'] = lockedEntries.slice(0, MAX_LIST_ROWS).map((entry) => {
      const mode = states[open.indexOf(entry)];
      return {
        heading: targetDisplayName(entry.target!),
        detail: `locked ${daysBetween(entry.at, now)} days · started by ${entry.actor.name ?? entry.actor.aadObjectId ?? 'unknown'} on ${formatBoth(entry.at, who.timeZone)}${String(mode).startsWith('unknown') ? ` · state ${mode}` : ''}`,
        buttons: [
          { title: 'Status', verb: 'status', target: entry.targetKey! },
          { title: 'Complete', verb: 'completeAsk', target: entry.targetKey! },
        ],
      };
    });
    return card(
      renderCard('list', {
        title: 'Threads locked in migration mode',
        summary:
          rows.length === 0 ? 'No thread started by this bot is in migration mode.' : `${lockedEntries.length} thread(s) started by this bot are still locked.`,
        rows,
        footer: `${lockedEntries.length > MAX_LIST_ROWS ? `Showing the newest ${MAX_LIST_ROWS}. ` : ''}Verified live against Microsoft Graph just now.`,
      } satisfies ListView),
    );
  }
}
