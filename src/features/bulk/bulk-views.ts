import type { AdaptiveCardJson, OutcomeView } from '../../cards/renderer';
import { formatBoth } from '../../domain/parse/dates';
import type { BulkItem } from '../../store/ports/bulk-jobs';
import type { PendingOperation } from '../../store/ports/pending-operations';
import type { ActingContext } from '../shared/acting';
import type { BulkCardAction, BulkPreviewView, BulkProgressView } from './bulk-cards';
import { renderBulkPreview, renderBulkProgress } from './bulk-cards';
import type { BulkJobRun } from './bulk-job';
import type { BulkLimits } from './bulk-limits';
import type { BulkPayload } from './bulk-request';

const PREVIEW_ROWS = 100;
const SUMMARY_ROWS = 40;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function channelLabel(name: string, membershipType: string): string {
  return membershipType && membershipType !== 'standard' ? `${name} (${membershipType})` : name;
}

/** How many items of a job are in each state ("remaining" is queued or with an intent). */
export interface ItemCounts {
  succeeded: number;
  failed: number;
  skipped: number;
  remaining: number;
}

/** Counts a job's items by state, for the progress card and the log lines. */
export function countItems(items: BulkItem[]): ItemCounts {
  const c = { succeeded: 0, failed: 0, skipped: 0, remaining: 0 };
  for (const i of items) {
    if (i.state === 'succeeded') c.succeeded++;
    else if (i.state === 'failed') c.failed++;
    else if (i.state === 'skipped') c.skipped++;
    else c.remaining++;
  }
  return c;
}

/** What a progress view reads of a running (or finished) job. */
export type ProgressSource = Pick<BulkJobRun, 'job' | 'snapshot' | 'stoppedBecause' | 'adminCheckNote'>;

/**
 * Builds the bulk cards' view data: the preview (what Confirm will do, channel by channel), the
 * progress card updated in place while a job runs, and its final summary. Pure: it reads only the
 * payload or the job it is given and the configured pace, which the cards quote.
 */
export class BulkViews {
  constructor(private readonly limits: Pick<BulkLimits, 'perTeamPerSecond' | 'perTenantPerSecond'>) {}

  /** The preview card; `op` null for a preview with nothing to confirm, `typedError` after a wrong typed name. */
  previewCard(p: BulkPayload, op: Pick<PendingOperation, 'id' | 'expiresAt'> | null, typedError: string, who: ActingContext): AdaptiveCardJson {
    return renderBulkPreview(this.previewView(p, op, typedError, who));
  }

  /** The progress card of a running job, or its final summary when `final`. */
  progressCard(run: ProgressSource, final: boolean, timeZone: string | null): AdaptiveCardJson {
    return renderBulkProgress(this.progressView(run, final, timeZone));
  }

  /** The summary a later press of the same Confirm shows (the outcome card's shape). */
  summaryOutcome(run: ProgressSource, timeZone: string | null): Pick<OutcomeView, 'title'> & Partial<OutcomeView> {
    const v = this.progressView(run, true, timeZone);
    return { title: v.title, color: v.color, summary: v.summary, facts: v.facts, nextSteps: [...v.failures.map((f) => f.line), ...v.nextSteps] };
  }

  /** The preview's template data (see previewCard). */
  previewView(p: BulkPayload, op: Pick<PendingOperation, 'id' | 'expiresAt'> | null, typedError: string, who: ActingContext): BulkPreviewView {
    const start = p.kind === 'bulk-start';
    const runnable = p.items.filter((i) => i.run).length;
    const skipped = p.items.length - runnable;
    const tz = who.timeZone;
    const facts = [
      { title: 'Team', value: `${p.teamName} (${p.teamId})` },
      { title: 'Channels', value: String(p.items.length) },
      { title: start ? 'Will start' : 'Will complete', value: String(runnable) },
      { title: 'Skipped', value: String(skipped) },
    ];
    if (start) facts.push({ title: 'New creation date', value: p.since ? formatBoth(p.since, tz) : 'unchanged (no date given)' });
    facts.push({ title: 'Pace', value: `at most ${this.limits.perTeamPerSecond} requests/s on this team, ${this.limits.perTenantPerSecond}/s for the tenant` });
    facts.push({ title: 'Requested by', value: who.name ?? who.aadObjectId ?? 'an administrator' });
    const bullets = start
      ? [
          'Each channel shows an import banner and is locked until its migration is completed.',
          'Only the migration app this bot uses can import into these channels or complete them.',
          'Backdating cannot be undone: a creation date only ever moves back in time.',
          'The job runs in the background at the Graph limits; this card then shows its progress.',
        ]
      : [
          'The import banner goes away and members can post again.',
          'No more history can be imported with its original timestamps unless a new migration is started.',
          'Only the app that started a migration can complete it; channels started by another app are reported as failed.',
          'The job runs in the background at the Graph limits; this card then shows its progress.',
        ];
    const actions: BulkCardAction[] = [];
    if (op) actions.push({ title: 'Confirm', verb: 'bulkConfirm', style: 'destructive', data: { verb: 'bulkConfirm', opId: op.id } });
    const hasPrivate = p.items.some((i) => i.membershipType === 'private' && (i.run || p.excludePrivate));
    if (hasPrivate) {
      const askVerb = start ? 'bulkAskStart' : 'bulkAskComplete';
      actions.push({
        title: p.excludePrivate ? 'Include private channels' : 'Exclude private channels',
        verb: askVerb,
        style: 'default',
        data: { verb: askVerb, team: p.teamId, since: p.since, excludePrivate: !p.excludePrivate, channelIds: p.channelIds, replaces: op?.id ?? null },
      });
    }
    if (op) actions.push({ title: 'Cancel', verb: 'cancelOp', style: 'default', data: { verb: 'cancelOp', opId: op.id } });
    const verb = start ? 'will start' : 'will complete';
    return {
      title: start
        ? `Start migration for ${plural(runnable, 'channel')} of ${p.teamName}?`
        : `Complete migration for ${plural(runnable, 'channel')} of ${p.teamName}?`,
      summary:
        runnable === 0 ? 'Nothing to do: every channel is skipped, for the reasons below. Nothing was changed.' : `${runnable} ${verb}, ${skipped} skipped.`,
      facts,
      warning:
        start && !p.since && runnable > 0
          ? 'No date was given: each channel keeps its current creation date, so nothing older than it can be imported. To import older history, cancel and add "since <date>".'
          : '',
      bullets: runnable > 0 ? bullets : [],
      rows: p.items.slice(0, PREVIEW_ROWS).map((i) => ({
        line: `${channelLabel(i.displayName, i.membershipType)} — ${i.run ? `${verb}${i.note ? ` (${i.note})` : ''}` : i.note}`,
        color: i.run ? 'Default' : 'Warning',
      })),
      more: p.items.length > PREVIEW_ROWS ? `…and ${p.items.length - PREVIEW_ROWS} more channels (counted above).` : '',
      typedConfirmation: op && p.typedRequired ? p.teamName : '',
      typedError,
      expires: op ? formatBoth(op.expiresAt, who.timeZone) : '',
      actions,
    };
  }

