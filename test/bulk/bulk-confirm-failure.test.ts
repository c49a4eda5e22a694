import assert from 'node:assert/strict';
import type { TeamsDirectory } from '../../src/graph/teams-directory';
import { cardActions, lastCardActivity } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import { ANNOUNCEMENTS, GENERAL, interruptedJob, PARTNERS, served, waitForCardUpdate, writesTo } from './support';

/** The harness runs the bot with GRAPH_TIMEOUT_SECONDS=5: a claim is stale after 5 × (5 s + 180 s). */
const AFTER_STALE = () => new Date(Date.now() + 930_000);

/**
 * Between the press of Confirm (the operation is claimed, "being carried out") and the job being
 * saved, something fails: the store refuses the write, Graph's paging lists a channel twice, the
 * bot is killed. The confirmation must not stay "being carried out" for ever with no job behind it.
 */
describe('bulk: a confirmation fails between its claim and its job being saved', function () {
  let h: BulkHarness;
  before(async () => {
    h = await startBulkHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  /** Alex asks for a bulk start over My Team; returns the preview card and its Confirm. */
  async function preview() {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate team "My Team" since 2020-01-01');
    const { id, card } = lastCardActivity(alex, h.emulator);
    const confirm = cardActions(card).find((a) => a.title === 'Confirm')!;
    const pressConfirm = async () => JSON.stringify((await alex.executes(id, confirm.verb, { ...confirm.data })).body);
    return { alex, opId: confirm.data.opId as string, pressConfirm };
  }

  it('a store error saving the job: Alex sees a failure view, the operation is finished, and a second press says so', async () => {
    const { opId, pressConfirm } = await preview();
    const store = h.bot.store;
    const createBulkJob = store.createBulkJob;
    store.createBulkJob = async () => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    };
    let first: string;
    try {
      first = await pressConfirm();
    } finally {
      store.createBulkJob = createBulkJob;
    }
    assert.match(first, /Nothing was started: My Team/);
    assert.match(first, /could not be saved in the bot's store just before acting, so no channel was changed/);
    assert.doesNotMatch(first, /SQLITE_IOERR|at .*\.js:\d+/, 'no internal error text or stack');
    assert.equal((await store.getPending(opId))?.state, 'done', 'finished, not "being carried out"');

    const second = await pressConfirm();
    assert.match(second, /Nothing was started: My Team/);
    assert.doesNotMatch(second, /being carried out/);
    assert.equal(h.emulator.graphWrites().length, 0, 'nothing was written to Graph');
  });

  it('a channel listed twice by Graph paging does not wedge the confirmation: every channel is started once', async () => {
    const directory = (h.bulk as unknown as { deps: { directory: TeamsDirectory } }).deps.directory;
    const listChannels = directory.listChannels;
    // As when the channel list changes between two pages: one channel comes back on both.
    directory.listChannels = async (teamId) => {
      const channels = await listChannels.call(directory, teamId);
      return [...channels, channels.find((c) => c.id === ANNOUNCEMENTS)!];
    };
    try {
      const { alex, pressConfirm } = await preview();
      assert.match(await pressConfirm(), /Starting migration: My Team/);
      await waitForCardUpdate(h.emulator, alex, /Bulk start finished/);
      await h.bulk.whenIdle();
    } finally {
      directory.listChannels = listChannels;
    }
    for (const id of [GENERAL, ANNOUNCEMENTS, PARTNERS]) assert.equal(served(writesTo(h.emulator, id, 'startMigration')).length, 1, `${id} started once`);
  });

  it('the recovery pass finishes a bulk confirmation left running with no job, records it and tells Alex', async () => {
    const { opId, pressConfirm } = await preview();
    // What a bot killed right after the claim leaves behind: running, no job.
    assert.equal(await h.bot.store.claimPending(opId), true);
    const sentBefore = h.emulator.connector.sent().length;

    assert.equal(await h.bot.settleInterrupted(AFTER_STALE()), 1);
    assert.equal((await h.bot.store.getPending(opId))?.state, 'done');
    const [line, ...more] = (await h.bot.store.queryLedger({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === opId);
    assert.equal(more.length, 0, 'one ledger line');
    assert.equal(line.outcome, 'failed');
    assert.equal(line.error?.code, 'Interrupted');
    assert.equal(line.actor.name, 'Alex Wilber');
    assert.equal(line.at, (await h.bot.store.getPending(opId))?.claimedAt, 'dated when Confirm was pressed');

    const told = h.emulator.connector
      .sent()
      .slice(sentBefore)
      .find((a) => a.conversationId === 'a:personal-alex');
    assert.ok(told, 'Alex is told');
    assert.match(JSON.stringify(told.attachments), /Nothing was started: My Team[\s\S]*before its job was saved/);
    assert.match(await pressConfirm(), /Nothing was started: My Team/, 'the old card shows the result');
    assert.equal(h.emulator.graphWrites().length, 0);
    assert.equal(await h.bot.settleInterrupted(AFTER_STALE()), 0, 'settled once');
  });

  it('the recovery pass leaves alone a bulk confirmation whose job was saved (the job resumes on its own)', async () => {
    // Leased to another live instance, so this bot neither takes the job over nor finishes it.
    const jobId = await interruptedJob(
      h,
      'alex',
      { [GENERAL]: 'queued' },
      { ownerId: 'another-instance', leaseUntil: new Date(Date.now() + 3600_000).toISOString() },
    );
    assert.equal(await h.bot.settleInterrupted(AFTER_STALE()), 0);
    assert.equal((await h.bot.store.getPending(jobId))?.state, 'running');
  });
});
