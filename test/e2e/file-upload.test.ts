import assert from 'node:assert/strict';
import * as net from 'node:net';
import { UploadFailed } from '../../src/features/reports/report-commands';
import { FRAGMENT_UNIT, uploadInFragments, uploadSession } from '../../src/teams/file-upload';
import { useEmulator } from '../emulator/helpers';

/** A local port nothing listens on (one that was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('uploading a file to the OneDrive upload session of a file consent accept', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('sends the bytes in 320 KiB-multiple fragments with Content-Range, in order, without an Authorization header', async () => {
    const em = emulator();
    const slot = em.files.createUpload('report.csv');
    const bytes = Buffer.alloc(2 * FRAGMENT_UNIT + 10);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    await uploadInFragments(slot.uploadUrl, bytes, 'text/csv', { fragmentBytes: FRAGMENT_UNIT });
    const [upload] = em.files.uploads();
    assert.deepEqual([upload.name, upload.fragments, upload.contentType, upload.headers.authorization], ['report.csv', 3, 'text/csv', undefined]);
    assert.ok(upload.bytes.equals(bytes));
  });

  it('sends a small file in one request by default, through the FileDestination the feature sees', async () => {
    const em = emulator();
    const slot = em.files.createUpload('small.csv');
    await uploadSession(slot.uploadUrl).put(Buffer.from('a,b\r\n1,2\r\n'), 'text/csv');
    const [upload] = em.files.uploads();
    assert.deepEqual([upload.fragments, upload.bytes.toString()], [1, 'a,b\r\n1,2\r\n']);
  });

  it('fails with UploadFailed naming the host and status, never the URL, for a gone session or an unreachable host', async () => {
    const em = emulator();
    const slot = em.files.createUpload('late.csv', { expiresInSeconds: 0 });
    const token = slot.uploadUrl.split('/').at(-1)!;
    const failure = await uploadInFragments(slot.uploadUrl, Buffer.from('x'), 'text/csv').then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(failure instanceof UploadFailed);
    assert.equal(failure.status, 404);
    assert.match(failure.message, /^127\.0\.0\.1:\d+ answered 404 to bytes 0-0 of 1$/);
    assert.ok(!failure.message.includes(token));

    const closed = await closedPort();
    const unreachable = await uploadInFragments(`https://127.0.0.1:${closed}/upload?tempauth=secret`, Buffer.from('x'), 'text/csv').then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(unreachable instanceof UploadFailed);
    assert.equal(unreachable.status, null);
    assert.equal(unreachable.message, `the upload to 127.0.0.1:${closed} failed at bytes 0-0 of 1 (ECONNREFUSED)`);
    assert.equal(em.files.uploads().length, 0);
  });

  it('refuses an empty file and a fragment size that is not a multiple of 320 KiB', async () => {
    await assert.rejects(uploadInFragments('https://127.0.0.1:1/u', Buffer.alloc(0), 'text/csv'), UploadFailed);
    await assert.rejects(uploadInFragments('https://127.0.0.1:1/u', Buffer.from('x'), 'text/csv', { fragmentBytes: 1000 }), /multiple of 327680/);
  });
});
