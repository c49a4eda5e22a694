/**
 * Hostile and broken archives for the export readers' refusal tests: path traversal and absolute
 * entry names, a zip bomb, a day file with a JSON syntax error at a known position, a day file that
 * is not UTF-8, and a zip that is no export at all. Every writer is deterministic.
 */
import { writeFile } from 'node:fs/promises';
import { openPromise } from 'yauzl';
import { SeededRandom, crc32 } from './deterministic';
import { ZipSink } from './zip-sink';

// ---------------------------------------------------------------------------------------------
// A raw zip writer
// ---------------------------------------------------------------------------------------------

/** One entry of a raw zip: its name exactly as the archive will hold it, and its bytes (stored). */
export interface RawZipEntry {
  name: string;
  content: string | Buffer;
}

/** DOS date and time of 2021-01-01 00:00:00, fixed so the bytes are the same everywhere. */
const DOS_TIME = 0;
const DOS_DATE = ((2021 - 1980) << 9) | (1 << 5) | 1;

/**
 * Builds a zip of stored (uncompressed) entries byte by byte: a local file header and the data per
 * entry, then the central directory and its end record. It exists because `yazl` refuses to write
 * hostile names: it rejects absolute paths (`/etc/passwd`, `C:\…`), any `..` segment, and rewrites
 * `\` to `/`, so a test of the reader's own checks needs archives yazl will not make. Names are
 * written as given (UTF-8, general-purpose flag bit 11 set), with no validation at all.
 */
export function rawZip(entries: readonly RawZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : e.content;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed to extract (2.0)
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); // compressed size
    local.writeUInt32LE(data.length, 22); // uncompressed size
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    parts.push(local, name, data);

    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0); // central directory header signature
    record.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(0, 10);
    record.writeUInt16LE(DOS_TIME, 12);
    record.writeUInt16LE(DOS_DATE, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(0, 30); // extra
    record.writeUInt16LE(0, 32); // comment
    record.writeUInt16LE(0, 34); // disk number start
    record.writeUInt16LE(0, 36); // internal attributes
    record.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: regular file, rw-r--r--
    record.writeUInt32LE(offset, 42); // local header offset
    central.push(record, name);
    offset += local.length + name.length + data.length;
  }
  const centralDirectory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...parts, centralDirectory, end]);
}

// ---------------------------------------------------------------------------------------------
// A minimal valid Slack export, to wrap the hostile part in
// ---------------------------------------------------------------------------------------------

const SKELETON_USERS = [
  {
    id: 'U_ALEX',
    team_id: 'T_CONTOSO',
    name: 'alex',
    deleted: false,
    real_name: 'Alex Wilber',
    is_bot: false,
    is_app_user: false,
    profile: { real_name: 'Alex Wilber', display_name: 'alex', email: 'alexw@example.com' },
  },
];
const SKELETON_CHANNELS = [
  {
    id: 'C_GENERAL',
    name: 'general',
    created: 1609459200,
    creator: 'U_ALEX',
    is_archived: false,
    is_general: true,
    members: ['U_ALEX'],
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
  },
];

function skeletonMessage(ts: string, text: string): Record<string, unknown> {
  return { type: 'message', user: 'U_ALEX', text, ts };
}

/** `users.json`, `channels.json` and one valid day file: enough for a reader to take the zip for a Slack export. */
function slackSkeleton(): RawZipEntry[] {
  return [
    { name: 'users.json', content: JSON.stringify(SKELETON_USERS, null, 4) },
    { name: 'channels.json', content: JSON.stringify(SKELETON_CHANNELS, null, 4) },
    { name: 'general/2021-01-01.json', content: JSON.stringify([skeletonMessage('1609495200.000100', 'Happy new year!')], null, 4) },
  ];
}

// ---------------------------------------------------------------------------------------------
// The hostile writers
// ---------------------------------------------------------------------------------------------

/**
 * Writes a zip holding an entry named exactly `entryName` (`../../etc/passwd`, `/etc/passwd`,
 * `..\\..\\evil.json`, `C:/Windows/win.ini`, a name with NUL…) with `content`. By default the zip also
 * holds a minimal valid Slack export (`users.json`, `channels.json`, `general/2021-01-01.json`) so a
 * reader refuses it for the hostile name, not for not being an export; `{ skeleton: false }` leaves
 * it out. Returns the entry names in order.
 */
export async function writeZipWithEntry(file: string, entryName: string, content: string | Buffer, options: { skeleton?: boolean } = {}): Promise<string[]> {
  const entries = [...(options.skeleton === false ? [] : slackSkeleton()), { name: entryName, content }];
  await writeFile(file, rawZip(entries));
  return entries.map((e) => e.name);
}

/** What `writeZipBomb` wrote. */
export interface ZipBombFacts {
  /** The bomb entry (`general/2021-01-01.json`). */
  entry: string;
  /** Its uncompressed size: exactly the MiB asked for. */
  uncompressedBytes: number;
  /** Its compressed size in the zip. */
  compressedBytes: number;
  /** uncompressedBytes ÷ compressedBytes (about 1,000 for deflate at its best). */
  ratio: number;
}