  /** The progress card's template data (see progressCard). */
  progressView(run: ProgressSource, final: boolean, timeZone: string | null): BulkProgressView {
    const { job } = run;
    const items = run.snapshot();
    const c = countItems(items);
    const start = job.kind === 'bulk-start';
    const doneWord = start ? 'started' : 'completed';
    const stopped = run.stoppedBecause;
    const name = (i: BulkItem) => (i.target.kind === 'channel' ? (i.target.displayName ?? i.target.channelId) : (i.target.displayName ?? i.target.chatId));
    const failed = items.filter((i) => i.state === 'failed');
    const skipped = final ? items.filter((i) => i.state === 'skipped') : [];
    const hidden = Math.max(0, failed.length - SUMMARY_ROWS) + Math.max(0, skipped.length - SUMMARY_ROWS);
    const facts = [
      { title: start ? 'Started' : 'Completed', value: String(c.succeeded) },
      { title: 'Failed', value: String(c.failed) },
      { title: 'Skipped', value: String(c.skipped) },
      { title: 'Remaining', value: String(c.remaining) },
      { title: 'Team', value: job.teamName },
    ];
    if (start)
      facts.push({
        title: 'New creation date',
        value: job.conversationCreationDateTime ? formatBoth(job.conversationCreationDateTime, timeZone) : 'unchanged (no date given)',
      });
    facts.push({ title: 'Requested by', value: job.requestedBy.name ?? job.requestedBy.aadObjectId ?? 'unknown' }, { title: 'Job', value: job.id });
    const nextSteps: string[] = [];
    if (final && start && c.succeeded > 0) {
      nextSteps.push(`Next: import the history with the same migration app, then type complete team "${job.teamName}" to unlock the channels.`);
    }
    if (final && c.failed > 0) nextSteps.push('Every item, with its Graph request-id, is in the audit ledger (type audit).');
    const total = items.length;
    return {
      title: final
        ? `${start ? 'Bulk start' : 'Bulk complete'} ${stopped ? 'stopped' : 'finished'}: ${job.teamName}`
        : `${start ? 'Starting' : 'Completing'} migration: ${job.teamName}`,
      color: final ? (c.failed > 0 || stopped ? 'Warning' : 'Good') : 'Accent',
      summary: final
        ? `${c.succeeded} ${doneWord}, ${c.failed} failed, ${c.skipped} skipped.${stopped ? ` Stopped early: ${stopped}.` : ''}${run.adminCheckNote ? ` ${run.adminCheckNote}` : ''}`
        : `${c.succeeded + c.failed + c.skipped} of ${total} done. Paced to the Graph limits (at most ${this.limits.perTeamPerSecond} requests/s on this team); this card updates every few seconds.`,
      facts,
      failures: failed.slice(0, SUMMARY_ROWS).map((i) => ({
        line: `${name(i)}: ${i.detail ?? 'failed'}${i.errorCode ? ` (${i.errorCode}${i.requestId ? `, request-id ${i.requestId}` : ''})` : ''}`,
      })),
      skipped: skipped.slice(0, SUMMARY_ROWS).map((i) => ({ line: `${name(i)}: ${i.detail ?? 'skipped'}` })),
      more: hidden > 0 ? `…and ${hidden} more; the audit ledger has every item.` : '',
      nextSteps,
      footer: `${final ? 'Finished' : 'Updated'} ${formatBoth(new Date().toISOString(), timeZone)}.`,
    };
  }
}
