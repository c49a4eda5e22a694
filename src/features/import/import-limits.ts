import { bulkBudgets } from '../bulk/bulk-limits';
import type { BudgetSpec } from '../shared/pacer';

/** The rates imports are paced to (IMPORT_THREAD_RPS, and the bulk settings they share). */
export interface ImportRates {
  /** Message imports per second on one thread (Graph: 5). */
  perThread: number;
  /** Requests per second for the whole tenant, shared with bulk work (Graph: 30). */
  perTenant: number;
  /** Migration writes per second on one team (Graph: 4). */
  perTeam: number;
}

/**
 * The budgets of one target thread: message imports draw on the thread's import rate and the
 * tenant's budget (the same key bulk jobs use, so both share it); starts and completions draw on
 * the bulk write budgets.
 */
export function importBudgets(rates: ImportRates, tenantId: string, teamId: string, threadId: string): { imports: BudgetSpec[]; writes: BudgetSpec[] } {
  const bulk = bulkBudgets({ perTeamPerSecond: rates.perTeam, perTenantPerSecond: rates.perTenant }, tenantId, teamId);
  return {
    imports: [bulk.tenant, { key: `import:${threadId}`, perSecond: rates.perThread }],
    writes: [bulk.tenant, bulk.team, bulk.thread(threadId)],
  };
}
