import { isImportJobId } from '../../domain/parse/ids';
import { formatBoth } from '../../domain/parse/dates';
import type { Logger } from '../../log/logger';
import type { ImportJobStore } from '../../store/ports/import-jobs';
import type { LedgerStore } from '../../store/ports/ledger';
import type { PendingOperation, PendingOperationStore } from '../../store/ports/pending-operations';
import { text, type FlowReply } from '../shared/acting';
import type { Conversation } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import { isRequester, newOperationId } from '../shared/operation-guard';
import { auditReportCsv, csvBytes, importReportCsv } from './report-csv';
import type { AcceptAnswer, FileDestination, ReportCommands } from './report-commands';
import { UploadFailed } from './report-commands';

/** What the reports need: the admin check, the ledger, the import jobs and the offers (pending operations). */
export interface ReportsDeps {
  guard: Pick<OperationGuard, 'refuseNonAdmin'>;
  store: LedgerStore & PendingOperationStore & Pick<ImportJobStore, 'getImportJob' | 'listImportTargets' | 'listImportMessages'>;
  logger: Logger;
  /** How long a file offer can be accepted (PENDING_TTL_MINUTES, as confirmations). */
  offerTtlMinutes: number;
  now?: () => Date;
}

/**
 * What an offer keeps to make the same file again on Accept (stored as the pending operation's
 * payload; the card carries only the operation's id). The requester, tenant and conversation are
 * the operation's own fields.
 */
export type ReportRequest = { report: 'audit'; since: string | null; until: string } | { report: 'import'; jobId: string };

/** The stored offer: the request, and the name, size and hash of the file the card announced. */
interface OfferPayload extends Record<string, unknown> {
  request: ReportRequest;
  name: string;
  sizeInBytes: number;
  sha256: string;
}

