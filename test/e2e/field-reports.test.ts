import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { cardText, lastCardActivity, lastReplyText, press, startHarness } from '../support/harness';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';

describe('a thread this bot completed moments ago is not started again straight away (reported stuck chats)', function () {
  let h: Harness;
  // A fresh ledger for each story: the cool-down is read from the ledger.
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.stop());

  async function startAndComplete() {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    await press(alex, h.emulator, 'Confirm');
    await alex.says('complete channel "My Team" Announcements');
    const done = await press(alex, h.emulator, 'Complete');
    assert.match(done.text, /Migration completed/);
    return alex;
  }

  it('refuses a new start with the reason and when to retry, and calls no startMigration', async () => {
    const alex = await startAndComplete();
    await alex.says('migrate channel "My Team" Announcements since 2019-01-01');
    const reply = lastReplyText(alex);
    assert.match(reply, /"My Team › Announcements" was completed by this bot/);
    assert.match(reply, /can get stuck in migration mode/);
    assert.match(reply, /waits 10 minutes after a completion\. Try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.startMigrationCalls, 1, 'only the first start reached Graph');
  });

  it('refuses at Confirm a card shown before another admin started and completed the same thread', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    const alexCard = lastCardActivity(alex, h.emulator).card;
    const megan = h.teams.as('megan').inPersonalChat();
    await megan.says('migrate channel "My Team" Announcements since 2021-01-01');
    await press(megan, h.emulator, 'Confirm');
    await megan.says('complete channel "My Team" Announcements');
    await press(megan, h.emulator, 'Complete');
    const late = await press(alex, h.emulator, 'Confirm', {}, alexCard);
    assert.match(late.text, /Migration not started/);
    assert.match(late.text, /was completed by this bot/);
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.startMigrationCalls, 1);
  });

  it('a bulk start over the team skips that channel and says why', async () => {
    const alex = await startAndComplete();
    await alex.says('migrate team "My Team" since 2019-01-01');
    const preview = cardText(lastCardActivity(alex, h.emulator).card);
    assert.match(preview, /Announcements[\s\S]*skipped: completed by this bot .* start it again after/);
  });
});

describe('a deployment in a national cloud, where Microsoft does not list the migration APIs', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GRAPH_CLOUD: 'usgov' } });
  });
  after(async () => h?.stop());

  it('says so at start-up, naming the cloud', () => {
    const line = h.logs.find((l) => l.includes('national cloud'));
    assert.ok(line, 'a start-up warning names the national cloud');
    assert.match(line, /US Government L4 \(GCC High\)/);
    assert.match(line, /global service only/);
  });

  it("puts the caveat in front of the service's answer when a migration call fails", async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('complete channel "Contoso Engineering" "Vendor Archive"');
    const result = await press(alex, h.emulator, 'Complete');
    assert.match(result.text, /set up for US Government L4 \(GCC High\) \(GRAPH\\?_CLOUD=usgov\)/);
    assert.match(result.text, /Another app started this migration/, "the service's own answer is still explained");
  });
});
