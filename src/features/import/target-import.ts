import { decideAuthor, type FallbackCredit } from '../../domain/import/authors';
import { buildChatMessage, reactionsFor } from '../../domain/import/chat-message';
import { explainImportFailure, stopsTheThread } from '../../domain/import/import-failures';
import { MAX_TIME_SHIFTS, migrationDateFor } from '../../domain/import/import-rules';
import { plannedStream, type PlannedItem } from '../../domain/import/planned-stream';
import type { ImportChatMessage, TeamsIdentity } from '../../domain/import/teams-message';
import { ThreadTimeline } from '../../domain/import/timeline';
import type { GraphFailure } from '../../domain/graph-failure';
import { snapshotOf, targetDisplayName, type TargetRef, type ThreadSnapshot } from '../../domain/targets';
import { startProblem, startProblemMessage } from '../../domain/start-problem';
import { completeTookEffect, startTookEffect } from '../../domain/took-effect';
import { decidedFailure } from '../../domain/graph-failure';
import { ledgerEntry } from '../shared/acting';
import { recentCompletionOf } from '../shared/recent-completion';
import { toGraphCallError } from '../../graph/graph-errors';
import type { MessageImportApi } from '../../graph/message-import-api';
import type { MigrationApi } from '../../graph/migration-api';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { ExportReader } from '../../sources/export-reader';
import type { ImportCounts, ImportJob, ImportJobStore, ImportMessageRecord, ImportTarget } from '../../store/ports/import-jobs';
import type { LedgerEntry, LedgerStore } from '../../store/ports/ledger';
import type { BudgetSpec, Pacer } from '../shared/pacer';
import type { ImportContext } from './import-context';
import { fileParts } from './message-files';

/** What one target's import needs. */
export interface TargetImportDeps {
  store: ImportJobStore & LedgerStore;
  api: MessageImportApi;
  migration: MigrationApi;
  directory: TeamsDirectory;
  pacer: Pacer;
  logger: Logger;
  /** The export being read; null when the target is only to be completed (its messages are all in). */
  reader: ExportReader | null;
  context: ImportContext | null;
  /** The budgets every import request of this thread draws on (tenant, thread's import rate). */
  importBudgets: BudgetSpec[];
  /** The budgets a migration write (start, complete) draws on (tenant, team, thread). */
  writeBudgets: BudgetSpec[];
  /** True once the run must stop (paused, cancelled, lease lost, shutdown). */
  stopped: () => boolean;
  /** Minutes a start waits after this bot completed the same thread (RESTART_COOLDOWN_MINUTES). */
  restartCooldownMinutes: number;
  /** Called after each settled message (progress display). */
  onProgress: (target: ImportTarget, counts: Partial<ImportCounts>) => void;
  now?: () => number;
}

/** A refusal about the thread itself: the target's import stops here. */
class ThreadRefused extends Error {
  constructor(
    readonly failure: GraphFailure,
    readonly explanation: string,
  ) {
    super(explanation);
  }
}

/** Attempts at one message before it is recorded as failed (timeouts, 5xx, throttling beyond graph-client's own retries). */
const MAX_ATTEMPTS = 6;

/**
 * Imports one source channel into one target channel, exactly once across crashes: each message's
 * row (`intent`, with the time it is sent with) is durable before its call and settled with the
 * Graph id after it. A resumed run replays the channel up to the last row; a row left at `intent`
 * is sent again with the same time, and Graph's 409 for a message that already landed is settled
 * by reading the thread back (the message at that millisecond by that author is ours).
 */
export class TargetImport {
  private readonly ref: TargetRef;

  constructor(
    private readonly deps: TargetImportDeps,
    private readonly job: ImportJob,
    private target: ImportTarget,
  ) {
    this.ref = target.target;
  }