const OFFER_ID = /^[A-Za-z0-9_-]{16,64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Reads a stored request back; null when it is not one this flow wrote. */
export function readReportRequest(payload: Record<string, unknown>): ReportRequest | null {
  const r = payload.request as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return null;
  if (r.report === 'audit' && typeof r.until === 'string' && ISO.test(r.until) && (r.since === null || (typeof r.since === 'string' && r.since.length <= 40))) {
    return { report: 'audit', since: r.since, until: r.until };
  }
  if (r.report === 'import' && isImportJobId(r.jobId)) return { report: 'import', jobId: r.jobId };
  return null;
}

/** `20240610-093000Z` for file names. */
function stamp(iso: string): string {
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}Z`;
}

const IN_PERSONAL_CHAT =
  'I send report files only in our personal chat, where Teams lets you accept them. Open a chat with me (Apps → Migration Bot → Chat) and type the command there.';
const UNKNOWN_OFFER = 'This file card is unknown or no longer valid, so nothing was sent. Type the command again to get a new one.';

/**
 * Reports as CSV files in the admin's personal chat, through Teams' file consent card:
 * `audit export [since <date>]` (the ledger of the admin's organisation) and `import report <job id>`
 * (every message row of an import job). The command builds the file once to show its size and
 * stores what made it as an offer (a pending operation of kind `report`, so it survives a restart
 * and reaches any instance); Accept re-checks the presser and makes the file again from the offer;
 * Decline cancels the offer. Offers are never claimed: a second Accept after a failed upload tries
 * again, one after a finished upload is told the file was sent.
 */
export class ReportsFlow implements ReportCommands {
  private readonly now: () => Date;

  constructor(private readonly deps: ReportsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async auditExport(conversation: Conversation, since: string | null, typed: string): Promise<FlowReply> {
    const who = conversation.who;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'audit export', { command: typed });
    if (refusal) return refusal;
    if (who.conversationKind !== 'personal') return text(IN_PERSONAL_CHAT);
    // Fixed now: the file made on Accept stops at the same instant, so it is the file announced.
    const request: ReportRequest = { report: 'audit', since, until: this.now().toISOString() };
    const { csv, rows } = await this.build(request, who.tenantId!);
    const period = `${since ? `from ${formatBoth(since, who.timeZone)} ` : ''}up to ${formatBoth(request.until, who.timeZone)}`;
    return this.offer(
      conversation,
      request,
      csv,
      `audit-ledger-${stamp(request.until)}.csv`,
      `Audit ledger of your organisation, ${period}: ${rows} ${rows === 1 ? 'entry' : 'entries'}.`,
    );
  }

  async importReport(conversation: Conversation, jobId: string, typed: string): Promise<FlowReply> {
    const who = conversation.who;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'import report', { command: typed });
    if (refusal) return refusal;
    if (who.conversationKind !== 'personal') return text(IN_PERSONAL_CHAT);
    const job = await this.deps.store.getImportJob(jobId);
    // A job of another organisation is answered like one that does not exist.
    if (!job || job.tenantId.toLowerCase() !== who.tenantId) {
      return text(`There is no import job "${jobId}" in your organisation. Type import status to see the import jobs and their ids.`);
    }
    const request: ReportRequest = { report: 'import', jobId: job.id };
    const { csv, rows } = await this.build(request, who.tenantId);
    const description = `Import report of job ${job.id} (${job.state}): ${job.source.fileName} → ${job.teamName}, ${rows} message ${rows === 1 ? 'row' : 'rows'}.`;
    return this.offer(conversation, request, csv, `import-report-${job.id.slice(0, 8)}-${stamp(this.now().toISOString())}.csv`, description);
  }

  async accept(conversation: Conversation, context: unknown, destination: FileDestination): Promise<AcceptAnswer> {
    const who = conversation.who;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'file consent accept', { button: 'fileConsent accept' });
    if (refusal) return { uploaded: false, reply: refusal };
    const found = await this.offerFor(conversation, context);
    if (!('state' in found)) return { uploaded: false, reply: found };
    const op = found;
    if (op.state === 'done')
      return { uploaded: false, reply: text('This file was sent already: it is in the chat above. Type the command again for a fresh one.') };
    if (op.state === 'cancelled')
      return { uploaded: false, reply: text('You declined this file, so nothing was sent. Type the command again to get a new one.') };
    if (Date.parse(op.expiresAt) < this.now().getTime()) {
      await this.deps.store.cancelPending(op.id);
      return { uploaded: false, reply: text('This file card has expired, so nothing was sent. Type the command again to get a new one.') };
    }
    const request = readReportRequest(op.payload);
    if (!request) return { uploaded: false, reply: text(UNKNOWN_OFFER) };
    const { csv } = await this.build(request, op.tenantId);
    const { bytes, sha256 } = csvBytes(csv);
    try {
      await destination.put(bytes, 'text/csv');
    } catch (err) {
      if (!(err instanceof UploadFailed)) throw err;
      // The message names the host and status, never the (pre-authenticated) upload URL.
      this.deps.logger.warn({ offerId: op.id, report: request.report, status: err.status, reason: err.message }, 'report file upload failed');
      return {
        uploaded: false,
        reply: text(
          'The file could not be saved to your OneDrive, so nothing was sent. Press Accept again in a moment, or type the command again for a new file card. If it keeps failing, check that your OneDrive is available and has space.',
        ),
      };
    }
    await this.deps.store.finishPending(op.id, 'done', { uploadedAt: this.now().toISOString(), sizeInBytes: bytes.length, sha256 });
    this.deps.logger.info({ offerId: op.id, report: request.report, bytes: bytes.length }, 'report file sent');
    const changed = sha256 !== op.payload.sha256;
    // The audit file stops at the instant of the command; an import job can move on between the card and Accept.
    const note = changed
      ? request.report === 'import'
        ? 'The job has moved on since the card was made: the file shows it as of now.'
        : 'Ledger lines dated before the command were written after it (a recovery, or another instance): the file includes them.'
      : null;
    return { uploaded: true, note };
  }

  async decline(conversation: Conversation, context: unknown): Promise<FlowReply> {
    const found = await this.offerFor(conversation, context);
    if ('state' in found && found.state === 'pending') await this.deps.store.cancelPending(found.id);
    return text('Nothing was sent. Type the command again whenever you want the file.');
  }

  private async build(request: ReportRequest, tenantId: string): Promise<{ csv: string; rows: number }> {
    return request.report === 'audit'
      ? auditReportCsv(this.deps.store, tenantId, request.since, request.until)
      : importReportCsv(this.deps.store, request.jobId);
  }

  private async offer(conversation: Conversation, request: ReportRequest, csv: string, name: string, description: string): Promise<FlowReply> {
    const who = conversation.who;
    const { bytes, sha256 } = csvBytes(csv);
    const now = this.now();
    const payload: OfferPayload = { request, name, sizeInBytes: bytes.length, sha256 };
    const op: PendingOperation = {
      id: newOperationId(),
      kind: 'report',
      tenantId: who.tenantId!,
      requestedBy: { aadObjectId: who.aadObjectId, name: who.name },
      conversationId: who.conversationId,
      payload,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.offerTtlMinutes * 60_000).toISOString(),
      state: 'pending',
      result: null,
      activityId: null,
      claimedAt: null,
    };
    await this.deps.store.createPending(op);
    return { kind: 'file', name, description, sizeInBytes: bytes.length, offerId: op.id };
  }

  /**
   * The offer an answer names, checked: a well-formed id of an offer of this tenant, made in this
   * conversation for this person. Anything else gets one message, whatever was wrong.
   */
  private async offerFor(conversation: Conversation, context: unknown): Promise<PendingOperation | FlowReply> {
    const who = conversation.who;
    const offerId = typeof context === 'object' && context !== null ? (context as { offerId?: unknown }).offerId : undefined;
    if (typeof offerId !== 'string' || !OFFER_ID.test(offerId)) return text(UNKNOWN_OFFER);
    const op = await this.deps.store.getPending(offerId);
    if (!op || op.kind !== 'report' || op.tenantId !== who.tenantId || op.conversationId !== who.conversationId || !isRequester(op, who)) {
      return text(UNKNOWN_OFFER);
    }
    return op;
  }
}
