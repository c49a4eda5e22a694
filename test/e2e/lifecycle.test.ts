import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Harness } from '../support/harness';
import { lastCardActivity, lastReplyText, press, startHarness } from '../support/harness';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';

describe('the migration lifecycle: status, complete, the locked board, reminders and the audit ledger', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { REMINDER_AFTER_DAYS: '3', RESTART_COOLDOWN_MINUTES: '0' } }); // each test starts the same threads afresh (the emulator is reset, the ledger is kept)
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  async function startAnnouncements(since = '2020-01-01') {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says(`migrate channel "My Team" Announcements since ${since}`);
    await press(alex, h.emulator, 'Confirm');
    return alex;
  }

  it('status shows the live state and, from the ledger, who started it, when and with which date', async () => {
    const alex = await startAnnouncements();
    await alex.says('status channel "My Team" Announcements');
    const text = lastReplyText(alex);
    assert.match(text, /inProgress — in migration \(locked\)/);
    assert.match(text, /originalCreatedDateTime[\s\S]*2024-06-10 09:30 UTC/);
    assert.match(text, /Started by[\s\S]*Alex Wilber/);
    assert.match(text, /Requested date[\s\S]*2020-01-01 00:00 UTC/);
  });

  it('status team lists every channel of a team with its state', async () => {
    const megan = h.teams.as('megan').inPersonalChat();
    await megan.says('status team "Contoso Engineering"');
    const text = lastReplyText(megan);
    assert.match(text, /66 channels, 2 in migration mode/);
    assert.match(text, /Legacy Import \(standard\)\*\*\nin migration \(locked\)/);
  });

  it('complete asks for confirmation, completes once and updates the same card', async () => {
    const alex = await startAnnouncements();
    await alex.says('complete channel "My Team" Announcements');
    assert.match(lastReplyText(alex), /Complete migration\?/);
    const confirmation = lastCardActivity(alex, h.emulator).card;
    const result = await press(alex, h.emulator, 'Complete', {}, confirmation);
    assert.match(result.text, /Migration completed/);
    const again = await press(alex, h.emulator, 'Complete', {}, confirmation);
    assert.match(again.text, /Migration completed/, 'a second press shows the same result');
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, 'completed');
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.completeMigrationCalls, 1);
  });

  it('the Complete button on a result card leads to the same confirmation', async () => {
    const alex = await startAnnouncements();
    const asked = await press(alex, h.emulator, 'Complete migration');
    assert.match(asked.text, /Complete migration\?/);
  });

  it('explains in plain words a thread that is not in migration, and one owned by another app', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('complete channel "My Team" General');
    assert.match(lastReplyText(alex), /not in migration mode \(it was never started\)/);
    await alex.says('complete channel "Contoso Engineering" "Vendor Archive"');
    const result = await press(alex, h.emulator, 'Complete');
    assert.match(result.text, /Another app started this migration/);
  });

  it('locked lists the threads this bot left in migration mode, verified live, with Status and Complete', async () => {
    const alex = await startAnnouncements();
    await alex.says('locked');
    const { card } = lastCardActivity(alex, h.emulator);
    const text = lastReplyText(alex);
    assert.match(text, /My Team › Announcements/);
    assert.match(text, /started by Alex Wilber/);
    assert.ok(JSON.stringify(card).includes('completeAsk'));
    h.emulator.setThread(ANNOUNCEMENTS, { migrationMode: 'completed' });
    await alex.says('locked');
    assert.match(lastReplyText(alex), /No thread started by this bot is in migration mode/);
    const reads = h.emulator.requests({ service: 'graph', method: 'GET' }).length;
    h.emulator.setThread(ANNOUNCEMENTS, { migrationMode: 'inProgress' });
    await alex.says('complete channel "My Team" Announcements');
    await press(alex, h.emulator, 'Complete');
    const before = h.emulator.requests({ service: 'graph', method: 'GET' }).length;
    await alex.says('locked');
    assert.match(lastReplyText(alex), /No thread started by this bot is in migration mode/);
    assert.equal(h.emulator.requests({ service: 'graph', method: 'GET' }).length, before, 'a thread this bot completed is not even read');
    assert.ok(before > reads);
  });

  it('reminds the admin who started a thread locked longer than REMINDER_AFTER_DAYS, once', async () => {
    await startAnnouncements();
    const before = h.emulator.connector.sent().length;
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 1 * 86400000)), 0, 'not yet');
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 4 * 86400000)), 1);
    const reminder = h.emulator.connector
      .sent()
      .slice(before)
      .find((a) => JSON.stringify(a.attachments ?? []).includes('still locked'));
    assert.ok(reminder, 'a proactive reminder reached the connector');
    assert.equal(reminder.conversationId, 'a:personal-alex');
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 5 * 86400000)), 0, 'once per period');
  });

  it('audit shows refusals and actions with who, outcome, date and request-id', async () => {
    await startAnnouncements('2019-09-09');
    const lynne = h.teams.as('lynne').inPersonalChat();
    await lynne.says('migrate channel "My Team" General');
    const megan = h.teams.as('megan').inPersonalChat();
    await megan.says('audit last 50');
    const text = lastReplyText(megan);
    assert.match(text, /start · succeeded · My Team › Announcements/);
    assert.match(text, /date 2019-09-09 00:00 UTC/);
    assert.match(text, /request-id/);
    assert.match(text, /refused · refused/);
    assert.match(text, /Lynne Robbins/);
    await megan.says('audit channel "My Team" Announcements');
    assert.doesNotMatch(lastReplyText(megan), /Lynne Robbins/);
    await megan.says('audit user "Lynne Robbins"');
    assert.match(lastReplyText(megan), /refused/);
    assert.doesNotMatch(lastReplyText(megan), /start · succeeded/);
  });

  it('npm run audit:export writes the ledger as CSV since a date', async () => {
    await startAnnouncements();
    const script = path.join(__dirname, '..', '..', 'scripts', 'audit-export.js');
    const out = path.join(h.dataDir, 'audit.csv');
    execFileSync(process.execPath, [script, '--since', '2020-01-01', '--out', out], { env: { ...process.env, DATA_DIR: h.dataDir } });
    const csv = readFileSync(out, 'utf8').trim().split(/\r\n/);
    assert.match(csv[0], /^at,action,outcome,actorName/);
    assert.ok(
      csv.some(
        (line) =>
          /,start,succeeded,Alex Wilber,/.test(line) && line.includes('channel:00000000-0000-0000-0000-000000000031:19:myteam-announcements@thread.tacv2'),
      ),
    );
    const bad = (() => {
      try {
        execFileSync(process.execPath, [script, '--since', 'yesterday'], { env: { ...process.env, DATA_DIR: h.dataDir }, stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stderr: Buffer }).stderr);
      }
    })();
    assert.match(bad, /--since: "yesterday" is not a date/);
  });
});

