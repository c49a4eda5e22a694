/**
 * Whether a migration write is visible on the thread: the one rule used to settle a lost or
 * ambiguous answer, by the start and complete flows, bulk jobs and interrupted confirmations.
 */
import type { ThreadSnapshot } from './targets';

/**
 * True when the thread shows the start that was asked for: in migration mode and, when a date was
 * given, with exactly that creation date (another date means someone else's start).
 */
export function startTookEffect(now: ThreadSnapshot, since: string | null): boolean {
  if (now.migrationMode !== 'inProgress') return false;
  return !since || (now.createdDateTime !== null && Date.parse(now.createdDateTime) === Date.parse(since));
}

/** True when the thread shows the migration completed. */
export function completeTookEffect(now: ThreadSnapshot): boolean {
  return now.migrationMode === 'completed';
}
