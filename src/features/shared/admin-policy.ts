import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config';
import type { Logger } from '../../log/logger';
import type { DirectoryRoles } from '../../graph/directory-roles';
import { explainFailure } from '../../domain/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import { isGraphId, malformedIdMessage } from '../../domain/parse/ids';

/** Who is acting, as taken from the signed activity (spec §7). */
export interface Caller {
  aadObjectId: string | null;
  name: string | null;
  tenantId: string | null;
}

export type AdminDecision =
  | { allowed: true }
  | { allowed: false; reason: 'tenant' | 'no-identity' | 'not-admin'; message: string }
  /** Not an answer: Graph could not be asked. `correlationId` finds the logged detail. */
  | { allowed: false; reason: 'check-failed'; message: string; correlationId: string };

const MAX_CACHED = 10000;

/**
 * The one place that decides whether a person may change migration state: an allowed tenant, an
 * Entra identity, and — tenant-wide and active — one of the configured admin roles or groups.
 * Every state-changing flow calls `check` at the moment of acting. Answers are reused for
 * `ADMIN_CACHE_SECONDS`, and concurrent checks for one person share a single Graph call.
 */
export class AdminPolicy {
  private readonly cache = new Map<string, { decision: AdminDecision; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<AdminDecision>>();
  private lookups = 0;

  constructor(
    private readonly roles: DirectoryRoles,
    private readonly settings: Config['admin'],
    private readonly now: () => number = Date.now,
    private readonly logger?: Logger,
  ) {}

  /** Number of directory lookups made so far (benchmarks read it). */
  get directoryLookups(): number {
    return this.lookups;
  }

  /** Decides whether `caller` is an administrator; never throws. */
  async check(caller: Caller): Promise<AdminDecision> {
    const tenantId = caller.tenantId?.toLowerCase() ?? null;
    if (!tenantId || !this.settings.allowedTenantIds.includes(tenantId)) {
      return { allowed: false, reason: 'tenant', message: 'This bot only serves its own organisation, and your account belongs to another tenant.' };
    }
    const oid = caller.aadObjectId?.toLowerCase() ?? null;
    if (!oid) {
      return { allowed: false, reason: 'no-identity', message: 'Teams did not send your Entra ID identity, so your administrator role cannot be checked.' };
    }
    // The object id goes into a Graph path: an id of any other shape is no identity at all.
    if (!isGraphId('user', oid)) {
      return { allowed: false, reason: 'no-identity', message: `${malformedIdMessage('user', caller.aadObjectId)} Your administrator role cannot be checked.` };
    }
    const key = `${tenantId}:${oid}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.decision;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookup(oid).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    const decision = await lookup;
    // A failed check is not an answer: the next attempt asks Graph again.
    const answered = decision.allowed || decision.reason === 'not-admin';
    if (answered && this.settings.cacheSeconds > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { decision, expiresAt: this.now() + this.settings.cacheSeconds * 1000 });
    }
    return decision;
  }

  private async lookup(oid: string): Promise<AdminDecision> {
    this.lookups++;
    try {
      const held = await this.roles.heldBy(oid, [...this.settings.roleIds, ...this.settings.groupIds]);
      if (held.length > 0) return { allowed: true };
      return {
        allowed: false,
        reason: 'not-admin',
        message:
          'Only Teams administrators can do this. You need the Teams Administrator or Global Administrator role, active and tenant-wide (roles scoped to an administrative unit or only eligible in PIM do not count).',
      };
    } catch (err) {
      // The detail (AADSTS codes, which credential to fix) is for whoever runs the bot, not for
      // whoever typed: it goes to the log under a correlation id.
      const failure = toGraphCallError(err).failure;
      const correlationId = randomUUID();
      this.logger?.error({ correlationId, code: failure.code, status: failure.status, detail: explainFailure(failure, 'admin-check') }, 'admin check failed');
      return {
        allowed: false,
        reason: 'check-failed',
        message: `Your administrator role could not be checked right now, so nothing was done. Try again in a few minutes; if it keeps failing, give whoever runs this bot the correlation id ${correlationId}.`,
        correlationId,
      };
    }
  }
}
