import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { press, startHarness } from '../support/harness';

const DAY = 86_400_000;

describe('old confirmations are pruned after PENDING_RETENTION_DAYS, the ledger never', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { PENDING_RETENTION_DAYS: '30' } });
  });
  after(async () => h?.stop());

  it('deletes confirmations 30 days after they expired; a press on such a card asks for a new command', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    const result = await press(alex, h.emulator, 'Confirm');
    assert.match(result.text, /Migration started/);
    await alex.says('migrate channel "My Team" General since 2020-01-01');
    const ledgerBefore = (await h.bot.store.queryLedger({ limit: 100 })).length;

    assert.equal(await h.bot.prunePending(new Date(Date.now() + 29 * DAY)), 0, 'nothing is pruned before 30 days after expiry');
    assert.equal(await h.bot.prunePending(new Date(Date.now() + 31 * DAY)), 2, 'the finished one and the one never confirmed');
    assert.match((await press(alex, h.emulator, 'Confirm')).text, /This confirmation is unknown\. Run the command again/);
    assert.equal(h.emulator.thread('19:myteam-general@thread.tacv2')?.startMigrationCalls ?? 0, 0, 'nothing reached Graph');
    assert.equal((await h.bot.store.queryLedger({ limit: 100 })).length, ledgerBefore, 'the ledger keeps every line');
  });
});
