import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TeamsActivityHandler,
  type FileConsentCardResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import * as restify from 'restify';
import { FILE_CONSENT_CARD, FILE_DOWNLOAD_INFO, FILE_INFO_CARD, TeamsClient, type Emulator } from '../../emulator/index';
import { useEmulator } from './helpers';

/** A JSON object whose fields a test still has to check. */
type Json = Record<string, unknown>;

/** The fields of a received activity these tests look at. */
interface ReceivedActivity {
  type: string;
  id: string;
  name?: string;
  text?: string;
  replyToId?: string;
  serviceUrl: string;
  conversation: { id: string; conversationType: string };
  from: { id: string; aadObjectId: string };
  attachments?: Json[];
  value?: Json;
}

/** What the tiny bot saw: the activity and its Authorization header. */
interface Delivery {
  activity: ReceivedActivity;
  authorization: string | undefined;
}

/**
 * A bot endpoint with no SDK: records every POSTed activity and answers 200 (with `{}` for
 * invokes), or what `respond` returns.
 */
async function startTinyBot() {
  const received: Delivery[] = [];
  let respond: (a: ReceivedActivity) => Promise<void> = async () => undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedActivity;
      received.push({ activity, authorization: req.headers.authorization });
      void respond(activity).then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(activity.type === 'invoke' ? '{}' : '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    received,
    onActivity: (handler: (a: ReceivedActivity) => Promise<void>) => {
      respond = handler;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** POSTs an activity to the emulated connector as a bot would (the connector does not enforce tokens). */
async function botSends(em: Emulator, conversationId: string, activity: Json): Promise<string> {
  const res = await fetch(`${em.connectorUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { id: string }).id;
}

/** A file consent card attachment as a bot builds it. */
function consentCard(name: string, sizeInBytes: number): Json {
  return {
    contentType: FILE_CONSENT_CARD,
    name,
    content: { description: 'Audit ledger export', sizeInBytes, acceptContext: { exportId: 'e1' }, declineContext: { exportId: 'e1', why: 'no' } },
  };
}

/** PUTs one fragment to an upload URL. */
function putFragment(url: string, bytes: Buffer, range: string | null, contentType = 'text/csv'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (range !== null) headers['content-range'] = range;
  return fetch(url, { method: 'PUT', headers, body: new Uint8Array(bytes) });
}

/** GETs a URL with node:https and gives up after `ms`: the bytes received until then and whether the answer ended. */
function readFor(url: string, ms: number): Promise<{ status: number; bytes: number; ended: boolean }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let status = 0;
    const req = https.get(url, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, bytes, ended: true });
      });
    });
    req.on('error', (e) => (bytes > 0 || status > 0 ? undefined : reject(e)));
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status, bytes, ended: false });
    }, ms);
  });
}

/** Polls until the check passes (the emulator updates download records as the socket closes). */
async function eventually(check: () => void, ms = 2000): Promise<void> {
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

describe('emulated Teams files: hosted downloads (what Teams hands a bot)', () => {
  const emulator = useEmulator({ limits: { enabled: false } });

  it('serves the bytes at a pre-authenticated URL without an Authorization header, and records the download', async () => {
    const em = emulator();
    assert.deepEqual(em.files.downloads(), [], 'no download before anyone fetched');
    const file = em.files.host('Export.CSV', 'id,name\n1,General\n');
    assert.match(file.downloadUrl, new RegExp(`^${em.baseUrl}/_files/download/[A-Za-z0-9_-]{32}$`));
    assert.match(file.uniqueId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    assert.equal(file.fileType, 'csv');
    assert.equal(file.size, 18);
    assert.ok(file.expiresAt > Date.now() + 290_000 && file.expiresAt <= Date.now() + 300_000, 'five minutes by default');

    const res = await fetch(file.downloadUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-length'), '18');
    assert.equal(await res.text(), 'id,name\n1,General\n');

    const [d] = em.files.downloads();
    assert.deepEqual(
      [d.token, d.name, d.method, d.via, d.status, d.bytes, d.completed, d.headers.authorization],
      [file.token, 'Export.CSV', 'GET', 'downloadUrl', 200, 18, true, undefined],
    );
    assert.ok(Math.abs(d.at - Date.now()) < 5000);
    em.reset();
    assert.deepEqual(em.files.downloads(), [], 'reset forgets downloads');
    assert.equal((await fetch(file.downloadUrl)).status, 404, 'and hosted files');
  });

  it('still serves a request that carries an Authorization header (Teams says not to send one) and records the header', async () => {
    const em = emulator();
    const file = em.files.host('a.csv', Buffer.from([1, 2, 3]));
    const res = await fetch(file.downloadUrl, { headers: { authorization: 'Bearer leaked-bot-token' } });
    assert.equal(res.status, 200);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [1, 2, 3]);
    assert.equal(em.files.downloads()[0].headers.authorization, 'Bearer leaked-bot-token');
  });

  it('answers 410 once the URL expired (lifetime, zero lifetime, expire()) and 404 for an unknown token; both are recorded', async () => {
    const em = emulator();
    const short = em.files.host('short.csv', 'x', { expiresInSeconds: 0.15 });
    assert.equal((await fetch(short.downloadUrl)).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    const late = await fetch(short.downloadUrl);
    assert.equal(late.status, 410);
    assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'resourceExpired');
    assert.equal((await fetch(em.files.host('zero.csv', 'x', { expiresInSeconds: 0 }).downloadUrl)).status, 410);
    const manual = em.files.host('manual.csv', 'x');
    em.files.expire(manual.downloadUrl);
    assert.equal((await fetch(manual.downloadUrl)).status, 410);
    const unknown = await fetch(`${em.baseUrl}/_files/download/not-a-token`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(
      em.files.downloads().map((d) => [d.name, d.status, d.bytes, d.completed]),
      [
        ['short.csv', 200, 1, true],
        ['short.csv', 410, 0, false],
        ['zero.csv', 410, 0, false],
        ['manual.csv', 410, 0, false],
        [null, 404, 0, false],
      ],
    );
    assert.throws(() => em.files.expire('nope'), /no hosted file/);
  });

  it('answers HEAD with the size and no body, and 405 to other methods', async () => {
    const em = emulator();
    const file = em.files.host('h.csv', 'hello');
    const head = await fetch(file.downloadUrl, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '5');
    assert.equal((await fetch(file.downloadUrl, { method: 'POST', body: 'x' })).status, 405);
    assert.deepEqual(
      em.files.downloads().map((d) => [d.method, d.status]),
      [
        ['HEAD', 200],
        ['POST', 405],
      ],
    );
  });

  it('answers 401 at the contentUrl (SharePoint wants a token there) and records the attempt as via contentUrl', async () => {
    const em = emulator();
    const file = em.files.host('report.csv', 'x', { owner: 'megan' });
    assert.equal(file.contentUrl, `${em.baseUrl}/_files/personal/meganb_example_com/Documents/Microsoft%20Teams%20Chat%20Files/report.csv`);
    const res = await fetch(file.contentUrl);
    assert.equal(res.status, 401);
    assert.deepEqual(
      em.files.downloads().map((d) => [d.via, d.token, d.name, d.status]),
      [['contentUrl', file.token, 'report.csv', 401]],
    );
  });

  it('serves generated filler after the content (large downloads), with or without Content-Length', async () => {
    const em = emulator();
    const big = em.files.host('big.csv', 'id\n', { fillerBytes: 5 * 1024 * 1024 });
    assert.equal(big.size, 3 + 5 * 1024 * 1024);
    const res = await fetch(big.downloadUrl);
    assert.equal(res.headers.get('content-length'), String(big.size));
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.length, big.size);
    assert.equal(body.subarray(0, 3).toString(), 'id\n');
    assert.equal(body.subarray(3, 3 + 64).toString(), `${'x'.repeat(63)}\n`);
    assert.equal(body.subarray(body.length - 64).toString(), `${'x'.repeat(63)}\n`);

    const chunked = em.files.host('chunked.csv', '', { fillerBytes: 1000, contentLength: false });
    const res2 = await fetch(chunked.downloadUrl);
    assert.equal(res2.headers.get('content-length'), null);
    assert.equal(res2.headers.get('transfer-encoding'), 'chunked');
    assert.equal((await res2.arrayBuffer()).byteLength, 1000);
  });

  it('streams slowly with bytesPerSecond and stops short with stallAfterBytes (the record shows how far it got)', async () => {
    const em = emulator();
    const slow = em.files.host('slow.csv', '', { fillerBytes: 4000, bytesPerSecond: 10_000 });
    const started = Date.now();
    assert.equal((await fetch(slow.downloadUrl).then((r) => r.arrayBuffer())).byteLength, 4000);
    assert.ok(Date.now() - started >= 300, `4000 bytes at 10 kB/s take about 0.4 s, took ${Date.now() - started} ms`);

    const stalled = em.files.host('stalled.csv', 'abc', { fillerBytes: 10_000, stallAfterBytes: 100 });
    const got = await readFor(stalled.downloadUrl, 300);
    assert.deepEqual(got, { status: 200, bytes: 100, ended: false });
    await eventually(() => {
      const d = em.files.downloads().find((x) => x.name === 'stalled.csv');
      assert.deepEqual([d?.bytes, d?.completed], [100, false]);
    });
  });
});

describe('emulated Teams files: TeamsClient attaches files and answers consent cards', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  let bot: Awaited<ReturnType<typeof startTinyBot>>;
  let teams: TeamsClient;
  before(async () => {
    bot = await startTinyBot();
    teams = new TeamsClient({ emulator: emulator(), botUrl: bot.url, signTokens: true });
  });
  beforeEach(() => {
    bot.received.length = 0;
    bot.onActivity(async () => undefined);
  });
  after(() => bot.close());

  it('sends a signed personal-chat message whose attachment is file.download.info, as Teams does', async () => {
    const em = emulator();
    const result = await teams.as('alex').inPersonalChat().sendsFile('ledger.csv', 'a,b\n1,2\n');
    assert.equal(result.status, 200);
    const { activity, authorization } = bot.received[0];
    assert.match(authorization ?? '', /^Bearer ey/);
    assert.deepEqual([activity.type, activity.conversation.id, activity.conversation.conversationType], ['message', 'a:personal-alex', 'personal']);
    assert.equal(activity.text, undefined, 'no text when the user typed none');
    const [file] = result.files;
    assert.deepEqual(activity.attachments, [
      {
        contentType: 'application/vnd.microsoft.teams.file.download.info',
        contentUrl: `${em.baseUrl}/_files/personal/alexw_example_com/Documents/Microsoft%20Teams%20Chat%20Files/ledger.csv`,
        name: 'ledger.csv',
        content: { downloadUrl: file.downloadUrl, uniqueId: file.uniqueId, fileType: 'csv', etag: file.etag },
      },
    ]);
    assert.equal(FILE_DOWNLOAD_INFO, 'application/vnd.microsoft.teams.file.download.info');
    assert.equal(em.files.downloads().length, 0, 'sending does not download');
    const content = (activity.attachments?.[0].content ?? {}) as { downloadUrl: string };
    assert.equal(await (await fetch(content.downloadUrl)).text(), 'a,b\n1,2\n');
  });

  it('adds the text and its text/html attachment, hosts several files on one message, and passes hosting options', async () => {
    const em = emulator();
    const result = await teams
      .as('megan')
      .inPersonalChat()
      .sendsFiles(
        [
          { name: 'one.csv', content: '1' },
          { name: 'two.zip', content: Buffer.from([0x50, 0x4b]), hosting: { expiresInSeconds: 0 } },
        ],
        'import <these>',
      );
    const { activity } = bot.received[0];
    assert.equal(activity.text, 'import <these>');
    assert.deepEqual(
      activity.attachments?.map((a) => a.contentType),
      [FILE_DOWNLOAD_INFO, FILE_DOWNLOAD_INFO, 'text/html'],
    );
    assert.equal(activity.attachments?.[2].content, '<p>import &lt;these&gt;</p>');
    assert.deepEqual(
      result.files.map((f) => [f.name, f.fileType]),
      [
        ['one.csv', 'csv'],
        ['two.zip', 'zip'],
      ],
    );
    assert.match(result.files[0].contentUrl, /\/personal\/meganb_example_com\//, 'the sender owns the file');
    assert.equal((await fetch(result.files[1].downloadUrl)).status, 410);
    assert.equal(em.files.downloads().length, 1);
  });

  it('can send the same attachment in a channel and a group chat (Teams never does: the bot must refuse it) and forge the download URL', async () => {
    const em = emulator();
    await teams.as('alex').inChannel('My Team', 'General').sendsFile('c.csv', 'x', 'take this');
    await teams.as('lynne').inGroupChat('19:group-launch@thread.v2').sendsFile('g.csv', 'x');
    await teams.as('alex').inPersonalChat().sendsFile('evil.csv', 'x', undefined, { downloadUrl: 'http://169.254.169.254/latest/meta-data' });
    const [channel, group, forged] = bot.received.map((d) => d.activity);
    assert.equal(channel.conversation.conversationType, 'channel');
    assert.equal(channel.text, '<at>Migration Bot</at> take this');
    assert.equal(channel.attachments?.[0].contentType, FILE_DOWNLOAD_INFO);
    assert.equal(group.conversation.conversationType, 'groupChat');
    assert.equal(group.attachments?.[0].contentType, FILE_DOWNLOAD_INFO);
    assert.equal((forged.attachments?.[0].content as { downloadUrl: string }).downloadUrl, 'http://169.254.169.254/latest/meta-data');
    assert.deepEqual(em.files.downloads(), []);
  });

  it('accepting a consent card sends fileConsent/invoke with accept, the acceptContext and uploadInfo; the upload URL takes the file', async () => {
    const em = emulator();
    const chat = teams.as('alex').inPersonalChat();
    const cardId = await botSends(em, chat.conversationId, { type: 'message', attachments: [consentCard('audit.csv', 12)] });
    assert.deepEqual(chat.lastFileConsent(), {
      activityId: cardId,
      conversationId: 'a:personal-alex',
      name: 'audit.csv',
      description: 'Audit ledger export',
      sizeInBytes: 12,
      acceptContext: { exportId: 'e1' },
      declineContext: { exportId: 'e1', why: 'no' },
    });

    const accepted = await chat.acceptsFile(cardId);
    assert.equal(accepted.status, 200);
    const { activity, authorization } = bot.received[0];
    assert.match(authorization ?? '', /^Bearer ey/);
    assert.deepEqual([activity.type, activity.name, activity.replyToId, activity.conversation.id], ['invoke', 'fileConsent/invoke', cardId, 'a:personal-alex']);
    const { upload } = accepted;
    assert.deepEqual(activity.value, {
      type: 'fileUpload',
      action: 'accept',
      context: { exportId: 'e1' },
      uploadInfo: { contentUrl: upload.contentUrl, name: 'audit.csv', uploadUrl: upload.uploadUrl, fileType: 'csv', uniqueId: upload.uniqueId },
    });
    assert.match(upload.uploadUrl, new RegExp(`^${em.baseUrl}/_files/upload/[A-Za-z0-9_-]{32}$`));
    assert.equal(upload.contentUrl, `${em.baseUrl}/_files/personal/alexw_example_com/Documents/Applications/audit.csv`);

    const bytes = Buffer.from('id,at\n1,20\n\n');
    assert.equal(bytes.length, 12);
    const put = await putFragment(upload.uploadUrl, bytes, 'bytes 0-11/12');
    assert.equal(put.status, 201);
    const item = (await put.json()) as { id: string; name: string; size: number; webUrl: string };
    assert.deepEqual([item.name, item.size, item.webUrl], ['audit.csv', 12, upload.contentUrl]);
    assert.match(item.id, /^01[0-9A-F]{32}$/);
    const [recorded] = em.files.uploads();
    assert.deepEqual(
      [recorded.name, recorded.bytes.toString(), recorded.contentType, recorded.fragments, recorded.itemId, recorded.uniqueId, recorded.headers.authorization],
      ['audit.csv', bytes.toString(), 'text/csv', 1, item.id, upload.uniqueId, undefined],
    );
    assert.equal((await putFragment(upload.uploadUrl, bytes, 'bytes 0-11/12')).status, 404, 'a completed upload URL is gone');

    // The bot shows the uploaded file and removes the consent card.
    await botSends(em, chat.conversationId, {
      type: 'message',
      attachments: [{ contentType: FILE_INFO_CARD, contentUrl: item.webUrl, name: item.name, content: { uniqueId: upload.uniqueId, fileType: 'csv' } }],
    });
    const del = await fetch(`${em.connectorUrl}v3/conversations/a%3Apersonal-alex/activities/${cardId}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    const info = chat.lastFileInfo();
    assert.deepEqual([info?.name, info?.contentUrl, info?.uniqueId, info?.fileType], ['audit.csv', upload.contentUrl, upload.uniqueId, 'csv']);
    assert.equal(chat.fileInfos().length, 1);
    assert.deepEqual(
      em.connector.deletions().map((d) => [d.conversationId, d.activityId]),
      [['a:personal-alex', cardId]],
    );
  });

  it('declining sends fileConsent/invoke with decline and the declineContext, without uploadInfo; a card-less activity throws', async () => {
    const em = emulator();
    const chat = teams.as('alex').inPersonalChat();
    const cardId = await botSends(em, chat.conversationId, { type: 'message', attachments: [consentCard('audit.csv', 12)] });
    const result = await chat.declinesFile(cardId);
    assert.equal(result.status, 200);
    const { activity } = bot.received[0];
    assert.deepEqual([activity.type, activity.name, activity.replyToId], ['invoke', 'fileConsent/invoke', cardId]);
    assert.deepEqual(activity.value, { type: 'fileUpload', action: 'decline', context: { exportId: 'e1', why: 'no' } });
    assert.deepEqual(em.files.uploads(), []);

    const plain = await botSends(em, chat.conversationId, { type: 'message', text: 'hello' });
    await assert.rejects(chat.acceptsFile(plain), /carries no application\/vnd\.microsoft\.teams\.card\.file\.consent/);
    await assert.rejects(teams.as('megan').inPersonalChat().acceptsFile(cardId), /carries no/, "another user's card");
  });

  it('takes an upload in 320 KiB fragments in order (202 with nextExpectedRanges, then 201) and refuses bad ranges', async () => {
    const em = emulator();
    const size = 2 * 327_680 + 10;
    const bytes = Buffer.alloc(size, 7);
    const slot = em.files.createUpload('big.csv', { owner: 'megan' });
    const url = slot.uploadUrl;
    assert.equal((await putFragment(url, bytes.subarray(0, 10), null)).status, 400, 'Content-Range is required');
    assert.equal((await putFragment(url, bytes.subarray(0, 10), 'bytes=0-9/20')).status, 400, 'malformed');
    assert.equal((await putFragment(url, bytes.subarray(0, 10), `bytes 0-10/${size}`)).status, 400, 'length does not match');
    assert.equal((await putFragment(url, bytes.subarray(0, 1000), `bytes 0-999/${size}`)).status, 400, 'not a multiple of 320 KiB');
    assert.equal((await putFragment(url, bytes.subarray(0, 10), `bytes 10-19/${size}`)).status, 416, 'not the next range');

    const first = await putFragment(url, bytes.subarray(0, 327_680), `bytes 0-327679/${size}`);
    assert.equal(first.status, 202);
    assert.deepEqual(((await first.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges, ['327680-']);
    const status = (await (await fetch(url)).json()) as { nextExpectedRanges: string[]; expirationDateTime: string };
    assert.deepEqual(status.nextExpectedRanges, ['327680-']);
    assert.ok(Date.parse(status.expirationDateTime) > Date.now());
    const again = await putFragment(url, bytes.subarray(0, 327_680), `bytes 0-327679/${size}`);
    assert.equal(again.status, 416, 'a fragment sent twice');
    assert.deepEqual(((await again.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges, ['327680-']);
    assert.equal((await putFragment(url, bytes.subarray(327_680, 655_360), `bytes 327680-655359/${size + 1}`)).status, 400, 'the total changed');
    assert.equal((await putFragment(url, bytes.subarray(327_680, 655_360), `bytes 327680-655359/${size}`)).status, 202);
    const last = await putFragment(url, bytes.subarray(655_360), `bytes 655360-${size - 1}/${size}`);
    assert.equal(last.status, 201);
    const [u] = em.files.uploads();
    assert.deepEqual([u.name, u.bytes.length, u.fragments, u.bytes.equals(bytes)], ['big.csv', size, 3, true]);
    assert.match(u.contentUrl, /\/personal\/meganb_example_com\/Documents\/Applications\/big\.csv$/);

    const cancelled = em.files.createUpload('gone.csv');
    assert.equal((await fetch(cancelled.uploadUrl, { method: 'DELETE' })).status, 204);
    assert.equal((await putFragment(cancelled.uploadUrl, Buffer.from('x'), 'bytes 0-0/1')).status, 404);
    const expired = em.files.createUpload('late.csv', { expiresInSeconds: 0 });
    assert.equal((await putFragment(expired.uploadUrl, Buffer.from('x'), 'bytes 0-0/1')).status, 404);
    assert.equal((await fetch(`${em.baseUrl}/_files/upload/unknown`, { method: 'PUT', body: 'x' })).status, 404);
    assert.equal(em.files.uploads().length, 1);
  });
});

/**
 * A botbuilder TeamsActivityHandler wired to the emulator (as in botframework.test.ts): on a
 * message with a file it downloads the file and offers a CSV back with a consent card; on accept
 * it uploads, shows a file info card and deletes the consent card; on decline it says so.
 */
async function startFileBot(em: Emulator) {
  const msal = new ConfidentialClientApplication({
    auth: { clientId: em.info.bot.appId, clientSecret: em.info.bot.password, authority: em.info.bot.loginUrl, knownAuthorities: [`127.0.0.1:${em.port}`] },
  });
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: em.info.bot.appId,
      MicrosoftAppPassword: em.info.bot.password,
      MicrosoftAppType: 'MultiTenant',
      ToChannelFromBotLoginUrl: em.info.bot.loginUrl,
      ToChannelFromBotOAuthScope: em.info.bot.oauthScope,
      ToBotFromChannelTokenIssuer: em.info.bot.tokenIssuer,
      OAuthUrl: `${em.baseUrl}/botframework`,
      ToBotFromChannelOpenIdMetadataUrl: em.info.bot.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: em.info.bot.openIdMetadataUrl,
      CallerId: 'urn:botframework:azure',
    },
    // botframework-connector bundles its own msal-node typings; the object is the same.
    new MsalServiceClientCredentialsFactory(em.info.bot.appId, msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]),
  );
  const adapter = new CloudAdapter(auth);
  const seen = { downloaded: [] as string[], consents: [] as FileConsentCardResponse[] };
  const report = Buffer.from('channel,messages\nGeneral,3\n');

  class FileBot extends TeamsActivityHandler {
    constructor() {
      super();
      this.onMessage(async (ctx, next) => {
        const file = ctx.activity.attachments?.find((a) => a.contentType === FILE_DOWNLOAD_INFO);
        const content = file?.content as { downloadUrl?: string } | undefined;
        if (content?.downloadUrl) {
          const res = await fetch(content.downloadUrl);
          seen.downloaded.push(await res.text());
          await ctx.sendActivity({
            attachments: [
              {
                contentType: FILE_CONSENT_CARD,
                name: 'report.csv',
                content: { description: 'Your report', sizeInBytes: report.length, acceptContext: { report: 1 }, declineContext: { report: 1 } },
              },
            ],
          });
        }
        await next();
      });
    }

    protected override async handleTeamsFileConsentAccept(ctx: TurnContext, response: FileConsentCardResponse): Promise<void> {
      seen.consents.push(response);
      const info = response.uploadInfo ?? {};
      const put = await fetch(info.uploadUrl ?? '', {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', 'content-range': `bytes 0-${report.length - 1}/${report.length}` },
        body: new Uint8Array(report),
      });
      const item = (await put.json()) as { name: string; webUrl: string };
      await ctx.sendActivity({
        attachments: [{ contentType: FILE_INFO_CARD, contentUrl: item.webUrl, name: item.name, content: { uniqueId: info.uniqueId, fileType: info.fileType } }],
      });
      if (ctx.activity.replyToId) await ctx.deleteActivity(ctx.activity.replyToId);
    }

    protected override async handleTeamsFileConsentDecline(ctx: TurnContext, response: FileConsentCardResponse): Promise<void> {
      seen.consents.push(response);
      const sent: ResourceResponse | undefined = await ctx.sendActivity('Declined.');
      assert.ok(sent?.id);
    }
  }
  const handler = new FileBot();
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await adapter.process(req, res, (ctx) => handler.run(ctx));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = server.address().port;
  return { url: `http://127.0.0.1:${port}/api/messages`, seen, report, close: () => server.close() };
}

describe('emulated Teams files: a botbuilder TeamsActivityHandler goes through the whole round trip', () => {
  const emulator = useEmulator({ limits: { enabled: false } });
  let bot: Awaited<ReturnType<typeof startFileBot>>;
  let teams: TeamsClient;
  before(async () => {
    bot = await startFileBot(emulator());
    teams = new TeamsClient({ emulator: emulator(), botUrl: bot.url, signTokens: true });
  });
  beforeEach(() => {
    bot.seen.downloaded.length = 0;
    bot.seen.consents.length = 0;
  });
  after(() => bot.close());

  it('file in, consent card out, accept, upload, file info card, consent card deleted', async () => {
    const em = emulator();
    const chat = teams.as('alex').inPersonalChat();
    assert.equal((await chat.sendsFile('export.zip', 'PK-bytes', 'here')).status, 200);
    assert.deepEqual(bot.seen.downloaded, ['PK-bytes']);
    const [download] = em.files.downloads();
    assert.deepEqual([download.status, download.headers.authorization], [200, undefined], 'downloaded without a bearer token');

    const consent = chat.lastFileConsent();
    assert.equal(consent?.name, 'report.csv');
    const accepted = await chat.acceptsFile(consent?.activityId ?? '');
    assert.equal(accepted.status, 200);
    assert.equal(bot.seen.consents[0].action, 'accept');
    assert.deepEqual(bot.seen.consents[0].context, { report: 1 });
    assert.equal(bot.seen.consents[0].uploadInfo?.uploadUrl, accepted.upload.uploadUrl);

    const [upload] = em.files.uploads();
    assert.ok(upload.bytes.equals(bot.report));
    assert.equal(upload.headers.authorization, undefined);
    assert.deepEqual(
      [chat.lastFileInfo()?.name, chat.lastFileInfo()?.uniqueId, chat.lastFileInfo()?.contentUrl],
      ['report.csv', accepted.upload.uniqueId, accepted.upload.contentUrl],
    );
    assert.deepEqual(
      em.connector.deletions().map((d) => d.activityId),
      [consent?.activityId],
    );
  });

  it('decline reaches handleTeamsFileConsentDecline with the declineContext and nothing is uploaded', async () => {
    const em = emulator();
    const chat = teams.as('alex').inPersonalChat();
    await chat.sendsFile('export.zip', 'PK');
    const declined = await chat.declinesFile(chat.lastFileConsent()?.activityId ?? '');
    assert.equal(declined.status, 200);
    assert.deepEqual([bot.seen.consents[0].action, bot.seen.consents[0].context, bot.seen.consents[0].uploadInfo], ['decline', { report: 1 }, undefined]);
    assert.equal(chat.lastReply()?.text, 'Declined.');
    assert.deepEqual(em.files.uploads(), []);
  });
});
