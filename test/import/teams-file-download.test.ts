import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensureCertificate, type Emulator } from '../../emulator/index';
import { DownloadRefused, checkDownloadUrl, downloadAttachedFile, type DownloadOptions } from '../../src/sources/teams-file-download';
import { useEmulator } from '../emulator/helpers';

/** Collects a download's bytes (the sink the tests give). */
async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Awaits a download that must be refused and returns its error. */
async function refusal(download: Promise<unknown>): Promise<DownloadRefused> {
  try {
    await download;
  } catch (err) {
    assert.ok(err instanceof DownloadRefused, `expected DownloadRefused, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the download to be refused');
}

/** Polls until the check passes (the emulator updates a download's record as its socket closes). */
async function eventually(check: () => void, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * An https server on 127.0.0.1 with the emulator's certificate (trusted through NODE_EXTRA_CA_CERTS)
 * that answers every request with what `answer` says: a redirect, or a body that lies about its length.
 */
async function startTlsServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const { certPath, keyPath } = await ensureCertificate();
  const requests: string[] = [];
  const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) }, (req, res) => {
    requests.push(req.url ?? '');
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('downloading an export an admin attached in Teams', function () {
  this.timeout(60_000);
  const emulator = useEmulator({ limits: { enabled: false } });
  const optionsFor = (em: Emulator, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    allowedHosts: ['*.sharepoint.com', `127.0.0.1:${em.port}`],
    maxBytes: 1024 * 1024,
    ...extra,
  });

  it('streams the file from its pre-authenticated link, without an Authorization header, into the sink', async () => {
    const em = emulator();
    const content = Buffer.from('{"type":"version","version":1}\n'.repeat(1000));
    const file = em.files.host('export.jsonl', content);
    let announced: number | null = null;
    const got = await downloadAttachedFile(file.downloadUrl, optionsFor(em), (body, info) => {
      announced = info.contentLength;
      return collect(body);
    });
    assert.ok(got.equals(content));
    assert.equal(announced, content.length);
    const [d] = em.files.downloads();
    assert.deepEqual([em.files.downloads().length, d.status, d.completed, d.headers.authorization], [1, 200, true, undefined]);
    assert.equal(d.headers['accept-encoding'], 'identity');
  });

  it('refuses before any request: http, hosts not on the list, user info, other ports, IP literals, forged links', async () => {
    const em = emulator();
    const file = em.files.host('export.zip', 'PK');
    const token = new URL(file.downloadUrl).pathname;
    const cases: Array<[string, DownloadRefused['reason']]> = [
      [`http://127.0.0.1:${em.port}${token}`, 'url'],
      [`https://localhost:${em.port}${token}`, 'host'],
      [`https://alex:pw@127.0.0.1:${em.port}${token}`, 'url'],
      [`https://127.0.0.1:${em.port + 1}${token}`, 'host'],
      [`https://127.0.0.1${token}`, 'host'],
      ['http://169.254.169.254/latest/meta-data', 'url'],
      ['https://169.254.169.254/latest/meta-data', 'host'],
      ['https://contoso.sharepoint.com.evil.example/download?tempauth=abc', 'host'],
      ['https://sharepoint.com/x', 'host'],
      ['file:///etc/passwd', 'url'],
      ['not a url', 'url'],
    ];
    for (const [url, reason] of cases) {
      let sinkCalled = false;
      const err = await refusal(
        downloadAttachedFile(url, optionsFor(em), async () => {
          sinkCalled = true;
        }),
      );
      assert.equal(err.reason, reason, url);
      assert.equal(sinkCalled, false);
      assert.equal(err.tryAgain, false);
    }
    assert.throws(() => checkDownloadUrl(`https://localhost:${em.port}${token}`, optionsFor(em).allowedHosts), DownloadRefused);
    assert.equal(checkDownloadUrl(file.downloadUrl, optionsFor(em).allowedHosts).href, file.downloadUrl);
    assert.deepEqual(em.files.downloads(), [], 'not one request reached the file host');
  });

  it('never repeats the link (its query string is the credential) in a refusal', async () => {
    const em = emulator();
    const secret = 'tempauth=eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.c2VjcmV0';
    for (const url of [`https://evil.example/download.aspx?${secret}`, `http://a.sharepoint.com/download.aspx?${secret}`]) {
      const err = await refusal(downloadAttachedFile(url, optionsFor(em), collect));
      assert.doesNotMatch(err.message, /tempauth|eyJ0|download\.aspx/);
    }
    const gone = em.files.host('gone.zip', 'PK', { expiresInSeconds: 0 });
    const err = await refusal(downloadAttachedFile(`${gone.downloadUrl}?${secret}`, optionsFor(em), collect));
    assert.equal(err.reason, 'status');
    assert.doesNotMatch(err.message, /tempauth|eyJ0|_files|127\.0\.0\.1/);
  });

  it('refuses a file whose announced length is over the cap before reading its body', async () => {
    const em = emulator();
    const file = em.files.host('huge.zip', 'PK', { fillerBytes: 64 * 1024 * 1024, bytesPerSecond: 256 * 1024 });
    let sinkCalled = false;
    const err = await refusal(
      downloadAttachedFile(file.downloadUrl, optionsFor(em), async () => {
        sinkCalled = true;
      }),
    );
    assert.equal(err.reason, 'too-large');
    assert.equal(sinkCalled, false);
    assert.match(err.message, /The file is 64 MB, more than the 1 MB the bot accepts \(IMPORT_MAX_UPLOAD_MB\)/);
    await eventually(() => {
      const [d] = em.files.downloads();
      assert.equal(d.completed, false);
      assert.ok(d.bytes < 1024 * 1024, `read ${d.bytes} bytes`);
    });
  });

  it('stops a download that sends more than the cap without announcing its length', async () => {
    const em = emulator();
    const file = em.files.host('chunked.zip', 'PK', { fillerBytes: 8 * 1024 * 1024, contentLength: false });
    let received = 0;
    const err = await refusal(
      downloadAttachedFile(file.downloadUrl, optionsFor(em), async (body, info) => {
        assert.equal(info.contentLength, null);
        for await (const chunk of body) received += chunk.byteLength;
      }),
    );
    assert.equal(err.reason, 'too-large');
    assert.match(err.message, /The file is larger than the 1 MB the bot accepts/);
    assert.ok(received <= 1024 * 1024, `the sink saw ${received} bytes`);
    await eventually(() => assert.equal(em.files.downloads()[0].completed, false));
  });

  it('reads no more than a server announced, whatever it sends after (HTTP framing ends the body there)', async () => {
    const liar = await startTlsServer((_req, res) => {
      res.writeHead(200, { 'content-length': '10', 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(5000, 1));
    });
    try {
      const got = await downloadAttachedFile(`${liar.origin}/f`, { allowedHosts: [`127.0.0.1:${liar.port}`], maxBytes: 100 }, collect);
      assert.equal(got.length, 10);
    } finally {
      await liar.close();
    }
  });

  it('answers 404 and 410 with "attach the file again", never following the contentUrl', async () => {
    const em = emulator();
    const expired = em.files.host('late.zip', 'PK', { expiresInSeconds: 0 });
    const err = await refusal(downloadAttachedFile(expired.downloadUrl, optionsFor(em), collect));
    assert.deepEqual([err.reason, err.status, err.tryAgain], ['status', 410, true]);
    assert.match(err.message, /attach the file again/);
    const unknown = await refusal(downloadAttachedFile(`${em.baseUrl}/_files/download/${'x'.repeat(32)}`, optionsFor(em), collect));
    assert.equal(unknown.status, 404);
    const viaContent = await refusal(downloadAttachedFile(expired.contentUrl, optionsFor(em), collect));
    assert.equal(viaContent.status, 401);
  });

  it('follows a redirect only to an allowed https host, re-checking every hop, and at most three', async () => {
    const em = emulator();
    const file = em.files.host('export.zip', 'PK-bytes');
    let target = '';
    const redirector = await startTlsServer((req, res) => {
      const hop = Number(/\/hop\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      res.writeHead(302, { location: hop > 0 ? `/hop/${hop - 1}` : target });
      res.end();
    });
    try {
      const allowedHosts = [`127.0.0.1:${em.port}`, `127.0.0.1:${redirector.port}`];
      target = file.downloadUrl;
      const got = await downloadAttachedFile(`${redirector.origin}/hop/0`, { allowedHosts, maxBytes: 1000 }, collect);
      assert.equal(got.toString(), 'PK-bytes');
      assert.equal(em.files.downloads().length, 1);

      for (const [to, reason] of [
        [`https://localhost:${em.port}${new URL(file.downloadUrl).pathname}`, 'host'],
        [`http://127.0.0.1:${em.port}${new URL(file.downloadUrl).pathname}`, 'url'],
        ['https://169.254.169.254/latest/meta-data', 'host'],
      ] as const) {
        target = to;
        const err = await refusal(downloadAttachedFile(`${redirector.origin}/hop/0`, { allowedHosts, maxBytes: 1000 }, collect));
        assert.equal(err.reason, reason, to);
        assert.match(err.message, /redirected/);
      }
      assert.equal(em.files.downloads().length, 1, 'no refused redirect reached the file host');

      target = file.downloadUrl;
      assert.equal((await downloadAttachedFile(`${redirector.origin}/hop/2`, { allowedHosts, maxBytes: 1000 }, collect)).toString(), 'PK-bytes', 'three hops');
      const tooMany = await refusal(downloadAttachedFile(`${redirector.origin}/hop/3`, { allowedHosts, maxBytes: 1000 }, collect));
      assert.equal(tooMany.reason, 'redirects');
      assert.equal(em.files.downloads().length, 2);
    } finally {
      await redirector.close();
    }
  });

  it('gives up on a download that stalls, and the sink sees the refusal', async () => {
    const em = emulator();
    const file = em.files.host('stall.zip', 'PK', { fillerBytes: 500_000, stallAfterBytes: 1000 });
    let sawBytes = 0;
    const started = Date.now();
    const err = await refusal(
      downloadAttachedFile(file.downloadUrl, optionsFor(em, { timeoutMs: 300 }), async (body) => {
        for await (const c of body) sawBytes += c.byteLength;
      }),
    );
    assert.equal(err.reason, 'timeout');
    assert.equal(err.tryAgain, true);
    assert.ok(sawBytes >= 1000 && sawBytes < 500_000);
    assert.ok(Date.now() - started < 5000);
  });

  it('hands the sink exactly the bytes of a large file, streamed (sha256 compared)', async () => {
    const em = emulator();
    const file = em.files.host('big.jsonl', 'head\n', { fillerBytes: 5 * 1024 * 1024 });
    const hash = createHash('sha256');
    let total = 0;
    await downloadAttachedFile(file.downloadUrl, optionsFor(em, { maxBytes: 10 * 1024 * 1024 }), async (body) => {
      for await (const c of body) {
        hash.update(c);
        total += c.byteLength;
      }
    });
    assert.equal(total, 5 + 5 * 1024 * 1024);
    const expected = createHash('sha256');
    for await (const c of (await fetch(file.downloadUrl)).body as unknown as AsyncIterable<Uint8Array>) expected.update(c);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });
});
