import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  assertBulkJobShape,
  assertImportJobShape,
  assertImportSeq,
  countsDelta,
  DEFAULT_IMPORT_JOB_LIMIT,
  DEFAULT_IMPORT_MESSAGE_LIMIT,
  epochMs,
  IMPORT_COUNTERS,
  ledgerLimit,
  rowLimit,
  StoreClosedError,
  UnknownRecordError,
} from './record-rules';
import { migrateSchema } from './sqlite-schema';
import {
  IMPORT_COUNTER_COLUMNS,
  IMPORT_JOB_PATCH_FIELDS,
  IMPORT_MESSAGE_PATCH_FIELDS,
  IMPORT_TARGET_PATCH_FIELDS,
  importJobRows,
  importMessageRows,
  importTargetRows,
  ITEM_PATCH_FIELDS,
  itemRows,
  JOB_PATCH_FIELDS,
  jobRows,
  ledgerRows,
  pendingRows,
  referenceRows,
} from './sqlite-records';
import { WalFlusher } from './wal-flusher';
import type { BulkItem, BulkItemState, BulkJob, BulkJobLease, BulkJobState } from './ports/bulk-jobs';
import type { StoredConversationReference } from './ports/conversation-references';
import type {
  ImportCounts,
  ImportJob,
  ImportJobPatch,
  ImportJobState,
  ImportMessagePatch,
  ImportMessageRecord,
  ImportMessageState,
  ImportTarget,
  ImportTargetPatch,
} from './ports/import-jobs';
import type { LedgerEntry, LedgerQuery } from './ports/ledger';
import type { PendingOperation } from './ports/pending-operations';
import type { Store } from './ports/store';

/** Options for `SqliteStore.open`. */
export interface SqliteStoreOptions {
  /** Clock for `updatedAt` stamps; tests pin it. */
  now?: () => Date;
}

/** Name of the ledger file inside `DATA_DIR`. */
export const LEDGER_FILE_NAME = 'ledger.sqlite';

type Row = Record<string, unknown>;

/** Statement parameters of one audit row: the entry's columns and the instant it is ordered by. */
const ledgerParams = (entry: LedgerEntry): Row => ledgerRows.insertParams(entry, { at_ms: epochMs(entry.at, 'audit entry time') });

/**
 * The embedded ledger: one SQLite file, `<dataDir>/ledger.sqlite`, for a bot that runs as a single
 * instance. WAL with `synchronous=NORMAL`: every commit survives a crash or `kill -9` of the bot the
 * moment it returns. Reaching the disk (surviving power loss) is a group commit by `WalFlusher`,
 * which syncs off the event loop: bulk intents and outcomes wait for it (`durably`) before the
 * Graph call they guard; audit entries reach the disk in the background within ~20 ms; pending
 * confirmations and references ride along with the next sync (a lost claim is settled by reading
 * the thread). better-sqlite3 is synchronous, so each statement runs to completion inside one
 * event-loop turn: a single call can never interleave with another, which is what makes
 * `claimPending`, `cancelPending`, `transitionBulkItem` and the job lease calls atomic: each is
 * one guarded UPDATE whose row count says whether it won (decided before any wait for the disk),
 * which also holds against a second process on the same file, because SQLite serialises writers.
 * Import message rows are written together with their target's counters in one transaction, and
 * wait for the disk like bulk intents do.
 */
export class SqliteStore implements Store {
  private readonly now: () => Date;
  private readonly s: ReturnType<typeof prepareStatements>;
  /** Queries built from filters (ledger, import jobs) by their SQL: a handful of shapes, each prepared once. */
  private readonly shapes = new Map<string, Database.Statement>();
  private readonly bulkLeases: JobLeases;
  private readonly importLeases: JobLeases;
  /** The import message writes, each one transaction (row and counters), compiled once. */
  private readonly importWrites: ReturnType<typeof importMessageWrites>;

  private constructor(
    private readonly db: Database.Database,
    private readonly wal: WalFlusher,
    options: SqliteStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.s = prepareStatements(db);
    this.bulkLeases = new JobLeases(db, 'bulk_jobs');
    this.importLeases = new JobLeases(db, 'import_jobs');
    this.importWrites = importMessageWrites(db, this.s);
  }

