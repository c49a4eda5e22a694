import type { LedgerEntry } from './ports/ledger';
import { targetDisplayName } from '../domain/targets';

const COLUMNS = [
  'at',
  'action',
  'outcome',
  'actorName',
  'actorAadObjectId',
  'tenantId',
  'conversationId',
  'targetKind',
  'targetKey',
  'targetName',
  'conversationCreationDateTime',
  'errorStatus',
  'errorCode',
  'errorMessage',
  'requestId',
  'createdBefore',
  'createdAfter',
  'migrationModeAfter',
  'jobId',
] as const;

/** Quotes a CSV field (RFC 4180) and defuses spreadsheet formulas in user-controlled text; every CSV the bot writes uses it. */
export function csvCell(value: unknown): string {
  let s =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value === null || value === undefined
          ? ''
          : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The audit ledger as CSV, one row per entry, oldest first. */
export function auditToCsv(entries: LedgerEntry[]): string {
  const rows = [COLUMNS.join(',')];
  for (const e of [...entries].sort((a, b) => a.at.localeCompare(b.at))) {
    const t = e.target;
    const name = t ? targetDisplayName(t) : '';
    rows.push(
      [
        e.at,
        e.action,
        e.outcome,
        e.actor.name,
        e.actor.aadObjectId,
        e.tenantId,
        e.conversationId,
        t?.kind,
        e.targetKey,
        name,
        e.parameters.conversationCreationDateTime,
        e.error?.status,
        e.error?.code,
        e.error?.message,
        e.requestId,
        e.before?.createdDateTime,
        e.after?.createdDateTime,
        e.after?.migrationMode,
        e.jobId,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
