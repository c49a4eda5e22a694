import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DevProcess } from './dev-process';
import { threadMessages, threadState } from './dev-process';
import type { PlaygroundPage } from './playground-ui';
import { usePlaygroundSession } from './dev-session';

/** Alex's clock in the Playground (and in the sample activity's clientInfo). */
const ZONE = 'Europe/Berlin';
const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
/** My Team's channels the sample export's channels match, by their source names. */
const TARGETS = {
  general: '19:myteam-general@thread.tacv2',
  announcements: '19:myteam-announcements@thread.tacv2',
  project_falcon: '19:myteam-falcon@thread.tacv2',
  partners: '19:myteam-partners@thread.tacv2',
};
/** The fixture's sign-in name of Alex Wilber, typed as the fallback user (the Playground offers no people search). */
const FALLBACK_SIGN_IN = 'alexw@example.com';
const ALEX_OBJECT_ID = '00000000-0000-0000-0000-000000000020';

describe('npm run dev: Alex imports the sample Slack export into My Team from the Agents Playground', function () {
  this.timeout(180_000);
  const session = usePlaygroundSession({
    dataDirPrefix: 'tmb-dev-import-',
    zone: ZONE,
    // Two messages a second per channel: the import runs long enough for the card to be seen while it runs.
    env: { IMPORT_THREAD_RPS: '2' },
  });
  let dev: DevProcess;
  let playground: PlaygroundPage;
  let dataDir: string;
  before(() => ({ dev, playground, dataDir } = session));

  it('names the sample export and a one-line custom activity that attaches it, as Teams would, with "import into \\"My Team\\""', () => {
    assert.equal(dev.sampleExport, path.join(dataDir, 'sample-import', 'acme-slack-export.zip'));
    assert.equal(dev.importActivity, path.join(dataDir, 'sample-import', 'import-activity.json'));
    assert.equal(readFileSync(dev.sampleExport).subarray(0, 2).toString(), 'PK', 'the sample is a zip');
    const line = readFileSync(dev.importActivity, 'utf8');
    assert.equal(line.trimEnd().split('\n').length, 1, 'one line, as the Playground editor needs');
    const activity = JSON.parse(line) as {
      type: string;
      text: string;
      serviceUrl: string;
      conversation: { id: string };
      from: { id: string };
      attachments: { contentType: string; name?: string; content: { downloadUrl?: string } }[];
    };
    assert.equal(activity.type, 'message');
    assert.equal(activity.text, 'import into "My Team"');
    assert.equal(activity.conversation.id, 'a:personal-alex');
    assert.equal(activity.from.id, '29:alex-wilber');
    assert.equal(new URL(activity.serviceUrl).port, new URL(dev.playgroundUrl).port, "the bot answers to the Playground's connector");
    const file = activity.attachments.find((a) => a.contentType === FILE_DOWNLOAD_INFO);
    assert.equal(file?.name, 'acme-slack-export.zip');
    assert.ok(file.content.downloadUrl?.startsWith(`${dev.emulatorUrl}/_files/download/`), 'the emulator hosts it');
  });

  it('the activity pasted in Mock an Activity → Custom activity brings the plan card; with a fallback user Alex confirms, watches the progress in place and completes every channel', async () => {
    await playground.openChat('Personal Chat');
    await playground.card('Thanks for adding me');
    const before = await playground.cardCount();
    await playground.sendCustomActivity(readFileSync(dev.importActivity!, 'utf8'));

    let plan = await playground.card('Import acme-slack-export.zip into My Team?');
    await playground.settle();
    const planText = await plan.innerText();
    assert.match(planText, /Nothing has been written to Teams yet/);
    assert.match(planText, /authors have no tenant user/, 'the plan asks for a fallback user');
    assert.match(planText, /random — not imported: no channel of the team has this name/);
    assert.match(planText, /General: migration mode starts dated 2021-03-01 \d\d:\d\d UTC/);
    assert.equal(await plan.getByRole('button', { name: 'Confirm import' }).count(), 0, 'no Confirm before the fallback user is named');
    await playground.screenshot('playground-import-1-plan', plan, 'top');

    await playground.enterText(plan, /sign-in name/, FALLBACK_SIGN_IN);
    await playground.press(plan, 'Update plan');
    plan = await playground.card('Import acme-slack-export.zip into My Team?');
    assert.doesNotMatch(await plan.innerText(), /authors have no tenant user/);
    // The picker now holds Alex (the Playground's filtered picker shows the chosen value, his object id, rather than its title).
    assert.match(await plan.getByRole('combobox', { name: /^Post messages of unmatched people as/ }).inputValue(), new RegExp(`Alex Wilber|${ALEX_OBJECT_ID}`));
    assert.ok(await plan.getByRole('button', { name: 'Confirm import' }).isVisible());
    await playground.screenshot('playground-import-2-ready', plan);

    await playground.press(plan, 'Confirm import');
    // The bot updates the same message while the job runs: the rate shows once messages are being sent.
    const running = await playground.card(/Importing acme-slack-export\.zip into My Team.*messages\/s/s);
    assert.ok(await running.getByRole('button', { name: 'Pause' }).isVisible());
    assert.ok(await running.getByRole('button', { name: 'Cancel import' }).isVisible());
    await playground.screenshot('playground-import-3-progress', running);

    const summary = await playground.card('Import finished: acme-slack-export.zip → My Team', 120_000);
    await playground.settle();
    const summaryText = await summary.innerText();
    assert.match(summaryText, /Posted as the fallback user/);
    assert.match(summaryText, /still in migration mode/);
    for (const channel of ['General', 'Announcements', 'Project Falcon', 'Partners'])
      assert.ok(await summary.getByRole('button', { name: `Complete ${channel}`, exact: true }).isVisible(), `Complete ${channel}`);
    await playground.screenshot('playground-import-4-summary', summary);
    assert.equal(await playground.cardCount(), before + 1, 'the plan, the progress and the summary are one card, updated in place');
    for (const [source, thread] of Object.entries(TARGETS)) {
      assert.equal((await threadState(dev.emulatorUrl, thread)).migrationMode, 'inProgress', `${source} is imported and still in migration mode`);
      assert.ok((await threadMessages(dev.emulatorUrl, thread)).length > 0, `${source}'s messages are in the channel`);
    }

    await playground.press(summary, 'Complete all');
    const done = await playground.card('Every imported channel is completed and visible to its members.');
    await playground.screenshot('playground-import-5-completed', done);
    for (const [source, thread] of Object.entries(TARGETS))
      assert.equal((await threadState(dev.emulatorUrl, thread)).migrationMode, 'completed', `${source}'s channel is completed`);
    assert.equal(await playground.cardCount(), before + 1, 'still one card');
  });
});