  /** The prepared statement for `sql`, compiled on first use and kept. */
  private shape(sql: string): Database.Statement {
    let statement = this.shapes.get(sql);
    if (!statement) {
      statement = this.live.prepare(sql);
      this.shapes.set(sql, statement);
    }
    return statement;
  }

  /**
   * Opens (creating when missing) `<dataDir>/ledger.sqlite`, sets WAL with normal synchronous mode,
   * and brings the schema to the current version. Throws when the file belongs to a newer release.
   */
  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LEDGER_FILE_NAME);
    const db = new Database(file);
    try {
      // Another process (a second bot started by mistake, the audit export) may hold the write lock briefly.
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrateSchema(db);
      return new SqliteStore(db, new WalFlusher(`${file}-wal`), options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Runs a write now and resolves once its commit has reached the disk (not just the OS). */
  private async durably<T>(write: () => T): Promise<T> {
    this.assertSyncing();
    const result = write();
    await this.wal.flush();
    return result;
  }

  /** The open connection; throws `StoreClosedError` after `close()` instead of better-sqlite3's TypeError. */
  private get live(): Database.Database {
    if (!this.db.open) throw new StoreClosedError();
    return this.db;
  }

  private assertOpen(): void {
    if (!this.db.open) throw new StoreClosedError();
  }

  /** Ledger lines are not written once a sync has failed: the bot says so instead of pretending. */
  private assertSyncing(): void {
    this.assertOpen();
    if (this.wal.failed) throw this.wal.failed;
  }

  /**
   * Commits at once (the entry survives a crash of the bot) and reaches the disk in the background
   * within ~20 ms (`WalFlusher.soon`): an audit line is written after the action it records, so
   * waiting for the disk would only delay the admin's answer; a power loss inside that window can
   * lose the line, while the result card the admin sees in Teams carries the same facts.
   */
  async appendLedger(entry: LedgerEntry): Promise<void> {
    this.assertSyncing();
    this.s.insertAudit.run(ledgerParams(entry));
    this.wal.soon();
  }

  async queryLedger(query: LedgerQuery): Promise<LedgerEntry[]> {
    this.assertOpen();
    const limit = ledgerLimit(query);
    if (limit === 0) return [];
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit === Number.POSITIVE_INFINITY ? -1 : limit };
    const filter = (condition: string, name: string, value: unknown): void => {
      where.push(condition);
      params[name] = value;
    };
    if (query.targetKey !== undefined) filter(`${ledgerRows.columnOf('targetKey')} = @targetKey`, 'targetKey', query.targetKey);
    if (query.actorAadObjectId !== undefined) filter('actor_aad_object_id = @actor', 'actor', query.actorAadObjectId);
    if (query.tenantId !== undefined) filter(`${ledgerRows.columnOf('tenantId')} = @tenantId`, 'tenantId', query.tenantId);
    if (query.action !== undefined) filter(`${ledgerRows.columnOf('action')} = @action`, 'action', query.action);
    if (query.since !== undefined) filter('at_ms >= @since', 'since', epochMs(query.since, 'audit query since'));
    const sql = `SELECT * FROM ${ledgerRows.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at_ms DESC, seq DESC LIMIT @limit`;
    return (this.shape(sql).all(params) as Row[]).map((r) => ledgerRows.fromRow(r));
  }

  async createPending(op: PendingOperation): Promise<void> {
    this.assertOpen();
    this.s.insertPending.run(pendingRows.insertParams(op));
  }

  async getPending(id: string): Promise<PendingOperation | null> {
    this.assertOpen();
    const row = this.s.getPending.get(id) as Row | undefined;
    return row ? pendingRows.fromRow(row) : null;
  }

  async claimPending(id: string): Promise<boolean> {
    this.assertOpen();
    return this.s.claimPending.run({ id, claimed_at: this.now().toISOString() }).changes === 1;
  }

  /** A scan, not an index: it runs when a bot starts (twice), and an index would cost every Confirm a write. */
  async listInterruptedPending(claimedBefore: string): Promise<PendingOperation[]> {
    const before = epochMs(claimedBefore, 'claimed before');
    this.assertOpen();
    return (this.s.listRunningPending.all() as Row[]).map((r) => pendingRows.fromRow(r)).filter((op) => Date.parse(op.claimedAt ?? op.expiresAt) < before);
  }

  async prunePending(expiredBefore: string): Promise<number> {
    const before = new Date(epochMs(expiredBefore, 'expired before')).toISOString();
    this.assertOpen();
    return this.s.prunePending.run(before).changes;
  }

  async settleInterruptedPending(id: string, claimedAt: string | null, result: Record<string, unknown>, ledgerEntry: LedgerEntry): Promise<boolean> {
    const db = this.live;
    const settled = db.transaction(() => {
      const moved = this.s.settlePending.run({ id, result: pendingRows.toColumn('result', result), claimed_at: claimedAt }).changes === 1;
      if (moved) this.s.insertAudit.run(ledgerParams(ledgerEntry));
      return moved;
    })();
    if (settled) await this.wal.flush();
    return settled;
  }

  async finishPending(id: string, state: 'done' | 'cancelled', result: Record<string, unknown> | null, ledgerEntry?: LedgerEntry): Promise<void> {
    const db = this.live;
    if (ledgerEntry) this.assertSyncing();
    // One transaction, one commit: the operation is finished and its ledger line written together.
    db.transaction(() => {
      if (ledgerEntry) this.s.insertAudit.run(ledgerParams(ledgerEntry));
      if (this.s.finishPending.run({ id, state, result: pendingRows.toColumn('result', result) }).changes !== 1) {
        throw new UnknownRecordError(`pending operation ${id}`);
      }
    })();
    if (ledgerEntry) this.wal.soon();
  }

  async cancelPending(id: string): Promise<boolean> {
    this.assertOpen();
    return this.s.movePending.run({ id, from: 'pending', to: 'cancelled' }).changes === 1;
  }

  async setPendingActivity(id: string, activityId: string): Promise<void> {
    this.assertOpen();
    if (this.s.setPendingActivity.run({ id, activity_id: activityId }).changes !== 1) {
      throw new UnknownRecordError(`pending operation ${id}`);
    }
  }

  async createBulkJob(job: BulkJob, items: BulkItem[], lease?: BulkJobLease): Promise<void> {
    const db = this.live;
    assertBulkJobShape(job, items);
    const leaseUntilMs = lease ? epochMs(lease.leaseUntil, 'lease end') : null;
    // One transaction: a resumed bot either sees the whole job with every item, or no job at all.
    await this.durably(() =>
      db
        .transaction(() => {
          this.s.insertJob.run(jobRows.insertParams(job, { lease_owner: lease?.ownerId ?? null, lease_until_ms: leaseUntilMs }));
          for (const item of items) this.s.insertItem.run(itemRows.insertParams(item));
        })
        .immediate(),
    );
  }

  async getBulkJob(id: string): Promise<BulkJob | null> {
    this.assertOpen();
    const row = this.s.getJob.get(id) as Row | undefined;
    return row ? jobRows.fromRow(row) : null;
  }

  async listBulkJobs(state: BulkJobState): Promise<BulkJob[]> {
    this.assertOpen();
    return (this.s.listJobs.all(state) as Row[]).map((r) => jobRows.fromRow(r));
  }

  async updateBulkJob(id: string, patch: Partial<Pick<BulkJob, 'state' | 'progressActivityId'>>): Promise<void> {
    this.assertOpen();
    const params = { id, updated_at: this.now().toISOString(), ...jobRows.patchParams(patch, JOB_PATCH_FIELDS) };
    if (this.s.updateJob.run(params).changes !== 1) throw new UnknownRecordError(`bulk job ${id}`);
  }

  async listBulkItems(jobId: string): Promise<BulkItem[]> {
    this.assertOpen();
    return (this.s.listItems.all(jobId) as Row[]).map((r) => itemRows.fromRow(r));
  }

  async updateBulkItem(jobId: string, itemKey: string, patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>): Promise<void> {
    this.assertOpen();
    const params = {
      job_id: jobId,
      item_key: itemKey,
      updated_at: this.now().toISOString(),
      ...itemRows.patchParams(patch, ITEM_PATCH_FIELDS),
    };
    // An intent must be on disk before the Graph call it announces.
    if ((await this.durably(() => this.s.updateItem.run(params))).changes !== 1) throw new UnknownRecordError(`bulk item ${itemKey} of job ${jobId}`);
  }

  async transitionBulkItem(
    jobId: string,
    itemKey: string,
    from: BulkItemState,
    patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>,
  ): Promise<boolean> {
    this.assertOpen();
    const params = {
      job_id: jobId,
      item_key: itemKey,
      from,
      updated_at: this.now().toISOString(),
      ...itemRows.patchParams(patch, ITEM_PATCH_FIELDS),
    };
    // The state guard in the WHERE clause and the single-statement write make this a compare-and-set,
    // also against another process on the same file (SQLite serialises writers).
    if ((await this.durably(() => this.s.transitionItem.run(params))).changes === 1) return true;
    if (!this.s.itemExists.get(jobId, itemKey)) throw new UnknownRecordError(`bulk item ${itemKey} of job ${jobId}`);
    return false;
  }

  async acquireBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    this.assertOpen();
    return this.bulkLeases.acquire(jobId, ownerId, leaseUntil, this.now());
  }

  async renewBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    this.assertOpen();
    return this.bulkLeases.renew(jobId, ownerId, leaseUntil);
  }

  async releaseBulkJobLease(jobId: string, ownerId: string): Promise<void> {
    this.assertOpen();
    this.bulkLeases.release(jobId, ownerId);
  }

  async createImportJob(job: ImportJob, targets: ImportTarget[], lease?: BulkJobLease): Promise<void> {
    const db = this.live;
    assertImportJobShape(job, targets);
    const extra = {
      created_at_ms: epochMs(job.createdAt, 'import job creation time'),
      lease_owner: lease?.ownerId ?? null,
      lease_until_ms: lease ? epochMs(lease.leaseUntil, 'lease end') : null,
    };
    // One transaction: a resumed run sees the whole job with every target, or no job at all.
    await this.durably(() =>
      db
        .transaction(() => {
          this.s.insertImportJob.run(importJobRows.insertParams(job, extra));
          for (const target of targets) this.s.insertImportTarget.run(importTargetRows.insertParams(target));
        })
        .immediate(),
    );
  }

  async getImportJob(id: string): Promise<ImportJob | null> {
    this.assertOpen();
    const row = this.s.getImportJob.get(id) as Row | undefined;
    return row ? importJobRows.fromRow(row) : null;
  }

  async findImportJobsByKey(jobKey: string): Promise<ImportJob[]> {
    this.assertOpen();
    return (this.s.findImportJobsByKey.all(jobKey) as Row[]).map((r) => importJobRows.fromRow(r));
  }

  async listImportJobs(filter: { state?: ImportJobState; tenantId?: string; limit?: number } = {}): Promise<ImportJob[]> {
    this.assertOpen();
    const limit = rowLimit(filter.limit, DEFAULT_IMPORT_JOB_LIMIT, 'import job list limit');
    if (limit === 0) return [];
    const where: string[] = [];
    const params: Row = { limit: limit === Number.POSITIVE_INFINITY ? -1 : limit };
    if (filter.state !== undefined) {
      where.push(`${importJobRows.columnOf('state')} = @state`);
      params.state = filter.state;
    }
    if (filter.tenantId !== undefined) {
      where.push(`${importJobRows.columnOf('tenantId')} = @tenantId`);
      params.tenantId = filter.tenantId;
    }
    const sql = `SELECT * FROM ${importJobRows.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms DESC, id DESC LIMIT @limit`;
    return (this.shape(sql).all(params) as Row[]).map((r) => importJobRows.fromRow(r));
  }

  async updateImportJob(id: string, patch: ImportJobPatch, options: { onlyIn?: readonly ImportJobState[] } = {}): Promise<boolean> {
    this.assertSyncing();
    const params = {
      id,
      updated_at: this.now().toISOString(),
      only_in: options.onlyIn ? `|${options.onlyIn.join('|')}|` : null,
      ...importJobRows.patchParams(patch, IMPORT_JOB_PATCH_FIELDS),
    };
    if (this.s.updateImportJob.run(params).changes !== 1) {
      if (!this.s.getImportJob.get(id)) throw new UnknownRecordError(`import job ${id}`);
      return false;
    }
    // A lost pause or progress card id after a power cut costs a resumed run at most; no need to wait.
    this.wal.soon();
    return true;
  }

  async listImportTargets(jobId: string): Promise<ImportTarget[]> {
    this.assertOpen();
    return (this.s.listImportTargets.all(jobId) as Row[]).map((r) => importTargetRows.fromRow(r));
  }

  /**
   * Durable, although the port does not ask it: a target's state is what a resumed run decides its
   * migration calls from (was the thread started by this job, is it completed), and it changes a
   * handful of times per target, so waiting for the disk costs nothing that matters.
   */
  async updateImportTarget(jobId: string, targetKey: string, patch: ImportTargetPatch): Promise<void> {
    this.assertOpen();
    const params = {
      job_id: jobId,
      target_key: targetKey,
      updated_at: this.now().toISOString(),
      ...importTargetRows.patchParams(patch, IMPORT_TARGET_PATCH_FIELDS),
    };
    if ((await this.durably(() => this.s.updateImportTarget.run(params))).changes !== 1) {
      throw new UnknownRecordError(`import target ${targetKey} of job ${jobId}`);
    }
  }

  /**
   * One transaction: the row is inserted unless its seq exists (`ON CONFLICT … DO NOTHING`, so the
   * row count says which), and only then are the counters added. Waits for the disk even when it
   * returns false, so the row it found is durable too before the caller acts on it.
   */
  async insertImportMessage(record: ImportMessageRecord, counts?: Partial<ImportCounts>): Promise<boolean> {
    this.assertOpen();
    assertImportSeq(record.seq, 'import message seq');
    const delta = countsDelta(counts);
    return this.durably(() => this.importWrites.insert(record, delta, this.now().toISOString()));
  }

  async settleImportMessage(jobId: string, targetKey: string, seq: number, patch: ImportMessagePatch, counts?: Partial<ImportCounts>): Promise<void> {
    this.assertOpen();
    const delta = countsDelta(counts);
    const at = this.now().toISOString();
    await this.durably(() => this.importWrites.settle({ jobId, targetKey, seq }, patch, delta, at));
  }

  async lastImportMessage(jobId: string, targetKey: string): Promise<ImportMessageRecord | null> {
    this.assertOpen();
    const row = this.s.lastImportMessage.get(jobId, targetKey) as Row | undefined;
    return row ? importMessageRows.fromRow(row) : null;
  }

  async findImportMessage(jobId: string, targetKey: string, sourceId: string): Promise<ImportMessageRecord | null> {
    this.assertOpen();
    const row = this.s.findImportMessage.get(jobId, targetKey, sourceId) as Row | undefined;
    return row ? importMessageRows.fromRow(row) : null;
  }

  /**
   * Without states, one range of the primary key from `afterSeq`. With states, one range of the
   * (job, target, state, seq) index per state, merged by seq: listing the few skipped or failed
   * rows of a target with 200 000 never reads the imported ones.
   */
  async listImportMessages(
    jobId: string,
    targetKey: string,
    query: { states?: ImportMessageState[]; afterSeq?: number; limit?: number } = {},
  ): Promise<ImportMessageRecord[]> {
    this.assertOpen();
    const limit = rowLimit(query.limit, DEFAULT_IMPORT_MESSAGE_LIMIT, 'import message list limit');
    const afterSeq = query.afterSeq ?? -1;
    if (Number.isNaN(afterSeq)) throw new Error('import message list afterSeq must be a number');
    if (limit === 0) return [];
    const params = { job_id: jobId, target_key: targetKey, after: afterSeq, limit: limit === Number.POSITIVE_INFINITY ? -1 : limit };
    if (query.states === undefined) return (this.s.listImportMessages.all(params) as Row[]).map((r) => importMessageRows.fromRow(r));
    const rows = [...new Set(query.states)].flatMap((state) => this.s.listImportMessagesInState.all({ ...params, state }) as Row[]);
    return rows
      .map((r) => importMessageRows.fromRow(r))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  async acquireImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    this.assertOpen();
    return this.importLeases.acquire(jobId, ownerId, leaseUntil, this.now());
  }

  async renewImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    this.assertOpen();
    return this.importLeases.renew(jobId, ownerId, leaseUntil);
  }

  async releaseImportJobLease(jobId: string, ownerId: string): Promise<void> {
    this.assertOpen();
    this.importLeases.release(jobId, ownerId);
  }

  async saveConversationReference(ref: StoredConversationReference): Promise<void> {
    this.assertOpen();
    this.s.upsertReference.run(referenceRows.insertParams(ref));
  }

  async getConversationReference(aadObjectId: string): Promise<StoredConversationReference | null> {
    this.assertOpen();
    const row = this.s.getReference.get(aadObjectId) as Row | undefined;
    return row ? referenceRows.fromRow(row) : null;
  }

  async getReminderSentAt(targetKey: string): Promise<string | null> {
    this.assertOpen();
    const r = this.s.getReminder.get(targetKey) as Row | undefined;
    return r ? (r.sent_at as string) : null;
  }

  async swapReminderSentAt(targetKey: string, expected: string | null, next: string | null): Promise<boolean> {
    this.assertOpen();
    const p = { target_key: targetKey, expected, next };
    if (expected === null) return next === null ? !this.s.getReminder.get(targetKey) : this.s.insertReminder.run(p).changes === 1;
    return (next === null ? this.s.deleteReminder.run(p) : this.s.swapReminder.run(p)).changes === 1;
  }

  /** Closes the file; SQLite checkpoints the WAL into the main file on the last close. Idempotent. */
  async close(): Promise<void> {
    try {
      await this.wal.close();
    } finally {
      if (this.db.open) this.db.close();
    }
  }
}

