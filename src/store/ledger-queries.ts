import type { LedgerAction, LedgerEntry, LedgerStore } from './ports/ledger';

/** Ledger actions that put a thread into migration mode (a single start, a bulk item, an import's start). */
const STARTS: readonly LedgerAction[] = ['start', 'bulk-start', 'import-start'];
/** Ledger actions that complete a thread's migration. */
const COMPLETIONS: readonly LedgerAction[] = ['complete', 'bulk-complete', 'import-complete'];

const isStart = (e: LedgerEntry): boolean => STARTS.includes(e.action);

/**
 * The newest successful start (single, bulk or by an import) of every target this bot started and has not
 * completed since, newest first. The locked board and the reminders read the ledger this way.
 */
export async function openMigrations(store: LedgerStore, tenantId?: string): Promise<LedgerEntry[]> {
  const entries = (await Promise.all([...STARTS, ...COMPLETIONS].map((action) => store.queryLedger({ action, tenantId, limit: Infinity }))))
    .flat()
    .filter((e) => e.outcome === 'succeeded' && e.targetKey && e.target)
    .sort((a, b) => b.at.localeCompare(a.at));
  const latest = new Map<string, LedgerEntry>();
  for (const e of entries) if (!latest.has(e.targetKey!)) latest.set(e.targetKey!, e);
  return [...latest.values()].filter(isStart);
}

/** The newest successful start of one target, if the ledger has one. */
export async function lastStart(store: LedgerStore, targetKey: string): Promise<LedgerEntry | null> {
  const entries = await store.queryLedger({ targetKey, limit: 50 });
  return entries.find((e) => isStart(e) && e.outcome === 'succeeded') ?? null;
}

/**
 * When this bot last completed one target (single or bulk) at or after `since`, if the ledger says
 * it did. Asking only for completions since the cool-down began keeps this an index lookup that
 * usually finds nothing, however long the target's history.
 */
export async function lastCompletion(store: LedgerStore, targetKey: string, since: string): Promise<string | null> {
  const found = await Promise.all(COMPLETIONS.map((action) => store.queryLedger({ targetKey, action, since, limit: 20 })));
  const times = found
    .flat()
    .filter((e) => e.outcome === 'succeeded')
    .map((e) => e.at);
  return times.length ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
}

/** The newest import into one target (its counts and job), if the ledger has one. */
export async function lastImport(store: LedgerStore, targetKey: string): Promise<LedgerEntry | null> {
  return (await store.queryLedger({ targetKey, action: 'import', limit: 1 }))[0] ?? null;
}
