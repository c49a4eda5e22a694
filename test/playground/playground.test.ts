import assert from 'node:assert/strict';
import type { DevProcess } from './dev-process';
import { childPids, emulatorControl, isAlive, isListening, threadState } from './dev-process';
import type { PlaygroundPage } from './playground-ui';
import { usePlaygroundSession } from './dev-session';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
/** Alex Wilber, the Playground's user (`.m365agentsplayground.yml`). */
const ALEX = '29:alex-wilber';
/** What the channel's cards say: Alex's form, and the summaries everyone else sees. */
const FORM = 'What to migrate';
const FILLING_IN = 'is filling in the migration form';
const REVIEWING = 'is reviewing this';
const MIGRATION_APP = 'aaaaaaaa-0000-0000-0000-000000000001';
/** Alex's clock in the Playground: dates typed in the form are read in this zone. */
const ZONE = 'Europe/Berlin';

const portOf = (url: string) => Number(new URL(url).port);

describe('npm run dev: a newcomer tries the bot in the Microsoft 365 Agents Playground, against the emulator', function () {
  this.timeout(120_000);
  const session = usePlaygroundSession({ dataDirPrefix: 'tmb-dev-', zone: ZONE });
  let dev: DevProcess;
  let playground: PlaygroundPage;
  before(() => ({ dev, playground } = session));

  it('the Playground page opens with the bot\'s welcome, and "help" typed in Personal Chat gets the help card', async () => {
    await playground.openChat('Personal Chat');
    await playground.card('Thanks for adding me');
    const before = await playground.cardCount();
    await playground.sendInChat('help');
    await playground.waitForCardCount(before);
    const card = await playground.card('I put existing Teams channels and chats into migration mode');
    assert.match(await card.innerText(), /Teams Migration Bot/);
    assert.ok(await card.getByRole('button', { name: 'Open the migration form' }).isVisible());
    await playground.screenshot('playground-help', card);
  });

  it('Alex picks My Team › Announcements and a date in the form in Personal Chat, confirms, and the emulator shows the channel in migration with that date', async () => {
    await emulatorControl(dev.emulatorUrl, 'POST', 'reset');
    await playground.openChat('Personal Chat');
    const before = await playground.cardCount();
    await playground.sendInChat('migrate');
    let form = await playground.card('What to migrate');
    await playground.screenshot('playground-personal-1-form', form);

    await playground.pickRadio(form, 'A channel of a team');
    await playground.pickFiltered(form, /^Team \(for a channel\)/, 'My', 'My Team');
    assert.match(await playground.enterDate(form, '2020-01-01'), /January 1, 2020/);
    await playground.screenshot('playground-personal-2-team-and-date', form);
    await playground.press(form, 'Next');

    form = await playground.card('Channel of My Team');
    await playground.pickCompact(form, /^Channel of My Team/, /^Announcements \(standard\)/);
    await playground.screenshot('playground-personal-3-channel', form);
    await playground.press(form, 'Next');

    const confirm = await playground.card('Start migration?');
    const confirmText = await confirm.innerText();
    assert.match(confirmText, /My Team › Announcements/);
    assert.match(confirmText, /2019-12-31 23:00 UTC \(2020-01-01 00:00 Europe\/Berlin\)/, "the date is midnight in Alex's zone, shown in UTC and in that zone");
    await playground.screenshot('playground-personal-4-confirm', confirm);
    await playground.press(confirm, 'Confirm');

    const result = await playground.card('Migration started: My Team › Announcements');
    assert.match(await result.innerText(), /inProgress/);
    await playground.screenshot('playground-personal-5-result', result);
    assert.equal(await playground.cardCount(), before + 1, 'the form, the confirmation and the result are one card, updated in place');

    const thread = await threadState(dev.emulatorUrl, ANNOUNCEMENTS);
    assert.equal(thread.migrationMode, 'inProgress');
    assert.equal(thread.createdDateTime && Date.parse(thread.createdDateTime), Date.parse('2019-12-31T23:00:00Z'));
    assert.equal(thread.originalCreatedDateTime && Date.parse(thread.originalCreatedDateTime), Date.parse('2024-06-10T09:30:00Z'));
    assert.equal(thread.migrationOwnerAppId, MIGRATION_APP);
    assert.equal(thread.startMigrationCalls, 1);
  });

  it('in the Announcements channel Alex @mentions the bot with "migrate", keeps "This channel", enters a date and confirms', async () => {
    // No retry: a first attempt leaves its post (and perhaps a started migration) behind, so a second
    // would not start where this one does. The driver waits for what the page shows instead.
    await emulatorControl(dev.emulatorUrl, 'POST', 'reset');
    await playground.openChat('Announcements');
    await playground.card('Thanks for adding me');
    const before = await playground.cardCount();
    const post = await playground.postInChannelMentioning('Migration Bot', 'migrate', 'playground-channel-1-mention');

    // In a channel the form is a user-specific view: the card shared with everyone is a summary whose
    // refresh (refresh.userIds = Alex) or button brings Alex's own form.
    const shared = await post.postedCard();
    assert.match(JSON.stringify(shared.body), /Alex Wilber is filling in the migration form/);
    assert.deepEqual((shared.refresh as { userIds?: string[] } | undefined)?.userIds, [ALEX]);
    // The Playground has no user-specific views (it shows the summary, and says so), so Alex presses
    // its button; a client that refreshes the card would show the form at once.
    const form = await post.reach(FORM, [{ shows: FILLING_IN, press: 'Open my own form' }]);
    assert.equal(await form.getByRole('radio', { name: 'This channel', exact: true }).isChecked(), true, 'in a channel the form starts on "This channel"');

    assert.match(await playground.enterDate(form, '2021-03-15'), /March 15, 2021/);
    await playground.screenshot('playground-channel-2-form', form);
    await post.press(form, 'Next');

    const confirm = await post.reach('Start migration?', [{ shows: REVIEWING, press: 'Show confirmation' }]);
    assert.match(await confirm.innerText(), /My Team › Announcements/, '"this channel" is the channel the message was posted in');
    assert.match(await confirm.innerText(), /2021-03-14 23:00 UTC \(2021-03-15 00:00 Europe\/Berlin\)/, "the date entered, midnight in Alex's zone");
    await playground.screenshot('playground-channel-3-confirm', confirm);
    await post.press(confirm, 'Confirm');

    const result = await post.reach('Migration started: My Team › Announcements');
    await playground.screenshot('playground-channel-4-result', result);
    assert.equal(await playground.cardCount(), before + 1, 'one reply in the channel, updated in place');

    const thread = await threadState(dev.emulatorUrl, ANNOUNCEMENTS);
    assert.equal(thread.migrationMode, 'inProgress');
    assert.equal(thread.createdDateTime && Date.parse(thread.createdDateTime), Date.parse('2021-03-14T23:00:00Z'));
    assert.equal(thread.startMigrationCalls, 1);
  });

  it('SIGTERM (what Ctrl+C sends) stops the Playground, the bot and the emulator, and nothing is left running', async function () {
    this.timeout(40_000);
    await playground.close();
    const pid = dev.child.pid!;
    const children = childPids(pid);
    if (children) assert.equal(children.length, 2, 'the bot and the Playground run as child processes');
    const ports = [portOf(dev.botUrl), portOf(dev.playgroundUrl), portOf(dev.emulatorUrl)];
    for (const port of ports) assert.equal(await isListening(port), true, `port ${port} is served while the demo runs`);

    dev.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 25_000).unref());
    const exit = await Promise.race([dev.exited, timeout]);
    assert.notEqual(exit, 'timeout', 'dev stops within 25 s');
    assert.deepEqual(exit, { code: 0, signal: null });
    for (const child of children ?? []) assert.equal(isAlive(child), false, `child process ${child} is gone`);
    for (const port of ports) assert.equal(await isListening(port), false, `nothing listens on ${port} any more`);
    assert.match(dev.output.join('\n'), /\[dev\] stopped\./);
  });
});
