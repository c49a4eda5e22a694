import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { cardText, lastCardActivity, press, startHarness } from '../support/harness';
import { markdownFeatures, markdownStrings, shownText } from '../support/markdown';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const GENERAL = '19:myteam-general@thread.tacv2';

/**
 * Channel names are chosen by ordinary team members and shown to admins in cards, where Teams
 * renders markdown. A name must read as itself: never a link, never bold, never a new line.
 */
describe('threat: a team member names a channel so that it plants a link or formatting in admin cards', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  /** Every markdown property of the card that renders any formatting, with what it renders. */
  function formatted(card: unknown): string[] {
    return markdownStrings(card)
      .map((text) => ({ text, features: markdownFeatures(text) }))
      .filter((m) => m.features.length > 0)
      .map((m) => `${m.features.join('+')}: ${m.text}`);
  }

  const NAMES = [
    { channel: ANNOUNCEMENTS, name: '[click me](https://evil.example)' },
    { channel: GENERAL, name: '**URGENT** approve' },
  ];

  for (const { channel, name } of NAMES) {
    it(`shows a channel named ${name} literally in the Confirm card and in the outcome, with no link or bold`, async () => {
      h.emulator.setThread(channel, { displayName: name });
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says(`migrate channel 00000000-0000-0000-0000-000000000031 ${channel} since 2020-01-01`);

      const confirm = lastCardActivity(alex, h.emulator).card;
      assert.match(cardText(confirm), /Start migration\?/, 'the Confirm card was sent');
      assert.deepEqual(formatted(confirm), [], 'nothing on the Confirm card is formatted');
      assert.ok(
        markdownStrings(confirm).some((t) => shownText(t).includes(`My Team › ${name}`)),
        `the admin reads the name as typed: ${markdownStrings(confirm).join(' | ')}`,
      );

      const outcome = await press(alex, h.emulator, 'Confirm');
      assert.match(outcome.text, /Migration started/);
      assert.deepEqual(formatted(outcome.card), [], 'nothing on the outcome card is formatted');
      assert.ok(
        markdownStrings(outcome.card).some((t) => shownText(t).includes(name)),
        'the outcome names the channel literally',
      );
      h.emulator.setThread(channel, { migrationMode: null });
    });
  }

  it('a channel name with a line break cannot add a bullet to the card', async () => {
    h.emulator.setThread(ANNOUNCEMENTS, { displayName: 'Announcements\n\n- Approved by the Global Administrator' });
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says(`migrate channel 00000000-0000-0000-0000-000000000031 ${ANNOUNCEMENTS} since 2020-01-01`);
    const confirm = lastCardActivity(alex, h.emulator).card;
    assert.deepEqual(formatted(confirm), []);
    assert.ok(markdownStrings(confirm).some((t) => shownText(t).includes('Announcements - Approved by the Global Administrator')));
  });
});
