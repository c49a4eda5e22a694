import { randomUUID } from 'node:crypto';
import { odata, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import {
  addCounts,
  assertBulkJobShape,
  assertImportJobShape,
  assertImportSeq,
  compareBulkItems,
  compareImportJobsNewestFirst,
  compareImportTargets,
  countsDelta,
  DEFAULT_IMPORT_JOB_LIMIT,
  DEFAULT_IMPORT_MESSAGE_LIMIT,
  epochMs,
  ledgerLimit,
  MAX_IMPORT_SEQ,
  rowLimit,
  StoreClosedError,
  UnknownRecordError,
} from './record-rules';
import { columns, invertedMonth, invertedTime, packJson, safeKey, unpackJson } from './table-entity';
import { dropLease, renewLease, takeLease, type StoredLease } from './table-leases';
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

/** Options for `TableStore.open`. */
export interface TableStoreOptions {
  /** Account or SAS connection string; `http` endpoints (Azurite) are allowed because they are named so. */
  connectionString: string;
  /** Prefix of the eight table names (letters and digits, starting with a letter). Default `migrationbot`. */
  tablePrefix?: string;
  /** Clock for `updatedAt` stamps; tests pin it. */
  now?: () => Date;
}

export const DEFAULT_TABLE_PREFIX = 'migrationbot';

/** Suffixes of the tables the store uses; the longest decides the prefix length limit (63 in all). */
const TABLES = {
  // Persisted table names: the ledger's table keeps its first name, `…Audit`.
  audit: 'Audit',
  pending: 'Pending',
  jobs: 'BulkJobs',
  items: 'BulkItems',
  refs: 'ConversationRefs',
  reminders: 'Reminders',
  importJobs: 'ImportJobs',
  // One partition per import target: the target (with its counters), its message rows and their source index.
  imports: 'ImportMessages',
} as const;
type TableName = keyof typeof TABLES;

/**
 * A bulk job as stored: the job plus its lease (who works on it, until when), kept in the same
 * entity so that taking the lease and checking the job still runs is one ETag-conditional write.
 */
type StoredJob = BulkJob & { lease?: StoredLease | null };

/** The job without its lease: what the Store interface hands out. */
function publicJob(stored: StoredJob): BulkJob {
  const { lease: _lease, ...job } = stored;
  return job;
}

/**
 * An import job as stored: with its lease (as bulk jobs keep theirs) and the keys of its targets in
 * `seq` order. The targets live in partitions of their own (see `importPartition`), so the job
 * entity is their directory: listing them is point reads, never a scan of their message rows.
 */
type StoredImportJob = ImportJob & { lease?: StoredLease | null; targetKeys: string[] };

function publicImportJob(stored: StoredImportJob): ImportJob {
  const { lease: _lease, targetKeys: _targetKeys, ...job } = stored;
  return job;
}

/**
 * An import target as stored: with `lastSeq`, the highest message seq recorded, written in the same
 * transaction as each message row. Table Storage reads rows in ascending key order only, so this
 * is what makes "where does a resumed run continue" two point reads instead of a scan.
 */
type StoredImportTarget = ImportTarget & { lastSeq: number | null };

function publicImportTarget(stored: StoredImportTarget): ImportTarget {
  const { lastSeq: _lastSeq, ...target } = stored;
  return target;
}

/** How the recovery pass settles an interrupted operation: what the card shows and its ledger line. */
interface InterruptedOutcome {
  result: Record<string, unknown>;
  ledgerEntry: LedgerEntry;
}

/**
 * A pending operation as stored: with `settling` while the recovery pass is settling it (the
 * marker that lets the next pass finish the same settlement after a crash half-way).
 */
type StoredPending = PendingOperation & { settling?: InterruptedOutcome };

/** The operation without the recovery marker: what the Store interface hands out. */
function publicPending(stored: StoredPending): PendingOperation {
  const { settling: _settling, ...op } = stored;
  return op;
}

/** The operation as handed out by reads: records written before claims were stamped have no claimedAt. */
function readPending(stored: StoredPending): PendingOperation {
  return { ...publicPending(stored), claimedAt: stored.claimedAt ?? null };
}

/** What a read-modify-write did: wrote, left the record alone, or found no record. */
type MutateOutcome = 'changed' | 'unchanged' | 'missing';

/** All bulk jobs share one partition: few rows, always listed together by state. */
const JOBS_PARTITION = 'job';
/** All import jobs share one partition too: one per export and team, listed together newest first. */
const IMPORT_JOBS_PARTITION = 'import';
/** RowKey of a target's own entity inside its partition; it sorts apart from the `msg|` and `src|` rows. */
const TARGET_ROW = 'target';
/** Digits of a message row's zero-padded seq: key order is seq order up to MAX_IMPORT_SEQ. */
const SEQ_DIGITS = String(MAX_IMPORT_SEQ).length;
/** First key after every `msg|…` row (`}` follows `|`): the end of a message range query. */
const MESSAGE_ROWS_END = 'msg}';
/** Per-target requests run this many at a time, so a job with hundreds of targets does not open hundreds of sockets. */
const PARALLEL_REQUESTS = 32;
/** Table Storage accepts at most 100 operations per entity-group transaction. */
const TRANSACTION_LIMIT = 100;
/** Attempts at a read-modify-write before giving up under sustained contention. */
const MAX_CONDITIONAL_ATTEMPTS = 10;

const statusOf = (err: unknown): number | undefined => (typeof err === 'object' && err !== null ? (err as { statusCode?: number }).statusCode : undefined);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads `TableEndpoint` / `DefaultEndpointsProtocol` from a connection string: true only when the
 * string itself names plain `http` (Azurite), so a real account never silently downgrades.
 */
export function connectionStringUsesHttp(connectionString: string): boolean {
  const settings = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0)
      settings.set(
        pair.slice(0, eq).trim().toLowerCase(),
        pair
          .slice(eq + 1)
          .trim()
          .toLowerCase(),
      );
  }
  const endpoint = settings.get('tableendpoint');
  if (endpoint) return endpoint.startsWith('http://');
  return settings.get('defaultendpointsprotocol') === 'http';
}

