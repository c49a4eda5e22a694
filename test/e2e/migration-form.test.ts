import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { cardActions, cardText, lastCardActivity, lastReplyText, ownView, press, startHarness } from '../support/harness';

const MY_TEAM = '00000000-0000-0000-0000-000000000031';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const LAUNCH_CHAT = '19:group-launch@thread.v2';

/** The invoke response to an `application/search` type-ahead. */
type SearchResponse = { value?: { results?: unknown[] } };

/** The choices of a ChoiceSet input on a card, by input id. */
function choices(card: unknown, id: string): { title: string; value: string }[] {
  let found: { title: string; value: string }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'Input.ChoiceSet' && o.id === id) found = o.choices as { title: string; value: string }[];
    Object.values(o).forEach(walk);
  };
  walk(card);
  return found;
}

describe('the migration form: an admin picks a target and a date without knowing ids', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  it('"migrate" with no arguments opens the form with teams and the admin\'s own chats to pick from', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const { card } = lastCardActivity(alex, h.emulator);
    assert.equal(card.version, '1.5');
    assert.ok(choices(card, 'teamId').some((c) => c.title === 'My Team' && c.value === MY_TEAM));
    assert.ok(choices(card, 'chatId').some((c) => c.title === 'Launch planning'));
    assert.ok(!choices(card, 'chatId').some((c) => /Weekly sync/.test(c.title)), 'meeting chats are not offered');
    assert.match(cardText(card), /Times are in Europe\/Berlin/);
  });

  it('walks team → channel → date → confirmation → result, all on the same card', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    let step = await press(alex, h.emulator, 'Next', { kind: 'channel', teamId: MY_TEAM });
    assert.ok(
      choices(step.card, 'channelId').some((c) => c.value === ANNOUNCEMENTS && /standard/.test(c.title)),
      'channels of the chosen team, with their kind',
    );
    assert.match(step.text, /Choose a channel of My Team/);
    assert.match(step.text, /Choose the new creation date/);

    step = await press(alex, h.emulator, 'Next', { kind: 'channel', teamId: MY_TEAM, channelId: ANNOUNCEMENTS, date: '2020-01-01', time: '09:00' });
    assert.match(step.text, /Start migration\?/);
    assert.match(step.text, /2020-01-01 08:00 UTC \(2020-01-01 09:00 Europe\/Berlin\)/, "the time is read in the admin's zone and shown in both");

    const result = await press(alex, h.emulator, 'Confirm');
    assert.match(result.text, /Migration started: My Team › Announcements/);
    assert.equal(Date.parse(h.emulator.thread(ANNOUNCEMENTS)!.createdDateTime), Date.parse('2020-01-01T08:00:00Z'));
    assert.equal(alex.replies().length, 1, 'no chat spam: one card, updated in place');
  });

  it('re-renders the form with the message beside the date when it is not earlier than the creation date', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const step = await press(alex, h.emulator, 'Next', { kind: 'channel', teamId: MY_TEAM, channelId: ANNOUNCEMENTS, date: '2025-01-01', time: '' });
    assert.match(step.text, /is not earlier than .*2024-06-10 09:30 UTC/);
    assert.match(step.text, /was created 2024-06-10 09:30 UTC/, 'the hint shows the current creation date');
    assert.ok(
      cardActions(step.card).some((a) => a.title === 'Next'),
      'still the form',
    );
    assert.equal(h.emulator.graphWrites().length, 0);
  });

  for (const [name, inputs, message] of [
    ['no target kind', { kind: '' }, /Choose what to migrate/],
    ['no team', { kind: 'channel', date: '2020-01-01' }, /Choose a team/],
    ['a team that is not a GUID', { kind: 'channel', teamId: '../../users', date: '2020-01-01' }, /not a team from the list/],
    [
      'a channel of another team',
      { kind: 'channel', teamId: MY_TEAM, channelId: '19:eng-ch01@thread.tacv2', date: '2020-01-01' },
      /That channel is not in My Team/,
    ],
    ['no chat', { kind: 'chat', date: '2020-01-01' }, /Choose one of your chats/],
    [
      'a pasted channel link for a chat',
      { kind: 'chat', chatText: `https://teams.microsoft.com/l/channel/${encodeURIComponent(ANNOUNCEMENTS)}/x?groupId=${MY_TEAM}`, date: '2020-01-01' },
      /That is a channel link/,
    ],
    ['garbage as a chat id', { kind: 'chat', chatText: 'hello', date: '2020-01-01' }, /neither a chat id/],
    ['a meeting chat', { kind: 'chat', chatId: '19:meeting_weeklysync@thread.v2', date: '2020-01-01' }, /meeting chat/],
    ['a chat already in migration', { kind: 'chat', chatId: '19:group-slack@thread.v2', date: '2010-01-01' }, /already in migration mode/],
    ['no date', { kind: 'chat', chatId: LAUNCH_CHAT }, /Choose the new creation date/],
    ['a malformed time', { kind: 'chat', chatId: LAUNCH_CHAT, date: '2020-01-01', time: '25:99' }, /time must be HH:mm/],
    ['a future date', { kind: 'chat', chatId: LAUNCH_CHAT, date: '2099-01-01' }, /in the future/],
  ] as const) {
    it(`explains ${name} in the form and writes nothing`, async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate');
      const step = await press(alex, h.emulator, 'Next', inputs);
      assert.match(step.text, message);
      assert.equal(h.emulator.graphWrites().length, 0);
    });
  }

  it('accepts a pasted chat link', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const step = await press(alex, h.emulator, 'Next', {
      kind: 'chat',
      chatText: `https://teams.microsoft.com/l/chat/${encodeURIComponent(LAUNCH_CHAT)}/conversations`,
      date: '2020-01-01',
    });
    assert.match(step.text, /Start migration\?.*Launch planning/s);
  });

  it('offers "This channel" in a channel and uses it', async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'Announcements');
    await alex.says('migrate');
    const shared = lastCardActivity(alex, h.emulator).card;
    assert.equal(choices(shared, 'kind').length, 0, 'the channel sees a summary, not the inputs');
    assert.match(cardText(shared), /Alex Wilber is filling in the migration form/);
    assert.ok(JSON.stringify(shared.refresh.userIds).includes('29:alex'), "the requester's client refreshes to the form");
    const card = await ownView(alex, h.emulator);
    assert.deepEqual(choices(card, 'kind')[0], { title: 'This channel', value: 'this' });
    const step = await press(alex, h.emulator, 'Next', { kind: 'this', date: '2020-01-01' }, card);
    assert.match(step.text, /Start migration\?.*My Team › Announcements/s);
    const after = lastCardActivity(alex, h.emulator);
    assert.match(cardText(after.card), /Alex Wilber is reviewing this/, 'his own summary message now shows his confirmation');
    assert.equal(alex.replies().length, 1, 'one message, updated in place');
  });

  it('lets a second admin open their own form from the summary without the shared card changing', async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate');
    const { id, card: before } = lastCardActivity(alex, h.emulator);
    const megan = h.teams.as('megan').inChannel('My Team', 'General');
    const summary = cardActions(before).find((a) => a.title === 'Open my own form');
    assert.ok(summary, "the summary offers a button to open one's own form");
    const res = await megan.executes(id, summary.verb, { ...summary.data });
    assert.match(cardText((res.body as { value?: unknown }).value), /What to migrate/, 'Megan gets her own form');
    const after = lastCardActivity(alex, h.emulator).card;
    assert.match(cardText(after), /Alex Wilber is filling in the migration form/, 'the channel still says who asked first');
    assert.deepEqual(after, before, 'the shared message is not rewritten');
  });

  it('offers "This chat" in a group chat', async () => {
    const alex = h.teams.as('alex').inGroupChat(LAUNCH_CHAT);
    await alex.says('migrate');
    assert.deepEqual(choices(await ownView(alex, h.emulator), 'kind')[0], { title: 'This chat', value: 'this' });
  });

  it("keeps each admin's form theirs when a second admin walks their own form to a confirmation in the same channel", async () => {
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate');
    const { id, card: before } = lastCardActivity(alex, h.emulator);
    const megan = h.teams.as('megan').inChannel('My Team', 'General');
    const meganPresses = async (card: unknown, title: string, inputs: Record<string, unknown> = {}) => {
      const action = cardActions(card).find((a) => a.title === title)!;
      const value = ((await megan.executes(id, action.verb, { ...action.data, ...inputs })).body as { value?: unknown }).value;
      return { card: value, text: cardText(value) };
    };
    const form = await meganPresses(before, 'Open my own form');
    const step = await meganPresses(form.card, 'Next', { kind: 'channel', teamId: MY_TEAM });
    assert.match(step.text, /Choose a channel of My Team/, "Megan's form moves on");
    assert.deepEqual(h.emulator.connector.current(id)?.attachments?.[0]?.content, before, "a form step leaves the shared card (and Alex's refresh) as it was");
    const confirm = await meganPresses(step.card, 'Next', { kind: 'channel', teamId: MY_TEAM, channelId: ANNOUNCEMENTS, date: '2020-01-01' });
    assert.match(confirm.text, /Start migration\?.*My Team › Announcements/s, 'Megan sees her confirmation');
    assert.deepEqual(h.emulator.connector.current(id)?.attachments?.[0]?.content, before, "Alex's form summary still names Alex and still refreshes for him");
    const meganSummary = lastCardActivity(megan, h.emulator);
    assert.notEqual(meganSummary.id, id, "Megan's confirmation gets a summary message of its own");
    assert.match(cardText(meganSummary.card), /Megan Bowen is reviewing this/);
    assert.ok(JSON.stringify((meganSummary.card as { refresh: { userIds: string[] } }).refresh.userIds).includes('29:megan'));
    const result = await meganPresses(confirm.card, 'Confirm');
    assert.match(result.text, /Migration started: My Team › Announcements/, 'Megan sees her result');
    assert.deepEqual(h.emulator.connector.current(id)?.attachments?.[0]?.content, before, "Alex's form summary is still his after Megan's Confirm");
    assert.match(cardText(h.emulator.connector.current(meganSummary.id)?.attachments?.[0]?.content), /Migration started/, 'the result is on her own message');
  });

  it('refuses the form to a non-admin, and a non-admin pressing Next', async () => {
    const lynne = h.teams.as('lynne').inPersonalChat();
    await lynne.says('migrate');
    assert.match(lastReplyText(lynne), /Only Teams administrators/);
    const alex = h.teams.as('alex').inChannel('My Team', 'General');
    await alex.says('migrate');
    const { id } = lastCardActivity(alex, h.emulator);
    const lynneInChannel = h.teams.as('lynne').inChannel('My Team', 'General');
    const res = await lynneInChannel.executes(id, 'formNext', { kind: 'channel', teamId: MY_TEAM, channelId: ANNOUNCEMENTS, date: '2020-01-01' });
    assert.match(JSON.stringify(res.body), /Only Teams administrators/);
  });

  it('answers type-ahead (application/search) with matching teams, and nothing for a non-admin', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    const res = await alex.searches('teams', 'Proj');
    const results = ((res.body as SearchResponse | null)?.value?.results ?? []) as { title: string; value: string }[];
    assert.ok(results.length > 0 && results.length <= 15);
    assert.ok(results.every((r) => r.title.startsWith('Proj')));
    const lynne = h.teams.as('lynne').inPersonalChat();
    const refused = await lynne.searches('teams', 'Proj');
    assert.deepEqual((refused.body as SearchResponse | null)?.value?.results ?? [], []);
  });

  it('the help card button and the welcome card open the form', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('help');
    const fromHelp = await press(alex, h.emulator, 'Open the migration form');
    assert.ok(choices(fromHelp.card, 'teamId').length > 0);
    const inTeam = h.teams.as('alex').inChannel('My Team', 'General');
    await inTeam.installed();
    assert.match(lastReplyText(inTeam), /Teams Migration Bot/);
    const opened = await press(inTeam, h.emulator, 'Open the migration form');
    assert.deepEqual(choices(opened.card, 'kind')[0], { title: 'This channel', value: 'this' });
  });

  it("a multi-select of channels opens the bulk preview with the form's date", async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const step = await press(alex, h.emulator, 'Next', { kind: 'channel', teamId: MY_TEAM });
    assert.ok(choices(step.card, 'channelIds').length >= 4, "the bulk multi-select lists the team's channels");
    const preview = await press(alex, h.emulator, 'Preview bulk migration', {
      kind: 'channel',
      teamId: MY_TEAM,
      channelIds: `${ANNOUNCEMENTS},19:myteam-falcon@thread.tacv2`,
      date: '2020-01-01',
    });
    assert.match(preview.text, /Announcements/);
    assert.match(preview.text, /Project Falcon/);
    assert.doesNotMatch(preview.text, /Partners/, 'only the chosen channels');
    assert.equal(h.emulator.graphWrites().length, 0, 'a preview writes nothing');
  });

  it('the bulk button without channels explains what is missing', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    await press(alex, h.emulator, 'Next', { kind: 'channel', teamId: MY_TEAM });
    const step = await press(alex, h.emulator, 'Preview bulk migration', { kind: 'channel', teamId: MY_TEAM, date: '2020-01-01' });
    assert.match(step.text, /Choose one or more channels in the bulk list/);
  });

  it('lists the chats of another user by sign-in name, with member names for chats without a topic', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const own = choices(lastCardActivity(alex, h.emulator).card, 'chatId').map((c) => c.title);
    assert.ok(
      own.some((t) => /one-on-one with .*Lynne Robbins/.test(t)),
      `one-on-one chats are told apart by their members: ${own.join(' | ')}`,
    );
    const step = await press(alex, h.emulator, 'Next', { kind: 'chat', chatsOf: 'meganb@example.com', date: '2020-01-01' });
    const listed = choices(step.card, 'chatId').map((c) => c.title);
    assert.ok(
      listed.includes('Launch planning') && !listed.some((t) => /Lynne Robbins$/.test(t) && /one-on-one/.test(t) && !/Megan/.test(t)),
      listed.join(' | '),
    );
    assert.match(step.text, /Choose one of the chats of meganb@example.com/);
    const chosen = await press(alex, h.emulator, 'Next', { kind: 'chat', chatsOf: 'meganb@example.com', chatId: LAUNCH_CHAT, date: '2020-01-01' }, step.card);
    assert.match(chosen.text, /Start migration\?.*Launch planning/s);
  });

  it('explains a malformed or unknown user for the chat list, and calls no Graph path with it', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('migrate');
    const bad = await press(alex, h.emulator, 'Next', { kind: 'chat', chatsOf: '../users/x', date: '2020-01-01' });
    assert.match(bad.text, /enter their sign-in name/);
    assert.ok(!h.emulator.requests({ service: 'graph' }).some((r) => r.rawUrl.includes('..')));
    const unknown = await press(alex, h.emulator, 'Next', { kind: 'chat', chatsOf: 'nobody@example.com', date: '2020-01-01' }, bad.card);
    assert.match(unknown.text, /No user "nobody@example.com" was found/);
  });
});
