import { createHash } from 'node:crypto';
import { auditToCsv, csvCell } from '../../store/audit-csv';
import { targetDisplayName } from '../../domain/targets';
import type { ImportJobStore, ImportMessageRecord, ImportTarget } from '../../store/ports/import-jobs';
import type { LedgerStore } from '../../store/ports/ledger';

/** The columns of an import report, one row per message row of every target. */
export const IMPORT_REPORT_COLUMNS = [
  'targetChannel',
  'sourceChannel',
  'seq',
  'sourceMessageId',
  'parentSourceId',
  'state',
  'createdDateTime',
  'graphMessageId',
  'requestId',
  'detail',
] as const;

/** How many message rows one store read returns (the port's page size). */
export const IMPORT_ROWS_PAGE = 500;

/** The CSV lines of one target's message rows (the CSV's line ending is CRLF, as in the audit export). */
export function importReportLines(target: ImportTarget, rows: readonly ImportMessageRecord[]): string[] {
  const targetName = targetDisplayName(target.target);
  return rows.map((r) =>
    // `detail` says why a row was skipped or failed, or names the original author of a fallback-authored message.
    [targetName, target.sourceChannelName, r.seq, r.sourceId, r.parentSourceId, r.state, r.createdDateTime, r.graphId, r.requestId, r.detail]
      .map(csvCell)
      .join(','),
  );
}

/**
 * An import job's report: every message row of every target, targets in job order and rows by
 * `seq`, read a page at a time. `intent` rows (a call in flight, or cut short by a stop) are shown
 * as they are.
 */
export async function importReportCsv(
  store: Pick<ImportJobStore, 'listImportTargets' | 'listImportMessages'>,
  jobId: string,
): Promise<{ csv: string; rows: number }> {
  const lines = [IMPORT_REPORT_COLUMNS.join(',')];
  let rows = 0;
  for (const target of await store.listImportTargets(jobId)) {
    let afterSeq = -1;
    for (;;) {
      const page = await store.listImportMessages(jobId, target.targetKey, { afterSeq, limit: IMPORT_ROWS_PAGE });
      lines.push(...importReportLines(target, page));
      rows += page.length;
      if (page.length < IMPORT_ROWS_PAGE) break;
      afterSeq = page[page.length - 1].seq;
    }
  }
  return { csv: `${lines.join('\r\n')}\r\n`, rows };
}

/**
 * The audit ledger of one tenant as the audit export writes it (`auditToCsv`), from `since` (or the
 * beginning) to just before `until`. `until` is fixed when the file is offered, so the file made on
 * Accept holds the same lines as the one whose size the card showed.
 */
export async function auditReportCsv(
  store: Pick<LedgerStore, 'queryLedger'>,
  tenantId: string,
  since: string | null,
  until: string,
): Promise<{ csv: string; rows: number }> {
  const entries = await store.queryLedger({ tenantId, since: since ?? undefined, limit: Infinity });
  const kept = entries.filter((e) => e.at < until);
  return { csv: auditToCsv(kept), rows: kept.length };
}

/** The bytes of a CSV file as uploaded (UTF-8) and their SHA-256, to tell whether a regenerated file is the one offered. */
export function csvBytes(csv: string): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(csv, 'utf8');
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
