import type { AuthorStatus } from '../../domain/import/authors';
import type { SourceChannel, SourceKind } from '../../domain/import/source-model';
import type { TeamsIdentity } from '../../domain/import/teams-message';
import type { Channel } from '../../graph/teams-directory';

/** What one target channel will receive. */
export interface TargetPlan {
  source: SourceChannel;
  target: Channel;
  how: 'explicit' | 'same name';
  /** `start`: the engine starts migration with `migrationDate`; `continue`: already in migration, its date kept. */
  action: 'start' | 'continue';
  /** The thread's migration date after the start, or the one it has. */
  migrationDate: string | null;
  /** Something the admin should know (e.g. in migration mode, but not started by this bot). */
  warning: string | null;
  /** Rows of the job for this target (every source message, placeholders included). */
  planned: number;
  roots: number;
  replies: number;
  /** Placeholder roots for replies whose root is gone. */
  placeholders: number;
  reactions: number;
  /** Imported as the fallback user. */
  fallbackAuthored: number;
  /** Not imported, by reason. */
  skipped: Record<string, number>;
  firstMessageAt: string | null;
  lastMessageAt: string | null;
}

export interface AuthorPlan {
  sourceUserId: string;
  name: string;
  email: string | null;
  status: AuthorStatus;
  teams: TeamsIdentity | null;
  /** Messages they author in the imported channels. */
  messages: number;
}

/** Everything `plan` shows and `run` acts on; no Graph write has happened when it exists. */
export interface ImportPlan {
  source: { kind: SourceKind; fileName: string; sha256: string; bytes: number };
  team: { id: string; displayName: string };
  targets: TargetPlan[];
  /** Source channels not imported, and why; `sourceId` when a mapping could still import it (not for direct messages). */
  skippedChannels: { name: string; sourceId: string | null; reason: string }[];
  /** The team's channels (what a source channel can be mapped to). */
  teamChannels: { id: string; displayName: string }[];
  authors: AuthorPlan[];
  fallback: TeamsIdentity | null;
  /** What stops a run (each names what to do); empty when the plan can run. */
  problems: string[];
  /** Messages that will be sent (roots, replies, placeholders). */
  sends: number;
  /** Seconds the import takes at the paced rate. */
  estimateSeconds: number;
}

/** A duration as an admin reads it: seconds, minutes or hours. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Sum of a plan's sends; the rate-bound duration given per-thread and tenant rates. */
export function estimateSeconds(sendsPerTarget: readonly number[], threadRps: number, tenantRps: number): number {
  const total = sendsPerTarget.reduce((a, b) => a + b, 0);
  const slowestThread = Math.max(0, ...sendsPerTarget) / threadRps;
  return Math.ceil(Math.max(slowestThread, total / tenantRps));
}
