/**
 * The start pre-flight: why a thread cannot be put into migration mode now, decided before
 * anything is written. One rule for the single start (asking and again on Confirm), the form and
 * bulk plans; each says which check fired so callers word or place it without guessing.
 */
import { formatBoth } from './parse/dates';
import { minutesUntil, type RestartCooldown } from './restart-cooldown';

/** What the pre-flight needs to know about the thread and the request. */
export interface StartFacts {
  /** The thread as read from Graph (listed or live). */
  // Graph may add modes: anything but the two known ones is read as "not in migration".
  thread: { migrationMode?: string | null; createdDateTime?: string | null };
  /** The chat's type when the thread is a chat (meeting chats cannot be migrated); omitted for channels. */
  chatType?: string | null;
  /** The requested creation date (ISO 8601), or null to keep the current one. */
  since: string | null;
  /** The restart cool-down in force after this bot's own completion, or null (see `restartCooldown`). */
  recentCompletion?: RestartCooldown | null;
}

/** The check that refused a start, with the facts its message needs. */
export type StartProblem =
  | { rule: 'meeting-chat' }
  | { rule: 'already-in-migration'; createdDateTime: string | null }
  | { rule: 'date-not-earlier'; since: string; createdDateTime: string }
  | { rule: 'recently-completed'; wait: RestartCooldown };

/**
 * The first rule a start breaks, in this order: a meeting chat (Graph has no migration mode for
 * them), already in migration mode, a date not earlier than the current creation date (it can only
 * move back, spec §2), completed by this bot too recently (spec §4). Null when it may start.
 */
export function startProblem(facts: StartFacts): StartProblem | null {
  const { thread, since } = facts;
  if (facts.chatType === 'meeting') return { rule: 'meeting-chat' };
  if (thread.migrationMode === 'inProgress') return { rule: 'already-in-migration', createdDateTime: thread.createdDateTime ?? null };
  if (since && thread.createdDateTime && Date.parse(since) >= Date.parse(thread.createdDateTime)) {
    return { rule: 'date-not-earlier', since, createdDateTime: thread.createdDateTime };
  }
  if (facts.recentCompletion) return { rule: 'recently-completed', wait: facts.recentCompletion };
  return null;
}

/**
 * The refusal an admin reads when asking to start `targetName`: what is wrong and what to do.
 * `nowMs` only words how long a cool-down has left.
 */
export function startProblemMessage(problem: StartProblem, targetName: string, timeZone: string | null, nowMs: number): string {
  switch (problem.rule) {
    case 'meeting-chat':
      return `"${targetName}" is a meeting chat. Graph does not support migration mode for meeting chats.`;
    case 'already-in-migration':
      return `"${targetName}" is already in migration mode (creation date ${formatBoth(problem.createdDateTime, timeZone)}). Complete that migration first, or import with the app that started it.`;
    case 'date-not-earlier':
      return `The date ${formatBoth(problem.since, timeZone)} is not earlier than "${targetName}"'s current creation date, ${formatBoth(problem.createdDateTime, timeZone)}. Choose an earlier date: the creation date can only move back in time.`;
    case 'recently-completed': {
      const { wait } = problem;
      // The cool-down is whole minutes (config), so the span between completion and retry is exact.
      const cooldownMinutes = Math.round((Date.parse(wait.retryAt) - Date.parse(wait.completedAt)) / 60_000);
      return `"${targetName}" was completed by this bot ${formatBoth(wait.completedAt, timeZone)}. A thread completed and started again straight away can get stuck in migration mode with no way to reset it, so a new start waits ${cooldownMinutes} minutes after a completion. Try again after ${formatBoth(wait.retryAt, timeZone)} (in about ${minutesUntil(wait.retryAt, nowMs)} minutes). Nothing was changed.`;
    }
  }
}
