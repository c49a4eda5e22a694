import type { Logger } from '../log/logger';
import type { LedgerStore } from '../store/ports/ledger';
import { isGuid } from '../domain/parse/ids';
import type { ActingContext, LedgerActor } from '../features/shared/acting';
import { ledgerEntry } from '../features/shared/acting';

/** One ledger line stands for all refusals of one tenant within this long. */
export const REFUSAL_WINDOW_MS = 60 * 60 * 1000;

/** Tenants counted separately; beyond this, the rest share one window (the ledger stays bounded). */
export const MAX_TRACKED_TENANTS = 1000;

/** The window key for tenant ids that are missing, malformed, or beyond MAX_TRACKED_TENANTS. */
const SHARED_BUCKET = '*';

interface RefusalWindow {
  startedAt: number;
  /** Refusals in this window, the one that opened it included. */
  count: number;
}

/**
 * Records refusals of activities from tenants the bot does not serve, so that no outsider can
 * grow the ledger: the first refusal of a tenant in each hour writes one `refused` line (with how
 * many refusals the tenant's previous window counted); later ones in the hour only add to an
 * in-memory count. Lines hold no text the outsider typed, and their names and ids are cut short.
 */
export class TenantRefusals {
  private readonly windows = new Map<string, RefusalWindow>();

  constructor(
    private readonly store: LedgerStore,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one refusal; returns true when it opened a window and so wrote a ledger line. */
  async record(who: Pick<ActingContext, 'aadObjectId' | 'name' | 'tenantId' | 'conversationId'>, activityType: string): Promise<boolean> {
    const now = this.now();
    const key = this.windowKey(who.tenantId, now);
    const current = this.windows.get(key);
    if (current && now - current.startedAt < REFUSAL_WINDOW_MS) {
      current.count++;
      return false;
    }
    const previousWindowCount = current?.count ?? 0;
    this.windows.set(key, { startedAt: now, count: 1 });
    const tenantId = key === SHARED_BUCKET ? null : key;
    this.logger.warn(
      { tenantId, activityType: activityType.slice(0, 40), previousWindowCount },
      'activity from a tenant that is not allowed (further ones this hour are counted, not logged)',
    );
    // The actor's name and ids are the outsider's own claims: cut short, and an object id only if it is one.
    const outsider: LedgerActor = {
      aadObjectId: who.aadObjectId && isGuid(who.aadObjectId) ? who.aadObjectId : null,
      name: who.name ? who.name.slice(0, 64) : null,
      tenantId,
      conversationId: who.conversationId ? who.conversationId.slice(0, 200) : null,
    };
    await this.store.appendLedger(
      ledgerEntry(
        outsider,
        {
          action: 'refused',
          target: null,
          targetKey: null,
          parameters: { reason: 'tenant', activityType: activityType.slice(0, 40), windowMinutes: REFUSAL_WINDOW_MS / 60_000, previousWindowCount },
          outcome: 'refused',
          error: { message: 'tenant not allowed' },
          requestId: null,
          before: null,
          after: null,
          jobId: null,
        },
        new Date(now),
      ),
    );
    return true;
  }

  /** How many refusals the tenant's current window has counted (0 when none is open). */
  countFor(tenantId: string | null): number {
    const w = this.windows.get(tenantId && isGuid(tenantId) ? tenantId.toLowerCase() : SHARED_BUCKET);
    return w && this.now() - w.startedAt < REFUSAL_WINDOW_MS ? w.count : 0;
  }

  /** The tenant's own window when its id is a GUID and there is room, else the shared one. */
  private windowKey(tenantId: string | null, now: number): string {
    if (!tenantId || !isGuid(tenantId)) return SHARED_BUCKET;
    const key = tenantId.toLowerCase();
    if (this.windows.has(key) || this.windows.size < MAX_TRACKED_TENANTS) return key;
    for (const [k, w] of this.windows) if (now - w.startedAt >= REFUSAL_WINDOW_MS) this.windows.delete(k);
    return this.windows.size < MAX_TRACKED_TENANTS ? key : SHARED_BUCKET;
  }
}
