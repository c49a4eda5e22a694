import * as assert from 'node:assert/strict';
import { useEmulator } from './helpers';

const TENANT = '00000000-0000-0000-0000-000000000001';
const ALEX_OID = '00000000-0000-0000-0000-000000000020';

/**
 * POST /v3/conversations for a 1:1 chat, as the Teams connector answers it: `{ id }` of the
 * personal chat for one member given by Teams id or object id in the tenant, and Teams' own
 * refusals (no tenant, `isGroup: true`, a member of another tenant, the bot not installed).
 */
describe('emulated connector: the bot opens a personal chat with a user (createConversation)', () => {
  const em = useEmulator({ limits: { enabled: false } });

  async function create(body: unknown) {
    const res = await fetch(`${em().connectorUrl}v3/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string; message: string } } };
  }
  const bot = { id: '28:bbbbbbbb-0000-0000-0000-000000000001' };

  it('answers the personal chat id for a Teams user id or an Entra object id, the same for both', async () => {
    const byTeamsId = await create({ bot, isGroup: false, members: [{ id: '29:alex' }], channelData: { tenant: { id: TENANT } } });
    assert.equal(byTeamsId.status, 201);
    assert.equal(byTeamsId.body.id, 'a:personal-alex');
    const byObjectId = await create({ bot, members: [{ id: ALEX_OID }], tenantId: TENANT });
    assert.equal(byObjectId.body.id, 'a:personal-alex');
  });

  it('refuses as Teams does: no tenant, isGroup true, a member of another tenant, the bot not installed', async () => {
    assert.deepEqual((await create({ bot, isGroup: false, members: [{ id: '29:alex' }] })).body.error, {
      code: 'BadSyntax',
      message: 'Could not parse tenant id',
    });
    assert.equal((await create({ bot, isGroup: true, members: [{ id: '29:alex' }], channelData: { tenant: { id: TENANT } } })).body.error?.code, 'BadSyntax');
    assert.equal((await create({ bot, members: [{ id: '29:alex' }], channelData: { tenant: { id: '11111111-1111-1111-1111-111111111111' } } })).status, 404);
    em().connector.uninstallBotFor('alex');
    const refused = await create({ bot, members: [{ id: '29:alex' }], channelData: { tenant: { id: TENANT } } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'BotNotInConversationRoster');
    assert.deepEqual(em().connector.sent(), [], 'nothing was recorded');
  });
});
