import type { LedgerEntry, LedgerStore } from './ports/ledger';

/**
 * The newest successful start (single or bulk) of every target this bot started and has not
 * completed since, newest first. The locked board and the reminders read the ledger this way.
 */
export async function openMigrations(store: LedgerStore, tenantId?: string): Promise<LedgerEntry[]> {
  const entries = (
    await Promise.all((['start', 'bulk-start', 'complete', 'bulk-complete'] as const).map((action) => store.queryLedger({ action, tenantId, limit: Infinity })))
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

/**
 * When this bot last completed one target (single or bulk) at or after `since`, if the ledger says
 * it did. Asking only for completions since the cool-down began keeps this an index lookup that
 * usually finds nothing, however long the target's history.
 */
export async function lastCompletion(store: LedgerStore, targetKey: string, since: string): Promise<string | null> {
  const found = await Promise.all((['complete', 'bulk-complete'] as const).map((action) => store.queryLedger({ targetKey, action, since, limit: 20 })));
  const times = found
    .flat()
    .filter((e) => e.outcome === 'succeeded')
    .map((e) => e.at);
  return times.length ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
}
