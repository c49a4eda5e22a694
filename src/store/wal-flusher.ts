import fs from 'node:fs';
import path from 'node:path';

/**
 * Group commit for a SQLite database in WAL mode with `synchronous = NORMAL`. A commit there reaches
 * the operating system at once (it survives `kill -9`) but not the disk; `flush()` resolves once every
 * commit made before the call is on the disk too, by `fdatasync` of the WAL file on libuv's thread
 * pool. Callers that arrive while a sync is running share the next one, so N turns committing at
 * once cost at most two syncs, not N.
 *
 * Why not SQLite's own `synchronous = FULL`: better-sqlite3 is synchronous, so FULL waits for the
 * disk inside the commit, on the event loop, stalling every other turn for the length of the sync
 * (0.3 ms on an idle disk, several ms on a busy one), once per durable write.
 *
 * `soon()` asks for a sync without waiting for it: commits are gathered for `delayMs` and synced
 * together in the background, so they reach the disk within `delayMs` plus one sync of being made
 * while the turns that made them go on. Measured in `npm run bench` (bench/notes.md): a sync started
 * at once, while the next turn is already writing, slowed that turn by a third of a millisecond
 * (its writes wait for the pages under write-back); one sync every 20 ms for everything committed
 * meanwhile cost nothing measurable.
 *
 * Why syncing another descriptor is enough: on Linux `fdatasync` flushes the file's dirty pages,
 * whichever descriptor wrote them. The WAL file keeps its inode while the connection is open (SQLite
 * restarts it in place after a checkpoint, and syncs the main file itself when it checkpoints).
 */
/** A sync of the ledger to the disk failed: the ledger can no longer promise it survives power loss. */
export class LedgerSyncError extends Error {
  constructor(cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    super(`the ledger could not be synced to the disk (${code}); check the disk under DATA_DIR and restart the bot`);
    this.name = 'LedgerSyncError';
    this.cause = cause;
  }
}

/** How long `soon()` gathers commits before one background sync. */
export const DEFAULT_BACKGROUND_DELAY_MS = 20;

export class WalFlusher {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  /**
   * The first sync that failed. It stays: after a failed `fdatasync` Linux may have dropped the
   * dirty pages, so a later sync that succeeds proves nothing about earlier commits.
   */
  private failure: LedgerSyncError | null = null;

  constructor(
    private readonly walPath: string,
    private readonly delayMs = DEFAULT_BACKGROUND_DELAY_MS,
  ) {
    this.openWal();
  }

  /** The sync failure that makes this ledger's disk untrustworthy, if one happened. */
  get failed(): LedgerSyncError | null {
    return this.failure;
  }

  /** Resolves once every commit made before this call is on the disk; rejects for good after a failed sync. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve();
    if (!this.running) {
      this.running = this.sync().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The running sync may have started before this caller's commit: wait for a fresh one.
    if (!this.queued) {
      const next = () => {
        this.queued = null;
        return this.flush();
      };
      this.queued = this.running.then(next, next);
    }
    return this.queued;
  }

  /** Syncs in the background, within `delayMs`, every commit made so far. */
  soon(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failure is kept in `failure`; the store reports it at its next write.
      this.flush().catch(() => {});
    }, this.delayMs);
  }

  /**
   * Syncs what a pending `soon()` would have, waits for syncs under way, then releases the
   * descriptor; rejects when the ledger did not reach the disk.
   */
  async close(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      await this.flush().catch(() => {});
    }
    await Promise.allSettled([this.running, this.queued]);
    this.closed = true;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    if (this.failure) throw this.failure;
  }

  private async sync(): Promise<void> {
    const fd = this.fd ?? this.openWal();
    // No WAL file yet means nothing was committed through it.
    if (fd === null) return;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.failure ??= new LedgerSyncError(err);
      throw this.failure;
    }
  }

  /**
   * Opens the WAL file once it exists, and syncs its directory once, so that the file's own entry
   * (created by SQLite, never synced by it in NORMAL mode) survives a power loss too.
   */
  private openWal(): number | null {
    try {
      this.fd = fs.openSync(this.walPath, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const dir = fs.openSync(path.dirname(this.walPath), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
    return this.fd;
  }
}
