import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { cardText, lastCardActivity, lastReplyText, startHarness } from '../support/harness';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
/** The harness runs the bot with GRAPH_TIMEOUT_SECONDS=5: a claim is stale after 5 × (5 s + 180 s). */
const AFTER_STALE = () => new Date(Date.now() + 930_000);

/**
 * The bot stops between the press of Confirm and the outcome (a crash, a redeploy): the confirmation
 * is left `running`, with no ledger line, and Graph may or may not have been called. The next bot on
 * the same ledger reads the thread, finishes the operation with what it shows, writes the ledger
 * line and tells the admin; the old card then shows that result instead of "being carried out".
 */
describe('a confirmation interrupted by a stopped bot is settled by the next one', function () {
  let first: Harness;
  let second: Harness | null = null;

  beforeEach(async () => {
    first = await startHarness();
  });
  afterEach(async () => {
    await second?.stop();
    second = null;
    await first.stop();
  });

  /** Alex asks, presses Confirm; the bot claims the operation and stops before recording anything. */
  async function confirmThenStop(graphCalled: boolean, threadAfter = { migrationMode: 'inProgress' as const, createdDateTime: '2020-01-01T00:00:00Z' }) {
    const alex = first.teams.as('alex').inPersonalChat();
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    const confirmation = lastCardActivity(alex, first.emulator);
    const card = confirmation.card as { actions?: { title?: string; verb?: string; data?: { opId?: string } }[] };
    const confirm = card.actions?.find((a) => a.title === 'Confirm');
    const opId = confirm?.data?.opId;
    assert.ok(opId, 'the confirmation carries its operation id');
    // What the Confirm turn had done when the bot stopped: the claim, and maybe the Graph call.
    assert.equal(await first.bot.store.claimPending(opId), true);
    if (graphCalled) first.emulator.setThread(ANNOUNCEMENTS, threadAfter);
    await first.bot.stop();
    second = await startHarness({ sharedEmulator: first.emulator, env: { DATA_DIR: first.dataDir } });
    const alex2 = second.teams.as('alex').inPersonalChat();
    /** Presses Confirm again on the card that was shown before the bot stopped. */
    const pressConfirmAgain = async () => {
      const result = await alex2.executes(confirmation.id, confirm.verb!, { ...confirm.data });
      return cardText((result.body as { value?: unknown } | undefined)?.value);
    };
    return { opId, alex: alex2, pressConfirmAgain };
  }

  const ledgerOf = (h: Harness) => h.bot.store.queryLedger({ targetKey: `channel:00000000-0000-0000-0000-000000000031:${ANNOUNCEMENTS}` });

  it('when Graph had put the thread into migration: the ledger says started, and Alex is told', async () => {
    const { opId, pressConfirmAgain } = await confirmThenStop(true);
    const sentBefore = first.emulator.connector.sent().length;
    assert.equal(await second!.bot.settleInterrupted(new Date(Date.now() + 900_000)), 0, 'a claim that a Confirm turn could still be working on is left alone');
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 1);

    const [line, ...more] = await ledgerOf(second!);
    assert.equal(more.length, 0, 'one ledger line');
    assert.equal(line.action, 'start');
    assert.equal(line.outcome, 'succeeded');
    assert.equal(line.actor.name, 'Alex Wilber');
    assert.deepEqual(line.parameters, { conversationCreationDateTime: '2020-01-01T00:00:00Z', interrupted: true });
    assert.equal(line.after?.migrationMode, 'inProgress');
    assert.equal(line.at, (await second!.bot.store.getPending(opId))?.claimedAt, 'dated when Confirm was pressed');

    const told = first.emulator.connector
      .sent()
      .slice(sentBefore)
      .find((a) => a.conversationId === 'a:personal-alex');
    assert.ok(told, 'a proactive message reached Alex');
    assert.match(JSON.stringify(told.attachments), /Migration started: My Team › Announcements[\s\S]*stopped while carrying out/);

    assert.match(await pressConfirmAgain(), /Migration started/, 'the old card now shows the result');
    assert.equal((await second!.bot.store.getPending(opId))?.state, 'done');
    assert.equal(first.emulator.thread(ANNOUNCEMENTS)!.startMigrationCalls, 0, 'no Graph write was made to settle it');
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 0, 'settled once');
  });

  it('when the bot stopped before calling Graph: the ledger says not started, and nothing is changed', async () => {
    await confirmThenStop(false);
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 1);
    const [line] = await ledgerOf(second!);
    assert.equal(line.outcome, 'failed');
    assert.equal(line.error?.code, 'Interrupted');
    assert.equal(first.emulator.thread(ANNOUNCEMENTS)!.migrationMode ?? null, null);
    const alex = second!.teams.as('alex').inPersonalChat();
    assert.match(lastReplyText(alex), /Migration not started[\s\S]*Nothing was changed; run the command again/);
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    assert.match(lastReplyText(alex), /Start migration\?/, 'a new confirmation works at once');
  });

  it('when the thread is in migration with another date: the ledger says unknown, not started or not', async () => {
    await confirmThenStop(true, { migrationMode: 'inProgress', createdDateTime: '2018-05-05T00:00:00Z' });
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 1);
    const [line] = await ledgerOf(second!);
    assert.equal(line.outcome, 'unknown');
    const alex = second!.teams.as('alex').inPersonalChat();
    assert.match(lastReplyText(alex), /Migration state unclear[\s\S]*not with the requested date[\s\S]*Check status/);
  });

  it('leaves a confirmation alone whose thread cannot be read, and settles it on a later pass', async () => {
    await confirmThenStop(true);
    second!.emulator.faults.inject({ method: 'GET', path: 'announcements', kind: '503', times: 40, retryAfter: 0.05 });
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 0);
    assert.deepEqual(await ledgerOf(second!), []);
    second!.emulator.faults.clear();
    assert.equal(await second!.bot.settleInterrupted(AFTER_STALE()), 1);
  });
});
