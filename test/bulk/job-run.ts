import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ActingContext } from '../../src/features/shared/acting';
import { BulkJobRun, type BulkJobDeps } from '../../src/features/bulk/bulk-job';
import { Pacer } from '../../src/features/shared/pacer';
import { WorkScheduler } from '../../src/features/shared/work-scheduler';
import type { MigrationApi } from '../../src/graph/migration-api';
import type { TeamsDirectory } from '../../src/graph/teams-directory';
import { createLogger, type Logger } from '../../src/log/logger';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { BulkItem, BulkJob } from '../../src/store/ports/bulk-jobs';
import type { Store } from '../../src/store/ports/store';
import type { TargetRef } from '../../src/domain/targets';
import { megan, TENANT_A } from '../store/fixtures';

export const megansTurn: ActingContext = { ...megan, tenantId: TENANT_A, conversationId: '19:eng-general@thread.tacv2;messageid=1', timeZone: null };
const fast = { perSecond: 1000 };

const idOf = (target: TargetRef) => (target.kind === 'channel' ? target.channelId : target.chatId);

/**
 * A Graph for one job's channels, by hand: each `startMigration` is recorded (in the order of
 * reads and writes, `calls`) and takes effect; each channel read answers what the writes did.
 */
export function fakeGraph(since: string | null) {
  const started = new Set<string>();
  const calls: string[] = [];
  const migration = {
    async startMigration(target: TargetRef) {
      calls.push(`write ${idOf(target)}`);
      started.add(idOf(target));
      return { requestId: `req-${calls.length}` };
    },
  } as unknown as MigrationApi;
  const directory = {
    async getChannel(_teamId: string, channelId: string) {
      calls.push(`read ${channelId}`);
      const on = started.has(channelId);
      return {
        id: channelId,
        displayName: channelId,
        membershipType: 'standard',
        createdDateTime: on ? since : '2024-06-10T09:30:00Z',
        migrationMode: on ? 'inProgress' : null,
        originalCreatedDateTime: null,
      };
    },
  } as unknown as TeamsDirectory;
  return { calls, migration, directory, writes: () => calls.filter((c) => c.startsWith('write ')), started };
}

/** A temporary SQLite store, closed and deleted by `cleanup`. */
export function tempStores() {
  const dirs: string[] = [];
  const stores: Store[] = [];
  return {
    open(): Store {
      const dir = mkdtempSync(path.join(tmpdir(), 'tmb-job-'));
      dirs.push(dir);
      const store = SqliteStore.open(dir);
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logger that keeps every line (to count warnings), silent otherwise. */
export function keptLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** Runs one bulk job the way a bot instance does (its own pacer and scheduler); `done` resolves when it has finished. */
export function runJob(job: BulkJob, items: BulkItem[], deps: Pick<BulkJobDeps, 'store' | 'migration' | 'directory'> & Partial<BulkJobDeps>) {
  const pacer = new Pacer();
  const scheduler = new WorkScheduler(pacer, deps.logger ?? createLogger('silent'));
  const run = new BulkJobRun(job, items, megansTurn, new Map(), {
    logger: createLogger('silent'),
    pacer,
    budgets: { tenant: { key: 'tenant', ...fast }, team: { key: 'team', ...fast }, thread: (id) => ({ key: `thread:${id}`, ...fast }) },
    onChange: () => undefined,
    checkRequester: async () => ({ kind: 'admin' }),
    stillOwner: async () => true,
    ...deps,
  });
  scheduler.add(run);
  return { run, scheduler, done: run.finished.then(() => scheduler.stop()) };
}

/**
 * The store with its ledger and item writes failing while `failing` is true (a full disk, Table
 * storage unreachable): `appendLedger` and `updateBulkItem` throw; the rest works.
 */
export function storeWithFailingWrites(store: Store, message = 'SQLITE_FULL: database or disk is full') {
  const control = { failing: false, failed: 0 };
  const broken = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop === 'appendLedger' || prop === 'updateBulkItem') && typeof value === 'function') {
        return async (...args: unknown[]) => {
          if (control.failing) {
            control.failed++;
            throw new Error(message);
          }
          return value.apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: broken, control };
}