/** An item's patch write, shared by the plain update and the compare-and-set; each adds its WHERE. */
const UPDATE_ITEM = `
      UPDATE bulk_items SET
        ${itemRows.patchSetSql(ITEM_PATCH_FIELDS)},
        updated_at = @updated_at`;

/** Every statement the store runs more than once, compiled once at open. */
function prepareStatements(db: Database.Database) {
  return {
    insertAudit: db.prepare(ledgerRows.insertSql()),
    insertPending: db.prepare(pendingRows.insertSql()),
    getPending: db.prepare('SELECT * FROM pending_operations WHERE id = ?'),
    movePending: db.prepare('UPDATE pending_operations SET state = @to WHERE id = @id AND state = @from'),
    claimPending: db.prepare("UPDATE pending_operations SET state = 'running', claimed_at = @claimed_at WHERE id = @id AND state = 'pending'"),
    listRunningPending: db.prepare("SELECT * FROM pending_operations WHERE state = 'running'"),
    settlePending: db.prepare(
      "UPDATE pending_operations SET state = 'done', result = @result WHERE id = @id AND state = 'running' AND claimed_at IS @claimed_at",
    ),
    prunePending: db.prepare("DELETE FROM pending_operations WHERE state <> 'running' AND expires_at < ?"),
    finishPending: db.prepare('UPDATE pending_operations SET state = @state, result = @result WHERE id = @id'),
    setPendingActivity: db.prepare('UPDATE pending_operations SET activity_id = @activity_id WHERE id = @id'),
    insertJob: db.prepare(jobRows.insertSql()),
    insertItem: db.prepare(itemRows.insertSql()),
    getJob: db.prepare('SELECT * FROM bulk_jobs WHERE id = ?'),
    listJobs: db.prepare('SELECT * FROM bulk_jobs WHERE state = ? ORDER BY created_at, id'),
    updateJob: db.prepare(`
      UPDATE bulk_jobs SET
        ${jobRows.patchSetSql(JOB_PATCH_FIELDS)},
        updated_at = @updated_at
      WHERE id = @id`),
    listItems: db.prepare('SELECT * FROM bulk_items WHERE job_id = ? ORDER BY seq, item_key'),
    updateItem: db.prepare(`${UPDATE_ITEM} WHERE job_id = @job_id AND item_key = @item_key`),
    // The same write, only while the item is still in state `from`: the compare-and-set.
    transitionItem: db.prepare(`${UPDATE_ITEM} WHERE job_id = @job_id AND item_key = @item_key AND state = @from`),
    itemExists: db.prepare('SELECT 1 FROM bulk_items WHERE job_id = ? AND item_key = ?'),
    insertImportJob: db.prepare(importJobRows.insertSql()),
    insertImportTarget: db.prepare(importTargetRows.insertSql()),
    getImportJob: db.prepare('SELECT * FROM import_jobs WHERE id = ?'),
    findImportJobsByKey: db.prepare('SELECT * FROM import_jobs WHERE job_key = ? ORDER BY created_at_ms DESC, id DESC'),
    updateImportJob: db.prepare(`
      UPDATE import_jobs SET
        ${importJobRows.patchSetSql(IMPORT_JOB_PATCH_FIELDS)},
        updated_at = @updated_at
      WHERE id = @id AND (@only_in IS NULL OR instr(@only_in, '|' || state || '|') > 0)`),
    listImportTargets: db.prepare('SELECT * FROM import_targets WHERE job_id = ? ORDER BY seq, target_key'),
    updateImportTarget: db.prepare(`
      UPDATE import_targets SET
        ${importTargetRows.patchSetSql(IMPORT_TARGET_PATCH_FIELDS)},
        updated_at = @updated_at
      WHERE job_id = @job_id AND target_key = @target_key`),
    importTargetExists: db.prepare('SELECT 1 FROM import_targets WHERE job_id = ? AND target_key = ?'),
    // Counters move by what the caller adds, inside the statement: no read-modify-write in JavaScript.
    addImportCounts: db.prepare(`
      UPDATE import_targets SET
        ${IMPORT_COUNTERS.map((c) => `${IMPORT_COUNTER_COLUMNS[c]} = ${IMPORT_COUNTER_COLUMNS[c]} + @${c}`).join(',\n        ')},
        updated_at = @updated_at
      WHERE job_id = @job_id AND target_key = @target_key`),
    // Only a clash of seq means "already recorded"; a clash of source id is an error (see insertImportMessage).
    insertImportMessage: db.prepare(importMessageRows.insertSql('ON CONFLICT (job_id, target_key, seq) DO NOTHING')),
    settleImportMessage: db.prepare(`
      UPDATE import_messages SET
        ${importMessageRows.patchSetSql(IMPORT_MESSAGE_PATCH_FIELDS)},
        updated_at = @updated_at
      WHERE job_id = @job_id AND target_key = @target_key AND seq = @seq`),
    lastImportMessage: db.prepare('SELECT * FROM import_messages WHERE job_id = ? AND target_key = ? ORDER BY seq DESC LIMIT 1'),
    findImportMessage: db.prepare('SELECT * FROM import_messages WHERE job_id = ? AND target_key = ? AND source_id = ?'),
    listImportMessages: db.prepare(
      'SELECT * FROM import_messages WHERE job_id = @job_id AND target_key = @target_key AND seq > @after ORDER BY seq LIMIT @limit',
    ),
    // Pinned to the state index: without statistics SQLite prefers the primary key (it also yields seq
    // order), which walks every row after `afterSeq` to find a few skipped ones.
    listImportMessagesInState: db.prepare(`
      SELECT * FROM import_messages INDEXED BY import_messages_by_state
      WHERE job_id = @job_id AND target_key = @target_key AND state = @state AND seq > @after ORDER BY seq LIMIT @limit`),
    // One row per admin: a newer reference replaces the older one.
    upsertReference: db.prepare(
      referenceRows.insertSql(
        'ON CONFLICT (aad_object_id) DO UPDATE SET tenant_id = excluded.tenant_id, reference = excluded.reference, updated_at = excluded.updated_at',
      ),
    ),
    getReference: db.prepare('SELECT * FROM conversation_references WHERE aad_object_id = ?'),
    getReminder: db.prepare('SELECT sent_at FROM reminders WHERE target_key = ?'),
    insertReminder: db.prepare('INSERT INTO reminders (target_key, sent_at) VALUES (@target_key, @next) ON CONFLICT (target_key) DO NOTHING'),
    swapReminder: db.prepare('UPDATE reminders SET sent_at = @next WHERE target_key = @target_key AND sent_at = @expected'),
    deleteReminder: db.prepare('DELETE FROM reminders WHERE target_key = @target_key AND sent_at = @expected'),
  };
}

