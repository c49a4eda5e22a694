import type { CardFact, ImportCardAction, ImportProgressView, TextColor } from '../../cards/card-data';
import { renderCard, type AdaptiveCardJson } from '../../cards/renderer';
import { formatBoth } from '../../domain/parse/dates';
import type { ImportJob, ImportTarget } from '../../store/ports/import-jobs';
import { formatDuration } from '../import/import-plan';
import type { EndedDetails } from './ended-details';
import { settledOf } from './live-progress';

/** A job's targets with their rate (0 when not running here). */
export interface ProgressInput {
  job: ImportJob;
  targets: ImportTarget[];
  rate: (targetKey: string) => number;
  timeZone: string | null;
  /** Said above everything else (e.g. "Pausing after the messages in flight…"). */
  notice?: string;
  /** An ended job's skip reasons and first failures (the summary). */
  details?: EndedDetails;
}

const STATE_WORDS: Record<ImportTarget['state'], string> = {
  queued: 'waiting',
  importing: 'importing',
  imported: 'imported, still in migration mode',
  failed: 'stopped by an error',
  skipped: 'skipped',
  completed: 'imported and completed',
};

function rowColor(t: ImportTarget): Exclude<TextColor, 'Accent'> {
  if (t.state === 'failed') return 'Attention';
  if (t.state === 'completed' || t.state === 'imported') return 'Good';
  return 'Default';
}

function targetLine(t: ImportTarget, rate: number): string {
  const c = t.counts;
  const speed = rate > 0 ? ` · ${rate.toFixed(1)}/s` : '';
  return `${t.sourceChannelName} → ${t.target.displayName ?? t.targetKey}: ${settledOf(c)} / ${t.planned} (${STATE_WORDS[t.state]})${speed}`;
}

/** A channel this import put (or found) in migration mode that is not completed yet. */
const isOpen = (t: ImportTarget): boolean => t.state !== 'completed' && t.state !== 'skipped' && (t.startedByJob || t.conversationCreationDateTime !== null);

const action = (title: string, verb: string, style: ImportCardAction['style'], data: Record<string, string>): ImportCardAction => ({
  title,
  verb,
  style,
  data,
});

/** Totals over a job's targets. */
function totals(targets: readonly ImportTarget[]) {
  const sum = { messages: 0, replies: 0, reactions: 0, skipped: 0, fallbackAuthored: 0, failed: 0, settled: 0, planned: 0 };
  for (const t of targets) {
    for (const k of ['messages', 'replies', 'reactions', 'skipped', 'fallbackAuthored', 'failed'] as const) sum[k] += t.counts[k];
    sum.settled += settledOf(t.counts);
    sum.planned += t.planned;
  }
  return sum;
}

/** Failure lines: each channel stopped by an error, and the count of single messages that failed. */
function failureLines(targets: readonly ImportTarget[], details?: EndedDetails): string[] {
  const lines: string[] = [];
  for (const f of details?.failed ?? [])
    lines.push(`${f.channel}: a message failed — ${f.detail ?? 'no detail'}${f.requestId ? ` (request-id ${f.requestId})` : ''}`);
  for (const t of targets) {
    if (t.state === 'failed' || (t.detail && t.errorCode)) {
      lines.push(`${t.target.displayName ?? t.targetKey}: ${t.detail ?? 'stopped'}${t.requestId ? ` (request-id ${t.requestId})` : ''}`);
    }
    if (t.counts.failed > 0 && !details)
      lines.push(`${t.target.displayName ?? t.targetKey}: ${t.counts.failed} message(s) failed; the report lists each with its request-id.`);
  }
  return lines;
}

/**
 * The progress card while a job runs or is paused (counts per channel, rate, ETA, failures so far,
 * Pause / Resume / Cancel), and the summary once it has ended (what was imported, skipped and
 * failed, with Complete migration per channel and for all).
 */
