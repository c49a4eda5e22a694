import assert from 'node:assert/strict';
import { press } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import { bulkEnv, ENGINEERING_FRESH, served, throttled, waitForCardUpdate, writesTo } from './support';

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('bulk: the admin check fails for a while during a long job (Graph answers 503)', function () {
  let h: BulkHarness;
  const roleChecks = () => h.emulator.requests({ service: 'graph', method: 'POST' }).filter((r) => r.path.endsWith('/checkMemberObjects'));
  const startedSoFar = () => ENGINEERING_FRESH.filter((c) => served(writesTo(h.emulator, c, 'startMigration')).length > 0).length;

  before(async () => {
    // No cached answers: every re-check during the job reaches Graph and meets the injected 503s.
    h = await startBulkHarness({ emulator: { limits: throttled }, env: { ...bulkEnv, ADMIN_CACHE_SECONDS: '0' } });
  });
  after(async () => h?.stop());

  it('waits and retries the check, still starts every channel, and never says the requester lost the role', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
    await press(alex, h.emulator, 'Confirm', { typedConfirmation: 'Contoso Engineering' });
    await until(() => startedSoFar() >= 5, 20000, 'the job to be under way');

    // graph-client retries a 503 three times, so each four in a row make one failed check: three failed checks.
    const checksBefore = roleChecks().length;
    h.emulator.faults.inject({ method: 'POST', path: /checkMemberObjects$/, kind: '503', times: 12, retryAfter: 0.05 });
    const summary = await waitForCardUpdate(h.emulator, alex, /Bulk start (finished|stopped)/, 55000);
    await h.bulk.whenIdle();

    const failedChecks = roleChecks()
      .slice(checksBefore)
      .filter((r) => r.status === 503).length;
    assert.equal(failedChecks, 12, 'the injected failures were met while the job ran');
    assert.equal(startedSoFar(), ENGINEERING_FRESH.length, 'every channel was started');
    for (const c of ENGINEERING_FRESH) assert.equal(served(writesTo(h.emulator, c, 'startMigration')).length, 1, `${c}: started once`);
    assert.match(summary, /Bulk start finished: Contoso Engineering/);
    assert.match(summary, new RegExp(`${ENGINEERING_FRESH.length} started, 0 failed, 2 skipped\\.`));
    assert.doesNotMatch(summary, /no longer an administrator/);
    assert.match(summary, /administrator role could not be checked \d+ times?; the channels waited and were tried again/);

    const jobId = (await h.bot.store.queryLedger({ action: 'bulk-start', limit: 1 }))[0].jobId!;
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'done');
    const refusals = (await h.bot.store.queryLedger({ action: 'refused', limit: 100 })).filter((e) => e.parameters.jobId === jobId);
    assert.deepEqual(refusals, [], 'a failed check is not recorded as a refusal');
  });
});
