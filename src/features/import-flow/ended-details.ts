import type { ImportJob, ImportJobStore, ImportTarget } from '../../store/ports/import-jobs';

/** Failed messages whose request-ids the summary lists (the report lists every one). */
const FAILED_SHOWN = 10;
/** Rows read per page while counting skip reasons. */
const PAGE = 500;

/** What an ended job's summary says beyond its counters: why messages were skipped, which failed. */
export interface EndedDetails {
  /** Reason → messages skipped for it, over every target. */
  skippedReasons: Record<string, number>;
  /** The first failed messages: their channel and request-id. */
  failed: { channel: string; requestId: string | null; detail: string | null }[];
}

/**
 * Reads the skip reasons and the first failures of an ended job from its message rows (once, for
 * the summary; the running card shows counters only).
 */
export async function endedDetails(store: ImportJobStore, job: ImportJob, targets: readonly ImportTarget[]): Promise<EndedDetails> {
  const skippedReasons: Record<string, number> = {};
  const failed: EndedDetails['failed'] = [];
  for (const t of targets) {
    const channel = t.target.displayName ?? t.targetKey;
    if (t.counts.skipped > 0) {
      for (let after = -1; ;) {
        const rows = await store.listImportMessages(job.id, t.targetKey, { states: ['skipped'], afterSeq: after, limit: PAGE });
        for (const r of rows) {
          const reason = r.detail ?? 'no reason recorded';
          skippedReasons[reason] = (skippedReasons[reason] ?? 0) + 1;
        }
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1].seq;
      }
    }
    if (t.counts.failed > 0 && failed.length < FAILED_SHOWN) {
      const rows = await store.listImportMessages(job.id, t.targetKey, { states: ['failed'], limit: FAILED_SHOWN - failed.length });
      for (const r of rows) failed.push({ channel, requestId: r.requestId, detail: r.detail });
    }
  }
  return { skippedReasons, failed };
}
