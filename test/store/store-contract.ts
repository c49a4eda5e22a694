import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import {
  ZERO_COUNTS,
  type ImportCounts,
  type ImportJob,
  type ImportMessageRecord,
  type ImportMessageState,
  type ImportTarget,
} from '../../src/store/ports/import-jobs';
import type { LedgerEntry } from '../../src/store/ports/ledger';
import type { Store } from '../../src/store/ports/store';
import { UnknownRecordError } from '../../src/store/record-rules';
import { targetKey } from '../../src/domain/targets';
import {
  alex,
  auditEntry,
  bulkItems,
  bulkJob,
  falcon,
  general,
  importJob,
  importMessage,
  importTargets,
  launchChat,
  lynne,
  megan,
  minute,
  MY_TEAM,
  olga,
  pendingOperation,
  TENANT_A,
  TENANT_B,
} from './fixtures';

/** A store under test plus a way to open a second handle on the same data (another instance, a restart). */
export interface StoreHandle {
  store: Store;
  /** Opens a fresh store on the same data; the contract closes `store` first when it means a restart. */
  reopen(): Promise<Store>;
}

const ids = (entries: LedgerEntry[]) => entries.map((e) => e.id);

/**
 * The storage contract both backends must pass. `factory` gives every test its own empty store (a new
 * SQLite directory, a new table prefix); the suite closes whatever it opened.
 */
