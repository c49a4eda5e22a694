import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { cardActions, cardText, lastCardActivity, lastReplyText, ownView, press, startHarness } from '../support/harness';

const MY_TEAM = '00000000-0000-0000-0000-000000000031';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const GENERAL = '19:myteam-general@thread.tacv2';
const LAUNCH_CHAT = '19:group-launch@thread.v2';

describe('the core loop: an admin starts a migration from Teams', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  const graphCalls = () => h.emulator.requests({ service: 'graph' });
  const starts = () => h.emulator.graphWrites().filter((r) => r.path.endsWith('/startMigration'));

  describe('an admin migrates a channel by team and channel name', () => {
    it('shows a confirmation card with both dates, then starts the migration on Confirm and shows the state read back', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const confirm = cardText(lastCardActivity(alex, h.emulator).card);
      assert.match(confirm, /Start migration\?/);
      assert.match(confirm, /My Team › Announcements/);
      assert.match(confirm, /2024-06-10 09:30 UTC/);
      assert.match(confirm, /2020-01-01 00:00 UTC/);
      assert.match(confirm, /cannot be undone/);
      assert.equal(starts().length, 0, 'nothing is written before Confirm');

      const result = await press(alex, h.emulator, 'Confirm');
      assert.match(result.text, /Migration started: My Team › Announcements/);
      assert.match(result.text, /inProgress/);
      assert.match(result.text, /aaaaaaaa-0000-0000-0000-000000000001/);
      const thread = h.emulator.thread(ANNOUNCEMENTS)!;
      assert.equal(thread.migrationMode, 'inProgress');
      assert.equal(Date.parse(thread.createdDateTime), Date.parse('2020-01-01T00:00:00Z'));
      assert.equal(Date.parse(thread.originalCreatedDateTime!), Date.parse('2024-06-10T09:30:00Z'));
      assert.equal(starts().length, 1);
      assert.equal(starts()[0].clientId, 'aaaaaaaa-0000-0000-0000-000000000001', 'Graph is called with the migration app, not the bot');
      const updated = h.emulator.connector.updates(alex.conversationId);
      assert.ok(updated.length >= 1, 'the same card is updated in place');
    });

    it('without a date, explains that nothing older than the current creation date can be imported and leaves the date unchanged', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements');
      assert.match(lastReplyText(alex), /nothing older than that can be imported/);
      await press(alex, h.emulator, 'Confirm');
      const thread = h.emulator.thread(ANNOUNCEMENTS)!;
      assert.equal(thread.migrationMode, 'inProgress');
      assert.equal(Date.parse(thread.createdDateTime), Date.parse('2024-06-10T09:30:00Z'));
      assert.ok(!JSON.stringify(starts()[0].body ?? {}).includes('conversationCreationDateTime'));
    });

    it('accepts ids instead of names', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says(`migrate channel ${MY_TEAM} ${ANNOUNCEMENTS} since 2021-05-05T10:00:00+02:00`);
      await press(alex, h.emulator, 'Confirm');
      assert.equal(Date.parse(h.emulator.thread(ANNOUNCEMENTS)!.createdDateTime), Date.parse('2021-05-05T08:00:00Z'));
    });

    it('lists the candidates when a team name is ambiguous, and writes nothing', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel Marketing Campaigns since 2020-01-01');
      const reply = lastReplyText(alex);
      assert.match(reply, /2 teams are named "Marketing"/);
      assert.match(reply, /00000000-0000-0000-0000-000000000034/);
      assert.match(reply, /00000000-0000-0000-0000-000000000035/);
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('names the channels of the team when the channel name is unknown', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Nope since 2020-01-01');
      assert.match(lastReplyText(alex), /has no channel named "Nope".*Announcements/s);
    });
  });

  describe('an admin migrates a chat', () => {
    it('by chat id with a date', async () => {
      const megan = h.teams.as('megan').inPersonalChat();
      await megan.says(`migrate chat ${LAUNCH_CHAT} since 2023-01-01`);
      assert.match(lastReplyText(megan), /Launch planning/);
      await press(megan, h.emulator, 'Confirm');
      const thread = h.emulator.thread(LAUNCH_CHAT)!;
      assert.equal(thread.migrationMode, 'inProgress');
      assert.equal(Date.parse(thread.createdDateTime), Date.parse('2023-01-01T00:00:00Z'));
    });

    it('by chat id without a date', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says(`migrate chat ${LAUNCH_CHAT}`);
      await press(alex, h.emulator, 'Confirm');
      assert.equal(h.emulator.thread(LAUNCH_CHAT)!.migrationMode, 'inProgress');
      assert.equal(Date.parse(h.emulator.thread(LAUNCH_CHAT)!.createdDateTime), Date.parse('2024-06-10T09:30:00Z'));
    });
  });

  describe('"migrate this"', () => {
    it('in a team channel uses the Graph team id from aadGroupId, never channelData.team.id', async () => {
      const alex = h.teams.as('alex').inChannel('My Team', 'Announcements');
      await alex.says('migrate this since 2020-01-01');
      assert.match(lastReplyText(alex), /My Team › Announcements/);
      const paths = graphCalls().map((r) => r.path);
      assert.ok(paths.some((p) => p.includes(`/teams/${MY_TEAM}/channels/`)));
      assert.ok(!paths.some((p) => p.includes(`/teams/${encodeURIComponent(GENERAL)}`)), 'the General thread id is not a team id');
      await press(alex, h.emulator, 'Confirm', {}, await ownView(alex, h.emulator));
      assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, 'inProgress');
    });

    it('in a team channel without aadGroupId asks Teams for the team details', async () => {
      const alex = h.teams.as('alex').inChannel('My Team', 'Announcements', { includeAadGroupId: false });
      await alex.says('migrate this since 2020-01-01');
      assert.match(lastReplyText(alex), /My Team › Announcements/);
      assert.ok(h.emulator.requests({ service: 'connector', method: 'GET' }).some((r) => r.path.includes('/v3/teams/')));
    });

    it('in a group chat migrates that chat', async () => {
      const alex = h.teams.as('alex').inGroupChat(LAUNCH_CHAT);
      await alex.says('migrate this since 2022-02-02');
      assert.match(lastReplyText(alex), /Launch planning/);
      await press(alex, h.emulator, 'Confirm', {}, await ownView(alex, h.emulator));
      assert.equal(Date.parse(h.emulator.thread(LAUNCH_CHAT)!.createdDateTime), Date.parse('2022-02-02T00:00:00Z'));
    });

    it('in a personal chat explains what "this" means', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate this');
      assert.match(lastReplyText(alex), /"this" means the channel or group chat/);
      assert.equal(h.emulator.graphWrites().length, 0);
    });
  });

  describe('pasted Teams links', () => {
    it('a channel link (ids URL-encoded) finds the channel', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      const link = `https://teams.microsoft.com/l/channel/${encodeURIComponent(ANNOUNCEMENTS)}/Announcements?groupId=${MY_TEAM}&tenantId=00000000-0000-0000-0000-000000000001`;
      await alex.says(`migrate ${link} since 2020-01-01`);
      assert.match(lastReplyText(alex), /My Team › Announcements/);
    });

    it('a chat link finds the chat', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says(`migrate https://teams.microsoft.com/l/chat/${LAUNCH_CHAT}/conversations?context=%7B%7D since 2020-01-01`);
      assert.match(lastReplyText(alex), /Launch planning/);
    });

    it('a link from another tenant is refused before any read', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      const link = `https://teams.microsoft.com/l/channel/${encodeURIComponent(ANNOUNCEMENTS)}/x?groupId=${MY_TEAM}&tenantId=11111111-1111-1111-1111-111111111111`;
      await alex.says(`migrate ${link}`);
      assert.match(lastReplyText(alex), /another organisation/);
      assert.equal(graphCalls().filter((r) => !r.path.endsWith('/checkMemberObjects')).length, 0);
    });
  });

  describe('people who are not administrators', () => {
    for (const [user, why] of [
      ['lynne', 'a plain member'],
      ['adele', 'an administrative-unit-scoped Teams Administrator'],
      ['isaiah', 'a PIM-eligible-only Global Administrator'],
      ['gary', 'a guest'],
    ] as const) {
      it(`refuses ${why} and makes no Graph call beyond the admin check`, async () => {
        const chat = h.teams.as(user).inPersonalChat();
        await chat.says('migrate channel "My Team" Announcements since 2020-01-01');
        assert.match(lastReplyText(chat), /Only Teams administrators can do this/);
        const calls = graphCalls();
        assert.equal(calls.length, 1);
        assert.ok(calls[0].path.endsWith('/checkMemberObjects'));
      });
    }

    it('refuses a user of another tenant without any Graph call', async () => {
      const olga = h.teams.as('olga').inPersonalChat();
      await olga.says('migrate channel "My Team" Announcements since 2020-01-01');
      assert.match(lastReplyText(olga), /another tenant/);
      assert.equal(graphCalls().length, 0);
    });

    it('refuses Confirm pressed by a non-admin in a channel, and the admin can still confirm', async () => {
      const alex = h.teams.as('alex').inChannel('My Team', 'General');
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const lynne = h.teams.as('lynne').inChannel('My Team', 'General');
      const cardId = lastCardActivity(alex, h.emulator).id;
      assert.ok(!cardActions(lastCardActivity(alex, h.emulator).card).some((a) => a.title === 'Confirm'), 'others see a summary without the buttons');
      const lynneSees = await lynne.executes(cardId, 'refreshView', cardActions(lastCardActivity(alex, h.emulator).card)[0].data);
      assert.match(JSON.stringify(lynneSees.body), /Only Alex Wilber can confirm/);
      const alexSees = await ownView(alex, h.emulator);
      const confirm = cardActions(alexSees).find((a) => a.title === 'Confirm')!;
      const refused = await lynne.executes(cardId, confirm.verb, confirm.data);
      assert.match(JSON.stringify(refused.body), /Only Teams administrators/);
      assert.equal(starts().length, 0);
      await press(alex, h.emulator, 'Confirm', {}, alexSees);
      assert.equal(starts().length, 1);
    });
  });

  describe('pre-flight refusals', () => {
    it('refuses a channel already in migration mode', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "Contoso Engineering" "Legacy Import" since 2010-01-01');
      assert.match(lastReplyText(alex), /already in migration mode/);
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('refuses a date that is not earlier than the current creation date, showing both dates', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2025-01-01');
      assert.match(lastReplyText(alex), /2025-01-01 00:00 UTC.*is not earlier than .*2024-06-10 09:30 UTC/);
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('refuses a meeting chat', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate chat 19:meeting_weeklysync@thread.v2 since 2020-01-01');
      assert.match(lastReplyText(alex), /meeting chat/);
      assert.equal(h.emulator.graphWrites().length, 0);
    });

    it('explains a malformed date and makes no Graph call at all', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-13-45');
      assert.match(lastReplyText(alex), /not a real calendar date/);
      assert.equal(graphCalls().length, 0);
    });
  });

  describe('confirmations', () => {
    it('a double Confirm makes exactly one startMigration and shows the same result', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const { id, card } = lastCardActivity(alex, h.emulator);
      const confirm = (card.actions as { title: string; verb: string; data: Record<string, unknown> }[]).find((a) => a.title === 'Confirm')!;
      const [first, second] = await Promise.all([alex.executes(id, confirm.verb, confirm.data), alex.executes(id, confirm.verb, confirm.data)]);
      await alex.executes(id, confirm.verb, confirm.data);
      assert.equal(starts().length, 1);
      assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.startMigrationCalls, 1);
      assert.ok([first, second].some((r) => /Migration started/.test(JSON.stringify(r.body))));
    });

    it('Cancel changes nothing and a later Confirm on that card does nothing', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const { id, card } = lastCardActivity(alex, h.emulator);
      const actions = card.actions as { title: string; verb: string; data: Record<string, unknown> }[];
      const cancelled = await alex.executes(id, actions.find((a) => a.title === 'Cancel')!.verb, actions.find((a) => a.title === 'Cancel')!.data);
      assert.match(JSON.stringify(cancelled.body), /Cancelled/);
      await alex.executes(id, actions.find((a) => a.title === 'Confirm')!.verb, actions.find((a) => a.title === 'Confirm')!.data);
      assert.equal(h.emulator.graphWrites().length, 0);
      assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, null);
    });

    it("another admin in the channel can neither confirm nor cancel someone else's confirmation", async () => {
      const alex = h.teams.as('alex').inChannel('My Team', 'General');
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const { id } = lastCardActivity(alex, h.emulator);
      const actions = cardActions(await ownView(alex, h.emulator));
      const megan = h.teams.as('megan').inChannel('My Team', 'General');
      for (const title of ['Confirm', 'Cancel']) {
        const action = actions.find((a) => a.title === title)!;
        const res = await megan.executes(id, action.verb, action.data);
        assert.match(JSON.stringify(res.body), new RegExp(`Only Alex Wilber can ${title.toLowerCase()} this request`));
      }
      assert.equal(starts().length, 0);
      const result = await press(alex, h.emulator, 'Confirm', {}, await ownView(alex, h.emulator));
      assert.match(result.text, /Migration started/, 'the request is still alive for the admin who asked');
    });

    it('a card whose payload was rewritten to another target cannot change what runs', async () => {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const { id, card } = lastCardActivity(alex, h.emulator);
      const confirm = (card.actions as { title: string; verb: string; data: Record<string, unknown> }[]).find((a) => a.title === 'Confirm')!;
      await alex.executes(id, confirm.verb, { ...confirm.data, teamId: MY_TEAM, channelId: GENERAL, conversationCreationDateTime: '1990-01-01T00:00:00Z' });
      assert.equal(h.emulator.thread(GENERAL)!.migrationMode, null);
      assert.equal(Date.parse(h.emulator.thread(ANNOUNCEMENTS)!.createdDateTime), Date.parse('2020-01-01T00:00:00Z'));
    });
  });
});

