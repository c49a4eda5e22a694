import { MAX_LEDGER_EPOCH_MS } from './record-rules';

/**
 * Encoding rules for Azure Table Storage entities. Tables cannot hold nested objects, cap a string
 * property at 64 KiB (32 K UTF-16 characters) and an entity at 1 MiB, and forbid `/ \ # ?` and control
 * characters in keys. Every record is therefore stored whole as JSON split over `json0…jsonN`
 * properties (so a read returns exactly what was written), next to a few plain columns that exist
 * only to be filtered on and read in Storage Explorer.
 */

/** Characters kept as they are in keys; everything else is escaped as `!XX` per UTF-8 byte. */
const KEY_SAFE = /^[A-Za-z0-9._:@-]$/;

/**
 * Maps any string to a valid PartitionKey/RowKey, injectively (distinct inputs give distinct keys),
 * so ids from Teams (`19:…@thread.tacv2`) stay readable while hostile ids cannot break a request URL.
 * `!` is always escaped, which is what keeps the mapping collision-free.
 */
export function safeKey(value: string): string {
  let out = '';
  for (const ch of value) {
    if (KEY_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `!${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const INVERTED_TIME_WIDTH = String(MAX_LEDGER_EPOCH_MS).length;

/** Fixed-width `MAX - ms`: ascending key order is newest-first time order. */
export function invertedTime(ms: number): string {
  return String(MAX_LEDGER_EPOCH_MS - ms).padStart(INVERTED_TIME_WIDTH, '0');
}

/** Fixed-width inverted `yyyymm`, the audit partition: newer months sort first, as rows do inside one. */
export function invertedMonth(ms: number): string {
  const d = new Date(ms);
  return String(999999 - (d.getUTCFullYear() * 100 + d.getUTCMonth() + 1)).padStart(6, '0');
}

/** Characters per JSON part: under the 32 K-character property limit with room to spare. */
const PART_CHARS = 30_000;
/** Parts per entity: 15 × 30 000 characters × 2 bytes stays under the 1 MiB entity limit. */
const MAX_PARTS = 15;

/**
 * JSON with every non-ASCII code unit written as a `\u` escape of four hex digits. Pure ASCII can be cut anywhere
 * (no surrogate pair or UTF-8 sequence is split between parts), and it sidesteps Azurite 3.37, which
 * decodes a request body chunk by chunk and corrupts a multi-byte character that straddles two TCP
 * chunks. `JSON.parse` restores the original text exactly.
 */
function asciiJson(record: unknown): string {
  return JSON.stringify(record).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Splits a record's JSON over `json0…jsonN`; throws when the record cannot fit in one entity. */
export function packJson(record: unknown): Record<string, string | number> {
  const text = asciiJson(record);
  const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
  if (parts > MAX_PARTS) {
    throw new Error(`record is too large for Azure Table Storage (${text.length} characters of JSON)`);
  }
  const out: Record<string, string | number> = { jsonParts: parts };
  for (let i = 0; i < parts; i++) out[`json${i}`] = text.slice(i * PART_CHARS, (i + 1) * PART_CHARS);
  return out;
}

/** Reassembles what `packJson` split; throws on an entity that was not written by this store. */
export function unpackJson<T>(entity: Record<string, unknown>): T {
  const parts = entity.jsonParts;
  if (typeof parts !== 'number' || parts < 1) throw new Error('table entity has no JSON record');
  let text = '';
  for (let i = 0; i < parts; i++) {
    const piece = entity[`json${i}`];
    if (typeof piece !== 'string') throw new Error(`table entity is missing part ${i} of its JSON record`);
    text += piece;
  }
  return JSON.parse(text) as T;
}

/** Plain filter columns: nulls are left out, as Table Storage does not store null properties. */
export function columns(values: Record<string, string | number | null | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