  /** The thread's migration date as recorded once migration mode is ensured (messages must be later). */
  private get threadCreatedMs(): number {
    const date = this.target.conversationCreationDateTime;
    return date ? Date.parse(date) : Number.NEGATIVE_INFINITY;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private paced<T>(budgets: BudgetSpec[], request: () => Promise<T>): Promise<T> {
    return this.deps.pacer.run(budgets, request);
  }

  /** Imports what is left of the target; resolves with the target as finally recorded. */
  async run(): Promise<ImportTarget> {
    try {
      if (this.target.state === 'queued' || (this.target.state === 'importing' && !this.target.conversationCreationDateTime)) await this.ensureMigrationMode();
      if (this.deps.stopped()) return this.target;
      await this.importMessages();
      if (this.deps.stopped()) return this.target;
      await this.finish();
    } catch (err) {
      if (!(err instanceof ThreadRefused)) throw err;
      await this.fail(err.failure, err.explanation);
    }
    return this.target;
  }

  /** The export and what was read of it; only a run that imports messages has them. */
  private get source(): { reader: ExportReader; context: ImportContext } {
    const { reader, context } = this.deps;
    if (!reader || !context) throw new Error(`Target ${this.target.targetKey} was opened to be completed only; its export is not read.`);
    return { reader, context };
  }

  private async patch(patch: Parameters<ImportJobStore['updateImportTarget']>[2]): Promise<void> {
    await this.deps.store.updateImportTarget(this.job.id, this.target.targetKey, patch);
    this.target = { ...this.target, ...patch };
  }

  /** The oldest time the thread will receive, read from the export (the first message sent). */
  private async oldestSendTime(): Promise<number | null> {
    const timeline = new ThreadTimeline(Number.NEGATIVE_INFINITY, this.now());
    for await (const item of plannedStream(this.source.reader.messages(this.target.sourceChannelId))) {
      const decision = timeline.decide(item);
      if (decision.send) return decision.timeMs;
    }
    return null;
  }

  /**
   * Puts the thread into migration mode dated just before its oldest message, unless it already is
   * (then its date is kept). The intent (`startedByJob` with the date) is recorded first, so a run
   * killed after the call finds it and writes the ledger line instead of starting again.
   */
  private async ensureMigrationMode(): Promise<void> {
    const { directory, migration } = this.deps;
    const before = snapshotOf(await this.throttledRetry(() => directory.getThread(this.ref)).catch((err) => this.refuse(err)));
    if (before.migrationMode === 'inProgress') {
      const ours = this.target.startedByJob;
      if (ours && !(await this.startRecorded())) await this.recordStart('succeeded', null, before, before, this.target.conversationCreationDateTime);
      await this.patch({ state: 'importing', conversationCreationDateTime: before.createdDateTime, startedByJob: ours });
      return;
    }
    const oldest = await this.oldestSendTime();
    if (oldest === null) {
      await this.patch({ state: 'importing', conversationCreationDateTime: before.createdDateTime });
      return;
    }
    const date = migrationDateFor(oldest, before.createdDateTime);
    // The same start pre-flight as every other start (the restart cool-down above all).
    const recentCompletion = await recentCompletionOf(this.deps.store, this.ref, before, this.deps.restartCooldownMinutes, this.now());
    const problem = startProblem({ thread: before, since: date, recentCompletion });
    if (problem) {
      const explanation = startProblemMessage(problem, targetDisplayName(this.ref), null, this.now());
      throw new ThreadRefused(decidedFailure(0, 'StartRefused', explanation), `${explanation} Run the import again to continue.`);
    }
    await this.patch({ state: 'queued', startedByJob: true, conversationCreationDateTime: null });
    try {
      const receipt = await this.throttledRetry(() => migration.startMigration(this.ref, date));
      // A 204 means exactly this (spec §2), so the thread is not read again: the channel's first import
      // comes a second sooner (reads draw on the same 1/s per-channel budget).
      const after = {
        createdDateTime: date,
        originalCreatedDateTime: before.originalCreatedDateTime ?? before.createdDateTime,
        migrationMode: 'inProgress' as const,
      };
      await this.recordStart('succeeded', receipt.requestId, before, after, date);
      await this.patch({ state: 'importing', conversationCreationDateTime: after.createdDateTime ?? date });
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      const after = await this.readThread();
      if (after && startTookEffect(after, date)) {
        await this.recordStart('succeeded', failure.requestId, before, after, date);
        await this.patch({ state: 'importing', conversationCreationDateTime: after.createdDateTime ?? date });
        return;
      }
      await this.recordStart('failed', failure.requestId, before, after, date, failure);
      throw new ThreadRefused(failure, `startMigration failed: ${explainImportFailure(failure)}`);
    }
  }

  /**
   * A migration write (or a read of the thread) within the thread's write budgets; a 429 left after graph-client's own
   * retries blocks the budgets for its Retry-After and tries again (a refusal changed nothing).
   */
  private async throttledRetry<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.paced(this.deps.writeBudgets, write);
      } catch (err) {
        const failure = toGraphCallError(err).failure;
        if (failure.status !== 429 || attempt >= MAX_ATTEMPTS) throw err;
        this.deps.pacer.block(this.deps.writeBudgets, (failure.retryAfterSeconds ?? 1) * 1000);
      }
    }
  }

  /** The thread's migration state, read within the thread's write budgets (Graph counts reads there too); null when unreadable. */
  private readThread(): Promise<ThreadSnapshot | null> {
    return this.throttledRetry(() => this.deps.directory.getThread(this.ref)).then(snapshotOf, () => null);
  }

  private refuse(err: unknown): never {
    const failure = toGraphCallError(err).failure;
    throw new ThreadRefused(failure, `The channel could not be read: ${explainImportFailure(failure)}`);
  }

  private async startRecorded(): Promise<boolean> {
    const lines = await this.deps.store.queryLedger({ targetKey: this.target.targetKey, action: 'import-start', limit: 20 });
    return lines.some((l) => l.jobId === this.job.id);
  }

  private async recordStart(
    outcome: 'succeeded' | 'failed',
    requestId: string | null,
    before: ThreadSnapshot,
    after: ThreadSnapshot | null,
    date: string | null,
    failure?: GraphFailure,
  ): Promise<void> {
    await this.deps.store.appendLedger(
      this.ledgerLine('import-start', outcome, { conversationCreationDateTime: date }, requestId, failure ?? null, before, after),
    );
  }

  /** One ledger line about this target, by the job's requester (the shared `ledgerEntry` builds it). */
  private ledgerLine(
    action: 'import-start' | 'import' | 'import-complete',
    outcome: 'succeeded' | 'failed',
    parameters: Record<string, unknown>,
    requestId: string | null,
    failure: GraphFailure | null,
    before: ThreadSnapshot | null,
    after: ThreadSnapshot | null,
  ): LedgerEntry {
    const { requestedBy, tenantId, conversationId } = this.job;
    return ledgerEntry(
      { ...requestedBy, tenantId, conversationId },
      {
        action,
        target: this.ref,
        targetKey: this.target.targetKey,
        parameters: {
          jobId: this.job.id,
          source: `${this.job.source.kind}: ${this.job.source.fileName}`,
          sourceChannel: this.target.sourceChannelName,
          ...parameters,
        },
        outcome,
        error: failure ? { status: failure.status, code: failure.code, message: failure.message } : null,
        requestId,
        before,
        after,
        jobId: this.job.id,
      },
    );
  }

  /** Replays the channel to the last recorded row, then sends the rest in order. */
  private async importMessages(): Promise<void> {
    const last = await this.deps.store.lastImportMessage(this.job.id, this.target.targetKey);
    const timeline = new ThreadTimeline(this.threadCreatedMs, this.now());
    // Replaying gives each earlier message its planned time; a time moved on after a clash is only in
    // its row, so the latest times recorded before the resume point are fed back in.
    const recorded = last
      ? await this.deps.store.listImportMessages(this.job.id, this.target.targetKey, {
          states: ['imported', 'intent'],
          afterSeq: Math.max(-1, last.seq - 500),
          limit: 500,
        })
      : [];
    let planned = 0;
    for await (const item of plannedStream(this.source.reader.messages(this.target.sourceChannelId))) {
      planned = item.seq + 1;
      if (this.deps.stopped()) return;
      const decision = timeline.decide(item);
      if (last && item.seq < last.seq) {
        if (decision.send) timeline.sent(decision.timeMs);
        continue;
      }
      if (last && item.seq === last.seq) {
        for (const row of recorded) if (row.createdDateTime) timeline.sent(Date.parse(row.createdDateTime));
        if (last.state === 'intent') await this.deliver(item, Date.parse(last.createdDateTime ?? ''), timeline, true);
        continue;
      }
      if (!decision.send) {
        await this.insert(item, { state: 'skipped', detail: decision.reason }, { skipped: 1 });
        continue;
      }
      await this.deliver(item, decision.timeMs, timeline, false);
    }
    if (planned !== this.target.planned) await this.patch({ planned });
  }

  private async insert(
    item: PlannedItem,
    fields: Pick<ImportMessageRecord, 'state' | 'detail'> & Partial<ImportMessageRecord>,
    counts?: Partial<ImportCounts>,
  ): Promise<boolean> {
    const record: ImportMessageRecord = {
      jobId: this.job.id,
      targetKey: this.target.targetKey,
      seq: item.seq,
      sourceId: item.message.id,
      parentSourceId: item.parentSourceId,
      createdDateTime: null,
      graphId: null,
      requestId: null,
      updatedAt: new Date().toISOString(),
      ...fields,
    };
    const inserted = await this.deps.store.insertImportMessage(record, counts);
    if (inserted && counts) this.deps.onProgress(this.target, counts);
    return inserted;
  }

  private async settle(item: PlannedItem, patch: Parameters<ImportJobStore['settleImportMessage']>[3], counts: Partial<ImportCounts>): Promise<void> {
    await this.deps.store.settleImportMessage(this.job.id, this.target.targetKey, item.seq, patch, counts);
    this.deps.onProgress(this.target, counts);
  }

  /** The Graph id a reply goes under, or why it cannot be sent. */
  private async parentOf(item: PlannedItem): Promise<{ id: string } | { skip: string } | { fail: string }> {
    const parent = await this.deps.store.findImportMessage(this.job.id, this.target.targetKey, item.parentSourceId!);
    if (parent?.state === 'imported' && parent.graphId) return { id: parent.graphId };
    if (parent?.state === 'skipped') return { skip: `its thread's first message was not imported (${parent.detail ?? 'skipped'})` };
    if (parent?.state === 'imported')
      return { fail: "its thread's first message was imported before a restart, but its id could not be read back (grant ChannelMessage.Read.All)" };
    return { fail: "its thread's first message failed to import" };
  }

  /** Sends one message exactly once, moving its time on by a millisecond if another message holds it. */
  private async deliver(item: PlannedItem, firstTimeMs: number, timeline: ThreadTimeline, resumedIntent: boolean): Promise<void> {
    let parentId: string | null = null;
    if (item.kind === 'reply') {
      const parent = await this.parentOf(item);
      if (!('id' in parent)) {
        const fields = 'skip' in parent ? { state: 'skipped' as const, detail: parent.skip } : { state: 'failed' as const, detail: parent.fail };
        const counts = 'skip' in parent ? { skipped: 1 } : { failed: 1 };
        if (resumedIntent) await this.settle(item, fields, counts);
        else await this.insert(item, fields, counts);
        return;
      }
      parentId = parent.id;
    }
    // A placeholder stands for a message nobody wrote any more: it is the fallback user's when there is one.
    const fallback = this.job.options.fallbackUser;
    const author = item.kind === 'placeholder' && fallback ? { from: fallback, credit: null } : decideAuthor(item.message, this.source.context.users, fallback);
    if (!('from' in author)) {
      const detail = `${author.needsFallback.name} (${author.needsFallback.status}) has no tenant user and no fallback user was named`;
      if (resumedIntent) await this.settle(item, { state: 'failed', detail }, { failed: 1 });
      else await this.insert(item, { state: 'failed', detail }, { failed: 1 });
      return;
    }
    const build = await this.messageBuilder(item, author.from, author.credit);
    let timeMs = firstTimeMs;
    if (!resumedIntent) {
      const inserted = await this.insert(item, {
        state: 'intent',
        detail: author.credit ? `posted as ${author.from.displayName} for ${author.credit.name}` : null,
        createdDateTime: new Date(timeMs).toISOString(),
      });
      if (!inserted) throw new Error(`message ${item.seq} of ${this.target.targetKey} was recorded by another runner`);
    }
    let landedBefore = resumedIntent;
    let shifts = 0;
    for (let attempt = 1; ; attempt++) {
      const message = build(timeMs);
      const counts = this.sentCounts(item, message, author.credit !== null);
      let receipt: { id: string; requestId: string | null };
      // Only the Graph call is in the try: a store failure after it must not read as "Graph outcome unknown".
      try {
        receipt = await this.paced(this.deps.importBudgets, () =>
          parentId ? this.deps.api.importReply(this.ref, parentId, message) : this.deps.api.importMessage(this.ref, message),
        );
      } catch (err) {
        const failure = toGraphCallError(err).failure;
        // A 404 on a reply is about its parent (deleted in Teams meanwhile), not the thread: only that reply fails.
        if (stopsTheThread(failure) && !(parentId && failure.status === 404)) throw new ThreadRefused(failure, explainImportFailure(failure));
        if (failure.status === 409 || failure.outcomeUnknown) {
          const found = await this.findLanded(parentId, message, author.from.id);
          if (found.state === 'ours') {
            await this.settle(item, { state: 'imported', graphId: found.id, requestId: failure.requestId, createdDateTime: message.createdDateTime }, counts);
            timeline.sent(timeMs);
            return;
          }
          if (failure.status === 409 && found.state === 'taken' && shifts < MAX_TIME_SHIFTS) {
            // Another message holds this millisecond: move on by one, keeping the order.
            shifts++;
            timeMs += 1;
            await this.deps.store.settleImportMessage(this.job.id, this.target.targetKey, item.seq, { createdDateTime: new Date(timeMs).toISOString() });
            landedBefore = false;
            continue;
          }
          if (failure.status === 409 && landedBefore) {
            // The time is taken, our earlier call may have landed, and the thread cannot tell: never send it twice.
            await this.settle(
              item,
              {
                state: 'imported',
                createdDateTime: message.createdDateTime,
                detail: `landed before a restart or retry; its id could not be read back (${found.state === 'unreadable' ? 'grant ChannelMessage.Read.All' : 'not found reading the thread'})`,
              },
              counts,
            );
            timeline.sent(timeMs);
            return;
          }
          if (failure.status === 409) {
            await this.settle(
              item,
              {
                state: 'failed',
                detail: 'Graph says another message holds this time, but it could not be found reading the thread back; not sent again',
                requestId: failure.requestId,
              },
              { failed: 1 },
            );
            return;
          }
        }
        if (failure.status === 429 && attempt < MAX_ATTEMPTS) {
          this.deps.pacer.block(this.deps.importBudgets, (failure.retryAfterSeconds ?? 1) * 1000);
          continue;
        }
        if (failure.outcomeUnknown && attempt < MAX_ATTEMPTS) {
          landedBefore = true;
          continue;
        }
        await this.settle(item, { state: 'failed', detail: explainImportFailure(failure), requestId: failure.requestId }, { failed: 1 });
        return;
      }
      await this.settle(item, { state: 'imported', graphId: receipt.id, requestId: receipt.requestId, createdDateTime: message.createdDateTime }, counts);
      timeline.sent(timeMs);
      return;
    }
  }

  private sentCounts(item: PlannedItem, message: ImportChatMessage, fallback: boolean): Partial<ImportCounts> {
    return {
      ...(item.kind === 'reply' ? { replies: 1 } : { messages: 1 }),
      reactions: message.reactions?.length ?? 0,
      fallbackAuthored: fallback ? 1 : 0,
    };
  }

  /**
   * Reads the thread back for the message at `message`'s millisecond (a call's answer was lost, or
   * a send got 409): `ours` when it has our author and, unless Graph rewrote it for inline images,
   * our body; `taken` when another message holds the time; `absent` when none does; `unreadable`
   * without ChannelMessage.Read.All. Pages newest first until past that time (at most 200 pages).
   */
  private async findLanded(
    parentId: string | null,
    message: ImportChatMessage,
    authorId: string,
  ): Promise<{ state: 'ours'; id: string } | { state: 'taken' | 'absent' | 'unreadable' }> {
    const timeMs = Date.parse(message.createdDateTime);
    let found: { state: 'ours'; id: string } | { state: 'taken' } | null = null;
    try {
      await this.paced(this.deps.importBudgets, () =>
        this.deps.api.scanMessages(
          this.ref,
          parentId,
          (page) => {
            for (const m of page) {
              if (Date.parse(m.createdDateTime) !== timeMs) continue;
              const sameBody = message.hostedContents !== undefined || m.body?.content === message.body.content;
              if (m.from?.user?.id === authorId && sameBody) found = { state: 'ours', id: m.id };
              else found ??= { state: 'taken' };
            }
            return (found !== null && found.state === 'ours') || page.some((m) => Date.parse(m.createdDateTime) < timeMs);
          },
          200,
        ),
      );
    } catch (err) {
      this.deps.logger.warn({ target: this.target.targetKey, err: { message: (err as Error)?.message } }, 'could not read the thread back to settle an import');
      return { state: 'unreadable' };
    }
    return found ?? { state: 'absent' };
  }

  /** Everything about a message but its time, prepared once (files read or uploaded once). */
  private async messageBuilder(item: PlannedItem, from: TeamsIdentity, credit: FallbackCredit | null): Promise<(timeMs: number) => ImportChatMessage> {
    const { context, reader } = this.source;
    const { api } = this.deps;
    const text = item.kind === 'placeholder' ? { html: `<i>${item.message.text}</i>`, mentions: [] } : context.render(item.message);
    const upload = this.job.options.uploadFiles && this.ref.kind === 'channel' ? { teamId: this.ref.teamId, channelId: this.ref.channelId } : null;
    const files = await fileParts(item.message.files, { reader, api, upload, paced: (request) => this.paced(this.deps.importBudgets, request) });
    return (timeMs: number): ImportChatMessage =>
      buildChatMessage({
        timeMs,
        from,
        credit,
        source: this.job.source.kind,
        text,
        meMessage: item.message.subtype === 'me_message',
        files,
        reactions: reactionsFor(
          item.message.reactions,
          (id) => context.teamsUser(id),
          (e) => context.emoji(e),
          timeMs,
        ).reactions,
      });
  }

  /** The import is done: its ledger line, then completion when asked for. */
  private async finish(): Promise<void> {
    const failures = await this.deps.store.listImportMessages(this.job.id, this.target.targetKey, { states: ['failed'], limit: 20 });
    const target = (await this.deps.store.listImportTargets(this.job.id)).find((t) => t.targetKey === this.target.targetKey) ?? this.target;
    this.target = target;
    await this.deps.store.appendLedger(
      this.ledgerLine(
        'import',
        target.counts.failed > 0 ? 'failed' : 'succeeded',
        { counts: target.counts, failedRequestIds: failures.map((f) => f.requestId).filter(Boolean) },
        null,
        target.counts.failed > 0
          ? { status: 0, code: 'SomeMessagesFailed', message: `${target.counts.failed} message(s) failed`, requestId: null, date: '', outcomeUnknown: false }
          : null,
        null,
        null,
      ),
    );
    await this.patch({ state: 'imported', detail: null });
    if (this.job.options.completeWhenDone) await this.complete();
  }

  /** Completes the thread's migration (only this app may), recording it in the ledger. */
  async complete(): Promise<void> {
    const { migration } = this.deps;
    const before = await this.readThread();
    if (before?.migrationMode !== 'inProgress') {
      if (before?.migrationMode === 'completed') await this.patch({ state: 'completed' });
      return;
    }
    try {
      const receipt = await this.throttledRetry(() => migration.completeMigration(this.ref));
      const after = await this.readThread();
      await this.deps.store.appendLedger(this.ledgerLine('import-complete', 'succeeded', {}, receipt.requestId, null, before, after));
      await this.patch({ state: 'completed' });
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      const after = await this.readThread();
      if (after && completeTookEffect(after)) {
        await this.deps.store.appendLedger(this.ledgerLine('import-complete', 'succeeded', {}, failure.requestId, null, before, after));
        await this.patch({ state: 'completed' });
        return;
      }
      await this.deps.store.appendLedger(this.ledgerLine('import-complete', 'failed', {}, failure.requestId, failure, before, after));
      await this.patch({ detail: `completeMigration failed: ${explainImportFailure(failure)}`, errorCode: failure.code, requestId: failure.requestId });
    }
  }

  private async fail(failure: GraphFailure, explanation: string): Promise<void> {
    await this.deps.store.appendLedger(this.ledgerLine('import', 'failed', { counts: this.target.counts }, failure.requestId, failure, null, null));
    await this.patch({ state: 'failed', detail: explanation, errorCode: failure.code, requestId: failure.requestId });
  }
}