/**
 * The ledger for deployments with several bot instances, on Azure Table Storage (or Azurite).
 *
 * Keys: audit entries are partitioned by inverted month and keyed by inverted time + id, so the
 * service's natural order (PartitionKey, then RowKey) is newest-first and `since` becomes a key range;
 * pending operations, conversation references and reminders are one partition per id (point reads
 * only); bulk jobs share one partition, filtered by state; bulk items are partitioned by job id and
 * keyed by item key (updates are point writes; listing reads the partition and orders by `seq`).
 * Import jobs share one partition; each import target has a partition of its own holding the
 * target's entity (`target`, with its counters and `lastSeq`), its message rows (`msg|{seq, ten
 * digits}`, so key order is seq order) and one index row per message (`src|{source id}` → seq), so
 * a message write and its counter update are one entity-group transaction.
 * Every change of an existing record is a read followed by an ETag-conditional Replace, retried on
 * `412`, which is what makes `claimPending`/`cancelPending`, `transitionBulkItem` and the job
 * leases (kept inside the job's entity) atomic across instances.
 */
export class TableStore implements Store {
  private closed = false;

  private constructor(
    private readonly clients: Record<TableName, TableClient>,
    private readonly now: () => Date,
  ) {}

  /**
   * Connects with a connection string and creates the eight tables when missing. Rejects a prefix that
   * would make an invalid table name before any request is made.
   */
  static async open(options: TableStoreOptions): Promise<TableStore> {
    const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
    if (!/^[A-Za-z][A-Za-z0-9]{0,46}$/.test(prefix)) {
      throw new Error('table prefix must be 1-47 letters or digits and start with a letter');
    }
    const allowInsecureConnection = connectionStringUsesHttp(options.connectionString);
    const clients = Object.fromEntries(
      (Object.keys(TABLES) as TableName[]).map((name) => [
        name,
        TableClient.fromConnectionString(options.connectionString, `${prefix}${TABLES[name]}`, { allowInsecureConnection }),
      ]),
    ) as Record<TableName, TableClient>;
    // createTable does nothing when the table exists, so every instance may run this at start-up.
    await Promise.all(Object.values(clients).map((c) => c.createTable()));
    return new TableStore(clients, options.now ?? (() => new Date()));
  }

  private table(name: TableName): TableClient {
    if (this.closed) throw new StoreClosedError();
    return this.clients[name];
  }

  /** Reads one entity as stored (its plain columns included), or null when it does not exist. */
  private async readEntity(name: TableName, partitionKey: string, rowKey: string): Promise<TableEntityResult<Record<string, unknown>> | null> {
    try {
      return await this.table(name).getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Reads one record, or null when its entity does not exist. */
  private async read<T>(name: TableName, partitionKey: string, rowKey: string): Promise<{ record: T; etag: string } | null> {
    const entity = await this.readEntity(name, partitionKey, rowKey);
    return entity ? { record: unpackJson<T>(entity), etag: entity.etag } : null;
  }

  /** Inserts a new record; a `409` becomes an error naming what already exists. */
  private async insert(
    name: TableName,
    partitionKey: string,
    rowKey: string,
    record: object,
    index: Record<string, string | number>,
    what: string,
  ): Promise<void> {
    try {
      await this.table(name).createEntity({ partitionKey, rowKey, ...index, ...packJson(record) });
    } catch (err) {
      if (statusOf(err) === 409) throw new Error(`${what} already exists`, { cause: err });
      throw err;
    }
  }

  /**
   * Read-modify-write guarded by the entity's ETag. `change` returns the new record, or null to leave
   * it alone; on `412` (another writer got there first) it runs again on the fresh record. Returns
   * 'missing' when there is no such entity, else whether it wrote.
   */
  private async mutate<T extends object>(
    name: TableName,
    partitionKey: string,
    rowKey: string,
    change: (current: T) => T | null,
    index: (record: T) => Record<string, string | number>,
  ): Promise<MutateOutcome> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read<T>(name, partitionKey, rowKey);
      if (!current) return 'missing';
      const next = change(current.record);
      if (!next) return 'unchanged';
      try {
        await this.table(name).updateEntity({ partitionKey, rowKey, ...index(next), ...packJson(next) }, 'Replace', { etag: current.etag });
        return 'changed';
      } catch (err) {
        if (statusOf(err) !== 412 || attempt >= MAX_CONDITIONAL_ATTEMPTS) throw err;
        // Jitter keeps a crowd of losers from re-colliding in lockstep.
        await pause(5 + Math.random() * 20);
      }
    }
  }

