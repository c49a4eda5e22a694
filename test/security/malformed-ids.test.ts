import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { answerText, fixtureActor, mark, message, personalChat, post, routeViolation, type Actor, type Place } from './support/attack';

/**
 * Ids Teams puts in an activity (`from.aadObjectId`, the conversation id, the channel and team in
 * `channelData`) go into Graph paths. `encodeURIComponent` leaves `.` and `..` alone, so an id of
 * the wrong shape could walk the path; the bot must refuse it by name and send nothing to Graph.
 */
describe('threat: an activity carries ids that would walk a Graph path', function () {
  let h: Harness;
  const alex = fixtureActor('alex');
  const HOME_TENANT = alex.tenantId;
  const TEAM = '00000000-0000-0000-0000-000000000031';

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  /** Posts `text` as `actor` in `place`; returns what the person reads and the Graph requests it caused. */
  async function say(actor: Actor, place: Place, text: string, channelData?: Record<string, unknown>) {
    const graphBefore = h.emulator.requests({ service: 'graph' }).length;
    const before = mark(h.emulator, place.conversationId);
    const activity = message(h.emulator, actor, place, text);
    if (channelData) activity.channelData = { ...activity.channelData, ...channelData };
    const res = await post(h.bot.url, activity);
    assert.equal(res.status, 200, `HTTP status for ${JSON.stringify(place.conversationId)}`);
    const graph = h.emulator.requests({ service: 'graph' }).slice(graphBefore);
    return { answer: answerText(h.emulator, place.conversationId, res, before), graph };
  }

  const HOSTILE_OIDS = [
    '..',
    '.',
    '../../groups',
    '00000000-0000-0000-0000-000000000020/..',
    '%2e%2e',
    '00000000-0000-0000-0000-000000000020?$top=1',
    ' 00000000-0000-0000-0000-0000000000 ',
  ];

  it('an aadObjectId of ".." (or any non-GUID) is refused by name and no admin check reaches Graph', async () => {
    for (const oid of HOSTILE_OIDS) {
      const actor: Actor = { key: `hostile-${HOSTILE_OIDS.indexOf(oid)}`, name: 'Mallory', aadObjectId: oid, tenantId: HOME_TENANT };
      const { answer, graph } = await say(actor, personalChat(actor.key), 'migrate chat 19:group-launch@thread.v2 since 2020-01-01');
      assert.match(answer, /Entra object id .* is malformed/, `a clear refusal for aadObjectId ${JSON.stringify(oid)}: ${answer}`);
      assert.match(answer, /GUID/, 'says what a good object id looks like');
      assert.deepEqual(
        graph.map((r) => `${r.method} ${r.path}`).filter((p) => /checkMemberObjects|\/users\b/.test(p) || !/\/chats\/|\/teams/.test(p)),
        [],
        `no user lookup for ${JSON.stringify(oid)}`,
      );
      assert.deepEqual(graph.map(routeViolation).filter(Boolean), [], 'only intended Graph routes');
      assert.deepEqual(h.emulator.graphWrites(), [], 'no Graph write');
    }
  });

  it('a group chat whose conversation id walks the path ("/../") is named as malformed and never read', async () => {
    for (const conversationId of [
      '19:group-launch@thread.v2/../..',
      '19:a/../../users@thread.v2',
      '19:group-launch@thread.v2?$expand=members',
      '19:x y@thread.v2',
    ]) {
      const { answer, graph } = await say(alex, { conversationId, conversationType: 'groupChat' }, 'status this');
      assert.match(answer, /chat id .* is malformed/, `a clear refusal for ${JSON.stringify(conversationId)}: ${answer}`);
      assert.match(answer, /19:…@thread\.v2/, 'says what a good chat id looks like');
      assert.deepEqual(
        graph.filter((r) => r.path.includes('/chats')).map((r) => r.path),
        [],
        `no chat read for ${JSON.stringify(conversationId)}`,
      );
      assert.deepEqual(graph.map(routeViolation).filter(Boolean), [], 'only intended Graph routes');
    }
  });

  it('a channel whose thread id or team id is malformed is named and never read', async () => {
    const cases: { channel: string; team: string; id: RegExp }[] = [
      { channel: '19:myteam-general@thread.tacv2/../../..', team: TEAM, id: /channel id .* is malformed/ },
      { channel: '..', team: TEAM, id: /channel id .* is malformed/ },
      { channel: '19:myteam-general@thread.tacv2', team: '..', id: /team id .* is malformed/ },
      { channel: '19:myteam-general@thread.tacv2', team: `${TEAM}/../..`, id: /team id .* is malformed/ },
    ];
    for (const c of cases) {
      const place: Place = { conversationId: `${c.channel};messageid=1`, conversationType: 'channel' };
      const { answer, graph } = await say(alex, place, 'status this', {
        channel: { id: c.channel },
        team: { id: '19:myteam-general@thread.tacv2', aadGroupId: c.team },
      });
      assert.match(answer, c.id, `a clear refusal for ${JSON.stringify(c)}: ${answer}`);
      assert.deepEqual(
        graph.filter((r) => r.path.includes('/teams')).map((r) => r.path),
        [],
        `no team or channel read for ${JSON.stringify(c)}`,
      );
      assert.deepEqual(graph.map(routeViolation).filter(Boolean), [], 'only intended Graph routes');
    }
  });

  it('a well-formed id in the same places is still served (the check refuses shapes, not people)', async () => {
    const { answer } = await say(alex, { conversationId: '19:group-launch@thread.v2', conversationType: 'groupChat' }, 'status this');
    assert.match(answer, /Launch planning/, answer);
    assert.doesNotMatch(answer, /malformed/);
  });
});
