import assert from 'node:assert/strict';
import { readBulkPayload } from '../../src/features/bulk/bulk-request';

describe('a stored bulk preview is read back, never cast', () => {
  const item = {
    channelId: '19:a@thread.tacv2',
    displayName: 'A',
    membershipType: 'standard',
    before: { createdDateTime: null, originalCreatedDateTime: null, migrationMode: null },
    run: true,
    note: null,
  };
  const stored = {
    kind: 'bulk-start',
    teamId: '00000000-0000-0000-0000-000000000031',
    teamName: 'My Team',
    targetName: 'every channel of My Team',
    since: '2020-01-01T00:00:00.000Z',
    excludePrivate: false,
    channelIds: null,
    items: [item],
    typedRequired: false,
    timeZone: 'Europe/Berlin',
  };

  it('gives back the preview the bot stored', () => {
    assert.deepEqual(readBulkPayload(JSON.parse(JSON.stringify(stored))), stored);
    assert.equal(readBulkPayload({ ...stored, timeZone: undefined })?.timeZone, null, 'an older preview without a zone reads as none');
  });

  it('refuses anything that is not one: another kind, a missing team, a malformed channel', () => {
    assert.equal(readBulkPayload({ ...stored, kind: 'start' }), null);
    assert.equal(readBulkPayload({ ...stored, teamName: 42 }), null);
    assert.equal(readBulkPayload({ ...stored, items: [{ ...item, run: 'yes' }] }), null);
    assert.equal(readBulkPayload({ ...stored, channelIds: [1] }), null);
    assert.equal(readBulkPayload(null), null);
    assert.equal(readBulkPayload([stored]), null);
  });
});