  /** A pending operation's read-modify-write: one entity per operation, in its own partition. */
  private mutatePending<T extends PendingOperation>(id: string, change: (current: T) => T | null): Promise<MutateOutcome> {
    return this.mutate<T>('pending', safeKey(id), 'pending', change, pendingIndex);
  }

  /** A bulk job's read-modify-write (lease included): every job lives in the one jobs partition. */
  private mutateJob(id: string, change: (current: StoredJob) => StoredJob | null): Promise<MutateOutcome> {
    return this.mutate<StoredJob>('jobs', JOBS_PARTITION, safeKey(id), change, jobIndex);
  }

  /** A bulk item's read-modify-write: partitioned by job, keyed by item. */
  private mutateItem(jobId: string, itemKey: string, change: (current: BulkItem) => BulkItem | null): Promise<MutateOutcome> {
    return this.mutate<BulkItem>('items', safeKey(jobId), safeKey(itemKey), change, itemIndex);
  }

  async appendLedger(entry: LedgerEntry): Promise<void> {
    const { partitionKey, rowKey } = ledgerKeys(entry);
    await this.insert('audit', partitionKey, rowKey, entry, ledgerIndex(entry), `audit entry ${entry.id}`);
  }

  async queryLedger(query: LedgerQuery): Promise<LedgerEntry[]> {
    const table = this.table('audit');
    const limit = ledgerLimit(query);
    if (limit === 0) return [];
    const filters: string[] = [];
    if (query.targetKey !== undefined) filters.push(odata`targetKey eq ${query.targetKey}`);
    if (query.actorAadObjectId !== undefined) filters.push(odata`actorAadObjectId eq ${query.actorAadObjectId}`);
    if (query.tenantId !== undefined) filters.push(odata`tenantId eq ${query.tenantId}`);
    if (query.action !== undefined) filters.push(odata`action eq ${query.action}`);
    if (query.since !== undefined) {
      const ms = epochMs(query.since, 'audit query since');
      // At or after `since` = inverted keys at or below its own; '~' sorts after every `-id` suffix.
      filters.push(odata`PartitionKey le ${invertedMonth(ms)}`, odata`RowKey le ${`${invertedTime(ms)}~`}`);
    }
    const pages = table
      .listEntities<Record<string, unknown>>({ queryOptions: filters.length ? { filter: filters.join(' and ') } : {} })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    const found: LedgerEntry[] = [];
    // The service returns rows in key order, i.e. newest first: stop as soon as there are enough.
    for await (const page of pages) {
      for (const entity of page) {
        found.push(unpackJson<LedgerEntry>(entity));
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  async createPending(op: PendingOperation): Promise<void> {
    await this.insert('pending', safeKey(op.id), 'pending', op, pendingIndex(op), `pending operation ${op.id}`);
  }

  async getPending(id: string): Promise<PendingOperation | null> {
    const op = (await this.read<StoredPending>('pending', safeKey(id), 'pending'))?.record;
    return op ? readPending(op) : null;
  }

  /** Moves `from` → `to` only if the stored state is still `from` when the conditional write lands. */
  private async movePending(id: string, from: PendingOperation['state'], to: PendingOperation['state']): Promise<boolean> {
    const outcome = await this.mutatePending<PendingOperation>(id, (op) => (op.state === from ? { ...op, state: to } : null));
    return outcome === 'changed';
  }

  async claimPending(id: string): Promise<boolean> {
    const claimedAt = this.now().toISOString();
    const outcome = await this.mutatePending<PendingOperation>(id, (op) => (op.state === 'pending' ? { ...op, state: 'running', claimedAt } : null));
    return outcome === 'changed';
  }

  async listInterruptedPending(claimedBefore: string): Promise<PendingOperation[]> {
    const before = epochMs(claimedBefore, 'claimed before');
    const found: PendingOperation[] = [];
    for await (const entity of this.table('pending').listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`state eq ${'running'}` } })) {
      const op = unpackJson<StoredPending>(entity);
      if (Date.parse(op.claimedAt ?? op.expiresAt) < before) found.push(readPending(op));
    }
    return found;
  }

