import { targetKey } from '../../domain/targets';
import { explainFailure } from '../../domain/explain-failure';
import type { Logger } from '../../log/logger';
import type { BulkItem, BulkJob } from '../../store/ports/bulk-jobs';
import type { Store } from '../../store/ports/store';
import type { ActingContext } from '../shared/acting';
import { readBulkPayload } from './bulk-request';
import { countItems } from './bulk-views';
import type { JobSupervisor } from './job-supervisor';

/**
 * Jobs interrupted by a crash or a lost instance: a job this instance has just leased is read again
 * from the store, each item left with an intent but no outcome is settled from the ledger when its
 * entry was written (the crash came after the call), and what is left is launched again. Items with
 * an intent and no ledger entry are read from Graph by the job itself before anything is resent.
 * (A bulk confirmation claimed but never turned into a job is the interrupted-confirmation pass's,
 * src/features/background/interrupted-confirmations.ts.)
 */
export class BulkRecovery {
  constructor(private readonly deps: { store: Store; logger: Logger; supervisor: JobSupervisor }) {}

  /** Loads a job this instance has just leased, as the store has it now, and runs what is left. */
  async resumeLeased(listed: BulkJob): Promise<void> {
    const { store } = this.deps;
    // Read again under the lease: the previous holder may have sent the progress card meanwhile.
    const job = (await store.getBulkJob(listed.id)) ?? listed;
    const items = await store.listBulkItems(job.id);
    for (let i = 0; i < items.length; i++) {
      if (items[i].state === 'intent') items[i] = await this.settleFromLedger(job, items[i]);
    }
    const op = await store.getPending(job.id);
    const payload = op ? readBulkPayload(op.payload) : null;
    const befores = new Map((payload?.items ?? []).map((i) => [i.channelId, i.before] as const));
    const who: ActingContext = {
      aadObjectId: job.requestedBy.aadObjectId,
      name: job.requestedBy.name,
      tenantId: job.tenantId,
      conversationId: job.conversationId,
      timeZone: payload?.timeZone ?? null,
    };
    const c = countItems(items);
    this.deps.logger.info(
      { jobId: job.id, kind: job.kind, remaining: c.remaining, intent: items.filter((i) => i.state === 'intent').length },
      'resuming bulk job',
    );
    this.deps.supervisor.launch(job, items, who, befores, 'resume');
  }

  /** An intent whose ledger entry exists: the crash came after the call and the entry, so no call again. */
  private async settleFromLedger(job: BulkJob, item: BulkItem): Promise<BulkItem> {
    const entries = await this.deps.store.queryLedger({ targetKey: targetKey(item.target), action: job.kind, limit: 50 });
    const entry = entries.find((e) => e.jobId === job.id);
    if (!entry) return item;
    const state = entry.outcome === 'succeeded' ? 'succeeded' : 'failed';
    const failure = entry.error
      ? {
          status: entry.error.status ?? 0,
          code: entry.error.code ?? 'Unknown',
          message: entry.error.message,
          requestId: entry.requestId,
          date: entry.at,
          outcomeUnknown: entry.outcome === 'unknown',
        }
      : null;
    const detail = failure ? explainFailure(failure, job.kind === 'bulk-start' ? 'start' : 'complete') : null;
    const errorCode = failure ? (failure.status ? `${failure.status} ${failure.code}` : failure.code) : null;
    await this.deps.store.updateBulkItem(job.id, item.itemKey, { state, detail, errorCode, requestId: entry.requestId });
    return { ...item, state, detail, errorCode, requestId: entry.requestId };
  }
}
