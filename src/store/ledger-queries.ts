import type { LedgerEntry, LedgerStore } from './ports/ledger';

/**
 * The newest successful start (single or bulk) of every target this bot started and has not
 * completed since, newest first. The locked board and the reminders read the ledger this way.
 */
export async function openMigrations(store: LedgerStore, tenantId?: string): Promise<LedgerEntry[]> {
  const entries = (
    await Promise.all(
      (['start', 'bulk-start', 'complete', 'bulk-complete'] as const).map((action) => store.queryLedger({ action, tenantId, limit: Infinity })),
    )
  )
    .flat()
    .filter((e) => e.outcome === 'succeeded' && e.targetKey && e.target)
    .sort((a, b) => b.at.localeCompare(a.at));
  const latest = new Map<string, LedgerEntry>();
  for (const e of entries) if (!latest.has(e.targetKey!)) latest.set(e.targetKey!, e);
  return [...latest.values()].filter((e) => e.action === 'start' || e.action === 'bulk-start');
}

/** The newest successful start of one target, if the ledger has one. */
export async function lastStart(store: LedgerStore, targetKey: string): Promise<LedgerEntry | null> {
  const entries = await store.queryLedger({ targetKey, limit: 50 });
  return entries.find((e) => (e.action === 'start' || e.action === 'bulk-start') && e.outcome === 'succeeded') ?? null;
}

/** When this bot last completed one target (single or bulk), if the ledger says it did. */
export async function lastCompletion(store: LedgerStore, targetKey: string): Promise<string | null> {
  const entries = await store.queryLedger({ targetKey, limit: 50 });
  return entries.find((e) => (e.action === 'complete' || e.action === 'bulk-complete') && e.outcome === 'succeeded')?.at ?? null;
}
