import assert from 'node:assert/strict';
import type { AdminDecision, Caller } from '../../src/features/shared/admin-policy';
import { cardActions, lastCardActivity, press } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import { bulkEnv, ENGINEERING_FRESH, served, TEAM_RPS, throttled, waitForCardUpdate, writesTo } from './support';

const ALEX = '00000000-0000-0000-0000-000000000020';
const NOT_ADMIN: AdminDecision = { allowed: false, reason: 'not-admin', message: 'Only Teams administrators can do this.' };

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('bulk: the requester loses the admin role while a long job runs', function () {
  let h: BulkHarness;
  let demoted = false;
  let confirmed: { cardId: string; data: Record<string, unknown> } | null = null;
  const roleChecks = () => h.emulator.requests({ service: 'graph', method: 'POST' }).filter((r) => r.path.endsWith('/checkMemberObjects'));
  const startedSoFar = () => ENGINEERING_FRESH.filter((c) => served(writesTo(h.emulator, c, 'startMigration')).length > 0).length;

  before(async () => {
    // No cached answers: every check reaches Graph, so the test can count them.
    h = await startBulkHarness({ emulator: { limits: throttled }, env: { ...bulkEnv, ADMIN_CACHE_SECONDS: '0' } });
    // The emulator's directory is fixed; Alex's demotion is played by the bot's own admin policy,
    // which answers as Graph would for someone without the role once `demoted` is set.
    const policy = h.bot.admin;
    const real = policy.check.bind(policy);
    policy.check = (caller: Caller): Promise<AdminDecision> => (demoted && caller.aadObjectId === ALEX ? Promise.resolve(NOT_ADMIN) : real(caller));
  });
  after(async () => h?.stop());

  it('re-checks the role before each channel, stops at the first refusal, skips the rest with the reason and cancels the job', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
    const { id: cardId, card } = lastCardActivity(alex, h.emulator);
    confirmed = { cardId, data: { ...cardActions(card).find((a) => a.title === 'Confirm')!.data, typedConfirmation: 'Contoso Engineering' } };
    await press(alex, h.emulator, 'Confirm', { typedConfirmation: 'Contoso Engineering' });
    await until(() => startedSoFar() >= 10, 20000, 'ten channels to be started');
    const checksSoFar = roleChecks().length;
    // Writes under way together share one check; what matters is that the role keeps being asked.
    assert.ok(checksSoFar >= 3, `the role is checked again while the job runs, not only when it starts (${checksSoFar} checks)`);

    demoted = true;
    const startedWhenDemoted = startedSoFar();
    const summary = await waitForCardUpdate(h.emulator, alex, /Bulk start stopped/);
    await h.bulk.whenIdle();

    const started = startedSoFar();
    assert.ok(started < ENGINEERING_FRESH.length, 'the job did not run to the end');
    assert.ok(started <= startedWhenDemoted + TEAM_RPS, `only writes already past their check went out (${startedWhenDemoted} → ${started})`);
    assert.match(
      summary,
      new RegExp(
        `${started} started, 0 failed, ${ENGINEERING_FRESH.length - started + 2} skipped\\. Stopped early: Alex Wilber is no longer an administrator\\.`,
      ),
    );

    const jobId = (await h.bot.store.queryLedger({ action: 'bulk-start', limit: 1 }))[0].jobId!;
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'cancelled');
    const items = await h.bot.store.listBulkItems(jobId);
    const notRun = items.filter((i) => i.detail === 'not run: Alex Wilber is no longer an administrator');
    assert.equal(notRun.length, ENGINEERING_FRESH.length - started, 'every channel not started is skipped with the reason');
    assert.ok(notRun.every((i) => i.state === 'skipped' && served(writesTo(h.emulator, i.itemKey, 'startMigration')).length === 0));
    assert.equal(items.filter((i) => i.state === 'succeeded').length, started);
    const refusals = (await h.bot.store.queryLedger({ action: 'refused', limit: 100 })).filter((e) => e.parameters.jobId === jobId);
    assert.equal(refusals.length, 1, 'the refusal is recorded once, not once per channel');
    assert.equal(refusals[0].actor.name, 'Alex Wilber');
  });

  it('checks the role once when Confirm is pressed again (the operation guard does it)', async () => {
    demoted = false;
    const alex = h.teams.as('alex').inPersonalChat();
    const [checksBefore, writesBefore] = [roleChecks().length, h.emulator.graphWrites().length];
    const again = await alex.executes(confirmed!.cardId, 'bulkConfirm', confirmed!.data);
    assert.match(JSON.stringify(again.body), /Bulk start stopped: Contoso Engineering/);
    assert.equal(roleChecks().length - checksBefore, 1);
    assert.equal(h.emulator.graphWrites().length, writesBefore);
  });
});
