import assert from 'node:assert/strict';
import type { AdaptiveCardJson } from '../../src/cards/renderer';
import type { Messenger } from '../../src/features/shared/conversation';
import { BulkLease } from '../../src/features/bulk/bulk-lease';
import { JobSupervisor, type JobSupervisorDeps } from '../../src/features/bulk/job-supervisor';
import { Pacer } from '../../src/features/shared/pacer';
import { ProgressReporter } from '../../src/features/shared/progress-reporter';
import { createLogger } from '../../src/log/logger';
import type { Store } from '../../src/store/ports/store';

const logger = createLogger('silent');

describe('bulk: the parts BulkFlows wires', () => {
  it('refuses a lease renewed no more often than it lasts', () => {
    const deps = { store: {} as Store, logger };
    assert.throws(() => new BulkLease(deps, { durationMs: 5000, renewEveryMs: 5000 }), /more often than it lasts/);
    assert.throws(() => new BulkLease(deps, { renewEveryMs: 0 }), /more often than it lasts/);
    assert.deepEqual(new BulkLease(deps).timing, { durationMs: 15000, renewEveryMs: 5000 });
    assert.notEqual(new BulkLease(deps).ownerId, new BulkLease(deps).ownerId, 'one identity per instance');
  });

  it('reserves a job once per instance, so a Confirm and a take-over pass never both start it', () => {
    const supervisor = new JobSupervisor({ logger, pacer: new Pacer() } as unknown as JobSupervisorDeps);
    assert.equal(supervisor.reserve('job-1'), true);
    assert.equal(supervisor.reserve('job-1'), false, 'already this instance’s');
    supervisor.unreserve('job-1');
    assert.equal(supervisor.reserve('job-1'), true, 'free again once given up');
    assert.equal(supervisor.stopping, false);
    supervisor.beginStop();
    assert.equal(supervisor.stopping, true);
  });

  it('posts the first progress card through the Messenger port, then replaces that message', async () => {
    const shown: { activityId: string | null; card: AdaptiveCardJson }[] = [];
    const messenger: Messenger = {
      sendCardToPersonalChat: async () => undefined,
      showCard: async (_reference, card, activityId) => {
        shown.push({ activityId, card });
        return activityId ?? 'activity-1';
      },
    };
    const remembered: string[] = [];
    const reporter = new ProgressReporter({
      messenger,
      reference: { conversation: { id: 'c' } },
      activityId: null,
      intervalMs: 0,
      logger,
      jobId: 'job-1',
      onActivityId: async (id) => void remembered.push(id),
    });
    await reporter.final(() => ({ type: 'AdaptiveCard', version: '1.5', body: [{ text: 'one' }] }));
    assert.deepEqual(remembered, ['activity-1'], 'the new message id is kept with the job');
    const again = new ProgressReporter({
      messenger,
      reference: {},
      activityId: 'activity-1',
      intervalMs: 0,
      logger,
      jobId: 'job-1',
      onActivityId: async (id) => void remembered.push(id),
    });
    await again.final(() => ({ type: 'AdaptiveCard', version: '1.5' }));
    assert.deepEqual(
      shown.map((s) => s.activityId),
      [null, 'activity-1'],
    );
    assert.deepEqual(remembered, ['activity-1'], 'an update does not record the id again');
  });
});
