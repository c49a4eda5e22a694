import { renderCard, renderOutcome, OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../graph/explain-failure';
import { GraphCallError, GraphFailure, toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import { snapshotOf } from '../../domain/targets';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import { minutesUntil, restartCooldown } from '../../domain/restart-cooldown';
import { lastCompletion } from '../../store/ledger-queries';
import type { LedgerStore } from '../../store/ports/ledger';
import { TargetRef, targetKey, ThreadSnapshot } from '../../domain/targets';
import { formatBoth } from '../../domain/parse/dates';
import type { TargetSpec } from '../../domain/parse/command-parser';
import type { ConversationPlace, ResolvedTarget, TargetResolver } from '../shared/target-resolver';
import { ActingContext, FlowReply, LedgerFacts, ledgerEntry, text } from '../shared/acting';
import type { OperationGuard } from '../shared/operation-guard';
import { mayHaveHappened, nothingChanged, settleWrite } from '../shared/settle-write';

export interface StartMigrationDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: LedgerStore;
  logger: Logger;
  migrationAppId: string;
  /** Minutes a start waits after this bot completed the same thread (0: no wait). */
  restartCooldownMinutes: number;
  now?: () => number;
}

/** What the confirmation card promised; kept on the server under an opaque id. */
interface StartPayload {
  target: TargetRef;
  targetName: string;
  targetKind: string;
  conversationCreationDateTime: string | null;
  before: ThreadSnapshot;
  [key: string]: unknown;
}

export function kindLabel(target: ResolvedTarget): string {
  if (target.kind === 'channel') return `${target.channel.membershipType ?? 'standard'} channel`;
  const t = target.chat.chatType;
  return t === 'oneOnOne' ? 'one-on-one chat' : t === 'meeting' ? 'meeting chat' : 'group chat';
}

function threadOf(target: ResolvedTarget): Channel | Chat {
  return target.kind === 'channel' ? target.channel : target.chat;
}

/** Reasons a thread cannot be put into migration mode, found before anything is written. */
export function preflightProblem(target: ResolvedTarget, since: string | null, timeZone: string | null): string | null {
  const thread = threadOf(target);
  if (target.kind === 'chat' && target.chat.chatType === 'meeting') {
    return `"${target.displayName}" is a meeting chat. Graph does not support migration mode for meeting chats.`;
  }
  if (thread.migrationMode === 'inProgress') {
    return `"${target.displayName}" is already in migration mode (creation date ${formatBoth(thread.createdDateTime, timeZone)}). Complete that migration first, or import with the app that started it.`;
  }
  if (since && thread.createdDateTime && Date.parse(since) >= Date.parse(thread.createdDateTime)) {
    return `The date ${formatBoth(since, timeZone)} is not earlier than "${target.displayName}"'s current creation date, ${formatBoth(thread.createdDateTime, timeZone)}. Choose an earlier date: the creation date can only move back in time.`;
  }
  return null;
}

/**
 * Why a start on this thread must wait (this bot completed it moments ago, spec §4), in words an
 * admin can act on; null when it may start now.
 */
export async function restartWaitProblem(store: LedgerStore, target: TargetRef, name: string, cooldownMinutes: number, nowMs: number, timeZone: string | null): Promise<string | null> {
  if (cooldownMinutes <= 0) return null;
  const wait = restartCooldown(await lastCompletion(store, targetKey(target), new Date(nowMs - cooldownMinutes * 60_000).toISOString()), nowMs, cooldownMinutes);
  if (!wait) return null;
  return `"${name}" was completed by this bot ${formatBoth(wait.completedAt, timeZone)}. A thread completed and started again straight away can get stuck in migration mode with no way to reset it, so a new start waits ${cooldownMinutes} minutes after a completion. Try again after ${formatBoth(wait.retryAt, timeZone)} (in about ${minutesUntil(wait.retryAt, nowMs)} minutes). Nothing was changed.`;
}

/** The error facts every failure card shows: code, request id and date. */
export function errorFacts(failure: GraphFailure): OutcomeView['errorFacts'] {
  return [
    { title: 'Graph error', value: failure.status ? `${failure.status} ${failure.code}` : failure.code },
    { title: 'request-id', value: failure.requestId ?? 'none' },
    { title: 'Date', value: failure.date },
  ];
}

/**
 * The core use case: an admin asks to put a channel or chat into migration mode, sees a
 * confirmation card, and confirms. The admin role is checked when asking and again when the
 * button is pressed; the card carries only an opaque id, so what runs is what was shown.
 */
export class StartMigrationFlow {
  constructor(private readonly deps: StartMigrationDeps) {}

  /** Admin check, target resolution and pre-flight; answers with a confirmation card or a refusal. */
  async prepare(who: ActingContext, spec: TargetSpec, since: string | null, place: ConversationPlace, commandText: string): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'start', { command: commandText.slice(0, 500) });
    if (refusal) return refusal;
    const resolved = await this.deps.resolver.resolve(spec, place);
    if (!resolved.ok) return text(resolved.message);
    return this.confirmation(who, resolved.value, since);
  }

  /** Pre-flights an already resolved target (the form uses this) and shows the confirmation card. */
  async confirmation(who: ActingContext, target: ResolvedTarget, since: string | null): Promise<FlowReply> {
    const problem = preflightProblem(target, since, who.timeZone) ?? (await this.restartWait(target.ref, target.displayName, who.timeZone));
    if (problem) return text(problem);
    const thread = threadOf(target);
    const payload: StartPayload = {
      target: target.ref,
      targetName: target.displayName,
      targetKind: kindLabel(target),
      conversationCreationDateTime: since,
      before: snapshotOf(thread),
    };
    return this.deps.guard.create(who, 'start', payload, 'Start migration?', (opId, expiresAt) =>
      renderCard('confirm-start', {
        opId,
        targetName: payload.targetName,
        targetKind: payload.targetKind,
        currentCreated: formatBoth(thread.createdDateTime, who.timeZone),
        newCreated: since ? formatBoth(since, who.timeZone) : 'unchanged (no date given)',
        requestedBy: who.name ?? 'an administrator',
        noDateWarning: since
          ? ''
          : `No date was given: the creation date stays ${formatBoth(thread.createdDateTime, who.timeZone)}, so nothing older than that can be imported. To import older history, cancel and add "since <date>".`,
        migrationAppId: this.deps.migrationAppId,
        expires: formatBoth(expiresAt, who.timeZone),
      }),
    );
  }

  private restartWait(target: TargetRef, name: string, timeZone: string | null): Promise<string | null> {
    return restartWaitProblem(this.deps.store, target, name, this.deps.restartCooldownMinutes, (this.deps.now ?? Date.now)(), timeZone);
  }

  /** Runs the confirmed operation exactly once, however often Confirm is pressed. */
  async confirm(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const claimed = await this.deps.guard.claimForButton(who, opId, ['start'], 'start');
    if (!('state' in claimed)) return claimed;
    const { view, ledger } = await this.execute(who, claimed.payload as StartPayload);
    return this.deps.guard.finish(claimed.id, view, ledgerEntry(who, ledger));
  }

  /** Re-checks live state, calls startMigration once, reconciles an unknown outcome; answers with the card and its ledger line. */
  private async execute(who: ActingContext, payload: StartPayload): Promise<{ view: Pick<OutcomeView, 'title'> & Partial<OutcomeView>; ledger: LedgerFacts }> {
    const { target } = payload;
    const since = payload.conversationCreationDateTime;
    let before: ThreadSnapshot = payload.before;
    const audit = (outcome: 'succeeded' | 'failed' | 'unknown', after: ThreadSnapshot | null, failure: GraphFailure | null, requestId: string | null): LedgerFacts => ({
      action: 'start',
      target,
      targetKey: targetKey(target),
      parameters: { conversationCreationDateTime: since },
      outcome,
      error: failure ? { status: failure.status, code: failure.code, message: failure.message } : null,
      requestId,
      before,
      after,
      jobId: null,
    });
    const fail = (failure: GraphFailure, explanation: string) => ({
      ledger: audit(failure.outcomeUnknown ? 'unknown' : 'failed', null, failure, failure.requestId),
      view: {
        title: `Migration not started: ${payload.targetName}`,
        color: 'Attention' as const,
        summary: explanation,
        facts: [{ title: 'Target', value: `${payload.targetName} (${payload.targetKind})` }],
        errorFacts: errorFacts(failure),
      },
    });

    // State may have changed since the card was shown; pre-flight again on live data.
    try {
      const live = snapshotOf(await this.deps.directory.getThread(target));
      before = live;
      if (live.migrationMode === 'inProgress') {
        const failure: GraphFailure = { status: 400, code: 'AlreadyInMigration', message: 'The thread entered migration mode after the confirmation was shown.', requestId: null, date: new Date().toISOString(), outcomeUnknown: false };
        return fail(failure, `"${payload.targetName}" entered migration mode after this card was shown (someone else started it). Nothing was changed.`);
      }
      if (since && live.createdDateTime && Date.parse(since) >= Date.parse(live.createdDateTime)) {
        const failure: GraphFailure = { status: 400, code: 'DateNotEarlier', message: 'The creation date moved after the confirmation was shown.', requestId: null, date: new Date().toISOString(), outcomeUnknown: false };
        return fail(failure, `"${payload.targetName}"'s creation date is now ${formatBoth(live.createdDateTime, who.timeZone)}, not earlier than ${formatBoth(since, who.timeZone)}. Nothing was changed.`);
      }
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      return fail(failure, explainFailure(failure, 'read'));
    }
    // A completion may have happened since the card was shown.
    const wait = await this.restartWait(target, payload.targetName, who.timeZone);
    if (wait) {
      const failure: GraphFailure = { status: 400, code: 'RecentlyCompleted', message: 'This bot completed the thread moments ago.', requestId: null, date: new Date().toISOString(), outcomeUnknown: false };
      return fail(failure, wait);
    }

    let requestId: string | null = null;
    let reconciled = false;
    try {
      requestId = (await this.deps.migration.startMigration(target, since)).requestId;
    } catch (err) {
      const failure = (err instanceof GraphCallError ? err : toGraphCallError(err)).failure;
      // A timeout, a reset or a retried 5xx may hide a start that did happen; a retry of ours that
      // then sees "already in migration" must not be reported as someone else's migration.
      if (!mayHaveHappened(failure, /already/i)) return fail(failure, explainFailure(failure, 'start'));
      const settled = await settleWrite(this.deps.directory, target, (now) =>
        now.migrationMode === 'inProgress' && (!since || (now.createdDateTime !== null && Date.parse(now.createdDateTime) === Date.parse(since))),
      );
      if (settled.state === 'unreadable') return fail({ ...failure, outcomeUnknown: true }, explainFailure({ ...failure, code: 'Timeout' }, 'start'));
      if (settled.state === 'not-happened') {
        return failure.outcomeUnknown ? fail({ ...failure, outcomeUnknown: false }, nothingChanged(failure)) : fail(failure, explainFailure(failure, 'start'));
      }
      reconciled = true;
      requestId = failure.requestId;
      this.deps.logger.warn({ flow: 'start', target: targetKey(target), code: failure.code }, 'startMigration outcome was unknown; reconciled by reading the thread');
    }

    let after: ThreadSnapshot | null = null;
    try {
      after = snapshotOf(await this.deps.directory.getThread(target));
    } catch (err) {
      this.deps.logger.warn({ flow: 'start', target: targetKey(target), code: toGraphCallError(err).failure.code }, 'could not read the thread back after startMigration');
    }
    const tz = who.timeZone;
    const view: Pick<OutcomeView, 'title'> & Partial<OutcomeView> = {
      title: `Migration started: ${payload.targetName}`,
      color: 'Good',
      summary: reconciled
        ? 'Graph did not confirm the call, but reading the thread back shows migration mode is on with the requested date.'
        : `${payload.targetKind[0].toUpperCase()}${payload.targetKind.slice(1)} is now in migration mode.`,
      facts: [
        { title: 'Target', value: `${payload.targetName} (${payload.targetKind})` },
        { title: 'migrationMode', value: after?.migrationMode ?? 'inProgress (not read back)' },
        { title: 'createdDateTime', value: formatBoth(after?.createdDateTime ?? since ?? before.createdDateTime, tz) },
        { title: 'originalCreatedDateTime', value: formatBoth(after?.originalCreatedDateTime ?? before.createdDateTime, tz) },
        { title: 'Migration app', value: this.deps.migrationAppId },
        { title: 'Started by', value: who.name ?? who.aadObjectId ?? 'unknown' },
        { title: 'request-id', value: requestId ?? 'none' },
      ],
      nextSteps: [
        `1. Import the history with the same migration app (client id ${this.deps.migrationAppId}); no other app can import into this thread.`,
        '2. When the import is done, complete the migration to remove the banner and unlock the thread.',
      ],
      actions: [
        { title: 'Status', verb: 'status', opId: '', target: targetKey(target) },
        { title: 'Complete migration', verb: 'completeAsk', opId: '', target: targetKey(target) },
      ],
    };
    return { view, ledger: audit('succeeded', after, null, requestId) };
  }
}
