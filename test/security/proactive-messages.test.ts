import assert from 'node:assert/strict';
import type { RecordedActivity } from '../../emulator/types';
import type { Harness } from '../support/harness';
import { cardActions, ownView, press, startHarness } from '../support/harness';

const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const ALEX_PERSONAL = 'a:personal-alex';
const DAY = 86_400_000;
/** The harness runs the bot with GRAPH_TIMEOUT_SECONDS=5: a claim is stale after 5 × (5 s + 180 s). */
const AFTER_STALE = () => new Date(Date.now() + 930_000);

/** Everything the bot posted in the Announcements channel (any post or reply of its thread). */
const inChannel = (sent: RecordedActivity[]) => sent.filter((a) => a.conversationId.startsWith(ANNOUNCEMENTS));

/** The bot's createConversation calls to the connector (POST /v3/conversations). */
const conversationsCreated = (h: Harness) =>
  h.emulator.requests({ service: 'connector', method: 'POST' }).filter((r) => /\/v3\/conversations\/?$/.test(r.path));

/**
 * Reminders and recovery notices name private channels and chats. Sent to where the admin last spoke,
 * a channel, every member and guest of the team would read them; they go to the admin's personal chat
 * only, which the bot opens itself when it has never chatted with the admin in private.
 */
describe('an admin who last spoke in a team channel is reminded in private', function () {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { REMINDER_AFTER_DAYS: '3' } });
  });
  afterEach(async () => h?.stop());

  /** Alex, who never chatted with the bot in private, starts Announcements from the channel itself. */
  async function startFromChannel() {
    const alex = h.teams.as('alex').inChannel('My Team', 'Announcements');
    await alex.says('migrate this since 2020-01-01');
    await press(alex, h.emulator, 'Confirm', {}, await ownView(alex, h.emulator));
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, 'inProgress');
  }

  it('gets the reminder in a personal chat the bot opens, and nothing is posted in the channel', async () => {
    await startFromChannel();
    const before = h.emulator.connector.sent().length;
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 4 * DAY)), 1);

    const sent = h.emulator.connector.sent().slice(before);
    assert.deepEqual(inChannel(sent), [], 'nothing is posted in the channel');
    const reminder = sent.find((a) => JSON.stringify(a.attachments ?? []).includes('still locked'));
    assert.equal(reminder?.conversationId, ALEX_PERSONAL, 'the reminder reached the personal chat');
    const [created, ...more] = conversationsCreated(h);
    assert.equal(more.length, 0);
    const body = created.body as { isGroup?: boolean; members?: { id?: string }[]; channelData?: { tenant?: { id?: string } } };
    assert.equal(body.isGroup, false);
    assert.deepEqual(
      body.members?.map((m) => m.id),
      ['29:alex'],
    );
    assert.equal(body.channelData?.tenant?.id, '00000000-0000-0000-0000-000000000001');

    // The chat is remembered: the next period's reminder goes there without opening another.
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 8 * DAY)), 1);
    assert.equal(conversationsCreated(h).length, 1);
    assert.deepEqual(inChannel(h.emulator.connector.sent().slice(before)), []);
    assert.equal(
      h.emulator.connector
        .sent()
        .slice(before)
        .filter((a) => a.conversationId === ALEX_PERSONAL).length,
      2,
    );
  });

  it('a channel reference stored by an earlier version is never continued: the reminder still goes to the personal chat', async () => {
    await startFromChannel();
    const tenantId = '00000000-0000-0000-0000-000000000001';
    await h.bot.store.saveConversationReference({
      aadObjectId: '00000000-0000-0000-0000-000000000020',
      tenantId,
      updatedAt: new Date().toISOString(),
      reference: {
        activityId: '1',
        channelId: 'msteams',
        serviceUrl: h.emulator.connectorUrl,
        user: { id: '29:alex', aadObjectId: '00000000-0000-0000-0000-000000000020' },
        bot: { id: '28:bbbbbbbb-0000-0000-0000-000000000001' },
        conversation: { id: `${ANNOUNCEMENTS};messageid=1`, conversationType: 'channel', isGroup: true, tenantId },
      },
    });
    const before = h.emulator.connector.sent().length;
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 4 * DAY)), 1);
    const sent = h.emulator.connector.sent().slice(before);
    assert.deepEqual(inChannel(sent), [], 'nothing is posted in the channel');
    assert.deepEqual(
      sent.map((a) => a.conversationId),
      [ALEX_PERSONAL],
    );
  });

  it('when Teams refuses to open the personal chat, nothing is posted anywhere and the log says why', async () => {
    await startFromChannel();
    h.emulator.connector.uninstallBotFor('alex');
    const before = h.emulator.connector.sent().length;
    assert.equal(await h.bot.runReminders(new Date(Date.now() + 4 * DAY)), 0);

    assert.deepEqual(h.emulator.connector.sent().slice(before), [], 'nothing is posted anywhere');
    const line = h.logs.find((l) => l.includes('reminder could not be delivered'));
    assert.ok(line, 'a log line says the reminder was not delivered');
    assert.match(line, /"level":40/, 'logged as a warning');
    assert.match(line, /personal chat/);
    assert.match(line, /not part of the conversation roster/);
  });
});

describe('an admin whose confirmation from a channel was interrupted is told in private', function () {
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

  /** Alex confirms from the channel; the bot claims the operation, starts the migration and stops before recording it. */
  async function confirmInChannelThenStop(): Promise<Harness> {
    const alex = first.teams.as('alex').inChannel('My Team', 'Announcements');
    await alex.says('migrate this since 2020-01-01');
    const opId = cardActions(await ownView(alex, first.emulator)).find((a) => a.title === 'Confirm')?.data.opId;
    assert.ok(typeof opId === 'string', 'the confirmation carries its operation id');
    assert.equal(await first.bot.store.claimPending(opId), true);
    first.emulator.setThread(ANNOUNCEMENTS, { migrationMode: 'inProgress', createdDateTime: '2020-01-01T00:00:00Z' });
    await first.bot.stop();
    second = await startHarness({ sharedEmulator: first.emulator, env: { DATA_DIR: first.dataDir } });
    return second;
  }

  it('gets the recovery notice in a personal chat the bot opens, and nothing is posted in the channel', async () => {
    const next = await confirmInChannelThenStop();
    const before = first.emulator.connector.sent().length;
    assert.equal(await next.bot.settleInterrupted(AFTER_STALE()), 1);

    const sent = first.emulator.connector.sent().slice(before);
    assert.deepEqual(inChannel(sent), [], 'nothing is posted in the channel');
    const told = sent.find((a) => /stopped while carrying out/.test(JSON.stringify(a.attachments ?? [])));
    assert.equal(told?.conversationId, ALEX_PERSONAL, 'the notice reached the personal chat');
    assert.equal(conversationsCreated(next).length, 1);
  });

  it('when Teams refuses to open the personal chat, nothing is posted anywhere and the log says why', async () => {
    const next = await confirmInChannelThenStop();
    first.emulator.connector.uninstallBotFor('alex');
    const before = first.emulator.connector.sent().length;
    assert.equal(await next.bot.settleInterrupted(AFTER_STALE()), 1, 'the confirmation is settled all the same');

    assert.deepEqual(first.emulator.connector.sent().slice(before), [], 'nothing is posted anywhere');
    const line = next.logs.find((l) => l.includes('the admin could not be told'));
    assert.ok(line, 'a log line says the admin was not told');
    assert.match(line, /"level":40/, 'logged as a warning');
    assert.match(line, /personal chat/);
    assert.match(line, /not part of the conversation roster/);
  });
});
