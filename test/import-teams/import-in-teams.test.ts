import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { cardActions, cardText as rawCardText, lastReplyText, press as rawPress } from '../support/harness';
import { shownText } from '../support/markdown';
import type { Conversation } from '../../emulator/teams-client';
import {
  PARTNERS,
  ANNOUNCEMENTS,
  cardOf,
  channelInput,
  eventually,
  FALCON,
  GENERAL,
  planMessage,
  startTeamsImportWorld,
  type TeamsImportWorld,
} from './support';

/** What the admin reads on a card (markdown escapes taken away). */
const cardText = (card: unknown) => shownText(rawCardText(card));
/** Presses a button; the answer's text as the admin reads it. */
async function press(...args: Parameters<typeof rawPress>) {
  const result = await rawPress(...args);
  return { ...result, text: shownText(result.text) };
}

const IMPORT_WRITES = (w: TeamsImportWorld) => w.emulator.graphWrites().length;

describe('import from Teams: an admin drops the export into the chat, reviews the plan, watches it run, completes', function () {
  this.timeout(180000);
  let w: TeamsImportWorld;
  beforeEach(async () => {
    w = await startTeamsImportWorld();
  });
  afterEach(async () => w.stop());

  /** An admin attaches the story export and has its plan card (read after the turn). */
  async function attaches(chat: Conversation) {
    await chat.sendsFile('acme-slack-export.zip', w.slackExport, 'import into "My Team"');
    await w.bot.imports.whenIdle();
    return planMessage(chat, w.emulator);
  }

  /** An admin attaches the story export, names Alex as the fallback user and confirms: the plan message and the answer to Confirm. */
  async function confirmsImport(chat: Conversation) {
    const plan = await attaches(chat);
    const updated = await press(chat, w.emulator, 'Update plan', { fallbackSignIn: 'alexw@example.com' });
    const confirmed = await press(chat, w.emulator, 'Confirm import', {}, updated.card);
    return { plan, confirmed };
  }

  it('upload → plan → choices → Confirm → progress in place → summary → complete all', async () => {
    const alex = w.teams.as('alex').inPersonalChat();
    await alex.sendsFile('acme-slack-export.zip', w.slackExport, 'import into "My Team"');
    await w.bot.imports.whenIdle();
    assert.equal(w.emulator.files.downloads().length, 1, 'the export was downloaded once');
    const plan = planMessage(alex, w.emulator);
    const planText = cardText(plan.card);
    assert.match(planText, /Import acme-slack-export\.zip into My Team\?/);
    assert.match(planText, /Nothing has been written to Teams yet/);
    assert.match(planText, /general/);
    assert.match(planText, /random — not imported: no channel of the team has this name/);
    assert.match(planText, /people matched to tenant users/);
    assert.match(planText, /migration mode starts dated/);
    assert.match(planText, /about \d+ (s|min)/);
    // The story export has people without a tenant user: no Confirm until a fallback user is chosen.
    assert.ok(!cardActions(plan.card).some((a) => a.title === 'Confirm import'));
    assert.equal(IMPORT_WRITES(w), 0, 'planning writes nothing to Graph');

    // The admin skips "partners", sends "random" (no channel of that name) to Partners instead, and
    // names the fallback user by sign-in name.
    const updated = await press(alex, w.emulator, 'Update plan', {
      [channelInput(plan.card, 'partners')]: 'skip',
      [channelInput(plan.card, 'random')]: PARTNERS,
      fallbackSignIn: 'alexw@example.com',
      completeWhenDone: 'false',
    });
    assert.ok(updated.card, updated.text);
    assert.match(updated.text, /Alex Wilber/);
    assert.ok(
      cardActions(updated.card).some((a) => a.title === 'Confirm import'),
      updated.text,
    );
    assert.equal(IMPORT_WRITES(w), 0, 'still nothing written');

    const confirmed = await press(alex, w.emulator, 'Confirm import', {}, updated.card);
    assert.match(confirmed.text, /Importing acme-slack-export\.zip into My Team/);
    await w.bot.imports.whenIdle();
    await eventually('the summary replaces the plan card', () => /Import finished/.test(cardText(cardOf(w.emulator, plan.id))));
    const summary = cardOf(w.emulator, plan.id);
    const summaryText = cardText(summary);
    assert.match(summaryText, /Posted as the fallback user/);
    assert.match(summaryText, /still in migration mode/);
    assert.ok(w.emulator.messages(GENERAL).length > 0);
    assert.ok(w.emulator.messages(ANNOUNCEMENTS).length > 0);
    assert.ok(w.emulator.messages(FALCON).length > 0);
    const intoPartners = w.emulator.messages(PARTNERS);
    assert.ok(intoPartners.length > 0, 'random went to Partners');
    const job = (await w.bot.store.listImportJobs())[0];
    const partnersTarget = (await w.bot.store.listImportTargets(job.id)).find((t) => t.target.kind === 'channel' && t.target.channelId === PARTNERS);
    assert.equal(partnersTarget?.sourceChannelName, 'random', 'Partners is fed by random, not by partners');
    assert.equal(intoPartners.length, partnersTarget.counts.messages + partnersTarget.counts.replies);
    assert.match(summaryText, /Skipped because\s+channel event \(channel_join\): \d+/);
    // Imported but not completed: the channels are on the locked board until completed.
    await alex.says('locked');
    assert.match(lastReplyText(alex), /General/);
    assert.ok(cardActions(summary).some((a) => a.title === 'Complete General'));

    // Completing needs no export: it may be gone by then (IMPORT_EXPORT_RETENTION_DAYS).
    const exportsDir = path.join(w.dataDir, 'bot', 'exports');
    for (const f of readdirSync(exportsDir)) rmSync(path.join(exportsDir, f));
    await press(alex, w.emulator, 'Complete all', {}, summary);
    await w.bot.imports.whenIdle();
    for (const id of [GENERAL, ANNOUNCEMENTS, FALCON]) assert.equal(w.emulator.thread(id)?.migrationMode, 'completed', id);
    await eventually('the card says every channel is completed', () => /Every imported channel is completed/.test(cardText(cardOf(w.emulator, plan.id))));

    await alex.says('import status');
    assert.match(lastReplyText(alex), /acme-slack-export\.zip → My Team/);
    await alex.says('locked');
    assert.doesNotMatch(lastReplyText(alex), /General/, 'completed channels leave the locked board');
  });

  it('asks for the team name to be typed before a large import starts', async () => {
    await w.restart({ IMPORT_CONFIRM_THRESHOLD: '10' });
    const alex = w.teams.as('alex').inPersonalChat();
    await attaches(alex);
    const updated = await press(alex, w.emulator, 'Update plan', { fallbackSignIn: 'alexw@example.com' });
    assert.match(updated.text, /Type the team's name, My Team, to confirm/);
    const wrong = await press(alex, w.emulator, 'Confirm import', { typedConfirmation: 'My Tea' }, updated.card);
    assert.match(wrong.text, /"My Tea" is not the team's name\. Type My Team exactly to confirm\. Nothing was started\./);
    assert.equal(IMPORT_WRITES(w), 0);
    const right = await press(alex, w.emulator, 'Confirm import', { typedConfirmation: 'My Team' }, wrong.card);
    assert.match(right.text, /Importing acme-slack-export\.zip into My Team/);
    await w.bot.imports.whenIdle();
    assert.ok(w.emulator.messages(GENERAL).length > 0);
  });

  it('discards a plan: the upload is deleted and nothing is written; typed commands say how to start and what is unknown', async () => {
    const alex = w.teams.as('alex').inPersonalChat();
    await alex.says('import into "My Team"');
    assert.match(lastReplyText(alex), /Attach the export .* to a message in this chat/);
    const plan = await attaches(alex);
    const exportsDir = path.join(w.dataDir, 'bot', 'exports');
    assert.equal(readdirSync(exportsDir).filter((f) => !f.endsWith('.json')).length, 1, 'the upload is kept while the plan is open');
    const discarded = await press(alex, w.emulator, 'Discard', {}, plan.card);
    assert.match(discarded.text, /Import discarded: acme-slack-export\.zip/);
    assert.deepEqual(readdirSync(exportsDir), [], 'the upload is deleted');
    const again = await press(alex, w.emulator, 'Update plan', {}, plan.card);
    assert.match(again.text, /cancelled/);
    assert.equal(IMPORT_WRITES(w), 0);
    await alex.says('import status');
    assert.match(lastReplyText(alex), /No import jobs yet/);
    await alex.says('import status 0000dead-0000-0000-0000-00000000beef');
    assert.match(lastReplyText(alex), /There is no import job 0000dead-0000-0000-0000-00000000beef in your organisation/);
  });

  it('never downloads an export a non-admin attaches, and refuses it', async () => {
    const megan = w.teams.as('adele').inPersonalChat();
    await megan.sendsFile('export.zip', w.slackExport, 'import into "My Team"');
    await w.bot.imports.whenIdle();
    assert.match(lastReplyText(megan), /administrator/i);
    assert.equal(w.emulator.files.downloads().length, 0);
    assert.equal(IMPORT_WRITES(w), 0);
  });

  it('points an export attached in a channel to the personal chat, without downloading it', async () => {
    const inChannel = w.teams.as('alex').inChannel('My Team', 'General');
    await inChannel.sendsFile('export.zip', w.slackExport, 'import into "My Team"');
    await w.bot.imports.whenIdle();
    assert.match(lastReplyText(inChannel), /personal chat/);
    assert.equal(w.emulator.files.downloads().length, 0);
  });

  it('refuses a forged Confirm by a non-admin: nothing starts', async () => {
    const alex = w.teams.as('alex').inPersonalChat();
    const plan = await attaches(alex);
    const updated = await press(alex, w.emulator, 'Update plan', { fallbackSignIn: 'alexw@example.com' });
    const confirm = cardActions(updated.card).find((a) => a.title === 'Confirm import')!;
    const megan = w.teams.as('adele').inPersonalChat();
    const forged = await megan.executes(plan.id, 'importConfirm', confirm.data);
    assert.match(JSON.stringify(forged.body), /administrator/i);
    const inChannel = w.teams.as('adele').inChannel('My Team', 'General');
    await inChannel.executes(plan.id, 'importConfirm', confirm.data);
    await w.bot.imports.whenIdle();
    assert.equal(IMPORT_WRITES(w), 0, 'no Graph write');
    assert.equal((await w.bot.store.listImportJobs()).length, 0, 'no job');
  });

  it('refuses an oversized export and a hostile archive before anything is written', async () => {
    await w.restart({ IMPORT_MAX_UPLOAD_MB: '1' });
    const alex = w.teams.as('alex').inPersonalChat();
    await alex.sendsFile('huge.zip', Buffer.from('PK'), 'import into "My Team"', { hosting: { fillerBytes: 3 * 1048576 } });
    await w.bot.imports.whenIdle();
    assert.match(lastReplyText(alex), /huge\.zip was not imported: .*(MB|large)/i);
    await alex.sendsFile('not-an-export.zip', Buffer.from('this is not a zip'), 'import into "My Team"');
    await w.bot.imports.whenIdle();
    assert.match(lastReplyText(alex), /not-an-export\.zip cannot be imported: .*Nothing was written/);
    assert.equal(IMPORT_WRITES(w), 0);
    assert.equal((await w.bot.store.listImportJobs()).length, 0);
  });

  it('keeps updating the same card after a restart mid-import, and sends no message twice', async () => {
    await w.restart({ IMPORT_THREAD_RPS: '3' });
    const alex = w.teams.as('alex').inPersonalChat();
    const { plan } = await confirmsImport(alex);
    await eventually('some messages are imported', () => w.emulator.messages(GENERAL).length >= 3);
    await w.restart();
    await w.bot.imports.whenIdle();
    await eventually('the summary on the same card', () => /Import finished/.test(cardText(cardOf(w.emulator, plan.id))), 90000);
    const job = (await w.bot.store.listImportJobs())[0];
    for (const t of await w.bot.store.listImportTargets(job.id)) {
      const graphIds = (await w.bot.store.listImportMessages(job.id, t.targetKey, { states: ['imported'], limit: 5000 })).map((m) => m.graphId);
      const threadId = t.target.kind === 'channel' ? t.target.channelId : '';
      assert.equal(w.emulator.messages(threadId).length, graphIds.length, `${t.sourceChannelName}: every imported message once`);
    }
  });

  it('pauses an import whose uploaded export was deleted, and resumes it when the same file is attached again', async () => {
    await w.restart({ IMPORT_THREAD_RPS: '2' });
    const alex = w.teams.as('alex').inPersonalChat();
    const { plan, confirmed: progress } = await confirmsImport(alex);
    const paused = await press(alex, w.emulator, 'Pause', {}, progress.card);
    await w.bot.imports.whenIdle();
    const exportsDir = path.join(w.dataDir, 'bot', 'exports');
    for (const f of readdirSync(exportsDir)) rmSync(path.join(exportsDir, f));
    await press(alex, w.emulator, 'Resume', {}, paused.card);
    await w.bot.imports.whenIdle();
    await eventually('the card says the export is gone', () =>
      /Paused: The export acme-slack-export\.zip .* is no longer available/.test(cardText(cardOf(w.emulator, plan.id))),
    );
    const before = w.emulator.messages(GENERAL).length;

    await attaches(alex);
    const again = await press(alex, w.emulator, 'Update plan', { fallbackSignIn: 'alexw@example.com' });
    assert.match(again.text, /It resumes the unfinished import job/);
    const resumed = await press(alex, w.emulator, 'Confirm import', {}, again.card);
    assert.match(resumed.text, /that import resumes where it stopped/);
    await w.bot.imports.whenIdle();
    const job = (await w.bot.store.listImportJobs())[0];
    assert.equal(job.state, 'done');
    assert.equal((await w.bot.store.listImportJobs()).length, 1, 'the same job, not a second one');
    const general = (await w.bot.store.listImportTargets(job.id)).find((t) => t.target.kind === 'channel' && t.target.channelId === GENERAL)!;
    assert.ok(before < general.planned);
    assert.equal(w.emulator.messages(GENERAL).length, general.counts.messages + general.counts.replies, 'no message twice');
  });

  it('moves the progress card to the admin who confirms the same export again, in their own chat', async () => {
    await w.restart({ IMPORT_THREAD_RPS: '2' });
    const alex = w.teams.as('alex').inPersonalChat();
    const { plan: alexPlan, confirmed: progress } = await confirmsImport(alex);
    await press(alex, w.emulator, 'Pause', {}, progress.card);
    await w.bot.imports.whenIdle();

    const megan = w.teams.as('megan').inPersonalChat();
    const { plan: meganPlan, confirmed: resumed } = await confirmsImport(megan);
    assert.match(resumed.text, /that import resumes where it stopped/);
    await w.bot.imports.whenIdle();
    await eventually('Megan’s card shows the summary', () => /Import finished/.test(cardText(cardOf(w.emulator, meganPlan.id))));
    assert.doesNotMatch(cardText(cardOf(w.emulator, alexPlan.id)), /Import finished/, 'Alex’s old card is no longer the job’s');
    assert.equal((await w.bot.store.listImportJobs()).length, 1);
    assert.ok(!w.logs.some((l) => /could not update a progress card/.test(l)), 'every update reached its card');
  });

  it('pauses, resumes and cancels from the progress card', async () => {
    await w.restart({ IMPORT_THREAD_RPS: '2' });
    const alex = w.teams.as('alex').inPersonalChat();
    const { plan, confirmed: progress } = await confirmsImport(alex);
    const paused = await press(alex, w.emulator, 'Pause', {}, progress.card);
    assert.match(paused.text, /Import paused/);
    await w.bot.imports.whenIdle();
    const sentWhilePaused = w.emulator.messages(GENERAL).length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(w.emulator.messages(GENERAL).length, sentWhilePaused, 'nothing is sent while paused');
    const megan = w.teams.as('adele').inPersonalChat();
    const refused = await megan.executes(plan.id, 'importResume', { jobId: (await w.bot.store.listImportJobs())[0].id });
    assert.match(JSON.stringify(refused.body), /administrator/i);
    const resumed = await press(alex, w.emulator, 'Resume', {}, paused.card);
    assert.match(resumed.text, /Resumed by/);
    const cancelled = await press(alex, w.emulator, 'Cancel import', {}, resumed.card);
    assert.match(cancelled.text, /Import cancelled/);
    await w.bot.imports.whenIdle();
    await eventually('the card shows the cancelled summary', () => /Import cancelled/.test(cardText(cardOf(w.emulator, plan.id))));
    assert.equal((await w.bot.store.listImportJobs())[0].state, 'cancelled');
  });
});
