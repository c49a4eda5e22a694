import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { text, type FlowReply } from '../../src/features/shared/acting';
import type { Conversation } from '../../src/features/shared/conversation';
import { UploadFailed, type AcceptAnswer, type FileDestination } from '../../src/features/reports/report-commands';
import { IMPORT_REPORT_COLUMNS, auditReportCsv, importReportCsv } from '../../src/features/reports/report-csv';
import { ReportsFlow } from '../../src/features/reports/reports-flow';
import { createLogger } from '../../src/log/logger';
import { auditToCsv, csvCell } from '../../src/store/audit-csv';
import { createStore } from '../../src/store/create-store';
import type { ImportJobStore, ImportMessageRecord } from '../../src/store/ports/import-jobs';
import type { Store } from '../../src/store/ports/store';
import { consentCardAttachment, fileInfoAttachment, readUploadInfo } from '../../src/teams/file-cards';
import { TENANT_A, TENANT_B, alex, auditEntry, importJob, importMessage, importTargets, lynne, megan, minute } from '../store/fixtures';

/** Text that spreadsheets would run as a formula, or that breaks naive CSV. */
const HOSTILE = ['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '\rx', 'a,b', 'say "hi"', 'two\nlines', '=HYPERLINK("http://x","y")', '', 'plain', 'ü 🎉'];

describe('CSV cells of every report', () => {
  for (const value of HOSTILE) {
    it(`never lets ${JSON.stringify(value)} start a formula or break a row`, () => {
      const cell = csvCell(value);
      const inner = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      assert.doesNotMatch(inner, /^[=+\-@\t\r]/);
      if (/[",\r\n]/.test(value)) assert.ok(cell.startsWith('"') && cell.endsWith('"'));
    });
  }
  it('defuses formulas and quotes separators', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvCell('-x,y'), `"'-x,y"`);
  });
});

/** A fake import store that pages like the real one and records the pages asked for. */
function pagedImportStore(job = importJob(), rowsPerTarget = [1001, 2]) {
  const targets = importTargets(job, rowsPerTarget.length);
  const rows = new Map<string, ImportMessageRecord[]>(
    targets.map((t, i) => [t.targetKey, Array.from({ length: rowsPerTarget[i] }, (_, seq) => importMessage(t, seq))]),
  );
  const asked: { targetKey: string; afterSeq: number | undefined; limit: number | undefined }[] = [];
  const store: Pick<ImportJobStore, 'listImportTargets' | 'listImportMessages'> = {
    listImportTargets: async (id) => (id === job.id ? targets : []),
    listImportMessages: async (id, targetKey, q = {}) => {
      asked.push({ targetKey, afterSeq: q.afterSeq, limit: q.limit });
      const all = id === job.id ? (rows.get(targetKey) ?? []) : [];
      return all.filter((r) => r.seq > (q.afterSeq ?? -1)).slice(0, q.limit ?? 500);
    },
  };
  return { job, targets, rows, asked, store };
}

describe('the import report CSV', () => {
  it('has one row per message row of every target, in job and seq order, read 500 at a time', async () => {
    const { job, targets, asked, store } = pagedImportStore();
    const { csv, rows } = await importReportCsv(store, job.id);
    assert.equal(rows, 1003);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], IMPORT_REPORT_COLUMNS.join(','));
    assert.equal(lines[0], 'targetChannel,sourceChannel,seq,sourceMessageId,parentSourceId,state,createdDateTime,graphMessageId,requestId,detail');
    assert.equal(lines.length, 1 + 1003 + 1, 'ends with CRLF');
    assert.equal(lines.at(-1), '');
    assert.ok(lines[1].startsWith('Contoso Engineering › Channel 01,channel-0,0,1700000000.000100,,intent,2023-11-14T22:13:20.000Z,,,'));
    assert.ok(lines[1001].startsWith('Contoso Engineering › Channel 01,channel-0,1000,'));
    assert.ok(lines[1002].startsWith('Contoso Engineering › Channel 02,channel-1,0,'));
    assert.deepEqual(
      asked.map((a) => [a.targetKey === targets[0].targetKey ? 0 : 1, a.afterSeq, a.limit]),
      [
        [0, -1, 500],
        [0, 499, 500],
        [0, 999, 500],
        [1, -1, 500],
      ],
    );
  });

  it('shows state, Graph id, request-id and detail (skip reason, original author, error), with hostile text defused', async () => {
    const { job, targets, rows, store } = pagedImportStore(importJob(), [4]);
    const t = targets[0];
    rows.set(t.targetKey, [
      importMessage(t, 0, { state: 'imported', graphId: '1700000000000', requestId: 'req-1' }),
      importMessage(t, 1, {
        state: 'imported',
        parentSourceId: '1700000000.000100',
        graphId: '1700000001000',
        detail: 'posted as the fallback user; original author =cmd',
      }),
      importMessage(t, 2, { state: 'skipped', createdDateTime: null, detail: 'a channel join message' }),
      importMessage(t, 3, { state: 'failed', createdDateTime: null, requestId: 'req-4', detail: '400 BadRequest: body, "too long"' }),
    ]);
    const lines = (await importReportCsv(store, job.id)).csv.split('\r\n');
    assert.equal(lines[1], 'Contoso Engineering › Channel 01,channel-0,0,1700000000.000100,,imported,2023-11-14T22:13:20.000Z,1700000000000,req-1,');
    assert.equal(
      lines[2],
      'Contoso Engineering › Channel 01,channel-0,1,1700000001.000100,1700000000.000100,imported,2023-11-14T22:13:21.000Z,1700000001000,,posted as the fallback user; original author =cmd',
    );
    assert.equal(lines[3], 'Contoso Engineering › Channel 01,channel-0,2,1700000002.000100,,skipped,,,,a channel join message');
    assert.equal(lines[4], 'Contoso Engineering › Channel 01,channel-0,3,1700000003.000100,,failed,,,req-4,"400 BadRequest: body, ""too long"""');
  });

  it('defuses a source channel name or message id that starts a formula', async () => {
    const { job, targets, rows, store } = pagedImportStore(importJob(), [1]);
    targets[0].sourceChannelName = '=cmd|calc';
    rows.set(targets[0].targetKey, [importMessage(targets[0], 0, { sourceId: '@evil', detail: '+1' })]);
    const line = (await importReportCsv(store, job.id)).csv.split('\r\n')[1];
    assert.equal(line, "Contoso Engineering › Channel 01,'=cmd|calc,0,'@evil,,intent,2023-11-14T22:13:20.000Z,,,'+1");
  });

  it('is the header alone for a job without rows', async () => {
    const { job, store } = pagedImportStore(importJob(), []);
    assert.deepEqual(await importReportCsv(store, job.id), { csv: `${IMPORT_REPORT_COLUMNS.join(',')}\r\n`, rows: 0 });
  });
});