/**
 * The lease statements of one job table. Bulk and import jobs follow the same rules (see
 * `BulkJobStore`), so both tables get the same three guarded UPDATEs, each a compare-and-set whose
 * row count says whether it won; the lease ends are epoch milliseconds compared with the store's clock.
 */
class JobLeases {
  private readonly acquireLease: Database.Statement;
  private readonly renewLease: Database.Statement;
  private readonly releaseLease: Database.Statement;

  constructor(db: Database.Database, table: 'bulk_jobs' | 'import_jobs') {
    // Free, expired (ended before now) or already ours, and only while the job still runs.
    this.acquireLease = db.prepare(`
      UPDATE ${table} SET lease_owner = @owner, lease_until_ms = @until
      WHERE id = @id AND state = 'running'
        AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until_ms IS NULL OR lease_until_ms < @now)`);
    this.renewLease = db.prepare(`UPDATE ${table} SET lease_until_ms = @until WHERE id = @id AND lease_owner = @owner`);
    this.releaseLease = db.prepare(`UPDATE ${table} SET lease_owner = NULL, lease_until_ms = NULL WHERE id = @id AND lease_owner = @owner`);
  }

  acquire(jobId: string, ownerId: string, leaseUntil: string, now: Date): boolean {
    const until = epochMs(leaseUntil, 'lease end');
    return this.acquireLease.run({ id: jobId, owner: ownerId, until, now: now.getTime() }).changes === 1;
  }

