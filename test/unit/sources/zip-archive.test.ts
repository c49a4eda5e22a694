import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../../src/sources/export-reader';
import { unsafeNameProblem, ZipArchive } from '../../../src/sources/zip-archive';
import { patchBytes, refusal, scratchFolder, writeZip } from './fixtures';

const limits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => ({ ...DEFAULT_ARCHIVE_LIMITS, ...overrides });

describe('zip archive: a safe, streaming zip reader', () => {
  const scratch = scratchFolder();
  after(() => scratch.cleanup());

  it('lists the files (not directories, names normalised) and reads entries in any order', async () => {
    const path = await writeZip(scratch.path('ok.zip'), { 'a/one.json': '[1]', 'b/two.txt': 'two', './c.txt': 'see' });
    const archive = await ZipArchive.open(path, limits());
    try {
      assert.deepEqual(archive.names, ['a/one.json', 'b/two.txt', 'c.txt']);
      assert.equal((await archive.readEntry('b/two.txt')).toString(), 'two');
      assert.equal((await archive.readEntry('a/one.json')).toString(), '[1]');
      assert.equal((await archive.readEntry('b/two.txt')).toString(), 'two');
      assert.equal(archive.size('c.txt'), 3);
      assert.equal(archive.size('missing'), null);
      assert.equal(archive.has('a/one.json'), true);
    } finally {
      await archive.close();
    }
  });

  it('streams an entry and stops it at the byte cap asked for', async () => {
    const path = await writeZip(scratch.path('cap.zip'), { 'big.txt': 'x'.repeat(5000) });
    const archive = await ZipArchive.open(path, limits());
    try {
      let total = 0;
      for await (const chunk of await archive.openEntry('big.txt')) total += (chunk as Buffer).length;
      assert.equal(total, 5000);
      const message = await refusal(archive.readEntry('big.txt', 100));
      assert.match(message, /"big\.txt" in cap\.zip is larger than 100 bytes/);
    } finally {
      await archive.close();
    }
  });

  it('refuses an entry that climbs out with ..', async () => {
    const path = await writeZip(scratch.path('traversal.zip'), { 'users.json': '[]', 'XX/evil.json': '{}' });
    await patchBytes(path, 'XX/evil.json', '../evil.json');
    const message = await refusal(ZipArchive.open(path, limits()));
    assert.match(message, /entry named "\.\.\/evil\.json", which climbs out of the archive with '\.\.'/);
    assert.match(message, /do not import this file/);
  });

  it('refuses an absolute entry path, a drive letter and a backslash', async () => {
    const absolute = await writeZip(scratch.path('absolute.zip'), { 'Xetc/evil.json': '{}' });
    await patchBytes(absolute, 'Xetc/evil.json', '/etc/evil.json');
    assert.match(await refusal(ZipArchive.open(absolute, limits())), /"\/etc\/evil\.json", which is an absolute path/);

    const drive = await writeZip(scratch.path('drive.zip'), { 'XXevil.json': '{}' });
    await patchBytes(drive, 'XXevil.json', 'C:evil.json');
    assert.match(await refusal(ZipArchive.open(drive, limits())), /"C:evil\.json", which starts with a drive letter/);

    const backslash = await writeZip(scratch.path('backslash.zip'), { 'aXXevil.json': '{}' });
    await patchBytes(backslash, 'aXXevil.json', 'ab\\evil.json');
    assert.match(await refusal(ZipArchive.open(backslash, limits())), /which contains a backslash/);
  });

  it('names every unsafe path shape', () => {
    assert.equal(unsafeNameProblem('channel/2021-01-01.json'), null);
    assert.equal(unsafeNameProblem('a..b/c'), null);
    assert.equal(unsafeNameProblem('a/../b'), "climbs out of the archive with '..'");
    assert.equal(unsafeNameProblem('a\0b'), 'contains a NUL character');
    assert.equal(unsafeNameProblem('d:/x'), 'starts with a drive letter');
  });

  it('refuses a zip bomb: 50 MB of zeros deflated', async () => {
    const path = await writeZip(scratch.path('bomb.zip'), { 'users.json': '[]', 'zeros.json': Buffer.alloc(50 * 1024 * 1024) });
    const message = await refusal(ZipArchive.open(path, limits()));
    assert.match(
      message,
      /"zeros\.json" in bomb\.zip expands \d+ times \(.* to 50 MiB\), more than the 100 times real exports do, so the archive looks like a zip bomb/,
    );
  });

  it('lets small files compress freely (the ratio counts above 1 MiB only)', async () => {
    const path = await writeZip(scratch.path('small-zeros.zip'), { 'zeros.json': Buffer.alloc(512 * 1024) });
    const archive = await ZipArchive.open(path, limits());
    assert.equal((await archive.readEntry('zeros.json')).length, 512 * 1024);
    await archive.close();
  });

  it('refuses when the entries add up to more than the total cap', async () => {
    const path = await writeZip(scratch.path('total.zip'), { 'a.txt': 'a'.repeat(600), 'b.txt': 'b'.repeat(600) });
    const message = await refusal(ZipArchive.open(path, limits({ maxTotalBytes: 1000 })));
    assert.match(message, /total\.zip expands to more than 1000 bytes \(the import's limit\) by the time of "b\.txt"/);
  });

  it('refuses one entry over the per-file cap, before reading it', async () => {
    const path = await writeZip(scratch.path('entry.zip'), { 'a.txt': 'a'.repeat(600) });
    assert.match(await refusal(ZipArchive.open(path, limits({ maxEntryBytes: 100 }))), /"a\.txt" in entry\.zip is larger than 100 bytes/);
  });

  it('refuses too many entries', async () => {
    const path = await writeZip(scratch.path('many.zip'), { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    assert.match(await refusal(ZipArchive.open(path, limits({ maxEntries: 2 }))), /many\.zip holds 3 entries, more than the 2 an import accepts/);
  });

  it('refuses an encrypted entry', async () => {
    const path = await writeZip(scratch.path('encrypted.zip'), { 'secret.json': '[]' });
    const bytes = await readFile(path);
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes[central + 8] |= 1; // general purpose flag, bit 0: encrypted
    await writeFile(path, bytes);
    assert.match(
      await refusal(ZipArchive.open(path, limits())),
      /"secret\.json" in encrypted\.zip is encrypted: export the workspace again without a password/,
    );
  });

  it('refuses a file that is not a zip', async () => {
    const path = scratch.path('not.zip');
    await writeFile(path, 'hello, this is text');
    assert.match(await refusal(ZipArchive.open(path, limits())), /not\.zip is not a readable zip archive/);
  });
});