  async prunePending(expiredBefore: string): Promise<number> {
    const before = new Date(epochMs(expiredBefore, 'expired before')).toISOString();
    const table = this.table('pending');
    let deleted = 0;
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`expiresAt lt ${before} and state ne ${'running'}` } })) {
      try {
        // Conditional: an operation claimed since it was listed is left alone.
        await table.deleteEntity(e.partitionKey!, e.rowKey!, { etag: e.etag });
        deleted++;
      } catch (err) {
        if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
      }
    }
    return deleted;
  }

  /**
   * Three steps, because the pending and audit tables share no transaction and the ledger line must
   * never be lost: (1) the settlement (result and ledger line) is written onto the still-running
   * operation as a marker — unless an earlier pass left one, which is then the one finished; (2) the
   * marked line is appended, a repeat of it being the same row; (3) the operation moves to done and
   * the marker goes. A crash or storage error after any step leaves the operation running with its
   * marker, and the next pass (of any instance) finishes that same settlement: one line, never none.
   * The last conditional write picks the one caller that returns true.
   */
  async settleInterruptedPending(id: string, claimedAt: string | null, result: Record<string, unknown>, ledgerEntry: LedgerEntry): Promise<boolean> {
    const stillInterrupted = (op: StoredPending) => op.state === 'running' && (op.claimedAt ?? null) === claimedAt;
    let marked: InterruptedOutcome | null = null;
    await this.mutatePending<StoredPending>(id, (op) => {
      marked = stillInterrupted(op) ? (op.settling ?? { result, ledgerEntry }) : null;
      return marked && !op.settling ? { ...op, settling: marked } : null;
    });
    const settlement = marked as InterruptedOutcome | null;
    if (!settlement) return false;
    await this.appendLedgerOnce(settlement.ledgerEntry);
    const outcome = await this.mutatePending<StoredPending>(id, (op) =>
      stillInterrupted(op) && op.settling ? { ...publicPending(op), state: 'done', result: op.settling.result } : null,
    );
    return outcome === 'changed';
  }

  /** Appends an entry unless that very entry (same id and time, so the same row) is there already. */
  private async appendLedgerOnce(entry: LedgerEntry): Promise<void> {
    try {
      await this.appendLedger(entry);
    } catch (err) {
      if (!(await this.ledgerRowExists(entry))) throw err;
    }
  }

  private async ledgerRowExists(entry: LedgerEntry): Promise<boolean> {
    const { partitionKey, rowKey } = ledgerKeys(entry);
    return (await this.read<LedgerEntry>('audit', partitionKey, rowKey)) !== null;
  }

  async cancelPending(id: string): Promise<boolean> {
    return this.movePending(id, 'pending', 'cancelled');
  }

  async finishPending(id: string, state: 'done' | 'cancelled', result: Record<string, unknown> | null, ledgerEntry?: LedgerEntry): Promise<void> {
    // Audit and pending rows live in different tables, which share no transaction: the entry goes first.
    if (ledgerEntry) await this.appendLedger(ledgerEntry);
    // A settlement marker left by the recovery pass goes too: the operation's own outcome wins.
    const outcome = await this.mutatePending<StoredPending>(id, (op) => ({ ...publicPending(op), state, result }));
    if (outcome === 'missing') throw new UnknownRecordError(`pending operation ${id}`);
  }

  async setPendingActivity(id: string, activityId: string): Promise<void> {
    const outcome = await this.mutatePending<PendingOperation>(id, (op) => ({ ...op, activityId }));
    if (outcome === 'missing') throw new UnknownRecordError(`pending operation ${id}`);
  }

  /**
   * Writes the items first (entity-group transactions of up to 100, one partition per job) and the
   * job row last: `listBulkJobs` only sees a job once all its items are stored, so a crash half-way
   * leaves nothing a resuming instance would act on. Items are upserted so a retried call after such
   * a crash succeeds; a job that already exists is refused before anything is written.
   */
  async createBulkJob(job: BulkJob, items: BulkItem[], lease?: BulkJobLease): Promise<void> {
    assertBulkJobShape(job, items);
    const stored: StoredJob = lease ? { ...job, lease: { ownerId: lease.ownerId, untilMs: epochMs(lease.leaseUntil, 'lease end') } } : job;
    if (await this.read<BulkJob>('jobs', JOBS_PARTITION, safeKey(job.id))) throw new Error(`bulk job ${job.id} already exists`);
    const partitionKey = safeKey(job.id);
    for (let i = 0; i < items.length; i += TRANSACTION_LIMIT) {
      const actions: TransactionAction[] = items
        .slice(i, i + TRANSACTION_LIMIT)
        .map((item) => ['upsert', { partitionKey, rowKey: safeKey(item.itemKey), ...itemIndex(item), ...packJson(item) }, 'Replace']);
      await this.table('items').submitTransaction(actions);
    }
    await this.insert('jobs', JOBS_PARTITION, safeKey(job.id), stored, jobIndex(job), `bulk job ${job.id}`);
  }

  async getBulkJob(id: string): Promise<BulkJob | null> {
    const found = await this.read<StoredJob>('jobs', JOBS_PARTITION, safeKey(id));
    return found ? publicJob(found.record) : null;
  }

  async listBulkJobs(state: BulkJobState): Promise<BulkJob[]> {
    const jobs: BulkJob[] = [];
    const entities = this.table('jobs').listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${JOBS_PARTITION} and state eq ${state}` },
    });
    for await (const entity of entities) jobs.push(publicJob(unpackJson<StoredJob>(entity)));
    return jobs.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async updateBulkJob(id: string, patch: Partial<Pick<BulkJob, 'state' | 'progressActivityId'>>): Promise<void> {
    const updatedAt = this.now().toISOString();
    // The stored lease is carried over: a progress update never drops the job's owner.
    const outcome = await this.mutateJob(id, (job) => ({ ...job, ...definedOnly(patch), updatedAt }));
    if (outcome === 'missing') throw new UnknownRecordError(`bulk job ${id}`);
  }

  async acquireBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    const untilMs = epochMs(leaseUntil, 'lease end');
    // Decided on the record as read and written only if it is unchanged (ETag): of two instances
    // racing for an expired lease, the second one's write fails with 412, re-reads, and loses.
    const outcome = await this.mutateJob(jobId, (job) => takeLease(job, ownerId, untilMs, this.now().getTime()));
    return outcome === 'changed';
  }

  async renewBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    const untilMs = epochMs(leaseUntil, 'lease end');
    const outcome = await this.mutateJob(jobId, (job) => renewLease(job, ownerId, untilMs));
    return outcome === 'changed';
  }

  async releaseBulkJobLease(jobId: string, ownerId: string): Promise<void> {
    await this.mutateJob(jobId, (job) => dropLease(job, ownerId));
  }

  async listBulkItems(jobId: string): Promise<BulkItem[]> {
    const items: BulkItem[] = [];
    const entities = this.table('items').listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${safeKey(jobId)}` },
    });
    for await (const entity of entities) items.push(unpackJson<BulkItem>(entity));
    return items.sort(compareBulkItems);
  }

  /** A conditional Replace that the service acknowledges only once it is durably committed. */
  async updateBulkItem(jobId: string, itemKey: string, patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>): Promise<void> {
    const updatedAt = this.now().toISOString();
    const outcome = await this.mutateItem(jobId, itemKey, (item) => ({ ...item, ...definedOnly(patch), updatedAt }));
    if (outcome === 'missing') throw new UnknownRecordError(`bulk item ${itemKey} of job ${jobId}`);
  }

  /** Read, check the state, ETag-conditional Replace: on `412` it re-reads, and loses if the state moved. */
  async transitionBulkItem(
    jobId: string,
    itemKey: string,
    from: BulkItemState,
    patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>,
  ): Promise<boolean> {
    const updatedAt = this.now().toISOString();
    const outcome = await this.mutateItem(jobId, itemKey, (item) => (item.state === from ? { ...item, ...definedOnly(patch), updatedAt } : null));
    if (outcome === 'missing') throw new UnknownRecordError(`bulk item ${itemKey} of job ${jobId}`);
    return outcome === 'changed';
  }

  /** An import job's read-modify-write (lease included): every import job lives in the one import-jobs partition. */
  private mutateImportJob(id: string, change: (current: StoredImportJob) => StoredImportJob | null): Promise<MutateOutcome> {
    return this.mutate<StoredImportJob>('importJobs', IMPORT_JOBS_PARTITION, safeKey(id), change, importJobIndex);
  }

  /**
   * Writes each target's entity first (each in its own partition, so they share no transaction) and
   * the job row last, as `createBulkJob` does: no reader finds the job before all its targets are
   * stored. Targets are upserted so a call retried after a crash half-way succeeds; a job that
   * already exists is refused before anything is written.
   */
  async createImportJob(job: ImportJob, targets: ImportTarget[], lease?: BulkJobLease): Promise<void> {
    assertImportJobShape(job, targets);
    const stored: StoredImportJob = {
      ...job,
      targetKeys: [...targets].sort(compareImportTargets).map((t) => t.targetKey),
      ...(lease ? { lease: { ownerId: lease.ownerId, untilMs: epochMs(lease.leaseUntil, 'lease end') } } : {}),
    };
    if (await this.read<ImportJob>('importJobs', IMPORT_JOBS_PARTITION, safeKey(job.id))) throw new Error(`import job ${job.id} already exists`);
    const table = this.table('imports');
    await inBatches(targets, PARALLEL_REQUESTS, async (target) => {
      const entity: StoredImportTarget = { ...target, lastSeq: null };
      await table.upsertEntity(
        { partitionKey: importPartition(job.id, target.targetKey), rowKey: TARGET_ROW, ...targetIndex(entity), ...packJson(entity) },
        'Replace',
      );
    });
    await this.insert('importJobs', IMPORT_JOBS_PARTITION, safeKey(job.id), stored, importJobIndex(job), `import job ${job.id}`);
  }

  async getImportJob(id: string): Promise<ImportJob | null> {
    const found = await this.read<StoredImportJob>('importJobs', IMPORT_JOBS_PARTITION, safeKey(id));
    return found ? publicImportJob(found.record) : null;
  }

  /** The import jobs matching `filter` (an OData expression within the jobs partition), newest first. */
  private async importJobsWhere(filter: string): Promise<ImportJob[]> {
    const jobs: ImportJob[] = [];
    const entities = this.table('importJobs').listEntities<Record<string, unknown>>({
      queryOptions: { filter: [odata`PartitionKey eq ${IMPORT_JOBS_PARTITION}`, filter].filter(Boolean).join(' and ') },
    });
    for await (const entity of entities) jobs.push(publicImportJob(unpackJson<StoredImportJob>(entity)));
    return jobs.sort(compareImportJobsNewestFirst);
  }

  async findImportJobsByKey(jobKey: string): Promise<ImportJob[]> {
    return this.importJobsWhere(odata`jobKey eq ${jobKey}`);
  }

  /** Filtered by the service, ordered here: the partition holds one job per import ever run, a small set. */
  async listImportJobs(filter: { state?: ImportJobState; tenantId?: string; limit?: number } = {}): Promise<ImportJob[]> {
    const limit = rowLimit(filter.limit, DEFAULT_IMPORT_JOB_LIMIT, 'import job list limit');
    if (limit === 0) return [];
    const filters: string[] = [];
    if (filter.state !== undefined) filters.push(odata`state eq ${filter.state}`);
    if (filter.tenantId !== undefined) filters.push(odata`tenantId eq ${filter.tenantId}`);
    return (await this.importJobsWhere(filters.join(' and '))).slice(0, limit);
  }

  async updateImportJob(id: string, patch: ImportJobPatch, options: { onlyIn?: readonly ImportJobState[] } = {}): Promise<boolean> {
    const updatedAt = this.now().toISOString();
    // The lease and the target directory are carried over with the rest of the stored job.
    const outcome = await this.mutateImportJob(id, (job) =>
      options.onlyIn && !options.onlyIn.includes(job.state) ? null : { ...job, ...definedOnly(patch), updatedAt },
    );
    if (outcome === 'missing') throw new UnknownRecordError(`import job ${id}`);
    return outcome === 'changed';
  }

  async listImportTargets(jobId: string): Promise<ImportTarget[]> {
    const job = await this.read<StoredImportJob>('importJobs', IMPORT_JOBS_PARTITION, safeKey(jobId));
    if (!job) return [];
    const found = await inBatches(job.record.targetKeys, PARALLEL_REQUESTS, (key) =>
      this.read<StoredImportTarget>('imports', importPartition(jobId, key), TARGET_ROW),
    );
    return found
      .filter((t) => t !== null)
      .map((t) => publicImportTarget(t.record))
      .sort(compareImportTargets);
  }

  async updateImportTarget(jobId: string, targetKey: string, patch: ImportTargetPatch): Promise<void> {
    const updatedAt = this.now().toISOString();
    // Conditional on the target's ETag like every message write, so a patch never undoes a counter.
    const outcome = await this.mutate<StoredImportTarget>(
      'imports',
      importPartition(jobId, targetKey),
      TARGET_ROW,
      (target) => ({ ...target, ...definedOnly(patch), updatedAt }),
      targetIndex,
    );
    if (outcome === 'missing') throw new UnknownRecordError(`import target ${targetKey} of job ${jobId}`);
  }

  /**
   * One entity-group transaction in the target's partition: `create` of the message row (fails with
   * 409 when the seq exists, which is what makes this insert-if-absent across instances), `create`
   * of its source-id index row, and an ETag-conditional Replace of the target with the counters
   * added and `lastSeq` moved. Every message entity carries the `writeId` of the call that last
   * wrote it: after a failed transaction the row is read back, and one carrying this call's own id
   * means the transaction did land (the service's answer was lost and the client's retry of the
   * same request failed): true, not a phantom "already recorded". A row with another id means
   * another writer recorded this seq first: false, nothing changed. Neither row there means only
   * the target's ETag moved (a write of another row): read the target again and retry.
   */
  async insertImportMessage(record: ImportMessageRecord, counts?: Partial<ImportCounts>): Promise<boolean> {
    assertImportSeq(record.seq, 'import message seq');
    const delta = countsDelta(counts);
    const partitionKey = importPartition(record.jobId, record.targetKey);
    const writeId = randomUUID();
    const message = { partitionKey, rowKey: messageRow(record.seq), writeId, ...messageIndex(record), ...packJson(record) };
    const source = { partitionKey, rowKey: sourceRow(record.sourceId), ...packJson({ seq: record.seq }) };
    for (let attempt = 1; ; attempt++) {
      const target = await this.read<StoredImportTarget>('imports', partitionKey, TARGET_ROW);
      if (!target) throw new UnknownRecordError(`import target ${record.targetKey} of job ${record.jobId}`);
      const next: StoredImportTarget = {
        ...target.record,
        counts: addCounts(target.record.counts, delta),
        lastSeq: Math.max(target.record.lastSeq ?? record.seq, record.seq),
        updatedAt: delta ? this.now().toISOString() : target.record.updatedAt,
      };
      try {
        await this.table('imports').submitTransaction([
          ['create', message],
          ['create', source],
          ['update', { partitionKey, rowKey: TARGET_ROW, ...targetIndex(next), ...packJson(next) }, 'Replace', { etag: target.etag }],
        ]);
        return true;
      } catch (err) {
        const status = statusOf(err);
        if (status !== 409 && status !== 412) throw err;
        const existing = await this.readEntity('imports', partitionKey, message.rowKey);
        if (existing) return existing.writeId === writeId;
        const indexed = await this.read<{ seq: number }>('imports', partitionKey, source.rowKey);
        if (indexed) {
          throw new Error(`source message ${record.sourceId} of import target ${record.targetKey} is already recorded under another seq`, { cause: err });
        }
        if (attempt >= MAX_CONDITIONAL_ATTEMPTS) throw err;
        await pause(5 + Math.random() * 20);
      }
    }
  }

  /**
   * One entity-group transaction: the row's Replace conditional on its ETag, and (when counts are
   * added) the target's, retried on `412` against fresh reads. The row carries this call's
   * `writeId`, so a transaction that landed although its answer was lost is recognised on the next
   * read and never applied (or counted) twice.
   */
  async settleImportMessage(jobId: string, targetKey: string, seq: number, patch: ImportMessagePatch, counts?: Partial<ImportCounts>): Promise<void> {
    assertImportSeq(seq, 'import message seq');
    const delta = countsDelta(counts);
    const partitionKey = importPartition(jobId, targetKey);
    const rowKey = messageRow(seq);
    const writeId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const [message, target] = await Promise.all([
        this.readEntity('imports', partitionKey, rowKey),
        delta ? this.read<StoredImportTarget>('imports', partitionKey, TARGET_ROW) : null,
      ]);
      if (!message) throw new UnknownRecordError(`import message ${seq} of target ${targetKey} in job ${jobId}`);
      if (message.writeId === writeId) return;
      // Counts are never dropped: a row whose target is gone is refused rather than settled uncounted.
      if (delta && !target) throw new UnknownRecordError(`import target ${targetKey} of job ${jobId}`);
      const updatedAt = this.now().toISOString();
      const next: ImportMessageRecord = { ...unpackJson<ImportMessageRecord>(message), ...definedOnly(patch), updatedAt };
      const actions: TransactionAction[] = [
        ['update', { partitionKey, rowKey, writeId, ...messageIndex(next), ...packJson(next) }, 'Replace', { etag: message.etag }],
      ];
      if (target) {
        const counted: StoredImportTarget = { ...target.record, counts: addCounts(target.record.counts, delta), updatedAt };
        actions.push(['update', { partitionKey, rowKey: TARGET_ROW, ...targetIndex(counted), ...packJson(counted) }, 'Replace', { etag: target.etag }]);
      }
      try {
        await this.table('imports').submitTransaction(actions);
        return;
      } catch (err) {
        if (statusOf(err) !== 412 || attempt >= MAX_CONDITIONAL_ATTEMPTS) throw err;
        await pause(5 + Math.random() * 20);
      }
    }
  }

  async lastImportMessage(jobId: string, targetKey: string): Promise<ImportMessageRecord | null> {
    const partitionKey = importPartition(jobId, targetKey);
    const lastSeq = (await this.read<StoredImportTarget>('imports', partitionKey, TARGET_ROW))?.record.lastSeq ?? null;
    if (lastSeq === null) return null;
    // Rows are never deleted, so the row `lastSeq` names is there once the target says so.
    return (await this.read<ImportMessageRecord>('imports', partitionKey, messageRow(lastSeq)))?.record ?? null;
  }

  /** Two point reads: the source-id index row (written with the message) names the seq. */
  async findImportMessage(jobId: string, targetKey: string, sourceId: string): Promise<ImportMessageRecord | null> {
    const partitionKey = importPartition(jobId, targetKey);
    const indexed = await this.read<{ seq: number }>('imports', partitionKey, sourceRow(sourceId));
    if (!indexed) return null;
    return (await this.read<ImportMessageRecord>('imports', partitionKey, messageRow(indexed.record.seq)))?.record ?? null;
  }

  /**
   * A RowKey range of the target's partition from `afterSeq`, read in key (= seq) order, with the
   * states filtered by the service and the reading stopped at `limit`. A states filter still walks
   * the range server-side: listing the few failed rows of a large target costs the service a pass
   * over its rows (paged, nothing extra written per message to avoid it).
   */
  async listImportMessages(
    jobId: string,
    targetKey: string,
    query: { states?: ImportMessageState[]; afterSeq?: number; limit?: number } = {},
  ): Promise<ImportMessageRecord[]> {
    const limit = rowLimit(query.limit, DEFAULT_IMPORT_MESSAGE_LIMIT, 'import message list limit');
    const afterSeq = query.afterSeq ?? -1;
    if (Number.isNaN(afterSeq)) throw new Error('import message list afterSeq must be a number');
    const first = Math.max(0, Math.floor(afterSeq) + 1);
    if (limit === 0 || first > MAX_IMPORT_SEQ || query.states?.length === 0) return [];
    const filters = [odata`PartitionKey eq ${importPartition(jobId, targetKey)}`, odata`RowKey ge ${messageRow(first)}`, odata`RowKey lt ${MESSAGE_ROWS_END}`];
    if (query.states) filters.push(`(${[...new Set(query.states)].map((state) => odata`state eq ${state}`).join(' or ')})`);
    const pages = this.table('imports')
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: filters.join(' and ') } })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    const found: ImportMessageRecord[] = [];
    for await (const page of pages) {
      for (const entity of page) {
        found.push(unpackJson<ImportMessageRecord>(entity));
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  async acquireImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    const untilMs = epochMs(leaseUntil, 'lease end');
    const outcome = await this.mutateImportJob(jobId, (job) => takeLease(job, ownerId, untilMs, this.now().getTime()));
    return outcome === 'changed';
  }

  async renewImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean> {
    const untilMs = epochMs(leaseUntil, 'lease end');
    const outcome = await this.mutateImportJob(jobId, (job) => renewLease(job, ownerId, untilMs));
    return outcome === 'changed';
  }

  async releaseImportJobLease(jobId: string, ownerId: string): Promise<void> {
    await this.mutateImportJob(jobId, (job) => dropLease(job, ownerId));
  }

  async saveConversationReference(ref: StoredConversationReference): Promise<void> {
    await this.table('refs').upsertEntity(
      { partitionKey: safeKey(ref.aadObjectId), rowKey: 'ref', ...columns({ tenantId: ref.tenantId, updatedAt: ref.updatedAt }), ...packJson(ref) },
      'Replace',
    );
  }

  async getConversationReference(aadObjectId: string): Promise<StoredConversationReference | null> {
    return (await this.read<StoredConversationReference>('refs', safeKey(aadObjectId), 'ref'))?.record ?? null;
  }

  async getReminderSentAt(targetKey: string): Promise<string | null> {
    return (await this.read<{ targetKey: string; sentAt: string }>('reminders', safeKey(targetKey), 'reminder'))?.record.sentAt ?? null;
  }

  /** Conditional on the entity's ETag (or on its absence), so two instances cannot both win. */
  async swapReminderSentAt(targetKey: string, expected: string | null, next: string | null): Promise<boolean> {
    const partitionKey = safeKey(targetKey);
    const current = await this.read<{ targetKey: string; sentAt: string }>('reminders', partitionKey, 'reminder');
    if ((current?.record.sentAt ?? null) !== expected) return false;
    const entity = next === null ? null : { partitionKey, rowKey: 'reminder', sentAt: next, ...packJson({ targetKey, sentAt: next }) };
    try {
      if (!current) {
        if (entity) await this.table('reminders').createEntity(entity);
      } else if (entity) {
        await this.table('reminders').updateEntity(entity, 'Replace', { etag: current.etag });
      } else {
        await this.table('reminders').deleteEntity(partitionKey, 'reminder', { etag: current.etag });
      }
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) return false;
      throw err;
    }
  }

  /** Every write was acknowledged by the service already; closing only refuses further calls. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Runs `work` over `items`, at most `size` at a time, and returns the results in the items' order. */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