export function progressView(input: ProgressInput): ImportProgressView {
  const { job, targets } = input;
  const sum = totals(targets);
  const jobData = { jobId: job.id };
  const ended = job.state === 'done' || job.state === 'cancelled';
  const facts: CardFact[] = [
    { title: 'Export', value: `${job.source.fileName} (${job.source.kind})` },
    { title: 'Team', value: job.teamName },
    { title: 'Progress', value: `${sum.settled} of ${sum.planned} messages settled` },
  ];
  const actions: ImportCardAction[] = [];
  const nextSteps: string[] = [];
  let title: string;
  let color: TextColor = 'Default';
  if (!ended) {
    const rate = targets.reduce((a, t) => a + input.rate(t.targetKey), 0);
    // The slowest channel decides when the job ends: each thread has its own paced rate.
    const eta = Math.max(0, ...targets.map((t) => (input.rate(t.targetKey) > 0 ? (t.planned - settledOf(t.counts)) / input.rate(t.targetKey) : 0)));
    if (job.state === 'running') {
      facts.push({ title: 'Rate', value: rate > 0 ? `${rate.toFixed(1)} messages/s` : 'starting…' });
      if (rate > 0) facts.push({ title: 'Time left', value: `about ${formatDuration(Math.ceil(eta))}` });
      actions.push(action('Pause', 'importPause', 'default', jobData));
    } else {
      actions.push(action('Resume', 'importResume', 'positive', jobData));
    }
    actions.push(action('Cancel import', 'importCancel', 'destructive', jobData));
    facts.push({ title: 'Failures so far', value: String(sum.failed + targets.filter((t) => t.state === 'failed').length) });
    title = job.state === 'paused' ? `Import paused: ${job.source.fileName} → ${job.teamName}` : `Importing ${job.source.fileName} into ${job.teamName}`;
    if (job.state === 'paused') nextSteps.push('Nothing is sent while the import is paused. Resume continues where it stopped; no message is sent twice.');
  } else {
    facts.push(
      { title: 'Imported', value: `${sum.messages} messages, ${sum.replies} replies, ${sum.reactions} reactions` },
      { title: 'Posted as the fallback user', value: String(sum.fallbackAuthored) },
      { title: 'Skipped', value: String(sum.skipped) },
      ...Object.entries(input.details?.skippedReasons ?? {})
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([reason, n]) => ({ title: 'Skipped because', value: `${reason}: ${n}` })),
      { title: 'Failed', value: String(sum.failed) },
    );
    const open = targets.filter(isOpen);
    if (job.state === 'done' && open.length > 1) actions.push(action('Complete all', 'importCompleteAll', 'positive', jobData));
    const failed = sum.failed > 0 || targets.some((t) => t.state === 'failed');
    color = job.state === 'cancelled' || failed ? 'Warning' : 'Good';
    title =
      job.state === 'cancelled' ? `Import cancelled: ${job.source.fileName} → ${job.teamName}` : `Import finished: ${job.source.fileName} → ${job.teamName}`;
    if (open.length)
      nextSteps.push(
        `${open.length} channel(s) are still in migration mode, hidden from their members. Press Complete when you have checked them (completing cannot be undone; nothing more can be imported afterwards).`,
      );
    else nextSteps.push('Every imported channel is completed and visible to its members.');
    nextSteps.push(`Type import report ${job.id} to get every message's outcome as a CSV file.`);
  }
  return {
    title,
    color,
    summary: input.notice ?? '',
    facts,
    rows: targets.map((t) => ({
      line: targetLine(t, input.rate(t.targetKey)),
      color: rowColor(t),
      // Each channel's own Complete button sits under its line: the card's action bar holds five at most.
      buttons: ended && isOpen(t) ? [action(`Complete ${t.target.displayName ?? 'channel'}`, 'completeAsk', 'default', { target: t.targetKey })] : [],
    })),
    failures: failureLines(targets, input.details),
    nextSteps,
    footer: `Import job ${job.id}, started by ${job.requestedBy.name ?? 'an administrator'} on ${formatBoth(job.createdAt, input.timeZone)}.`,
    actions,
  };
}

export function renderProgressCard(input: ProgressInput): AdaptiveCardJson {
  return renderCard('import-progress', progressView(input));
}
