import type { CardChoice, CardFact, ImportCardAction, ImportPlanView } from '../../cards/card-data';
import { renderCard, type AdaptiveCardJson } from '../../cards/renderer';
import { formatBoth } from '../../domain/parse/dates';
import type { PreparedImport } from '../import/import-engine';
import { formatDuration, type TargetPlan } from '../import/import-plan';
import { SKIP, type ImportDraft } from './import-draft';

/** At most this many people are listed by name on the plan card (the rest are counted). */
const PEOPLE_SHOWN = 12;

/** What the plan card is built from: the draft, its plan (null before a team is chosen) and why not. */
export interface PlanCardInput {
  draft: ImportDraft;
  prepared: PreparedImport | null;
  /** Why there is no plan or it cannot run (the team unknown, the fallback user unknown, …). */
  problems: string[];
  /** Teams offered in the picker before the admin types (the chosen one first). */
  teamChoices: CardChoice[];
  /** The fallback user as chosen (its name), for the picker's static choice. */
  fallback: { id: string; displayName: string } | null;
  /** The admin looking at the card, offered as the fallback user. */
  admin?: { id: string; displayName: string } | null;
  opId: string;
  expiresAt: string;
  timeZone: string | null;
  /** A wrong typed confirmation, said on the card. */
  typedError?: string;
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

function channelLabel(t: TargetPlan): string {
  const counts = `${t.roots} messages, ${t.replies} replies, ${t.reactions} reactions; ${day(t.firstMessageAt)} to ${day(t.lastMessageAt)}`;
  return `${t.source.name} (${counts})${t.warning ? ` — note: ${t.warning}` : ''}`;
}

/** The lines of "What will happen": each start and its date, each kept date, the skips and why, the duration. */
function happenings(p: PreparedImport, timeZone: string | null, completeWhenDone: boolean): string[] {
  const { plan } = p;
  const lines: string[] = [];
  for (const t of plan.targets) {
    lines.push(
      t.action === 'start'
        ? `${t.target.displayName}: migration mode starts dated ${t.migrationDate ? formatBoth(t.migrationDate, timeZone) : '(nothing to import)'}, then ${t.roots + t.replies + t.placeholders} messages are imported`
        : `${t.target.displayName}: already in migration mode since ${t.migrationDate ? formatBoth(t.migrationDate, timeZone) : '?'}; its date is kept and ${t.roots + t.replies + t.placeholders} messages are imported`,
    );
    for (const [reason, n] of Object.entries(t.skipped).sort((a, b) => b[1] - a[1])) lines.push(`${t.target.displayName}: ${n} skipped — ${reason}`);
    if (t.fallbackAuthored) lines.push(`${t.target.displayName}: ${t.fallbackAuthored} posted as the fallback user, with the original author's name shown`);
  }
  lines.push(
    `${plan.sends} messages in all, paced to Graph's limit: about ${formatDuration(plan.estimateSeconds)}. You can pause, resume or cancel it while it runs.`,
    completeWhenDone
      ? 'Each channel is completed (leaves migration mode) as soon as its import is done.'
      : 'The channels stay in migration mode, hidden from members, until you press Complete migration on the summary.',
  );
  return lines;
}

function peopleLines(p: PreparedImport): string[] {
  const matched = p.plan.authors.filter((a) => a.status === 'matched');
  const unmatched = p.plan.authors.filter((a) => a.status !== 'matched');
  const lines = [`${matched.length} people matched to tenant users, ${unmatched.length} without one.`];
  for (const a of unmatched.slice(0, PEOPLE_SHOWN)) lines.push(`✗ ${a.name} (${a.status}, ${a.messages} messages)`);
  if (unmatched.length > PEOPLE_SHOWN) lines.push(`…and ${unmatched.length - PEOPLE_SHOWN} more without a tenant user`);
  for (const a of matched.slice(0, PEOPLE_SHOWN)) lines.push(`✓ ${a.name} → ${a.teams?.displayName ?? '?'} (${a.messages} messages)`);
  if (matched.length > PEOPLE_SHOWN) lines.push(`…and ${matched.length - PEOPLE_SHOWN} more matched`);
  return lines;
}

/**
 * The plan card's data: one channel row per source channel a mapping could import (matched ones
 * preselected, the others set to skip), the people, what will happen, and the buttons. The
 * values each channel input shows are returned too: the draft keeps them, so an input left as
 * shown is not taken as a choice.
 */
export function planView(input: PlanCardInput): { view: ImportPlanView; shown: string[]; sources: string[] } {
  const { draft, prepared } = input;
  const plan = prepared?.plan ?? null;
  const choicesOfTeam: CardChoice[] = [
    ...(plan?.teamChannels ?? []).map((c) => ({ title: c.displayName, value: c.id })),
    { title: 'Skip (do not import)', value: SKIP },
  ];
  const rows: ImportPlanView['channels'] = [];
  const sources: string[] = [];
  const shown: string[] = [];
  for (const t of plan?.targets ?? []) {
    sources.push(t.source.id);
    shown.push(t.target.id);
    rows.push({ label: channelLabel(t), name: t.source.name, inputId: `map_${rows.length}`, value: t.target.id, choices: choicesOfTeam });
  }
  for (const s of plan?.skippedChannels ?? []) {
    if (!s.sourceId) continue;
    sources.push(s.sourceId);
    shown.push(SKIP);
    rows.push({ label: `${s.name} — not imported: ${s.reason}`, name: s.name, inputId: `map_${rows.length}`, value: SKIP, choices: choicesOfTeam });
  }
  const facts: CardFact[] = [
    { title: 'Export', value: `${draft.fileName} (${plan ? `${plan.source.kind}, ` : ''}${(draft.bytes / 1048576).toFixed(1)} MB)` },
    { title: 'Team', value: plan?.team.displayName ?? draft.teamAsked ?? 'not chosen yet' },
  ];
  if (plan) facts.push({ title: 'Messages to send', value: `${plan.sends} (about ${formatDuration(plan.estimateSeconds)})` });
  const problems = [...input.problems, ...(plan?.problems ?? [])];
  const canRun = plan !== null && problems.length === 0;
  const actions: ImportCardAction[] = [
    { title: 'Update plan', verb: 'importPlan', style: 'default', data: { opId: input.opId } },
    ...(canRun ? [{ title: 'Confirm import', verb: 'importConfirm', style: 'positive' as const, data: { opId: input.opId } }] : []),
    { title: 'Discard', verb: 'importDiscard', style: 'destructive', data: { opId: input.opId } },
  ];
  // Static choices for clients without type-ahead: the fallback chosen, the admin, and the people matched.
  const fallbackChoices: CardChoice[] = [];
  const offer = (id: string | null | undefined, title: string | null | undefined) => {
    if (id && title && !fallbackChoices.some((c) => c.value === id)) fallbackChoices.push({ title, value: id });
  };
  offer(input.fallback?.id, input.fallback?.displayName);
  offer(input.admin?.id, input.admin?.displayName);
  for (const a of prepared?.plan.authors ?? []) if (fallbackChoices.length < PEOPLE_SHOWN) offer(a.teams?.id, a.teams?.displayName);
  const view: ImportPlanView = {
    title: plan ? `Import ${draft.fileName} into ${plan.team.displayName}?` : `Import ${draft.fileName}: choose the team`,
    summary: plan
      ? 'Nothing has been written to Teams yet. Change a choice and press Update plan to see its effect; Confirm import starts it.'
      : 'Choose the team to import into and press Update plan.',
    problems,
    facts,
    teamId: plan?.team.id ?? draft.teamId ?? '',
    teamChoices: input.teamChoices,
    channels: rows,
    skippedSources: (plan?.skippedChannels ?? []).filter((s) => !s.sourceId).map((s) => `${s.name}: ${s.reason}`),
    users: prepared ? peopleLines(prepared) : [],
    fallbackUserId: input.fallback?.id ?? '',
    fallbackChoices,
    happens: prepared ? happenings(prepared, input.timeZone, draft.completeWhenDone) : ['Nothing yet: choose a team first.'],
    completeWhenDone: draft.completeWhenDone ? 'true' : 'false',
    uploadFiles: draft.uploadFiles ? 'true' : 'false',
    typedConfirmation: canRun && draft.typedRequired && plan ? plan.team.displayName : '',
    typedError: input.typedError ?? '',
    footer: `This plan can be confirmed until ${formatBoth(input.expiresAt, input.timeZone)}.${prepared?.existing ? ` It resumes the unfinished import job ${prepared.existing.id}.` : ''}`,
    actions,
  };
  return { view, shown, sources };
}

export function renderPlanCard(view: ImportPlanView): AdaptiveCardJson {
  return renderCard('import-plan', view);
}
