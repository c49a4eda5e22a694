import { formatDuration, type ImportPlan, type TargetPlan } from '../features/import/import-plan';
import type { ImportJob, ImportTarget } from '../store/ports/import-jobs';

/** `2021-01-04` from an ISO date, or a dash. */
function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

function targetLines(t: TargetPlan): string[] {
  const lines = [
    `  ${t.source.name} → ${t.target.displayName} (${t.how === 'explicit' ? 'mapped' : 'same name'})`,
    `      ${t.roots} messages, ${t.replies} replies${t.placeholders ? `, ${t.placeholders} placeholder roots for deleted thread starts` : ''}, ${t.reactions} reactions; ${day(t.firstMessageAt)} to ${day(t.lastMessageAt)}`,
    t.action === 'start'
      ? `      starts migration mode dated ${t.migrationDate ?? '(nothing to import)'}`
      : `      already in migration mode since ${t.migrationDate ?? '?'}: its date is kept`,
  ];
  if (t.fallbackAuthored) lines.push(`      ${t.fallbackAuthored} posted as the fallback user, with the original author's name shown`);
  for (const [reason, n] of Object.entries(t.skipped).sort((a, b) => b[1] - a[1])) lines.push(`      skipped ${n}: ${reason}`);
  if (t.warning) lines.push(`      note: ${t.warning}`);
  return lines;
}

/** The plan as the operator reads it: per channel, users, what is skipped, problems, an estimate. */
export function formatPlan(plan: ImportPlan): string {
  const lines = [`Import plan: ${plan.source.kind} export ${plan.source.fileName} → team "${plan.team.displayName}" (${plan.team.id})`, '', 'Channels:'];
  for (const t of plan.targets) lines.push(...targetLines(t));
  if (plan.targets.length === 0) lines.push('  none');
  if (plan.skippedChannels.length) {
    lines.push('', 'Not imported:');
    for (const s of plan.skippedChannels) lines.push(`  ${s.name}: ${s.reason}`);
  }
  const matched = plan.authors.filter((a) => a.status === 'matched');
  const unmatched = plan.authors.filter((a) => a.status !== 'matched');
  lines.push('', `Users: ${matched.length} matched, ${unmatched.length} without a tenant user`);
  for (const a of matched) lines.push(`  ✓ ${a.name} → ${a.teams?.displayName ?? '?'} (${a.messages} messages)`);
  for (const a of unmatched) lines.push(`  ✗ ${a.name}: ${a.status} (${a.messages} messages)`);
  lines.push(plan.fallback ? `  fallback user: ${plan.fallback.displayName} (${plan.fallback.id})` : '  fallback user: none');
  lines.push('', `${plan.sends} messages to send; about ${formatDuration(plan.estimateSeconds)} at the paced rate.`);
  if (plan.problems.length) {
    lines.push('', 'Problems (nothing will be imported until they are fixed):');
    for (const p of plan.problems) lines.push(`  - ${p}`);
  }
  return lines.join('\n');
}

/** One line per target of a job: where it stands and its counts. */
export function formatTargets(targets: readonly ImportTarget[]): string {
  return targets
    .map((t) => {
      const c = t.counts;
      const detail = t.detail ? ` — ${t.detail}` : '';
      return `  ${t.sourceChannelName} → ${t.target.displayName ?? t.targetKey}: ${t.state}; ${c.messages} messages, ${c.replies} replies, ${c.reactions} reactions, ${c.skipped} skipped, ${c.fallbackAuthored} as fallback, ${c.failed} failed (of ${t.planned})${detail}`;
    })
    .join('\n');
}

/** A job's heading line. */
export function formatJob(job: ImportJob): string {
  return `Import job ${job.id} (${job.state}): ${job.source.kind} ${job.source.fileName} → ${job.teamName}; by ${job.requestedBy.name ?? 'unknown'} at ${job.createdAt}`;
}