describe('the core loop when Graph or Entra fail', function () {
  it('a migration app without Teamwork.Migrate.All gets a plain explanation with the Graph error details', async () => {
    const h = await startHarness({
      env: { GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000002', GRAPH_CLIENT_SECRET: 'emulator-readonly-secret' },
    });
    try {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      const result = await press(alex, h.emulator, 'Confirm');
      assert.match(result.text, /lacks the Teamwork\.Migrate\.All application permission/);
      assert.match(result.text, /403 Forbidden/);
      assert.match(result.text, /request-id/);
      assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, null);
    } finally {
      await h.stop();
    }
  });

  it('a failing token endpoint ends in a polite reply and the bot keeps serving', async () => {
    const h = await startHarness();
    try {
      h.emulator.faults.inject({ path: /oauth2\/v2\.0\/token/, kind: 'invalid_client', times: 5 });
      const alex = h.teams.as('alex').inPersonalChat();
      const res = await alex.says('migrate channel "My Team" Announcements since 2020-01-01');
      assert.equal(res.status, 200);
      assert.match(lastReplyText(alex), /could not be checked right now, so nothing was done.*correlation id/s);
      assert.doesNotMatch(lastReplyText(alex), /AADSTS|GRAPH_CLIENT_SECRET/, 'credential details are for the log, not the chat');
      assert.ok(
        h.logs.some((line) => /could not sign in to Microsoft Entra ID/.test(line)),
        'the detail is in the log',
      );
      assert.equal(h.emulator.graphWrites().length, 0);
      const health = await fetch(`${h.bot.url}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      await h.stop();
    }
  });
});

describe('card actions the bot does not know', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());

  it('answers an unknown Action.Execute verb and an unknown Action.Submit with a clear message, not an error', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('help');
    const cardId = alex.replies()[0].id;
    const executed = await alex.executes(cardId, 'bogus', { x: 1 });
    assert.equal(executed.status, 200);
    assert.match(JSON.stringify(executed.body), /not one this bot knows/);
    await alex.submits(cardId, { verb: 'bogus' });
    assert.match(lastReplyText(alex), /not one this bot knows/);
    assert.equal(h.emulator.graphWrites().length, 0);
  });
});

describe('installation in another organisation', function () {
  it('sends no welcome when the bot is added by a tenant it does not serve', async () => {
    const h = await startHarness();
    try {
      const olga = h.teams.as('olga').inPersonalChat();
      await olga.installed();
      assert.equal(olga.replies().length, 0);
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.installed();
      assert.match(lastReplyText(alex), /Thanks for adding me/);
    } finally {
      await h.stop();
    }
  });
});

describe("the migration app's token", function () {
  it('is requested once for many concurrent turns at a cold start, then reused from the cache', async () => {
    const h = await startHarness();
    try {
      const admins = ['alex', 'megan', 'nestor'].map((u) => h.teams.as(u).inPersonalChat());
      await Promise.all(admins.flatMap((chat) => [chat.says('status channel "My Team" General'), chat.says('status chat 19:group-launch@thread.v2')]));
      await admins[0].says('locked');
      assert.equal(h.emulator.tokenCount('aaaaaaaa-0000-0000-0000-000000000001'), 1);
    } finally {
      await h.stop();
    }
  });
});