describe("completing when Graph's answer is lost", function () {
  it('reads the thread back and reports the completion that did happen, never "nothing to complete"', async () => {
    const h = await startHarness({ env: { GRAPH_TIMEOUT_SECONDS: '1' } });
    try {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('complete channel "Contoso Engineering" "Legacy Import"');
      h.emulator.faults.inject({ method: 'POST', path: 'completeMigration', kind: 'hang', hangMs: 5000 });
      // The service completes the migration, but its answer never arrives.
      const pressing = press(alex, h.emulator, 'Complete');
      setTimeout(() => h.emulator.setThread('19:eng-legacy@thread.tacv2', { migrationMode: 'completed' }), 200);
      const result = await pressing;
      assert.match(result.text, /Migration completed/);
      assert.match(result.text, /reading the thread back shows the migration is completed/);
      const [entry] = await h.bot.store.queryLedger({ action: 'complete', limit: 1 });
      assert.equal(entry.outcome, 'succeeded');
    } finally {
      await h.stop();
    }
  });

  it('says plainly that nothing changed when the read shows the thread still in migration', async () => {
    const h = await startHarness({ env: { GRAPH_TIMEOUT_SECONDS: '1' } });
    try {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('complete channel "Contoso Engineering" "Legacy Import"');
      h.emulator.faults.inject({ method: 'POST', path: 'completeMigration', kind: 'hang', hangMs: 5000 });
      const result = await press(alex, h.emulator, 'Complete');
      assert.match(result.text, /Migration not completed/);
      assert.match(result.text, /reading the thread back shows nothing was changed/);
      assert.equal(h.emulator.thread('19:eng-legacy@thread.tacv2')!.migrationMode, 'inProgress');
    } finally {
      await h.stop();
    }
  });
});

describe('reminders with two bot instances on one ledger', function () {
  let first: Harness;
  let second: Harness;
  before(async () => {
    first = await startHarness({ env: { REMINDER_AFTER_DAYS: '3' } });
    second = await startHarness({ sharedEmulator: first.emulator, env: { REMINDER_AFTER_DAYS: '3', DATA_DIR: first.dataDir } });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('remind the admin once, not once per instance, when both check at the same moment', async () => {
    const alex = first.teams.as('alex').inPersonalChat();
    await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
    await press(alex, first.emulator, 'Confirm');
    const before = first.emulator.connector.sent().length;
    const later = new Date(Date.now() + 4 * 86400000);
    const sent = await Promise.all([first.bot.runReminders(later), second.bot.runReminders(later)]);
    assert.equal(
      sent.reduce((a, b) => a + b, 0),
      1,
    );
    const reminders = first.emulator.connector
      .sent()
      .slice(before)
      .filter((a) => JSON.stringify(a.attachments ?? []).includes('still locked'));
    assert.equal(reminders.length, 1, 'one reminder reached Alex');
  });
});
