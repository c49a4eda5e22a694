import assert from 'node:assert/strict';
import type { AdminDecision } from '../../src/features/shared/admin-policy';
import type { OperationGuard } from '../../src/features/shared/operation-guard';
import { requesterCheck } from '../../src/features/bulk/requester-check';
import type { BulkJob } from '../../src/store/ports/bulk-jobs';
import { bulkItems, bulkJob } from '../store/fixtures';
import { fakeGraph, megansTurn, runJob, tempStores } from './job-run';

const CHECK_FAILED: AdminDecision = {
  allowed: false,
  reason: 'check-failed',
  message: 'Your administrator role could not be checked right now.',
  correlationId: 'corr-1',
};
const quickRetry = { firstPauseMs: 10, maxPauseMs: 40, attempts: 4 };

/** The job's real requester check over a directory that fails the first `failures` lookups; returns when each was asked. */
function flakyCheck(job: BulkJob, failures: number) {
  const asked: number[] = [];
  const guard = {
    async decideAdmin(): Promise<AdminDecision> {
      asked.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 2));
      return asked.length <= failures ? CHECK_FAILED : { allowed: true };
    },
  } as unknown as OperationGuard;
  return { asked, checkRequester: requesterCheck(guard, job, megansTurn) };
}

describe("bulk: the requester's admin check cannot be made while a job runs", () => {
  const stores = tempStores();
  afterEach(() => stores.cleanup());

  it('waits after each failed check, then carries on once the check answers again', async () => {
    const job = bulkJob();
    const items = bulkItems(job, 6);
    const store = stores.open();
    await store.createBulkJob(job, items);
    const graph = fakeGraph(job.conversationCreationDateTime);
    // The check fails three times in a row, then answers that Megan is an admin.
    const { asked, checkRequester } = flakyCheck(job, 3);
    const { run, done } = runJob(job, items, { store, migration: graph.migration, directory: graph.directory, checkRequester, adminCheckRetry: quickRetry });
    await done;

    assert.equal(graph.writes().length, 6, 'every channel was started');
    assert.equal(run.stoppedBecause, null);
    const waits = asked.slice(0, 3).map((t) => t - asked[0]);
    assert.ok(asked[1] - asked[0] >= 10 && asked[2] - asked[1] >= 20, `the waits grow (${waits.join(',')})`);
    assert.match(run.adminCheckNote ?? '', /could not be checked 3 times; the channels waited and were tried again/);
    assert.deepEqual(
      (await store.listBulkItems(job.id)).map((i) => i.state),
      Array(6).fill('succeeded'),
    );
  });

  it('stops after too many failed checks in a row, saying the role could not be checked (not that it was lost)', async () => {
    const job = bulkJob();
    const items = bulkItems(job, 5);
    const store = stores.open();
    await store.createBulkJob(job, items);
    const graph = fakeGraph(job.conversationCreationDateTime);
    const { asked, checkRequester } = flakyCheck(job, Number.POSITIVE_INFINITY);
    const { run, done } = runJob(job, items, { store, migration: graph.migration, directory: graph.directory, checkRequester, adminCheckRetry: quickRetry });
    await done;

    assert.equal(graph.writes().length, 0, 'nothing was sent without an answer');
    assert.equal(asked.length, 4, 'asked as often as allowed, then no more');
    assert.match(
      run.stoppedBecause ?? '',
      /^Megan Bowen's administrator role could not be checked \(it failed 4 times in a row; correlation id corr-1\); the role was not found missing/,
    );
    assert.doesNotMatch(run.stoppedBecause ?? '', /no longer an administrator/);
    assert.equal(run.adminCheckNote, null, 'the stop reason says it already');
    const stored = await store.listBulkItems(job.id);
    assert.ok(stored.every((i) => i.state === 'skipped' && i.detail === `not run: ${run.stoppedBecause}`));
    const lines = await store.queryLedger({ action: 'refused', limit: 10 });
    assert.equal(lines.length, 1, 'why the job stopped is in the ledger once');
    assert.equal(lines[0].parameters.reason, 'check-failed');
    assert.equal(lines[0].parameters.jobId, job.id);
  });
});
