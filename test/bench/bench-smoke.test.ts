import assert from 'node:assert/strict';
import { renderMarkdown } from '../../bench/report';
import { runSuite, SMOKE_PROFILE, type BenchResults } from '../../bench/suite';

const finite = (v: number, what: string) => assert.ok(Number.isFinite(v) && v > 0, `${what} should be a positive finite ratio, got ${v}`);

/**
 * `npm run bench` takes minutes and is not part of `npm test`; this runs the same harness with a
 * few iterations of every measurement so that a change to the bot, the emulator or the harness
 * that breaks the benchmark shows up in the ordinary test run. No performance target is asserted
 * here — only that every figure comes out finite and nothing failed.
 */
describe('the benchmark harness, in a smoke run', function () {
  // The import part waits out one job lease (10–15 s) after its kill.
  this.timeout(180000);
  let r: BenchResults;

  before(async () => {
    r = await runSuite(SMOKE_PROFILE, 'npm run bench -- --smoke');
  });

  it('times migrate and Confirm against a floor bot that made exactly the same Graph calls', () => {
    const t = r.turnOverhead;
    assert.deepEqual(t.errors, []);
    assert.equal(t.floorMatchesBot, true, 'the floor replays the Graph calls the bot made');
    assert.ok(
      t.graphCalls.confirm.some((c) => c.endsWith('/startMigration')),
      'each Confirm really starts a migration',
    );
    for (const f of [t.migrate, t.migrateToCard, t.confirm]) {
      finite(f.p50Ratio, 'p50 ratio');
      finite(f.p99Ratio, 'p99 ratio');
      assert.equal(f.bot.count, SMOKE_PROFILE.turns.iterations);
    }
  });

  it('counts token requests and admin lookups of a bot that starts cold', () => {
    const e = r.economy;
    assert.deepEqual(e.errors, []);
    assert.ok(e.tokenRequests >= 1, 'a cold bot asks Entra for a token at least once');
    finite(e.tokenRequestsPer1000Commands, 'token requests per 1,000 commands');
    assert.ok(e.adminLookups >= e.admins, 'every admin is looked up at least once');
    assert.equal(e.adminLookups, e.botDirectoryLookups, "the emulator and the bot's own counter agree");
    assert.ok(e.maxLookupsPerAdminPerCacheWindow >= 1);
  });

  it('runs admins at once against the bot and the floor without an error', () => {
    const c = r.concurrency;
    assert.equal(c.botErrors, 0, c.errors.join('; '));
    assert.equal(c.floorErrors, 0, c.errors.join('; '));
    assert.equal(c.floorMatchesBot, true);
    assert.equal(c.firstContactAdminLookups, SMOKE_PROFILE.concurrency.admins, 'one directory lookup per admin');
    for (const f of [c.migrate, c.confirm]) {
      finite(f.p50Ratio, 'p50 ratio');
      finite(f.p99Ratio, 'p99 ratio');
    }
  });

  it('reads memory after warm-up and after the turns, with every turn answered', () => {
    const m = r.memory;
    assert.equal(m.errors, 0, m.errorSamples.join('; '));
    assert.ok(m.turns >= SMOKE_PROFILE.memory.turns);
    assert.ok(m.afterWarmup.rssMiB > 0 && m.afterTurns.rssMiB > 0);
    assert.ok(Number.isFinite(m.rssGrowthPercent));
  });

  it('runs bulk jobs under the enforced limits with no failed or repeated item, or says the feature is not wired yet', () => {
    const b = r.bulk;
    if (b.status === 'pending') {
      assert.match(b.reason, /not available/);
      return;
    }
    assert.deepEqual(b.errors, []);
    assert.equal(b.failedItems, 0);
    assert.equal(b.duplicateStartMigrationCalls, 0);
    assert.equal(b.channelsNotInMigration, 0);
    assert.equal(b.succeeded, b.channels);
    finite(b.wallOverIdeal, 'wall time / ideal');
  });

  it("floods the bot from one user while timing another admin, and counts the flood's Graph calls", () => {
    const f = r.flood;
    assert.deepEqual(f.errors, []);
    finite(f.migrate.p99Ratio, 'migrate p99 ratio');
    finite(f.confirm.p99Ratio, 'Confirm p99 ratio');
    assert.ok(f.floodCommandsSent > f.limits.userCommandsBurst, 'the flood goes beyond the burst');
    assert.ok(f.floodCommandsRefused > 0, 'and is refused');
    assert.ok(f.floodGraphCalls <= f.floodCommandsAdmitted * f.graphCallsPerCommand, 'refused commands make no Graph call');
  });

  it("imports at the ceiling and under a tenant budget, reads the command line's peak RSS, and resumes after a kill without a duplicate or a gap", () => {
    const { ceiling, parallel, memory, kills } = r.historyImport;
    for (const p of [ceiling, parallel]) {
      assert.deepEqual(p.errors, []);
      assert.equal(p.failed, 0);
      assert.equal(p.imported, p.planned, 'every planned message imported once');
      finite(p.importOverIdeal, 'import time / ideal');
      assert.ok(Number.isFinite(p.throttledPercent));
    }
    assert.equal(parallel.channels, SMOKE_PROFILE.historyImport.parallel.channels);
    for (const run of [memory.small, memory.large]) {
      assert.deepEqual(run.errors, []);
      assert.equal(run.exitCode, 0);
      finite(run.peakMiB, 'peak RSS');
    }
    finite(memory.largeOverSmall, 'peak RSS ratio');
    assert.deepEqual(kills.errors, []);
    assert.equal(kills.kills.length, SMOKE_PROFILE.historyImport.kills.kills);
    assert.equal(kills.resumed, true, 'the run after the kill resumed the job');
    assert.equal(kills.duplicates, 0);
    assert.equal(kills.gaps, 0);
  });

  it('writes every figure into the report with its target', () => {
    const md = renderMarkdown(r);
    for (const f of r.figures) assert.ok(md.includes(f.label), `the report shows "${f.label}"`);
    assert.match(md, /## Machine/);
    assert.match(md, /npm run bench -- --smoke/);
  });
});