describe('the audit report CSV', () => {
  it("is auditToCsv of the tenant's lines from `since` to just before `until`", async () => {
    const lines = [
      auditEntry({ at: minute(0) }),
      auditEntry({ at: minute(10) }),
      auditEntry({ at: minute(20), tenantId: TENANT_B }),
      auditEntry({ at: minute(30) }),
    ];
    const store = {
      queryLedger: async (q: { tenantId?: string; since?: string; limit?: number }) => {
        assert.equal(q.limit, Infinity);
        return lines.filter((e) => e.tenantId === q.tenantId && (!q.since || e.at >= q.since)).reverse();
      },
    };
    const { csv, rows } = await auditReportCsv(store, TENANT_A, minute(5), minute(30));
    assert.equal(rows, 1);
    assert.equal(csv, auditToCsv([lines[1]]));
    assert.equal((await auditReportCsv(store, TENANT_A, null, minute(31))).csv, auditToCsv([lines[0], lines[1], lines[3]]));
  });
});

describe('the file consent card and file info card (the Teams edge)', () => {
  it('offers the file with only the opaque id in both contexts', () => {
    assert.deepEqual(consentCardAttachment({ kind: 'file', name: 'audit.csv', description: 'Audit ledger', sizeInBytes: 123, offerId: 'abcdefghijklmnop' }), {
      contentType: 'application/vnd.microsoft.teams.card.file.consent',
      name: 'audit.csv',
      content: {
        description: 'Audit ledger',
        sizeInBytes: 123,
        acceptContext: { offerId: 'abcdefghijklmnop' },
        declineContext: { offerId: 'abcdefghijklmnop' },
      },
    });
  });

  it('reads uploadInfo defensively and shows the uploaded file as Teams documents it', () => {
    const uploadInfo = {
      name: 'audit.csv',
      uploadUrl: 'https://contoso-my.sharepoint.com/upload?tempauth=secret',
      contentUrl: 'https://contoso-my.sharepoint.com/personal/alex/Documents/Applications/audit.csv',
      uniqueId: '1D2E3F4A-0000-0000-0000-000000000001',
      fileType: 'csv',
    };
    const info = readUploadInfo({ type: 'fileUpload', action: 'accept', context: {}, uploadInfo });
    assert.deepEqual(info, uploadInfo);
    assert.deepEqual(fileInfoAttachment(info), {
      contentType: 'application/vnd.microsoft.teams.card.file.info',
      contentUrl: uploadInfo.contentUrl,
      name: 'audit.csv',
      content: { uniqueId: uploadInfo.uniqueId, fileType: 'csv' },
    });
    for (const broken of [
      undefined,
      null,
      'x',
      {},
      { uploadInfo: null },
      { uploadInfo: { ...uploadInfo, uploadUrl: 'http://169.254.169.254/latest' } },
      { uploadInfo: { ...uploadInfo, uploadUrl: 42 } },
      { uploadInfo: { ...uploadInfo, name: '' } },
      { uploadInfo: { ...uploadInfo, contentUrl: undefined } },
      { uploadInfo: { ...uploadInfo, uniqueId: {} } },
    ]) {
      assert.equal(readUploadInfo(broken), null, JSON.stringify(broken));
    }
    assert.equal(readUploadInfo({ uploadInfo: { ...uploadInfo, fileType: 7 } })?.fileType, 'csv');
  });
});