/**
 * Writes a Slack-looking zip (`users.json`, `channels.json`) whose `general/2021-01-01.json` inflates
 * to `uncompressedMiB` MiB: a valid JSON array holding one message whose text is that many `0`
 * characters, so only a size or ratio limit stops a reader (not a parse error). Streamed, so a
 * multi-GiB bomb is written with flat memory.
 */
export async function writeZipBomb(file: string, uncompressedMiB: number): Promise<ZipBombFacts> {
  const entry = 'general/2021-01-01.json';
  const total = Math.round(uncompressedMiB * 1024 * 1024);
  const head = '[{"type":"message","user":"U_ALEX","ts":"1609495200.000100","text":"';
  const tail = '"}]\n';
  const zeros = total - head.length - tail.length;
  if (zeros < 0) throw new Error(`writeZipBomb: ${uncompressedMiB} MiB is too small for the JSON around the zeros`);
  const zip = new ZipSink(file);
  zip.addBuffer('users.json', JSON.stringify(SKELETON_USERS, null, 4));
  zip.addBuffer('channels.json', JSON.stringify(SKELETON_CHANNELS, null, 4));
  const out = zip.openEntry(entry, 9);
  await out.write(head);
  const chunk = Buffer.alloc(1024 * 1024, '0');
  for (let left = zeros; left > 0; left -= chunk.length) await out.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  await out.write(tail);
  await out.end();
  await zip.close();

  let compressedBytes = 0;
  let uncompressedBytes = 0;
  for await (const e of (await openPromise(file, { lazyEntries: true })).eachEntry()) {
    if (e.fileName === entry) {
      compressedBytes = e.compressedSize;
      uncompressedBytes = e.uncompressedSize;
    }
  }
  return { entry, uncompressedBytes, compressedBytes, ratio: uncompressedBytes / compressedBytes };
}

/** Where a broken day file breaks. */
export interface BrokenDayFacts {
  /** The broken entry (`general/2021-01-02.json`). */
  entry: string;
  /** 0-based byte offset of the first offending byte (the position `JSON.parse` reports). */
  offset: number;
  /** 1-based line of that byte. */
  line: number;
  /** 1-based column of that byte (in characters; the file is ASCII up to there). */
  column: number;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Writes a Slack export whose `general/2021-01-02.json` has a JSON syntax error: the comma after the
 * second message's `"text"` value is missing, so parsing fails at the quote that opens `"ts"`.
 * `general/2021-01-01.json` is valid. Returns the broken entry and the error's position.
 */
export async function writeSlackExportWithMalformedDay(file: string): Promise<BrokenDayFacts> {
  const entry = 'general/2021-01-02.json';
  const valid = JSON.stringify(
    [
      skeletonMessage('1609581600.000100', 'First message of the day.'),
      { type: 'message', user: 'U_ALEX', text: 'The comma after this text is missing.', ts: '1609585200.000100' },
    ],
    null,
    4,
  );
  const anchor = '"The comma after this text is missing.",';
  const cut = valid.indexOf(anchor) + anchor.length - 1;
  const broken = valid.slice(0, cut) + valid.slice(cut + 1);
  const offset = broken.indexOf('"ts"', cut);
  await writeFile(file, rawZip([...slackSkeleton(), { name: entry, content: broken }]));
  return { entry, offset, ...lineAndColumn(broken, offset) };
}

/** Where a day file stops being UTF-8. */
export interface Latin1DayFacts {
  entry: string;
  /** 0-based byte offset of the first byte that is not valid UTF-8 (`é` as Latin-1 0xE9). */
  byteOffset: number;
  /** 1-based line and column of that byte. */
  line: number;
  column: number;
  /** The text as the Latin-1 bytes spell it. */
  text: string;
}

/**
 * Writes a Slack export whose `general/2021-01-02.json` is encoded in Latin-1 (ISO-8859-1) rather than
 * UTF-8: its message text `Café crème brûlée à la française` holds bytes (0xE9, 0xE8…) that are not
 * valid UTF-8. The rest of the zip is a valid export. Returns the first invalid byte's position.
 */
export async function writeSlackExportWithLatin1(file: string): Promise<Latin1DayFacts> {
  const entry = 'general/2021-01-02.json';
  const text = 'Café crème brûlée à la française';
  const json = JSON.stringify([skeletonMessage('1609581600.000100', text)], null, 4);
  const bytes = Buffer.from(json, 'latin1');
  const byteOffset = bytes.findIndex((b) => b >= 0x80);
  await writeFile(file, rawZip([...slackSkeleton(), { name: entry, content: bytes }]));
  return { entry, byteOffset, ...lineAndColumn(json, byteOffset), text };
}

/**
 * Writes a zip that is no export: a single `notes.txt` of seeded pseudo-random words (no
 * `users.json`, no `channels.json`, no JSONL). Returns the entry names.
 */
export async function writeNotAnExport(file: string, seed = 1): Promise<string[]> {
  const rng = new SeededRandom(seed);
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'quarterly', 'figures', 'holiday', 'photos', 'draft', 'recipe', 'minutes'];
  const lines = Array.from({ length: 40 }, () => Array.from({ length: rng.int(5, 14) }, () => rng.pick(words)).join(' '));
  const zip = new ZipSink(file);
  zip.addBuffer('notes.txt', `${lines.join('\n')}\n`);
  await zip.close();
  return ['notes.txt'];
}
