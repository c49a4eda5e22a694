import * as assert from 'node:assert/strict';
import { expectGraphError, GLOBAL_ADMIN, graphFor, OPERATORS_GROUP, TEAMS_ADMIN, TEAMS_ADMINS_GROUP, USERS, useEmulator } from './helpers';

const ASKED = [GLOBAL_ADMIN, TEAMS_ADMIN, OPERATORS_GROUP];

describe('emulated Graph: who is an administrator, by checkMemberObjects (spec §7)', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  const check = (user: string, ids: unknown[] = ASKED) => graphFor(emulator()).api(`/users/${user}/checkMemberObjects`).post({ ids });

  const expectations: [string, string, string[]][] = [
    ['alex', 'holds Teams Administrator directly', [TEAMS_ADMIN]],
    ['megan', 'holds Global Administrator directly', [GLOBAL_ADMIN]],
    ['adele', 'holds Teams Administrator only for an administrative unit: nothing counts', []],
    ['isaiah', 'is only PIM-eligible for Global Administrator: nothing counts', []],
    ['patti', 'is a member of the Migration Operators group', [OPERATORS_GROUP]],
    ['lynne', 'is a plain member', []],
    ['nestor', 'holds Teams Administrator through a role-assignable group', [TEAMS_ADMIN]],
    ['gary', 'is a guest', []],
  ];
  for (const [key, story, expected] of expectations) {
    it(`${key} ${story}`, async () => {
      const r = await check(USERS[key as keyof typeof USERS]);
      assert.deepEqual(r.value, expected);
    });
  }

  it('reports the role-assignable group itself for its member', async () => {
    const r = await check(USERS.nestor, [TEAMS_ADMINS_GROUP]);
    assert.deepEqual(r.value, [TEAMS_ADMINS_GROUP]);
  });

  it("answers 404 for Olga: the other tenant's Global Administrator does not exist for this tenant's app", async () => {
    await expectGraphError(check(USERS.olga), 404, 'NotFound');
  });

  it('answers 404 for an unknown user', async () => {
    await expectGraphError(check('00000000-0000-0000-0000-0000000009ff'), 404, 'NotFound');
  });

  it('refuses more than 20 ids, a missing ids array and non-GUID ids with 400', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    await expectGraphError(check(USERS.alex, many), 400, 'BadRequest');
    const twenty = await check(USERS.alex, [...many.slice(0, 19), TEAMS_ADMIN]);
    assert.deepEqual(twenty.value, [TEAMS_ADMIN]);
    await expectGraphError(graphFor(emulator()).api(`/users/${USERS.alex}/checkMemberObjects`).post({}), 400, 'BadRequest');
    await expectGraphError(check(USERS.alex, ['not-a-guid']), 400, 'BadRequest');
  });

  it('needs User.Read.All and is not counted as a Graph write', async () => {
    const em = emulator();
    await check(USERS.alex);
    assert.equal(em.graphWrites().length, 0);
    assert.equal(em.requests({ service: 'graph', method: 'POST' }).length, 1);
  });
});