/** Reports wired to a real SQLite store, a guard that knows Alex and Megan as admins, and a clock. */
describe('the reports feature: offer, accept, decline', () => {
  let dataDir: string;
  let store: Store;
  let logs: string[];
  let clock: number;
  const admins = new Set([alex.aadObjectId, megan.aadObjectId]);
  const guard = {
    refuseNonAdmin: async (who: { aadObjectId: string | null }): Promise<FlowReply | null> =>
      who.aadObjectId && admins.has(who.aadObjectId) ? null : text('Only Teams administrators can do this.'),
  };
  const flow = (s: Store = store) => {
    const sink = new Writable({
      write(chunk, _e, done) {
        logs.push(String(chunk));
        done();
      },
    });
    return new ReportsFlow({ guard, store: s, logger: createLogger('info', sink), offerTtlMinutes: 60, now: () => new Date(clock) });
  };
  const person = (
    who: { aadObjectId: string; name: string },
    kind: 'personal' | 'channel' | 'groupChat' = 'personal',
    conversationId = `a:personal-${who.name}`,
  ): Conversation => ({
    who: { ...who, tenantId: TENANT_A, conversationId, timeZone: null, conversationKind: kind },
    place: { conversationType: kind, tenantId: TENANT_A, channelId: null, chatId: null, teamId: async () => null },
    userId: `29:${who.name}`,
    replyToId: null,
    reference: {},
  });
  /** A destination that keeps what it was given. */
  const keeper = () => {
    const got: { bytes: Buffer; contentType: string }[] = [];
    const destination: FileDestination = {
      put: async (bytes, contentType) => void got.push({ bytes: Buffer.from(bytes), contentType }),
    };
    return { got, destination };
  };
  const offerOf = (reply: FlowReply) => {
    assert.equal(reply.kind, 'file', JSON.stringify(reply));
    return reply;
  };
  const said = (answer: AcceptAnswer) => {
    assert.equal(answer.uploaded, false);
    const reply = (answer as { reply: FlowReply }).reply;
    return reply.kind === 'text' ? reply.text : JSON.stringify(reply);
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-reports-'));
    store = await createStore({ kind: 'sqlite', dataDir });
    logs = [];
    clock = Date.parse('2025-03-01T12:00:00.000Z');
    for (const e of [auditEntry({ at: minute(0) }), auditEntry({ at: minute(5), actor: megan }), auditEntry({ at: minute(6), tenantId: TENANT_B })]) {
      await store.appendLedger(e);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("offers the tenant's audit ledger with its exact size, and uploads the same bytes on Accept even after new lines", async () => {
    const alexChat = person(alex);
    const offer = offerOf(await flow().auditExport(alexChat, '2025-03-01T00:00:00Z', 'audit export since 2025-03-01'));
    const expected = auditToCsv((await store.queryLedger({ tenantId: TENANT_A, limit: Infinity })).filter((e) => e.at < '2025-03-01T12:00:00.000Z'));
    assert.equal(offer.sizeInBytes, Buffer.byteLength(expected));
    assert.match(offer.name, /^audit-ledger-20250301-120000Z\.csv$/);
    assert.match(offer.description, /Audit ledger of your organisation, from 2025-03-01 00:00 UTC up to 2025-03-01 12:00 UTC: 2 entries\./);
    const stored = await store.getPending(offer.offerId);
    assert.deepEqual(
      [stored?.kind, stored?.state, stored?.tenantId, stored?.requestedBy.aadObjectId, stored?.conversationId],
      ['report', 'pending', TENANT_A, alex.aadObjectId, alexChat.who.conversationId],
    );
    assert.deepEqual(stored?.payload.request, { report: 'audit', since: '2025-03-01T00:00:00Z', until: '2025-03-01T12:00:00.000Z' });

    // Later lines do not change the file offered.
    clock += 60_000;
    await store.appendLedger(auditEntry({ at: new Date(clock).toISOString() }));
    const { got, destination } = keeper();
    assert.deepEqual(await flow().accept(alexChat, { offerId: offer.offerId }, destination), { uploaded: true, note: null });
    assert.equal(got.length, 1);
    assert.equal(got[0].bytes.toString('utf8'), expected);
    assert.equal(got[0].contentType, 'text/csv');
    assert.equal((await store.getPending(offer.offerId))?.state, 'done');

    const again = keeper();
    assert.match(said(await flow().accept(alexChat, { offerId: offer.offerId }, again.destination)), /sent already/);
    assert.equal(again.got.length, 0);
  });

  it('keeps the offer in the store: another instance after a restart makes and uploads the same file', async () => {
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    await store.close();
    const reopened = await createStore({ kind: 'sqlite', dataDir });
    store = reopened;
    const { got, destination } = keeper();
    assert.equal((await flow(reopened).accept(person(alex), { offerId: offer.offerId }, destination)).uploaded, true);
    assert.equal(got[0].bytes.length, offer.sizeInBytes);
  });

  it('answers in a channel or group chat with a pointer to the personal chat, and offers no file', async () => {
    for (const kind of ['channel', 'groupChat'] as const) {
      const reply = await flow().auditExport(person(alex, kind, '19:x@thread.tacv2'), null, 'audit export');
      assert.equal(reply.kind, 'text');
      assert.match((reply as { text: string }).text, /only in our personal chat/);
      const report = await flow().importReport(person(alex, kind, '19:x@thread.tacv2'), 'job-1', 'import report job-1');
      assert.match((report as { text: string }).text, /only in our personal chat/);
    }
  });

  it('refuses a non-admin, to the command and to Accept, and uploads nothing', async () => {
    const refused = await flow().auditExport(person(lynne), null, 'audit export');
    assert.deepEqual(refused, text('Only Teams administrators can do this.'));
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    const { got, destination } = keeper();
    // Lynne in Alex's chat (impossible in Teams, but the check does not rely on it).
    const lynneInAlexChat = person(lynne, 'personal', person(alex).who.conversationId);
    assert.match(said(await flow().accept(lynneInAlexChat, { offerId: offer.offerId }, destination)), /Only Teams administrators/);
    assert.equal(got.length, 0);
    assert.equal((await store.getPending(offer.offerId))?.state, 'pending');
  });

  it('says the same for a forged, unknown, foreign or misplaced offer, and uploads nothing', async () => {
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    const { got, destination } = keeper();
    const cases: [Conversation, unknown][] = [
      [person(alex), undefined],
      [person(alex), null],
      [person(alex), 'offer'],
      [person(alex), {}],
      [person(alex), { offerId: 42 }],
      [person(alex), { offerId: 'short' }],
      [person(alex), { offerId: '../../../../etc/passwd' }],
      [person(alex), { offerId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      // Another admin, another conversation: only the requester in the chat it was made in.
      [person(megan, 'personal', person(alex).who.conversationId), { offerId: offer.offerId }],
      [person(alex, 'personal', 'a:another-chat'), { offerId: offer.offerId }],
    ];
    for (const [who, context] of cases) {
      assert.match(said(await flow().accept(who, context, destination)), /unknown or no longer valid/, JSON.stringify(context));
    }
    // Another tenant's admin with the id.
    const other = person(alex);
    other.who.tenantId = TENANT_B;
    assert.match(said(await flow().accept(other, { offerId: offer.offerId }, destination)), /unknown or no longer valid/);
    // A pending operation of another kind is not a file offer.
    const op = await store.getPending(offer.offerId);
    await store.createPending({ ...op!, id: 'startopstartopstartop', kind: 'start' });
    assert.match(said(await flow().accept(person(alex), { offerId: 'startopstartopstartop' }, destination)), /unknown or no longer valid/);
    assert.equal(got.length, 0);
  });

  it('an expired offer is cancelled and nothing is uploaded', async () => {
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    clock += 61 * 60_000;
    const { got, destination } = keeper();
    assert.match(said(await flow().accept(person(alex), { offerId: offer.offerId }, destination)), /expired/);
    assert.equal(got.length, 0);
    assert.equal((await store.getPending(offer.offerId))?.state, 'cancelled');
  });

  it('Decline cancels the offer; an Accept after it uploads nothing', async () => {
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    assert.deepEqual(
      await flow().decline(person(alex), { offerId: offer.offerId }),
      text('Nothing was sent. Type the command again whenever you want the file.'),
    );
    assert.equal((await store.getPending(offer.offerId))?.state, 'cancelled');
    const { got, destination } = keeper();
    assert.match(said(await flow().accept(person(alex), { offerId: offer.offerId }, destination)), /declined/);
    assert.equal(got.length, 0);
    assert.match(((await flow().decline(person(alex), { offerId: 'forged' })) as { text: string }).text, /Nothing was sent/);
  });

  it('a failed upload says what to do, keeps the offer for another Accept, and logs no URL', async () => {
    const offer = offerOf(await flow().auditExport(person(alex), null, 'audit export'));
    const failing: FileDestination = {
      put: async () => {
        throw new UploadFailed('contoso-my.sharepoint.com answered 503 to bytes 0-99 of 100', 503);
      },
    };
    assert.match(said(await flow().accept(person(alex), { offerId: offer.offerId }, failing)), /could not be saved to your OneDrive.*Press Accept again/s);
    assert.equal((await store.getPending(offer.offerId))?.state, 'pending');
    const line = logs.find((l) => l.includes('report file upload failed'));
    assert.ok(line, 'the failure is logged');
    assert.match(line, /"status":503/);
    assert.doesNotMatch(logs.join('\n'), /tempauth|upload\?|_files\/upload/);
    const { got, destination } = keeper();
    assert.equal((await flow().accept(person(alex), { offerId: offer.offerId }, destination)).uploaded, true);
    assert.equal(got.length, 1);
  });

  it("import report: one row per message row of the caller's tenant's job; another tenant's job or an unknown one is not found", async () => {
    const job = importJob();
    const targets = importTargets(job, 2);
    await store.createImportJob(job, targets);
    await store.insertImportMessage(importMessage(targets[0], 0, { state: 'skipped', createdDateTime: null, detail: 'a channel join message' }));
    await store.insertImportMessage(importMessage(targets[1], 0));
    const foreign = importJob({ tenantId: TENANT_B, jobKey: 'other' });
    await store.createImportJob(foreign, importTargets(foreign, 1));

    const offer = offerOf(await flow().importReport(person(megan), job.id, `import report ${job.id}`));
    assert.match(offer.name, new RegExp(`^import-report-${job.id.slice(0, 8)}-20250301-120000Z\\.csv$`));
    assert.match(offer.description, /Import report of job .* \(running\): Contoso Slack export Mar 1 2025\.zip → Contoso Engineering, 2 message rows\./);
    const expected = (await importReportCsv(store, job.id)).csv;
    assert.equal(offer.sizeInBytes, Buffer.byteLength(expected));

    // The job moves on before Accept: the file shows it as of now, and says so.
    await store.settleImportMessage(job.id, targets[1].targetKey, 0, { state: 'imported', graphId: '1700000000000', requestId: 'r' });
    const { got, destination } = keeper();
    const answer = await flow().accept(person(megan), { offerId: offer.offerId }, destination);
    assert.deepEqual(answer, { uploaded: true, note: 'The job has moved on since the card was made: the file shows it as of now.' });
    assert.equal(got[0].bytes.toString('utf8'), (await importReportCsv(store, job.id)).csv);
    assert.match(got[0].bytes.toString('utf8'), /channel-1,0,1700000000\.000100,,imported,.*,1700000000000,r,/);

    for (const id of [foreign.id, 'no-such-job']) {
      const reply = await flow().importReport(person(megan), id, `import report ${id}`);
      assert.deepEqual(reply, text(`There is no import job "${id}" in your organisation. Type import status to see the import jobs and their ids.`));
    }
    assert.deepEqual(await flow().importReport(person(lynne), job.id, 'import report'), text('Only Teams administrators can do this.'));
  });
});