/**
 * The partition of one import target: its entity, its message rows and their source-id index, so
 * a message and its counters are one entity-group transaction. `|` never appears in `safeKey`'s
 * output (it is escaped), so distinct (job, target) pairs get distinct partitions.
 */
const importPartition = (jobId: string, targetKey: string): string => `${safeKey(jobId)}|${safeKey(targetKey)}`;

/** A message row's key: the seq zero-padded, so RowKey order is seq order. */
const messageRow = (seq: number): string => `msg|${String(seq).padStart(SEQ_DIGITS, '0')}`;

/** The key of the index row that maps a source message id to its seq. */
const sourceRow = (sourceId: string): string => `src|${safeKey(sourceId)}`;

/** Drops keys whose value is `undefined`, so a patch never erases a field it did not name. */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where a ledger line lives: its month's partition, then inverted time and id, so keys sort newest first. */
function ledgerKeys(entry: LedgerEntry): { partitionKey: string; rowKey: string } {
  const ms = epochMs(entry.at, 'audit entry time');
  return { partitionKey: invertedMonth(ms), rowKey: `${invertedTime(ms)}-${safeKey(entry.id)}` };
}

const ledgerIndex = (e: LedgerEntry) =>
  columns({
    at: e.at,
    action: e.action,
    outcome: e.outcome,
    actorAadObjectId: e.actor.aadObjectId,
    tenantId: e.tenantId,
    targetKey: e.targetKey,
    jobId: e.jobId,
    requestId: e.requestId,
  });

const pendingIndex = (op: PendingOperation) => columns({ kind: op.kind, state: op.state, tenantId: op.tenantId, expiresAt: op.expiresAt });

const jobIndex = (job: BulkJob) =>
  columns({ kind: job.kind, state: job.state, tenantId: job.tenantId, teamId: job.teamId, createdAt: job.createdAt, updatedAt: job.updatedAt });

const itemIndex = (item: BulkItem) => columns({ seq: item.seq, state: item.state, updatedAt: item.updatedAt });

const importJobIndex = (job: ImportJob) =>
  columns({ jobKey: job.jobKey, state: job.state, tenantId: job.tenantId, teamId: job.teamId, createdAt: job.createdAt, updatedAt: job.updatedAt });

const targetIndex = (target: StoredImportTarget) => columns({ seq: target.seq, state: target.state, lastSeq: target.lastSeq, updatedAt: target.updatedAt });

const messageIndex = (message: ImportMessageRecord) =>
  columns({ seq: message.seq, state: message.state, sourceId: message.sourceId, updatedAt: message.updatedAt });
