import { restartCooldown, type RestartCooldown } from '../../domain/restart-cooldown';
import { targetKey, type TargetRef } from '../../domain/targets';
import { lastCompletion } from '../../store/ledger-queries';
import type { LedgerStore } from '../../store/ports/ledger';

/**
 * The restart cool-down in force for `target` (spec §4: a thread completed and started again
 * straight away can get stuck), from the ledger's completions by this bot, or null. Only a thread
 * that reads `completed` can have been completed moments ago, so the ledger is read for those alone,
 * and only for completions since the cool-down began. Used by every start: single, and an import's.
 */
export async function recentCompletionOf(
  store: LedgerStore,
  target: TargetRef,
  thread: { migrationMode?: string | null },
  cooldownMinutes: number,
  nowMs: number,
): Promise<RestartCooldown | null> {
  if (cooldownMinutes <= 0 || thread.migrationMode !== 'completed') return null;
  const since = new Date(nowMs - cooldownMinutes * 60_000).toISOString();
  return restartCooldown(await lastCompletion(store, targetKey(target), since), nowMs, cooldownMinutes);
}