export function runStoreContract(name: string, factory: () => Promise<StoreHandle>): void {
  describe(`the ledger on ${name}`, function () {
    let handle: StoreHandle;
    let store: Store;
    const opened: Store[] = [];

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
      opened.push(store);
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const reopen = async () => {
      const s = await handle.reopen();
      opened.push(s);
      return s;
    };

    describe('an auditor reads the ledger', () => {
      it('lists every attempt on one thread, newest first, exactly as recorded', async () => {
        const first = auditEntry({ at: minute(1) });
        const refused = auditEntry({
          at: minute(3),
          action: 'refused',
          actor: lynne,
          outcome: 'refused',
          error: { message: 'Only Teams administrators can do this.' },
          requestId: null,
          before: null,
          after: null,
        });
        const other = auditEntry({ at: minute(2), target: launchChat });
        const completed = auditEntry({
          at: minute(4),
          action: 'complete',
          error: { status: 400, code: 'BadRequest', message: 'not in migration' },
          outcome: 'failed',
        });
        for (const e of [completed, first, other, refused]) await store.appendLedger(e);

        const found = await store.queryLedger({ targetKey: targetKey(general) });
        assert.deepEqual(found, [completed, refused, first]);
      });

      it('finds what one admin did, and only in the tenant asked for', async () => {
        const mine = [auditEntry({ at: minute(1) }), auditEntry({ at: minute(5), target: falcon })];
        const megans = auditEntry({ at: minute(2), actor: megan });
        const otherTenant = auditEntry({ at: minute(3), actor: olga, tenantId: TENANT_B, action: 'refused', outcome: 'refused' });
        for (const e of [...mine, megans, otherTenant]) await store.appendLedger(e);

        assert.deepEqual(ids(await store.queryLedger({ actorAadObjectId: alex.aadObjectId })), [mine[1].id, mine[0].id]);
        assert.deepEqual(ids(await store.queryLedger({ tenantId: TENANT_B })), [otherTenant.id]);
        assert.deepEqual(await store.queryLedger({ actorAadObjectId: olga.aadObjectId, tenantId: TENANT_A }), []);
      });

      it('returns entries at or after "since", the exact instant included, whatever the ISO spelling', async () => {
        const old = auditEntry({ at: '2025-02-28T23:59:59.999Z' });
        const exact = auditEntry({ at: '2025-03-01T00:00:00Z' });
        const later = auditEntry({ at: '2025-03-01T00:00:00.001Z' });
        const nextMonth = auditEntry({ at: '2025-04-02T08:00:00.000Z' });
        for (const e of [later, old, nextMonth, exact]) await store.appendLedger(e);

        assert.deepEqual(ids(await store.queryLedger({ since: '2025-03-01T00:00:00.000Z' })), [nextMonth.id, later.id, exact.id]);
        assert.deepEqual(ids(await store.queryLedger({ since: '2025-03-01T01:00:00+01:00' })), [nextMonth.id, later.id, exact.id]);
        assert.deepEqual(ids(await store.queryLedger({ since: '2025-05-01T00:00:00Z' })), []);
        assert.deepEqual(ids(await store.queryLedger({})), [nextMonth.id, later.id, exact.id, old.id]);
      });

      it('lists refusals on their own', async () => {
        const start = auditEntry({ at: minute(1) });
        const refusals = [
          auditEntry({ at: minute(2), action: 'refused', actor: lynne, outcome: 'refused', target: null }),
          auditEntry({ at: minute(3), action: 'refused', actor: olga, tenantId: TENANT_B, outcome: 'refused', target: null }),
        ];
        for (const e of [start, ...refusals]) await store.appendLedger(e);
        const found = await store.queryLedger({ action: 'refused' });
        assert.deepEqual(ids(found), [refusals[1].id, refusals[0].id]);
        assert.equal(found[0].target, null);
        assert.equal(found[0].targetKey, null);
      });

      it('keeps the newest 50 by default, honours a smaller "last N" and combines it with the other filters', async () => {
        const entries = Array.from({ length: 60 }, (_, i) => auditEntry({ at: minute(i), target: i % 2 ? falcon : general }));
        await Promise.all(entries.map((e) => store.appendLedger(e)));
        const newestFirst = [...entries].reverse();

        assert.deepEqual(ids(await store.queryLedger({})), ids(newestFirst.slice(0, 50)));
        assert.deepEqual(ids(await store.queryLedger({ limit: 3 })), ids(newestFirst.slice(0, 3)));
        assert.deepEqual(ids(await store.queryLedger({ limit: 0 })), []);
        assert.equal((await store.queryLedger({ limit: Number.POSITIVE_INFINITY })).length, 60);
        const falconSince = await store.queryLedger({ targetKey: targetKey(falcon), since: minute(50), limit: 2 });
        assert.deepEqual(ids(falconSince), [entries[59].id, entries[57].id]);
      });

      it('keeps a large, non-ASCII entry intact (a hostile command text is still recorded)', async () => {
        const text = `migrate ${'Zoë 日本 🚀 ../%2F?#'.repeat(5000)}`;
        const entry = auditEntry({ action: 'refused', outcome: 'refused', parameters: { text, nested: { list: [1, 'two', null, true] } } });
        await store.appendLedger(entry);
        const [found] = await store.queryLedger({});
        // Compared without assert.deepEqual, whose diff of a 90 000-character string floods the report.
        assert.ok(isDeepStrictEqual(found, entry), 'the entry read back differs from the one written');
      });

      it('refuses an entry whose time is not an ISO date-time', async () => {
        await assert.rejects(store.appendLedger(auditEntry({ at: 'yesterday' })), /ISO 8601/);
        assert.deepEqual(await store.queryLedger({}), []);
      });
    });

    describe('an admin presses the buttons of a confirmation card', () => {
      it('finds the operation the card refers to, and nothing for an id it never issued', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        assert.deepEqual(await store.getPending(op.id), op);
        assert.equal(await store.getPending('not-an-issued-id'), null);
      });

      it('refuses to issue the same operation id twice', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        await assert.rejects(store.createPending({ ...op, kind: 'complete' }));
        assert.equal((await store.getPending(op.id))?.kind, 'start');
      });

      it('does the work once when Confirm is pressed ten times at once', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimPending(op.id)));
        assert.equal(claims.filter(Boolean).length, 1);
        assert.equal((await store.getPending(op.id))?.state, 'running');
        assert.equal(await store.claimPending(op.id), false);
      });

      it('lets exactly one of a Confirm and a Cancel pressed together win', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        const presses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store.cancelPending(op.id) : store.claimPending(op.id))));
        assert.equal(presses.filter(Boolean).length, 1);
        const winner = presses.indexOf(true) % 2 ? 'cancelled' : 'running';
        assert.equal((await store.getPending(op.id))?.state, winner);
      });

      it('cancels only an operation that is still pending', async () => {
        const running = pendingOperation();
        const waiting = pendingOperation();
        await store.createPending(running);
        await store.createPending(waiting);
        assert.equal(await store.claimPending(running.id), true);
        assert.equal(await store.cancelPending(running.id), false);
        assert.equal((await store.getPending(running.id))?.state, 'running');

        assert.equal(await store.cancelPending(waiting.id), true);
        assert.equal(await store.cancelPending(waiting.id), false);
        assert.equal(await store.claimPending(waiting.id), false);
        assert.equal((await store.getPending(waiting.id))?.state, 'cancelled');

        assert.equal(await store.cancelPending('never-issued'), false);
        assert.equal(await store.claimPending('never-issued'), false);
      });

      it('records the result shown on the card and the card it was shown on', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        await store.setPendingActivity(op.id, '1:activity-42');
        assert.equal(await store.claimPending(op.id), true);
        const result = { view: { title: 'Migration started: General', facts: [{ title: 'Request id', value: 'abc' }] } };
        await store.finishPending(op.id, 'done', result);
        const stored = await store.getPending(op.id);
        assert.ok(stored?.claimedAt && Math.abs(Date.parse(stored.claimedAt) - Date.now()) < 60_000, 'the claim is stamped with its time');
        assert.deepEqual(stored, { ...op, state: 'done', result, activityId: '1:activity-42', claimedAt: stored.claimedAt });

        const cancelled = pendingOperation();
        await store.createPending(cancelled);
        assert.equal(await store.cancelPending(cancelled.id), true);
        await store.finishPending(cancelled.id, 'cancelled', null);
        assert.deepEqual(await store.getPending(cancelled.id), { ...cancelled, state: 'cancelled' });
      });

      it('finishes a confirmed operation together with its line in the ledger', async () => {
        const op = pendingOperation();
        await store.createPending(op);
        assert.equal(await store.claimPending(op.id), true);
        const entry = auditEntry({ outcome: 'succeeded', requestId: 'req-finish-1' });
        const result = { view: { title: 'Migration started: General' } };
        await store.finishPending(op.id, 'done', result, entry);
        assert.equal((await store.getPending(op.id))?.state, 'done');
        assert.deepEqual(await store.queryLedger({ targetKey: entry.targetKey ?? undefined }), [entry]);
      });

      it('finds confirmations a stopped bot left running, and lets exactly one instance settle each', async () => {
        const interrupted = pendingOperation();
        const finished = pendingOperation();
        const waiting = pendingOperation();
        for (const op of [interrupted, finished, waiting]) await store.createPending(op);
        await store.claimPending(interrupted.id);
        await store.claimPending(finished.id);
        await store.finishPending(finished.id, 'done', { view: { title: 'done' } });
        const later = new Date(Date.now() + 60_000).toISOString();
        const earlier = new Date(Date.now() - 60_000).toISOString();
        assert.deepEqual(
          (await store.listInterruptedPending(later)).map((op) => op.id),
          [interrupted.id],
        );
        assert.deepEqual(await store.listInterruptedPending(earlier), [], 'a claim younger than the cut-off may still be at work');

        const [found] = await store.listInterruptedPending(later);
        const entry = auditEntry({ outcome: 'succeeded', parameters: { interrupted: true } });
        const result = { view: { title: 'Migration started: General' } };
        const settled = await Promise.all([1, 2, 3].map(() => store.settleInterruptedPending(found.id, found.claimedAt, result, entry)));
        assert.deepEqual(settled.filter(Boolean).length, 1, 'one settler wins');
        assert.equal((await store.getPending(found.id))?.state, 'done');
        assert.deepEqual((await store.getPending(found.id))?.result, result);
        assert.deepEqual(await store.queryLedger({ targetKey: entry.targetKey ?? undefined }), [entry], 'one ledger line');
        assert.deepEqual(await store.listInterruptedPending(later), []);
      });

      it('prunes confirmations nobody can act on any more, and never a running one', async () => {
        const old = { expiresAt: '2025-01-01T00:00:00.000Z' };
        const done = pendingOperation(old);
        const cancelled = pendingOperation(old);
        const unanswered = pendingOperation(old);
        const running = pendingOperation(old);
        const recent = pendingOperation({ expiresAt: '2025-06-01T00:00:00.000Z' });
        for (const op of [done, cancelled, unanswered, running, recent]) await store.createPending(op);
        await store.claimPending(done.id);
        await store.finishPending(done.id, 'done', { view: { title: 'done' } });
        await store.cancelPending(cancelled.id);
        await store.claimPending(running.id);
        await store.claimPending(recent.id);
        await store.finishPending(recent.id, 'done', { view: { title: 'done' } });

        assert.equal(await store.prunePending('2025-03-01T00:00:00.000Z'), 3);
        for (const op of [done, cancelled, unanswered]) assert.equal(await store.getPending(op.id), null);
        assert.equal((await store.getPending(running.id))?.state, 'running');
        assert.equal((await store.getPending(recent.id))?.state, 'done');
        assert.equal(await store.prunePending('2025-03-01T00:00:00.000Z'), 0);
      });

      it('rejects finishing or annotating an operation it never issued', async () => {
        await assert.rejects(store.finishPending('never-issued', 'done', null), /does not exist/);
        await assert.rejects(store.setPendingActivity('never-issued', '1:x'), /does not exist/);
      });
    });

    describe('a bulk job over a whole team', () => {
      it('stores the job with its items in execution order and lists it among running jobs', async () => {
        const job = bulkJob();
        const items = bulkItems(job, 150);
        await store.createBulkJob(job, [...items].reverse());
        assert.deepEqual(await store.getBulkJob(job.id), job);
        assert.deepEqual(await store.listBulkItems(job.id), items);
        assert.deepEqual(await store.listBulkJobs('running'), [job]);
        assert.deepEqual(await store.listBulkJobs('done'), []);
        assert.equal(await store.getBulkJob('no-such-job'), null);
        assert.deepEqual(await store.listBulkItems('no-such-job'), []);
      });

      it('lists running jobs oldest first so they resume in the order they were asked for', async () => {
        const older = bulkJob({ createdAt: '2025-03-01T09:00:00.000Z' });
        const newer = bulkJob({ createdAt: '2025-03-01T11:00:00.000Z', kind: 'bulk-complete' });
        const finished = bulkJob({ createdAt: '2025-03-01T08:00:00.000Z', state: 'done' });
        for (const job of [newer, finished, older]) await store.createBulkJob(job, bulkItems(job, 2));
        assert.deepEqual(
          (await store.listBulkJobs('running')).map((j) => j.id),
          [older.id, newer.id],
        );
        assert.deepEqual(
          (await store.listBulkJobs('done')).map((j) => j.id),
          [finished.id],
        );
      });

      it('records intent, then outcome, per item, and a finished job leaves the running list', async () => {
        const job = bulkJob();
        const items = bulkItems(job, 3);
        await store.createBulkJob(job, items);

        await store.updateBulkItem(job.id, items[0].itemKey, { state: 'intent' });
        await store.updateBulkItem(job.id, items[0].itemKey, { state: 'succeeded', requestId: 'req-1' });
        await store.updateBulkItem(job.id, items[1].itemKey, { state: 'failed', detail: 'Graph said 403', errorCode: 'Forbidden' });
        await store.updateBulkItem(job.id, items[1].itemKey, { detail: null });
        await store.updateBulkItem(job.id, items[2].itemKey, { state: 'skipped', detail: 'private channel excluded' });

        const after = await store.listBulkItems(job.id);
        assert.deepEqual(
          after.map(({ state, detail, errorCode, requestId }) => ({ state, detail, errorCode, requestId })),
          [
            { state: 'succeeded', detail: null, errorCode: null, requestId: 'req-1' },
            { state: 'failed', detail: null, errorCode: 'Forbidden', requestId: null },
            { state: 'skipped', detail: 'private channel excluded', errorCode: null, requestId: null },
          ],
        );
        assert.deepEqual(
          after.map((i) => i.target),
          items.map((i) => i.target),
        );
        assert.ok(
          after.every((i) => Date.parse(i.updatedAt) > Date.parse(job.createdAt)),
          'every touched item gets a new updatedAt',
        );

        await store.updateBulkJob(job.id, { progressActivityId: '1:progress-card' });
        await store.updateBulkJob(job.id, { state: 'done' });
        const done = await store.getBulkJob(job.id);
        assert.equal(done?.state, 'done');
        assert.equal(done?.progressActivityId, '1:progress-card');
        assert.ok(Date.parse(done.updatedAt) > Date.parse(job.updatedAt));
        assert.deepEqual(await store.listBulkJobs('running'), []);
      });

      it('keeps every recorded intent when another instance (or a restart) reads the job', async () => {
        const job = bulkJob();
        const items = bulkItems(job, 5);
        await store.createBulkJob(job, items);
        await store.updateBulkItem(job.id, items[0].itemKey, { state: 'succeeded', requestId: 'req-0' });
        await store.updateBulkItem(job.id, items[1].itemKey, { state: 'intent' });
        await store.close();

        const restarted = await reopen();
        assert.deepEqual(
          (await restarted.listBulkItems(job.id)).map((i) => i.state),
          ['succeeded', 'intent', 'queued', 'queued', 'queued'],
        );
        assert.deepEqual(
          (await restarted.listBulkJobs('running')).map((j) => j.id),
          [job.id],
        );
      });

      it('rejects updates to an item or job it does not hold, instead of losing the intent', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 1));
        await assert.rejects(store.updateBulkItem(job.id, '19:not-in-this-job@thread.tacv2', { state: 'intent' }), /does not exist/);
        await assert.rejects(store.updateBulkItem('no-such-job', '19:eng-ch01@thread.tacv2', { state: 'intent' }), /does not exist/);
        await assert.rejects(store.updateBulkJob('no-such-job', { state: 'done' }), /does not exist/);
      });

      it('refuses a second job with the same id and items that belong to another job', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 2));
        await assert.rejects(store.createBulkJob({ ...job, teamName: 'Impostor' }, []));
        assert.equal((await store.getBulkJob(job.id))?.teamName, 'Contoso Engineering');

        const stray = bulkJob();
        await assert.rejects(store.createBulkJob(stray, bulkItems(job, 1)), /names job/);
        assert.equal(await store.getBulkJob(stray.id), null);
      });
    });

    describe('two bot instances share one ledger and one bulk job', () => {
      const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

      it('lets one instance at a time work on a job; the other gets it once the lease is released or has expired', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 2));
        const other = await reopen();

        assert.equal(await store.acquireBulkJobLease(job.id, 'instance-a', inSeconds(15)), true, 'a free job is taken');
        assert.equal(await other.acquireBulkJobLease(job.id, 'instance-b', inSeconds(15)), false, 'a held lease is not taken');
        assert.equal(await other.renewBulkJobLease(job.id, 'instance-b', inSeconds(15)), false, 'nor renewed by someone else');
        assert.equal(await store.acquireBulkJobLease(job.id, 'instance-a', inSeconds(15)), true, 'the holder may take it again');
        assert.equal(await store.renewBulkJobLease(job.id, 'instance-a', inSeconds(15)), true);

        await other.releaseBulkJobLease(job.id, 'instance-b');
        assert.equal(await other.acquireBulkJobLease(job.id, 'instance-b', inSeconds(15)), false, "releasing someone else's lease does nothing");
        await store.releaseBulkJobLease(job.id, 'instance-a');
        assert.equal(await other.acquireBulkJobLease(job.id, 'instance-b', inSeconds(15)), true, 'a released lease is taken at once');
        assert.equal(await store.renewBulkJobLease(job.id, 'instance-a', inSeconds(15)), false, 'the old holder learns it lost the job');

        // Instance B stops renewing (it crashed): once its lease has ended, A takes the job over.
        assert.equal(await other.renewBulkJobLease(job.id, 'instance-b', inSeconds(-1)), true);
        assert.equal(await store.acquireBulkJobLease(job.id, 'instance-a', inSeconds(15)), true, 'an expired lease is taken over');
        assert.equal(await other.renewBulkJobLease(job.id, 'instance-b', inSeconds(15)), false, 'and the crashed holder cannot renew it');
      });

      it('gives exactly one of ten instances an expired lease when they all try at once', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 2), { ownerId: 'crashed-instance', leaseUntil: inSeconds(-1) });
        const other = await reopen();
        const taken = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).acquireBulkJobLease(job.id, `instance-${i}`, inSeconds(15))),
        );
        assert.equal(taken.filter(Boolean).length, 1);
        const winner = `instance-${taken.indexOf(true)}`;
        assert.equal(await store.renewBulkJobLease(job.id, winner, inSeconds(15)), true);
      });

      it('gives a job to its creator from the first moment, and keeps the lease through progress updates', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 2), { ownerId: 'instance-a', leaseUntil: inSeconds(15) });
        assert.deepEqual(await store.getBulkJob(job.id), job, 'the lease is not part of the job record');
        assert.deepEqual(await store.listBulkJobs('running'), [job]);
        await store.updateBulkJob(job.id, { progressActivityId: '1:progress-card' });
        const other = await reopen();
        assert.equal(await other.acquireBulkJobLease(job.id, 'instance-b', inSeconds(15)), false);
        assert.equal(await store.renewBulkJobLease(job.id, 'instance-a', inSeconds(15)), true);
      });

      it('never leases a finished or unknown job', async () => {
        const job = bulkJob();
        await store.createBulkJob(job, bulkItems(job, 1));
        await store.updateBulkJob(job.id, { state: 'done' });
        assert.equal(await store.acquireBulkJobLease(job.id, 'instance-a', inSeconds(15)), false);
        assert.equal(await store.acquireBulkJobLease('no-such-job', 'instance-a', inSeconds(15)), false);
        assert.equal(await store.renewBulkJobLease('no-such-job', 'instance-a', inSeconds(15)), false);
        await store.releaseBulkJobLease('no-such-job', 'instance-a');
      });

      it("records an item's intent for exactly one of the instances racing for it, so only that one calls Graph", async () => {
        const job = bulkJob();
        const [item] = bulkItems(job, 1);
        await store.createBulkJob(job, [item]);
        const other = await reopen();
        const won = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).transitionBulkItem(job.id, item.itemKey, 'queued', { state: 'intent' })),
        );
        assert.equal(won.filter(Boolean).length, 1);
        assert.equal((await other.listBulkItems(job.id))[0].state, 'intent');

        assert.equal(await store.transitionBulkItem(job.id, item.itemKey, 'queued', { state: 'intent' }), false, 'no second intent');
        assert.equal(await store.transitionBulkItem(job.id, item.itemKey, 'intent', { state: 'succeeded', requestId: 'req-1' }), true);
        const [settled] = await store.listBulkItems(job.id);
        assert.deepEqual(
          { state: settled.state, requestId: settled.requestId, detail: settled.detail },
          { state: 'succeeded', requestId: 'req-1', detail: null },
        );
        await assert.rejects(store.transitionBulkItem(job.id, '19:not-in-this-job@thread.tacv2', 'queued', { state: 'intent' }), /does not exist/);
      });
    });

    describe('an import of an export into the channels of a team', () => {
      const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
      /** What a row counts for, the way the counters must add up: one counter per settled row. */
      const tally = (rows: ImportMessageRecord[]): ImportCounts => ({
        ...ZERO_COUNTS,
        messages: rows.filter((r) => r.state === 'imported' && r.parentSourceId === null).length,
        replies: rows.filter((r) => r.state === 'imported' && r.parentSourceId !== null).length,
        skipped: rows.filter((r) => r.state === 'skipped').length,
        failed: rows.filter((r) => r.state === 'failed').length,
      });
      const targetOf = async (s: Store, target: ImportTarget) => (await s.listImportTargets(target.jobId)).find((t) => t.targetKey === target.targetKey);

      it('stores the job with its targets in order, and finds neither for an id it never issued', async () => {
        const job = importJob();
        const targets = importTargets(job, 40);
        await store.createImportJob(job, [...targets].reverse());
        assert.deepEqual(await store.getImportJob(job.id), job);
        assert.deepEqual(await store.listImportTargets(job.id), targets);
        assert.equal(await store.getImportJob('no-such-job'), null);
        assert.deepEqual(await store.listImportTargets('no-such-job'), []);
      });

      it('refuses a second job with the same id, and targets that belong to another job', async () => {
        const job = importJob();
        await store.createImportJob(job, importTargets(job, 2));
        await assert.rejects(store.createImportJob({ ...job, teamName: 'Impostor' }, []));
        assert.equal((await store.getImportJob(job.id))?.teamName, 'Contoso Engineering');

        const stray = importJob();
        await assert.rejects(store.createImportJob(stray, importTargets(job, 1)), /names job/);
        await assert.rejects(store.createImportJob(stray, [...importTargets(stray, 1), ...importTargets(stray, 1)]), /twice/);
        assert.equal(await store.getImportJob(stray.id), null);
      });

      it('finds the jobs of one export into one team by their key, newest first by instant, whatever the ISO spelling', async () => {
        const first = importJob({ createdAt: '2025-03-01T10:00:00Z' });
        // Later by half a second, although its text sorts before the first's.
        const retry = importJob({ createdAt: '2025-03-01T10:00:00.500Z', state: 'cancelled' });
        const otherTeam = importJob({ jobKey: `${first.source.sha256}:${MY_TEAM}`, teamId: MY_TEAM, createdAt: '2025-03-01T11:00:00.000Z' });
        for (const job of [first, otherTeam, retry]) await store.createImportJob(job, importTargets(job, 1));
        assert.deepEqual(
          (await store.findImportJobsByKey(first.jobKey)).map((j) => j.id),
          [retry.id, first.id],
        );
        assert.deepEqual(await store.findImportJobsByKey(otherTeam.jobKey), [otherTeam]);
        assert.deepEqual(await store.findImportJobsByKey('no-such-key'), []);
      });

      it('lists jobs newest first, only in the state and tenant asked for, at most the limit (50 by default)', async () => {
        const jobs = Array.from({ length: 55 }, (_, i) =>
          importJob({ createdAt: minute(i), tenantId: i % 5 === 0 ? TENANT_B : TENANT_A, state: i % 3 === 0 ? 'done' : i % 3 === 1 ? 'paused' : 'running' }),
        );
        for (const job of jobs) await store.createImportJob(job, []);
        const newestFirst = [...jobs].reverse();
        const idsOf = (list: ImportJob[]) => list.map((j) => j.id);

        assert.deepEqual(idsOf(await store.listImportJobs()), idsOf(newestFirst.slice(0, 50)));
        assert.deepEqual(idsOf(await store.listImportJobs({ limit: 3 })), idsOf(newestFirst.slice(0, 3)));
        assert.deepEqual(await store.listImportJobs({ limit: 0 }), []);
        assert.equal((await store.listImportJobs({ limit: Number.POSITIVE_INFINITY })).length, 55);
        assert.deepEqual(idsOf(await store.listImportJobs({ state: 'paused' })), idsOf(newestFirst.filter((j) => j.state === 'paused')));
        assert.deepEqual(idsOf(await store.listImportJobs({ tenantId: TENANT_B })), idsOf(newestFirst.filter((j) => j.tenantId === TENANT_B)));
        assert.deepEqual(
          idsOf(await store.listImportJobs({ state: 'running', tenantId: TENANT_B, limit: 2 })),
          idsOf(newestFirst.filter((j) => j.state === 'running' && j.tenantId === TENANT_B).slice(0, 2)),
        );
        assert.deepEqual(await store.listImportJobs({ state: 'cancelled' }), []);
      });

      it("changes a job's state, progress card and options, stamping the change, and refuses a job it does not hold", async () => {
        const job = importJob({ origin: 'teams', conversationId: '19:eng-general@thread.tacv2', conversationReference: { conversation: { id: 'c' } } });
        await store.createImportJob(job, importTargets(job, 1));
        const options = { ...job.options, fallbackUser: null, channelMap: {} };
        await store.updateImportJob(job.id, { state: 'paused', progressActivityId: '1:progress-card' });
        await store.updateImportJob(job.id, { options });
        const paused = await store.getImportJob(job.id);
        assert.ok(paused && Date.parse(paused.updatedAt) > Date.parse(job.updatedAt), 'the change is stamped');
        assert.deepEqual(paused, { ...job, state: 'paused', progressActivityId: '1:progress-card', options, updatedAt: paused.updatedAt });
        await store.updateImportJob(job.id, { progressActivityId: null });
        assert.equal((await store.getImportJob(job.id))?.progressActivityId, null);
        await assert.rejects(store.updateImportJob('no-such-job', { state: 'done' }), UnknownRecordError);
      });

      it('changes a job only while it is in the states named (the first of two presses at once wins), and moves its card with its conversation', async () => {
        const job = importJob({ origin: 'teams', state: 'running' });
        await store.createImportJob(job, importTargets(job, 1));
        assert.equal(await store.updateImportJob(job.id, { state: 'cancelled' }, { onlyIn: ['running', 'paused'] }), true);
        assert.equal(await store.updateImportJob(job.id, { state: 'running' }, { onlyIn: ['paused'] }), false, 'a resume after the cancel changes nothing');
        assert.equal(await store.updateImportJob(job.id, { state: 'done' }, { onlyIn: ['running'] }), false, 'a run ending after the cancel changes nothing');
        assert.equal((await store.getImportJob(job.id))?.state, 'cancelled');
        const reference = { conversation: { id: 'a:personal-megan' } };
        assert.equal(
          await store.updateImportJob(job.id, { conversationId: 'a:personal-megan', conversationReference: reference, progressActivityId: '2:card' }),
          true,
        );
        const moved = await store.getImportJob(job.id);
        assert.deepEqual([moved?.conversationId, moved?.conversationReference, moved?.progressActivityId], ['a:personal-megan', reference, '2:card']);
        await assert.rejects(store.updateImportJob('no-such-job', { state: 'done' }, { onlyIn: ['running'] }), UnknownRecordError);
      });

      it("changes a target's state and details without touching its counters, and refuses a target it does not hold", async () => {
        const job = importJob();
        const [general0, second] = importTargets(job, 2);
        await store.createImportJob(job, [general0, second]);
        await store.insertImportMessage(importMessage(general0, 0, { state: 'skipped', detail: 'a channel join' }), { skipped: 1 });
        await store.updateImportTarget(job.id, general0.targetKey, {
          state: 'importing',
          conversationCreationDateTime: '2019-01-01T00:00:00.000Z',
          startedByJob: true,
          planned: 1200,
        });
        await store.updateImportTarget(job.id, second.targetKey, { state: 'failed', detail: 'Graph said 403', errorCode: 'Forbidden', requestId: 'req-9' });
        await store.updateImportTarget(job.id, second.targetKey, { detail: null });

        const [importing, failed] = await store.listImportTargets(job.id);
        assert.ok(Date.parse(importing.updatedAt) > Date.parse(job.createdAt), 'the change is stamped');
        assert.deepEqual(importing, {
          ...general0,
          state: 'importing',
          conversationCreationDateTime: '2019-01-01T00:00:00.000Z',
          startedByJob: true,
          planned: 1200,
          counts: { ...ZERO_COUNTS, skipped: 1 },
          updatedAt: importing.updatedAt,
        });
        assert.deepEqual(failed, { ...second, state: 'failed', detail: null, errorCode: 'Forbidden', requestId: 'req-9', updatedAt: failed.updatedAt });

        await assert.rejects(store.updateImportTarget(job.id, 'channel:nope:19:nope@thread.tacv2', { state: 'importing' }), UnknownRecordError);
        await assert.rejects(store.updateImportTarget('no-such-job', general0.targetKey, { state: 'importing' }), UnknownRecordError);
      });

      it('records each message once, even when two instances race to insert the same seq', async () => {
        const job = importJob();
        const [target] = importTargets(job, 1);
        await store.createImportJob(job, [target]);
        const other = await reopen();
        const attempts = Array.from({ length: 10 }, (_, i) => importMessage(target, 7, { detail: `attempt ${i}` }));
        const won = await Promise.all(attempts.map((record, i) => (i % 2 ? store : other).insertImportMessage(record, { messages: 1 })));
        assert.equal(won.filter(Boolean).length, 1, 'one insert wins');
        const winner = attempts[won.indexOf(true)];
        assert.deepEqual(await other.listImportMessages(job.id, target.targetKey), [winner]);
        assert.deepEqual((await targetOf(store, target))?.counts, { ...ZERO_COUNTS, messages: 1 }, 'counted once');

        // A later insert of the same seq (a resumed run) changes nothing, its counts included.
        assert.equal(await store.insertImportMessage(importMessage(target, 7, { state: 'skipped' }), { skipped: 1 }), false);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey), [winner]);
        assert.deepEqual((await targetOf(store, target))?.counts, { ...ZERO_COUNTS, messages: 1 });
      });

      it('keeps the target counters in step with the rows across settles', async () => {
        const job = importJob();
        const [target, untouched] = importTargets(job, 2);
        await store.createImportJob(job, [target, untouched]);
        const other = await reopen();
        // Two instances write rows of one target at once (never the case under a lease, but the
        // counters must still add up): each insert is one atomic step with its counts.
        const rows = Array.from({ length: 16 }, (_, seq) =>
          importMessage(target, seq, seq % 4 === 3 ? { parentSourceId: `${1_700_000_000 + seq - 1}.000100` } : {}),
        );
        await Promise.all(
          rows.map((row, seq) =>
            (seq % 2 ? store : other).insertImportMessage(
              seq % 5 === 4 ? { ...row, state: 'skipped', createdDateTime: null, detail: 'a bot message' } : row,
              seq % 5 === 4 ? { skipped: 1 } : undefined,
            ),
          ),
        );
        for (const row of (await store.listImportMessages(job.id, target.targetKey)).filter((r) => r.state === 'intent')) {
          const reply = row.parentSourceId !== null;
          if (row.seq % 7 === 6) {
            await store.settleImportMessage(
              job.id,
              target.targetKey,
              row.seq,
              { state: 'failed', detail: 'Graph said 400', requestId: `req-${row.seq}` },
              { failed: 1 },
            );
          } else {
            await other.settleImportMessage(
              job.id,
              target.targetKey,
              row.seq,
              { state: 'imported', graphId: `${1_740_000_000_000 + row.seq}`, requestId: `req-${row.seq}` },
              reply ? { replies: 1, reactions: 2 } : { messages: 1, fallbackAuthored: row.seq % 2 },
            );
          }
        }
        // A retried failure: back from failed to imported, its counts moved in the same step.
        await store.settleImportMessage(
          job.id,
          target.targetKey,
          6,
          { state: 'imported', graphId: '1740000000006', detail: null },
          { failed: -1, messages: 1 },
        );
        // A settle that only records the time sent adds nothing.
        await store.settleImportMessage(job.id, target.targetKey, 0, { createdDateTime: '2023-11-14T22:13:20.001Z' });

        const after = await store.listImportMessages(job.id, target.targetKey);
        assert.equal(after.length, 16);
        const expected = tally(after);
        const fallbackAuthored = after.filter((r) => r.state === 'imported' && r.parentSourceId === null && r.seq % 2 === 1 && r.seq !== 6).length;
        const reactions = 2 * expected.replies;
        assert.deepEqual((await targetOf(other, target))?.counts, { ...expected, reactions, fallbackAuthored });
        assert.deepEqual((await targetOf(store, untouched))?.counts, ZERO_COUNTS, "another target's counters do not move");

        const [settled] = after.filter((r) => r.seq === 6);
        assert.deepEqual(
          { state: settled.state, graphId: settled.graphId, detail: settled.detail, requestId: settled.requestId },
          { state: 'imported', graphId: '1740000000006', detail: null, requestId: 'req-6' },
          'a patch sets what it names, clears what it names as null, and keeps the rest',
        );
        assert.equal(after[0].createdDateTime, '2023-11-14T22:13:20.001Z');
        assert.ok(Date.parse(after[0].updatedAt) > Date.parse(rows[0].updatedAt), 'a settle is stamped');
      });

      it('refuses rows and settles for a target or row it does not hold, changing nothing', async () => {
        const job = importJob();
        const [target] = importTargets(job, 1);
        await store.createImportJob(job, [target]);
        const stranger = { ...target, targetKey: 'channel:nope:19:nope@thread.tacv2' };
        await assert.rejects(store.insertImportMessage(importMessage(stranger, 0), { messages: 1 }), UnknownRecordError);
        await assert.rejects(store.insertImportMessage(importMessage({ ...target, jobId: 'no-such-job' }, 0)), UnknownRecordError);
        await assert.rejects(store.settleImportMessage(job.id, target.targetKey, 0, { state: 'imported' }, { messages: 1 }), UnknownRecordError);
        await assert.rejects(store.insertImportMessage(importMessage(target, 0), { messages: 0.5 }), /integer/);
        await assert.rejects(store.insertImportMessage(importMessage(target, -1)), /seq/);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey), []);
        assert.deepEqual(await store.listImportMessages(job.id, stranger.targetKey), []);
        assert.deepEqual((await targetOf(store, target))?.counts, ZERO_COUNTS);
      });

      it('finds a root by its source id so a reply can be posted under it', async () => {
        const job = importJob({ id: 'job/with#awkward?id%2F' });
        const [target, elsewhere] = importTargets(job, 2).map((t, i) => ({ ...t, targetKey: `${t.targetKey}/#?\\!21 ${i}` }));
        await store.createImportJob(job, [target, elsewhere]);
        const root = importMessage(target, 0, { sourceId: 'thread/root#1?' });
        const reply = importMessage(target, 1, { sourceId: '1700000000.000200', parentSourceId: root.sourceId });
        await store.insertImportMessage(root);
        await store.settleImportMessage(job.id, target.targetKey, 0, { state: 'imported', graphId: '1740000000000' }, { messages: 1 });
        await store.insertImportMessage(reply);

        const found = await store.findImportMessage(job.id, target.targetKey, reply.parentSourceId!);
        assert.deepEqual(found, { ...root, state: 'imported', graphId: '1740000000000', updatedAt: found?.updatedAt });
        assert.deepEqual(await store.findImportMessage(job.id, target.targetKey, reply.sourceId), reply);
        assert.equal(await store.findImportMessage(job.id, target.targetKey, 'thread!2Froot#1?'), null, 'distinct ids stay distinct');
        assert.equal(await store.findImportMessage(job.id, elsewhere.targetKey, root.sourceId), null, 'another target has its own rows');

        // The same source id in another target (another source channel) is another row.
        await store.insertImportMessage(importMessage(elsewhere, 0, { sourceId: root.sourceId }));
        assert.equal((await store.findImportMessage(job.id, elsewhere.targetKey, root.sourceId))?.state, 'intent');
      });

      it('refuses a second row for a source message already recorded under another seq, changing nothing', async () => {
        const job = importJob();
        const [target] = importTargets(job, 1);
        await store.createImportJob(job, [target]);
        const row = importMessage(target, 0);
        await store.insertImportMessage(row, { messages: 1 });
        await assert.rejects(store.insertImportMessage(importMessage(target, 1, { sourceId: row.sourceId }), { messages: 1 }), /already recorded/);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey), [row]);
        assert.deepEqual(await store.findImportMessage(job.id, target.targetKey, row.sourceId), row);
        assert.deepEqual(await store.lastImportMessage(job.id, target.targetKey), row);
        assert.deepEqual((await targetOf(store, target))?.counts, { ...ZERO_COUNTS, messages: 1 });
      });

      it('resumes from the highest seq, after a restart too', async () => {
        const job = importJob();
        const [target, fresh] = importTargets(job, 2);
        await store.createImportJob(job, [target, fresh]);
        assert.equal(await store.lastImportMessage(job.id, target.targetKey), null);
        // In order, then a gap, then a lower seq: the highest wins, by number (10 after 9), not by insertion.
        for (const seq of [0, 1, 2, 9, 10, 5]) await store.insertImportMessage(importMessage(target, seq));
        const last = importMessage(target, 10);
        assert.deepEqual(await store.lastImportMessage(job.id, target.targetKey), last);
        await store.settleImportMessage(job.id, target.targetKey, 10, { state: 'imported', graphId: '1740000000010' }, { messages: 1 });
        await store.close();

        const restarted = await reopen();
        const resumed = await restarted.lastImportMessage(job.id, target.targetKey);
        assert.deepEqual(resumed, { ...last, state: 'imported', graphId: '1740000000010', updatedAt: resumed?.updatedAt });
        assert.equal(await restarted.lastImportMessage(job.id, fresh.targetKey), null);
        assert.equal(await restarted.lastImportMessage('no-such-job', target.targetKey), null);
        assert.deepEqual((await targetOf(restarted, target))?.counts, { ...ZERO_COUNTS, messages: 1 });
        assert.deepEqual(await restarted.getImportJob(job.id), job);
      });

      it('lists skipped and failed rows for the report, by seq, paged', async () => {
        const job = importJob();
        const [target] = importTargets(job, 1);
        await store.createImportJob(job, [target]);
        const stateOf = (seq: number): ImportMessageState => (seq % 5 === 1 ? 'skipped' : seq % 7 === 3 ? 'failed' : seq === 29 ? 'intent' : 'imported');
        const rows = Array.from({ length: 30 }, (_, seq) => importMessage(target, seq, { state: stateOf(seq) }));
        // Inserted out of order: listing is by seq, not by arrival.
        for (const row of [...rows.slice(15), ...rows.slice(0, 15)]) await store.insertImportMessage(row);
        const report = rows.filter((r) => r.state === 'skipped' || r.state === 'failed');

        const pages: ImportMessageRecord[][] = [];
        for (let afterSeq: number | undefined; ;) {
          const page = await store.listImportMessages(job.id, target.targetKey, { states: ['skipped', 'failed'], afterSeq, limit: 4 });
          if (page.length === 0) break;
          pages.push(page);
          afterSeq = page[page.length - 1].seq;
        }
        assert.deepEqual(pages.flat(), report);
        assert.ok(pages.slice(0, -1).every((p) => p.length === 4));

        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey), rows, 'every row by default');
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { afterSeq: 26 }), rows.slice(27));
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { states: ['intent'] }), [rows[29]]);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { states: ['failed'], afterSeq: 10, limit: 1 }), [rows[17]]);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { states: [] }), []);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { limit: 0 }), []);
        assert.deepEqual(await store.listImportMessages(job.id, target.targetKey, { afterSeq: 29 }), []);
      });

      it('lists at most 500 rows when no limit is named', async function () {
        this.timeout(60_000);
        const job = importJob();
        const [target] = importTargets(job, 1);
        await store.createImportJob(job, [target]);
        for (let seq = 0; seq < 503; seq++)
          await store.insertImportMessage(importMessage(target, seq, { state: 'skipped', createdDateTime: null }), { skipped: 1 });
        const page = await store.listImportMessages(job.id, target.targetKey);
        assert.deepEqual(
          page.map((r) => r.seq),
          Array.from({ length: 500 }, (_, seq) => seq),
        );
        assert.equal((await store.listImportMessages(job.id, target.targetKey, { limit: Number.POSITIVE_INFINITY })).length, 503);
        assert.equal((await store.listImportMessages(job.id, target.targetKey, { afterSeq: 499 })).length, 3);
        assert.equal((await targetOf(store, target))?.counts.skipped, 503);
      });

      it('lets one runner at a time work on an import; another takes it once the lease is released or has expired', async () => {
        const job = importJob();
        await store.createImportJob(job, importTargets(job, 2));
        const other = await reopen();

        assert.equal(await store.acquireImportJobLease(job.id, 'instance-a', inSeconds(15)), true, 'a free job is taken');
        assert.equal(await other.acquireImportJobLease(job.id, 'instance-b', inSeconds(15)), false, 'a held lease is not taken');
        assert.equal(await other.renewImportJobLease(job.id, 'instance-b', inSeconds(15)), false, 'nor renewed by someone else');
        assert.equal(await store.acquireImportJobLease(job.id, 'instance-a', inSeconds(15)), true, 'the holder may take it again');
        assert.equal(await store.renewImportJobLease(job.id, 'instance-a', inSeconds(15)), true, 'and renew it');

        await other.releaseImportJobLease(job.id, 'instance-b');
        assert.equal(await other.acquireImportJobLease(job.id, 'instance-b', inSeconds(15)), false, "releasing someone else's lease does nothing");
        await store.releaseImportJobLease(job.id, 'instance-a');
        assert.equal(await other.acquireImportJobLease(job.id, 'instance-b', inSeconds(15)), true, 'a released lease is taken at once');
        assert.equal(await store.renewImportJobLease(job.id, 'instance-a', inSeconds(15)), false, 'the old holder learns it lost the job');

        // Instance B stops renewing (it crashed): once its lease has ended by the store's clock, A takes the job over.
        assert.equal(await other.renewImportJobLease(job.id, 'instance-b', inSeconds(-1)), true);
        assert.equal(await store.acquireImportJobLease(job.id, 'instance-a', inSeconds(15)), true, 'an expired lease is taken over');
        assert.equal(await other.renewImportJobLease(job.id, 'instance-b', inSeconds(15)), false, 'and the crashed holder cannot renew it');
      });

      it('gives exactly one of ten instances an expired import lease when they all try at once', async () => {
        const job = importJob();
        await store.createImportJob(job, importTargets(job, 1), { ownerId: 'crashed-instance', leaseUntil: inSeconds(-1) });
        const other = await reopen();
        const taken = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).acquireImportJobLease(job.id, `instance-${i}`, inSeconds(15))),
        );
        assert.equal(taken.filter(Boolean).length, 1);
        assert.equal(await other.renewImportJobLease(job.id, `instance-${taken.indexOf(true)}`, inSeconds(15)), true);
      });

      it('gives an import to its creator from the first moment, and keeps the lease through job and target updates', async () => {
        const job = importJob();
        const targets = importTargets(job, 2);
        await store.createImportJob(job, targets, { ownerId: 'instance-a', leaseUntil: inSeconds(15) });
        assert.deepEqual(await store.getImportJob(job.id), job, 'the lease is not part of the job record');
        assert.deepEqual(await store.listImportJobs({ state: 'running' }), [job]);
        await store.updateImportJob(job.id, { progressActivityId: '1:progress-card' });
        await store.updateImportTarget(job.id, targets[0].targetKey, { state: 'importing' });
        const other = await reopen();
        assert.equal(await other.acquireImportJobLease(job.id, 'instance-b', inSeconds(15)), false);
        assert.equal(await store.renewImportJobLease(job.id, 'instance-a', inSeconds(15)), true);
      });

      it('never leases a paused, finished or unknown import, and leases a paused one again once it runs', async () => {
        const job = importJob({ state: 'paused' });
        await store.createImportJob(job, importTargets(job, 1));
        assert.equal(await store.acquireImportJobLease(job.id, 'instance-a', inSeconds(15)), false, 'paused');
        await store.updateImportJob(job.id, { state: 'running' });
        assert.equal(await store.acquireImportJobLease(job.id, 'instance-a', inSeconds(15)), true, 'resumed');
        await store.updateImportJob(job.id, { state: 'done' });
        assert.equal(await store.acquireImportJobLease(job.id, 'instance-b', inSeconds(15)), false, 'done');
        assert.equal(await store.acquireImportJobLease('no-such-job', 'instance-a', inSeconds(15)), false);
        assert.equal(await store.renewImportJobLease('no-such-job', 'instance-a', inSeconds(15)), false);
        await store.releaseImportJobLease('no-such-job', 'instance-a');
      });

      it('records the import lines in the ledger and finds them by action', async () => {
        const started = auditEntry({ at: minute(1), action: 'import-start', jobId: 'job-1' });
        const imported = auditEntry({ at: minute(2), action: 'import', jobId: 'job-1', parameters: { seq: 0 } });
        const completed = auditEntry({ at: minute(3), action: 'import-complete', jobId: 'job-1' });
        for (const e of [started, imported, completed]) await store.appendLedger(e);
        assert.deepEqual(await store.queryLedger({ action: 'import' }), [imported]);
        assert.deepEqual(await store.queryLedger({ action: 'import-start' }), [started]);
        assert.deepEqual(ids(await store.queryLedger({})), [completed.id, imported.id, started.id]);
      });
    });

    describe('ids that are awkward for a database key', () => {
      it('stores and finds records whose ids contain / \\ # ? % ! quotes, spaces, control characters and emoji', async () => {
        const awkward = ['a/b\\c#d?e%2Ff!21\'"', 'x y\u0001\u007f', '🚀 Zoë'];
        for (const [n, id] of awkward.entries()) {
          const op = pendingOperation({ id: `op-${id}` });
          await store.createPending(op);
          assert.equal(await store.claimPending(op.id), true);
          const claimed = await store.getPending(op.id);
          assert.deepEqual(claimed, { ...op, state: 'running', claimedAt: claimed?.claimedAt });
          assert.ok(claimed?.claimedAt);

          const job = bulkJob({ id: `job-${id}` });
          const items = bulkItems(job, 2).map((item, i) => ({ ...item, itemKey: `${id}-${i}` }));
          await store.createBulkJob(job, items);
          await store.updateBulkItem(job.id, items[1].itemKey, { state: 'intent' });
          assert.deepEqual(
            (await store.listBulkItems(job.id)).map((i) => [i.itemKey, i.state]),
            [
              [items[0].itemKey, 'queued'],
              [items[1].itemKey, 'intent'],
            ],
          );

          const ref = { aadObjectId: `aad-${id}`, tenantId: TENANT_A, reference: { n }, updatedAt: minute(n) };
          await store.saveConversationReference(ref);
          assert.deepEqual(await store.getConversationReference(ref.aadObjectId), ref);
          assert.equal(await store.swapReminderSentAt(`chat:${id}`, null, minute(n)), true);
          assert.equal(await store.getReminderSentAt(`chat:${id}`), minute(n));
        }
        // Distinct ids that a lossy key encoding might merge stay distinct.
        assert.equal(await store.getPending('op-a!2Fb'), null);
        assert.equal(await store.getReminderSentAt('chat:a_b\\c#d?e%2Ff!21\'"'), null);
      });
    });

    describe('reminders reach the admin who started a migration', () => {
      it('keeps the latest conversation reference per admin', async () => {
        assert.equal(await store.getConversationReference(alex.aadObjectId), null);
        const first = {
          aadObjectId: alex.aadObjectId,
          tenantId: TENANT_A,
          reference: { conversation: { id: 'a:personal-alex' }, serviceUrl: 'https://a/' },
          updatedAt: minute(0),
        };
        const moved = { ...first, reference: { conversation: { id: 'a:personal-alex' }, serviceUrl: 'https://b/' }, updatedAt: minute(5) };
        await store.saveConversationReference(first);
        await store.saveConversationReference(moved);
        assert.deepEqual(await store.getConversationReference(alex.aadObjectId), moved);
        assert.equal(await store.getConversationReference(megan.aadObjectId), null);
      });

      it('remembers when each locked thread was last reminded about, changed only from what the writer last saw', async () => {
        const key = targetKey(general);
        assert.equal(await store.getReminderSentAt(key), null);
        assert.equal(await store.swapReminderSentAt(key, null, minute(0)), true);
        assert.equal(await store.swapReminderSentAt(key, null, minute(1)), false, 'someone reminded already');
        assert.equal(await store.swapReminderSentAt(key, minute(0), minute(60 * 24 * 7)), true);
        assert.equal(await store.swapReminderSentAt(key, minute(0), minute(60 * 24 * 8)), false, 'a stale reading loses');
        assert.equal(await store.getReminderSentAt(key), minute(60 * 24 * 7));
        assert.equal(await store.swapReminderSentAt(key, minute(60 * 24 * 7), null), true, 'a failed send gives the claim back');
        assert.equal(await store.getReminderSentAt(key), null);
        assert.equal(await store.getReminderSentAt(targetKey(launchChat)), null);
      });

      it('lets exactly one of ten instances claim a reminder when they all try at once', async () => {
        const key = targetKey(launchChat);
        const handles = [store, ...(await Promise.all(Array.from({ length: 9 }, () => reopen())))];
        const wins = await Promise.all(handles.map((s, i) => s.swapReminderSentAt(key, null, minute(i))));
        assert.equal(wins.filter(Boolean).length, 1);
      });
    });

    describe('the bot shuts down', () => {
      it('keeps what was written, and a closed store refuses further calls', async () => {
        const entry = auditEntry();
        const op = pendingOperation();
        await store.appendLedger(entry);
        await store.createPending(op);
        await store.close();
        await store.close();
        await assert.rejects(store.appendLedger(auditEntry()), /closed/);
        await assert.rejects(store.claimPending(op.id), /closed/);

        const restarted = await reopen();
        assert.deepEqual(await restarted.queryLedger({}), [entry]);
        assert.deepEqual(await restarted.getPending(op.id), op);
      });
    });
  });
}
