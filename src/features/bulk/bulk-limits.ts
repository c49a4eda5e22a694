import type { BudgetSpec } from '../shared/pacer';

/** Graph limits the jobs are paced to (configuration: BULK_TEAM_RPS, BULK_TENANT_RPS, BULK_CONFIRM_THRESHOLD). */
export interface BulkLimits {
  /** Requests per second on one team (Graph: 4). */
  perTeamPerSecond: number;
  /** Requests per second for the whole tenant (Graph: 30). */
  perTenantPerSecond: number;
  /** More items than this need the team's name typed to confirm. */
  typedConfirmationAbove: number;
  /** Minutes a start waits after this bot completed the same channel (0 or absent: no wait). */
  restartCooldownMinutes?: number;
  /** How old an intent found in the store must be before it is read and acted on (BULK_INTENT_SETTLE_SECONDS). */
  intentSettleMs?: number;
}

/** The pacer budgets one team's bulk work draws on. */
export interface BulkBudgets {
  tenant: BudgetSpec;
  team: BudgetSpec;
  /** One write per second per thread. */
  thread: (channelId: string) => BudgetSpec;
  /** Channel listings, which Graph limits separately. */
  channelsList: BudgetSpec;
}

/**
 * The budgets for work on `teamId` in `tenantId`, keyed so that every job and preview of the same
 * tenant or team (in this process) shares one budget: the limits are Graph's, not per job.
 */
export function bulkBudgets(limits: Pick<BulkLimits, 'perTeamPerSecond' | 'perTenantPerSecond'>, tenantId: string, teamId: string): BulkBudgets {
  const { perTeamPerSecond, perTenantPerSecond } = limits;
  return {
    tenant: { key: `tenant:${tenantId.toLowerCase()}`, perSecond: perTenantPerSecond },
    team: { key: `team:${teamId.toLowerCase()}`, perSecond: perTeamPerSecond },
    thread: (channelId: string): BudgetSpec => ({ key: `thread:${channelId}`, perSecond: 1 }),
    // Graph allows channel listings twice the general rate (60/s vs 30/s, spec §5), in their own budget.
    channelsList: { key: `channels:${tenantId.toLowerCase()}`, perSecond: perTenantPerSecond * 2 },
  };
}
