import { renderCard, type OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../domain/explain-failure';
import { decidedFailure, mayHaveTakenEffect, type GraphFailure } from '../../domain/graph-failure';
import { readStartPayload, type StartPayload } from '../../domain/pending-payloads';
import { startProblem, startProblemMessage, type StartFacts, type StartProblem } from '../../domain/start-problem';
import { startTookEffect } from '../../domain/took-effect';
import { snapshotOf, targetKey, threadKindLabel, type TargetRef, type ThreadSnapshot } from '../../domain/targets';
import { formatBoth } from '../../domain/parse/dates';
import type { TargetSpec } from '../../domain/parse/command-parser';
import { GraphCallError, toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import { recentCompletionOf } from '../shared/recent-completion';
import type { LedgerStore } from '../../store/ports/ledger';
import type { ConversationPlace, ResolvedTarget, TargetResolver } from '../shared/target-resolver';
import type { ActingContext, FlowReply, LedgerFacts } from '../shared/acting';
import { ledgerEntry, text } from '../shared/acting';
import { errorFacts } from '../shared/error-facts';
import type { OperationGuard } from '../shared/operation-guard';
import { nothingChanged, settleWrite } from '../shared/settle-write';

/** What the start flow needs: the guard and resolver, the Graph ports, the ledger, and its settings. */
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

function threadOf(target: ResolvedTarget): Channel | Chat {
  return target.kind === 'channel' ? target.channel : target.chat;
}

/** The pre-flight facts of a resolved thread (no cool-down: that needs the ledger). */
function startFactsOf(target: ResolvedTarget, since: string | null): StartFacts {
  return { thread: threadOf(target), chatType: target.kind === 'chat' ? target.chat.chatType : null, since };
}

/**
 * The thread rules of the start pre-flight (meeting chat, already in migration, date not earlier)
 * on a resolved target, with the rule that fired and the refusal an admin reads. The form uses the
 * rule to put the message next to the field it is about.
 */
export function preflightProblem(
  target: ResolvedTarget,
  since: string | null,
  timeZone: string | null,
): { rule: StartProblem['rule']; message: string } | null {
  const problem = startProblem(startFactsOf(target, since));
  return problem && { rule: problem.rule, message: startProblemMessage(problem, target.displayName, timeZone, Date.now()) };
}

/** A pre-flight refusal the bot makes itself, in the shape of a Graph failure so the card and ledger show it alike. */
function refusalFailure(code: string, message: string): GraphFailure {
  return decidedFailure(400, code, message);
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
    const problem = await this.problemOf(target.ref, startFactsOf(target, since));
    if (problem) return text(startProblemMessage(problem, target.displayName, who.timeZone, this.nowMs()));
    const thread = threadOf(target);
    const payload: StartPayload = {
      target: target.ref,
      targetName: target.displayName,
      targetKind: threadKindLabel(target),
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

  private nowMs(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * The whole start pre-flight. The thread rules come first and the ledger is only read when they
   * pass, so a thread that cannot start anyway costs no store read.
   */
  private async problemOf(target: TargetRef, facts: StartFacts): Promise<StartProblem | null> {
    const onThread = startProblem(facts);
    if (onThread) return onThread;
    const recentCompletion = await recentCompletionOf(this.deps.store, target, facts.thread, this.deps.restartCooldownMinutes, this.nowMs());
    if (!recentCompletion) return null;
    return startProblem({ ...facts, recentCompletion });
  }

  /** Runs the confirmed operation exactly once, however often Confirm is pressed. */
  async confirm(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const claimed = await this.deps.guard.claimForButton(who, opId, ['start'], 'start');
    if (!('state' in claimed)) return claimed;
    const payload = readStartPayload(claimed.payload);
    // Only this flow writes start payloads; one it cannot read is a bug, not an admin's mistake.
    if (!payload) throw new Error(`pending operation ${claimed.id} does not hold a start payload`);
    const { view, ledger } = await this.execute(who, payload);
    return this.deps.guard.finish(claimed, view, ledgerEntry(who, ledger));
  }

  /** Re-checks live state, calls startMigration once, reconciles an unknown outcome; answers with the card and its ledger line. */
  private async execute(who: ActingContext, payload: StartPayload): Promise<{ view: Pick<OutcomeView, 'title'> & Partial<OutcomeView>; ledger: LedgerFacts }> {
    const { target } = payload;
    const since = payload.conversationCreationDateTime;
    let before: ThreadSnapshot | null = payload.before;
    const audit = (
      outcome: 'succeeded' | 'failed' | 'unknown',
      after: ThreadSnapshot | null,
      failure: GraphFailure | null,
      requestId: string | null,
    ): LedgerFacts => ({
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
    let live: ThreadSnapshot;
    try {
      live = snapshotOf(await this.deps.directory.getThread(target));
      before = live;
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      return fail(failure, explainFailure(failure, 'read'));
    }
    // The card was shown, so it is not a meeting chat; the rest may have changed since.
    const problem = await this.problemOf(target, { thread: live, since });
    if (problem?.rule === 'already-in-migration') {
      const failure = refusalFailure('AlreadyInMigration', 'The thread entered migration mode after the confirmation was shown.');
      return fail(failure, `"${payload.targetName}" entered migration mode after this card was shown (someone else started it). Nothing was changed.`);
    }
    if (problem?.rule === 'date-not-earlier') {
      const failure = refusalFailure('DateNotEarlier', 'The creation date moved after the confirmation was shown.');
      return fail(
        failure,
        `"${payload.targetName}"'s creation date is now ${formatBoth(live.createdDateTime, who.timeZone)}, not earlier than ${formatBoth(since, who.timeZone)}. Nothing was changed.`,
      );
    }
    // A completion may have happened since the card was shown.
    if (problem) {
      const failure = refusalFailure('RecentlyCompleted', 'This bot completed the thread moments ago.');
      return fail(failure, startProblemMessage(problem, payload.targetName, who.timeZone, this.nowMs()));
    }

    let requestId: string | null;
    let reconciled = false;
    try {
      requestId = (await this.deps.migration.startMigration(target, since)).requestId;
    } catch (err) {
      const failure = (err instanceof GraphCallError ? err : toGraphCallError(err)).failure;
      // A timeout, a reset or a retried 5xx may hide a start that did happen; a retry of ours that
      // then sees "already in migration" must not be reported as someone else's migration.
      if (!mayHaveTakenEffect(failure, 'start')) return fail(failure, explainFailure(failure, 'start'));
      const settled = await settleWrite(this.deps.directory, target, (now) => startTookEffect(now, since));
      if (settled.state === 'unreadable') return fail({ ...failure, outcomeUnknown: true }, explainFailure({ ...failure, code: 'Timeout' }, 'start'));
      if (settled.state === 'not-happened') {
        return failure.outcomeUnknown ? fail({ ...failure, outcomeUnknown: false }, nothingChanged(failure)) : fail(failure, explainFailure(failure, 'start'));
      }
      reconciled = true;
      requestId = failure.requestId;
      this.deps.logger.warn(
        { flow: 'start', target: targetKey(target), code: failure.code },
        'startMigration outcome was unknown; reconciled by reading the thread',
      );
    }

    let after: ThreadSnapshot | null = null;
    try {
      after = snapshotOf(await this.deps.directory.getThread(target));
    } catch (err) {
      this.deps.logger.warn(
        { flow: 'start', target: targetKey(target), code: toGraphCallError(err).failure.code },
        'could not read the thread back after startMigration',
      );
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
        { title: 'createdDateTime', value: formatBoth(after?.createdDateTime ?? since ?? before?.createdDateTime, tz) },
        { title: 'originalCreatedDateTime', value: formatBoth(after?.originalCreatedDateTime ?? before?.createdDateTime, tz) },
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
