import type { LedgerEntry } from '../../store/ports/ledger';

/** The counters an `import` ledger line carries, read back without trusting their shape. */
function countOf(parameters: Record<string, unknown>, name: string): number {
  const counts = parameters.counts;
  const value = counts && typeof counts === 'object' ? (counts as Record<string, unknown>)[name] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * One line about an import into a target, from its ledger line: what was imported, skipped,
 * posted as the fallback user and failed, and which source and job. `status` and `audit` show it.
 */
export function importSummary(entry: LedgerEntry): string {
  const p = entry.parameters;
  const n = (name: string) => countOf(p, name);
  const source = typeof p.source === 'string' ? ` from ${p.source}` : '';
  const channel = typeof p.sourceChannel === 'string' ? ` (${p.sourceChannel})` : '';
  const job = typeof p.jobId === 'string' ? ` · job ${p.jobId}` : '';
  return `${entry.outcome}: ${n('messages')} messages, ${n('replies')} replies, ${n('reactions')} reactions, ${n('skipped')} skipped, ${n('fallbackAuthored')} as the fallback user, ${n('failed')} failed${source}${channel}${job}`;
}
