import assert from 'node:assert/strict';
import { cardActions, cardText, lastCardActivity, ownView } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';

/**
 * In a channel everyone sees the bulk preview's card, and with it the preview's operation id. The
 * "Exclude private channels" action asks for a new preview with `replaces=<that id>`, which
 * cancels the old one: only the admin who asked may do that.
 */
describe('bulk: another admin tries to cancel a bulk preview from a shared channel', function () {
  let h: BulkHarness;
  before(async () => {
    h = await startBulkHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  it("refuses Megan's replaces=<Alex's preview>, leaves Alex's preview confirmable and writes nothing to Graph", async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate team "My Team" since 2020-01-01');
    const { id: cardId } = lastCardActivity(alex, h.emulator);
    const alexView = await ownView(alex, h.emulator);
    const confirm = cardActions(alexView).find((a) => a.title === 'Confirm')!;
    const toggle = cardActions(alexView).find((a) => a.title === 'Exclude private channels')!;
    assert.ok(confirm && toggle, "Alex's own view has Confirm and the private-channel toggle");
    const alexsOpId = confirm.data.opId as string;
    assert.equal(toggle.data.replaces, alexsOpId);

    const megan = h.teams.as('megan').inChannel('My Team', 'General');
    const pressed = await megan.executes(cardId, toggle.verb, { ...toggle.data });
    const answer = JSON.stringify((pressed.body as { value?: unknown } | undefined)?.value);
    assert.match(answer, /Only Alex Wilber can change this preview; it was not changed\. Run the command yourself to get your own preview\./);

    assert.equal((await h.bot.store.getPending(alexsOpId))?.state, 'pending', "Alex's preview is not cancelled");
    assert.equal(h.emulator.graphWrites().length, 0, 'nothing was written to Graph');

    const confirmed = await alex.executes(cardId, confirm.verb, { ...confirm.data });
    assert.match(cardText((confirmed.body as { value?: unknown }).value), /Starting migration: My Team/, 'Alex can still confirm');
    await h.bulk.whenIdle();
  });

  it('still lets Alex replace his own preview from the same card', async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate team "My Team" since 2020-01-01');
    const { id: cardId } = lastCardActivity(alex, h.emulator);
    const toggle = cardActions(await ownView(alex, h.emulator)).find((a) => a.title === 'Exclude private channels')!;
    const replaced = await alex.executes(cardId, toggle.verb, { ...toggle.data });
    assert.match(cardText((replaced.body as { value?: unknown }).value), /Start migration for 3 channels of My Team\?/);
    assert.equal((await h.bot.store.getPending(toggle.data.replaces as string))?.state, 'cancelled');
  });
});
