import assert from 'node:assert/strict';
import { FILE_DOWNLOAD_INFO, MAX_FILES_PER_MESSAGE, fileAttachments, hasFileAttachment } from '../../src/teams/file-attachments';

/** An attachment as Teams sends it for a file attached in the personal chat. */
const teamsFile = (name: unknown, content: unknown) => ({ contentType: FILE_DOWNLOAD_INFO, contentUrl: 'https://contoso.sharepoint.com/x', name, content });

describe('file attachments read off a message (untrusted)', () => {
  it('reads the name, download URL and file type of each file, in order, and ignores other attachments', () => {
    const attachments = [
      teamsFile('export.zip', { downloadUrl: 'https://contoso.sharepoint.com/dl/1', uniqueId: 'u1', fileType: 'zip', etag: 'e' }),
      { contentType: 'text/html', content: '<p>import into "My Team"</p>' },
      teamsFile('  posts.JSONL ', { downloadUrl: 'https://contoso.sharepoint.com/dl/2', fileType: 'JSONL' }),
    ];
    assert.equal(hasFileAttachment(attachments), true);
    assert.deepEqual(fileAttachments(attachments), [
      { name: 'export.zip', downloadUrl: 'https://contoso.sharepoint.com/dl/1', fileType: 'zip' },
      { name: 'posts.JSONL', downloadUrl: 'https://contoso.sharepoint.com/dl/2', fileType: 'jsonl' },
    ]);
  });

  it('says there is no file for messages without one, and for attachments that are not arrays of objects', () => {
    for (const attachments of [undefined, null, 'x', {}, [], [null, 1, 'a'], [{ contentType: 'application/vnd.microsoft.card.adaptive', content: {} }]]) {
      assert.equal(hasFileAttachment(attachments), false);
      assert.deepEqual(fileAttachments(attachments), []);
    }
  });

  it('leaves out a file without a usable download URL, but still says the message carried a file', () => {
    const broken = [
      teamsFile('a.zip', undefined),
      teamsFile('b.zip', 'not an object'),
      teamsFile('c.zip', { downloadUrl: 42 }),
      teamsFile('d.zip', { downloadUrl: '   ' }),
      teamsFile('e.zip', { downloadUrl: `https://x/${'a'.repeat(9000)}` }),
      teamsFile('f.zip', []),
    ];
    assert.equal(hasFileAttachment(broken), true);
    assert.deepEqual(fileAttachments(broken), []);
  });

  it('names a file without a name, drops a file type that is not a string, and cuts long names', () => {
    const [a, b] = fileAttachments([
      teamsFile(undefined, { downloadUrl: 'https://h/1', fileType: 7 }),
      teamsFile('n'.repeat(1000), { downloadUrl: ' https://h/2 ', fileType: '' }),
    ]);
    assert.deepEqual(a, { name: 'unnamed file', downloadUrl: 'https://h/1', fileType: null });
    assert.deepEqual([b.name.length, b.downloadUrl, b.fileType], [255, 'https://h/2', null]);
  });

  it(`passes at most ${MAX_FILES_PER_MESSAGE} files of one message`, () => {
    const many = Array.from({ length: 25 }, (_, i) => teamsFile(`${i}.zip`, { downloadUrl: `https://h/${i}` }));
    const files = fileAttachments(many);
    assert.equal(files.length, MAX_FILES_PER_MESSAGE);
    assert.equal(files[0].name, '0.zip');
  });
});
