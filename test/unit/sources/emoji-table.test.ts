import assert from 'node:assert/strict';
import { emojiFor } from '../../../src/sources/emoji-table';

describe('emoji short names to Unicode', () => {
  it('knows the common names and their aliases', () => {
    assert.equal(emojiFor('smile'), '\u{1F604}');
    assert.equal(emojiFor('+1'), '\u{1F44D}');
    assert.equal(emojiFor('thumbsup'), '\u{1F44D}');
    assert.equal(emojiFor(':tada:'), '\u{1F389}');
    assert.equal(emojiFor('heart'), '\u2764\uFE0F');
  });

  it('applies a Slack skin tone, and falls back to the plain emoji when there is no such variation', () => {
    assert.equal(emojiFor('+1::skin-tone-3'), '\u{1F44D}\u{1F3FC}');
    assert.equal(emojiFor('+1::skin-tone-2'), '\u{1F44D}\u{1F3FB}');
    assert.equal(emojiFor('+1::skin-tone-6'), '\u{1F44D}\u{1F3FF}');
    assert.equal(emojiFor('smile::skin-tone-4'), '\u{1F604}');
    assert.equal(emojiFor('+1::skin-tone-9'), '\u{1F44D}');
  });

  it('gives two-person emoji one tone each, or the same tone for both', () => {
    assert.equal(emojiFor('handshake::skin-tone-2::skin-tone-3'), '\u{1FAF1}\u{1F3FB}\u200D\u{1FAF2}\u{1F3FC}');
    assert.equal(emojiFor('handshake::skin-tone-2'), '\u{1F91D}\u{1F3FB}');
  });

  it('returns null for custom workspace emoji', () => {
    assert.equal(emojiFor('party_parrot'), null);
    assert.equal(emojiFor(''), null);
  });
});