  renew(jobId: string, ownerId: string, leaseUntil: string): boolean {
    return this.renewLease.run({ id: jobId, owner: ownerId, until: epochMs(leaseUntil, 'lease end') }).changes === 1;
  }

  release(jobId: string, ownerId: string): void {
    this.releaseLease.run({ id: jobId, owner: ownerId });
  }
}

/** The message row a settle is aimed at. */
interface MessageRef {
  jobId: string;
  targetKey: string;
  seq: number;
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';

/**
 * The two import message writes, each one IMMEDIATE transaction over the row and its target's
 * counters (so a crash can never leave a row without its count, or a count without its row), built
 * once at open. IMMEDIATE takes the write lock at BEGIN: the existence check and the writes that
 * depend on it cannot be interleaved with another process's writes.
 */
function importMessageWrites(db: Database.Database, s: ReturnType<typeof prepareStatements>) {
  const counterParams = (jobId: string, targetKey: string, delta: ImportCounts, at: string): Row => ({
    job_id: jobId,
    target_key: targetKey,
    updated_at: at,
    ...delta,
  });
  const insert = db.transaction((record: ImportMessageRecord, delta: ImportCounts | null, at: string): boolean => {
    if (!s.importTargetExists.get(record.jobId, record.targetKey)) throw new UnknownRecordError(`import target ${record.targetKey} of job ${record.jobId}`);
    let inserted: boolean;
    try {
      inserted = s.insertImportMessage.run(importMessageRows.insertParams(record)).changes === 1;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new Error(`source message ${record.sourceId} of import target ${record.targetKey} is already recorded under another seq`, { cause: err });
    }
    if (inserted && delta) s.addImportCounts.run(counterParams(record.jobId, record.targetKey, delta, at));
    return inserted;
  });
  const settle = db.transaction((ref: MessageRef, patch: ImportMessagePatch, delta: ImportCounts | null, at: string): void => {
    const params = {
      job_id: ref.jobId,
      target_key: ref.targetKey,
      seq: ref.seq,
      updated_at: at,
      ...importMessageRows.patchParams(patch, IMPORT_MESSAGE_PATCH_FIELDS),
    };
    if (s.settleImportMessage.run(params).changes !== 1)
      throw new UnknownRecordError(`import message ${ref.seq} of target ${ref.targetKey} in job ${ref.jobId}`);
    if (delta) s.addImportCounts.run(counterParams(ref.jobId, ref.targetKey, delta, at));
  });
  return {
    insert: (record: ImportMessageRecord, delta: ImportCounts | null, at: string): boolean => insert.immediate(record, delta, at),
    settle: (ref: MessageRef, patch: ImportMessagePatch, delta: ImportCounts | null, at: string): void => settle.immediate(ref, patch, delta, at),
  };
}
