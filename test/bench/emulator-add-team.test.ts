import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../emulator/index';

/** `em.addTeam`, the one emulator call the import benchmark added: a team with many channels, kept across reset. */
describe('the emulator adds a team with channels for the benchmarks', () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ quiet: true, limits: { enabled: false } });
  });
  after(async () => em.stop());

  it('creates General plus the named standard channels, never migrated, and keeps them across reset()', () => {
    const added = em.addTeam({ displayName: 'Import Bench Test', channels: ['bench-01', 'bench-02'] });
    assert.equal(added.channelIds.length, 2);
    const check = () => {
      assert.equal(em.thread(added.generalChannelId)?.displayName, 'General');
      const first = em.thread(added.channelIds[0]);
      assert.equal(first?.displayName, 'bench-01');
      assert.equal(first?.teamId, added.teamId);
      assert.equal(first?.membershipType, 'standard');
      assert.equal(first?.migrationMode, null);
    };
    check();
    em.setThread(added.channelIds[0], { migrationMode: 'inProgress' });
    em.reset();
    check();
  });

  it("refuses a second team with a name the tenant's teams already use", () => {
    assert.throws(() => em.addTeam({ displayName: 'import bench test', channels: [] }), /already has a team named/);
  });
});
