import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { defaultFixture } from '../../emulator/index';
import { REPO_ROOT } from './dev-process';

/** The subset of the Playground's config file (schema 0.1.1) this test reads. */
interface PlaygroundConfig {
  version: string;
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  team: { id: string; name: string; aadGroupId: string; channels: { id: string; name: string }[] };
}

interface PlaygroundUser {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

describe('the Agents Playground config (.m365agentsplayground.yml) tells the bot what the emulator knows', () => {
  const config = parse(fs.readFileSync(path.join(REPO_ROOT, '.m365agentsplayground.yml'), 'utf8')) as PlaygroundConfig;
  const fixture = defaultFixture();
  const user = (aadObjectId: string) => fixture.users.find((u) => u.id === aadObjectId);

  it("is in the home tenant, as Alex Wilber, the fixture's Teams Administrator", () => {
    assert.equal(config.tenantId, fixture.homeTenantId);
    assert.equal(config.currentUser.aadObjectId, '00000000-0000-0000-0000-000000000020');
    const alex = user(config.currentUser.aadObjectId);
    assert.equal(alex?.displayName, config.currentUser.name);
    assert.equal(alex?.tenantId, fixture.homeTenantId);
    assert.ok(
      alex?.roleAssignments.some((r) => r.roleTemplateId === fixture.directoryRoles.teamsAdministrator && r.scope === 'tenant' && r.state === 'active'),
      'Alex holds Teams Administrator, tenant-wide and active',
    );
  });

  it('lists exactly five other users (the Playground refuses fewer or more), each a fixture user of the home tenant with the same name', () => {
    assert.equal(config.users.length, 5);
    for (const u of config.users) {
      const known = user(u.aadObjectId);
      assert.ok(known, `${u.name} (${u.aadObjectId}) is in the fixture`);
      assert.equal(known.displayName, u.name);
      assert.equal(known.tenantId, fixture.homeTenantId);
      assert.equal(`${u.givenName} ${u.surname}`, u.name);
    }
    const ids = [config.currentUser.id, ...config.users.map((u) => u.id)];
    assert.equal(new Set(ids).size, ids.length, 'user ids are unique');
  });

  it("uses the bot identity the tests use, the fixture's group chat, and My Team with its General and Announcements threads", () => {
    assert.equal(config.bot.id, `28:${fixture.bot.appId}`);
    assert.ok(
      fixture.chats.some((c) => c.id === config.groupChat.id && c.chatType === 'group'),
      'the group chat exists in the fixture',
    );
    const team = fixture.teams.find((t) => t.id === config.team.aadGroupId);
    assert.ok(team, "the team's aadGroupId is a fixture team");
    assert.equal(team.displayName, config.team.name);
    assert.equal(team.channels[0].id, config.team.id, "the team id is its General channel's thread id, as in Teams");
    for (const c of config.team.channels) {
      assert.ok(
        team.channels.some((fc) => fc.id === c.id && fc.displayName === c.name),
        `${c.name} is a channel of ${team.displayName}`,
      );
    }
  });
});
