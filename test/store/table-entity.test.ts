import assert from 'node:assert/strict';
import { invertedMonth, invertedTime, packJson, safeKey, unpackJson } from '../../src/store/table-entity';

describe('how ledger records become Azure Table entities', () => {
  it('turns any id into a legal key, readable for Teams ids, and never maps two ids to one key', () => {
    assert.equal(safeKey('19:eng-ch01@thread.tacv2'), '19:eng-ch01@thread.tacv2');
    const ids = ['a/b', 'a!2Fb', 'a\\b', 'a#b', 'a?b', 'a%2Fb', 'a\u0001b', 'a\u007fb', 'a\u0085b', 'Zoë', 'Zo!C3!ABe', '🚀', "it's", ''];
    const keys = ids.map(safeKey);
    assert.equal(new Set(keys).size, ids.length);
    for (const key of keys) assert.match(key, /^[A-Za-z0-9._:@!-]*$/);
  });

  it('sorts inverted times and months newest first, as text', () => {
    const times = ['1970-01-01T00:00:00.000Z', '2025-02-28T23:59:59.999Z', '2025-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'].map(Date.parse);
    const keys = times.map(invertedTime);
    assert.deepEqual([...keys].sort(), [...keys].reverse());
    assert.ok(keys.every((k) => k.length === keys[0].length));
    const months = times.map(invertedMonth);
    assert.deepEqual([...months].sort(), [...months].reverse());
  });

  it('splits a large record over several ASCII-only properties and puts it back exactly', () => {
    const record = { text: 'Zoë 日本 🚀 \ud800 '.repeat(3_000), nested: [1, null, { ok: true }] };
    const packed = packJson(record);
    assert.ok((packed.jsonParts as number) > 1);
    for (let i = 0; i < (packed.jsonParts as number); i++) {
      const part = packed[`json${i}`] as string;
      assert.ok(part.length <= 30_000);
      assert.match(part, /^[\x20-\x7e]*$/);
    }
    assert.deepEqual(unpackJson(packed), record);
  });

  it('refuses a record larger than one entity can hold instead of writing half of it', () => {
    assert.throws(() => packJson({ text: 'x'.repeat(500_000) }), /too large/);
  });
});
