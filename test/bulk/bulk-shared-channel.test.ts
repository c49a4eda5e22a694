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

  it("refuses Megan's Confirm with a mistyped name on Alex's preview, and the shared card keeps naming Alex", async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
    const { id: cardId, card: before } = lastCardActivity(alex, h.emulator);
    const confirm = cardActions(await ownView(alex, h.emulator)).find((a) => a.title === 'Confirm')!;
    const megan = h.teams.as('megan').inChannel('My Team', 'General');
    const pressed = await megan.executes(cardId, confirm.verb, { ...confirm.data, typedConfirmation: 'wrong name' });
    assert.match(JSON.stringify((pressed.body as { value?: unknown }).value), /Only Alex Wilber can confirm this request/);
    assert.deepEqual(h.emulator.connector.current(cardId)?.attachments?.[0]?.content, before, 'the shared summary still refreshes for Alex');
    assert.equal((await h.bot.store.getPending(confirm.data.opId as string))?.state, 'pending');
  });
});

describe("bulk: a second admin's bulk job from their own form in a channel", function () {
  let h: BulkHarness;
  before(async () => {
    h = await startBulkHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  it("shows its progress on its own message and leaves the first admin's form summary as it was", async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate');
    const { id: summaryId, card: alexSummary } = lastCardActivity(alex, h.emulator);
    const megan = h.teams.as('megan').inChannel('My Team', 'General');
    const press = async (card: unknown, title: string, inputs: Record<string, unknown> = {}) => {
      const action = cardActions(card).find((a) => a.title === title)!;
      return ((await megan.executes(summaryId, action.verb, { ...action.data, ...inputs })).body as { value?: unknown }).value;
    };
    const form = await press(alexSummary, 'Open my own form');
    const withChannels = await press(form, 'Next', { kind: 'channel', teamId: '00000000-0000-0000-0000-000000000031' });
    const preview = await press(withChannels, 'Preview bulk migration', {
      kind: 'channel',
      teamId: '00000000-0000-0000-0000-000000000031',
      channelIds: '19:myteam-announcements@thread.tacv2',
      date: '2020-01-01',
    });
    assert.match(cardText(preview), /Start migration for 1 channel/);
    const ownMessage = lastCardActivity(megan, h.emulator).id;
    assert.notEqual(ownMessage, summaryId, "Megan's preview has a summary message of its own");
    await press(preview, 'Confirm');
    await h.bulk.whenIdle();
    assert.deepEqual(h.emulator.connector.current(summaryId)?.attachments?.[0]?.content, alexSummary, "Alex's form summary is untouched");
    assert.match(cardText(h.emulator.connector.current(ownMessage)?.attachments?.[0]?.content), /My Team/, 'the progress is on her own message');
  });
});
