import assert from 'node:assert/strict';
import { choicesChanged, choicesFrom, readDraft, SKIP, type ImportDraft } from '../../../src/features/import-flow/import-draft';

/** The draft of a plan card that showed general → General and random → Skip. */
const shown: ImportDraft = {
  exportId: '0123456789abcdef0123456789abcdef',
  fileName: 'acme.zip',
  bytes: 1000,
  teamId: 'team-1',
  teamAsked: null,
  teamName: 'My Team',
  sources: ['C-general', 'C-random'],
  shown: ['19:general', SKIP],
  maps: {},
  fallbackUserId: null,
  completeWhenDone: false,
  uploadFiles: false,
  sends: 30,
  typedRequired: false,
};

describe('the plan card: which inputs are choices', () => {
  it('takes inputs left as shown as no choice at all, so Confirm on an untouched card starts the plan shown', () => {
    const next = choicesFrom(shown, { map_0: '19:general', map_1: SKIP, completeWhenDone: 'false', uploadFiles: 'false', teamId: 'team-1' });
    assert.deepEqual(next.maps, {});
    assert.equal(choicesChanged(shown, next), false);
  });

  it('turns a changed channel input into an explicit choice for that source channel (by the draft’s own list, not the card’s)', () => {
    const next = choicesFrom(shown, { map_0: SKIP, map_1: '19:partners' });
    assert.deepEqual(next.maps, { 'C-general': '', 'C-random': '19:partners' });
    assert.equal(choicesChanged(shown, next), true);
  });

  it('ignores inputs for channels the draft does not list (a rewritten card cannot add a source)', () => {
    const next = choicesFrom(shown, { map_7: '19:general', 'map_-1': '19:x', map_2: '19:x' });
    assert.deepEqual(next.maps, {});
  });

  it('forgets channel choices when the team changes (the other team has other channels)', () => {
    const withChoice = { ...shown, maps: { 'C-random': '19:partners' } };
    const next = choicesFrom(withChoice, { teamId: 'team-2', map_1: '19:partners' });
    assert.equal(next.teamId, 'team-2');
    assert.deepEqual(next.maps, {});
  });

  it('prefers a typed sign-in name over the picker, and refuses an id with path characters', () => {
    assert.equal(choicesFrom(shown, { fallbackUserId: 'u-1', fallbackSignIn: 'alexw@example.com' }).fallbackUserId, 'alexw@example.com');
    assert.equal(choicesFrom(shown, { fallbackUserId: 'u-1', fallbackSignIn: '' }).fallbackUserId, 'u-1');
    assert.equal(choicesFrom(shown, { fallbackSignIn: '../users/x' }).fallbackUserId, null);
    assert.equal(choicesFrom(shown, { fallbackSignIn: 'a b@c' }).fallbackUserId, null);
  });

  it('reads the toggles as Teams sends them ("true"/"false"), keeping the draft’s value otherwise', () => {
    assert.equal(choicesFrom(shown, { completeWhenDone: 'true' }).completeWhenDone, true);
    assert.equal(choicesFrom({ ...shown, completeWhenDone: true }, { completeWhenDone: 42 }).completeWhenDone, true);
    assert.equal(choicesChanged(shown, choicesFrom(shown, { uploadFiles: 'true' })), true);
  });

  it('does not read a stored payload that is not a draft', () => {
    assert.equal(readDraft({ exportId: 'x' }), null);
    assert.deepEqual(readDraft({ ...shown }), shown);
  });
});
