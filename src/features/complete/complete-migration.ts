import { renderCard } from '../../cards/renderer';
import { explainFailure } from '../../domain/explain-failure';
import { mayHaveTakenEffect } from '../../domain/graph-failure';
import { formatBoth } from '../../domain/parse/dates';
import type { TargetSpec } from '../../domain/parse/command-parser';
import { readCompletePayload, type CompletePayload } from '../../domain/pending-payloads';
import { snapshotOf, targetKey, threadKindLabel, type ThreadSnapshot } from '../../domain/targets';
import { completeTookEffect } from '../../domain/took-effect';
import { toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import { ledgerEntry, text, type ActingContext, type FlowReply } from '../shared/acting';
import { resolveAsAdmin } from '../shared/admin-target';
import { errorFacts } from '../shared/error-facts';
import type { OperationGuard } from '../shared/operation-guard';
import { nothingChanged, settleWrite } from '../shared/settle-write';
import type { ConversationPlace, TargetResolver } from '../shared/target-resolver';

/** What completing a migration needs: the guard, the resolver, the Graph ports and the migration app's id. */
export interface CompleteMigrationDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  migrationAppId: string;
}

/**
 * Ending a migration: `complete <target>` (or the Complete button) pre-flights and shows a
 * confirmation card; Confirm calls `completeMigration` once, reads the thread back, settles a lost
 * or ambiguous answer by reading the thread, and writes the ledger line of the completion.
 */
export class CompleteMigrationFlow {
  constructor(private readonly deps: CompleteMigrationDeps) {}

  /** `complete <target>` and the Complete button: pre-flight, then a confirmation card. */
  async ask(who: ActingContext, spec: TargetSpec, place: ConversationPlace, command: string): Promise<FlowReply> {
    const target = await resolveAsAdmin(this.deps, who, spec, place, 'complete', command);
    if (!('ref' in target)) return target;
    const thread: Channel | Chat = target.kind === 'channel' ? target.channel : target.chat;
    if (thread.migrationMode !== 'inProgress') {
      return text(
        thread.migrationMode === 'completed'
          ? `"${target.displayName}" already completed its migration; there is nothing to complete.`
          : `"${target.displayName}" is not in migration mode (it was never started), so there is nothing to complete.`,
      );
    }
    const payload: CompletePayload = { target: target.ref, targetName: target.displayName, targetKind: threadKindLabel(target) };
    const title = 'Complete migration?';
    return this.deps.guard.create(who, 'complete', payload, title, (opId, expiresAt) =>
      renderCard('confirm', {
        title,
        facts: [
          { title: 'Target', value: `${target.displayName} (${payload.targetKind})` },
          { title: 'createdDateTime', value: formatBoth(thread.createdDateTime, who.timeZone) },
        ],
        warning: '',
        bullets: [
          'The import banner goes away and members can post again.',
          'No more history can be imported with its original timestamps unless a new migration is started.',
          `Only the app that started the migration can complete it; this bot uses ${this.deps.migrationAppId}.`,
        ],
        typedConfirmation: '',
        typedError: '',
        expires: formatBoth(expiresAt, who.timeZone),
        confirmTitle: 'Complete',
        confirmVerb: 'completeConfirm',
        opId,
      }),
    );
  }

  /** Confirmed: `completeMigration` once, the thread read back, the ledger written. */
  async confirm(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const claimed = await this.deps.guard.claimForButton(who, opId, ['complete'], 'complete');
    if (!('state' in claimed)) return claimed;
    const payload = readCompletePayload(claimed.payload);
    // Only this flow writes complete payloads; one it cannot read is a bug, not an admin's mistake.
    if (!payload) throw new Error(`pending operation ${claimed.id} does not hold a complete payload`);
    const read = () => this.deps.directory.getThread(payload.target);
    let before: ThreadSnapshot | null = null;
    try {
      before = snapshotOf(await read());
    } catch {
      // The write below reports the real problem; `before` is only for the ledger.
    }
    const base = { action: 'complete' as const, target: payload.target, targetKey: targetKey(payload.target), parameters: {}, jobId: null, before };
    const succeed = (requestId: string | null, after: ThreadSnapshot | null, reconciled: boolean) =>
      this.deps.guard.finish(
        claimed,
        {
          title: `Migration completed: ${payload.targetName}`,
          color: 'Good',
          summary: reconciled
            ? 'Graph did not confirm the call, but reading the thread back shows the migration is completed: the thread is unlocked.'
            : 'The thread is unlocked: the import banner is gone and members can post again.',
          facts: [
            { title: 'migrationMode', value: after?.migrationMode ?? 'completed (not read back)' },
            { title: 'createdDateTime', value: formatBoth(after?.createdDateTime ?? before?.createdDateTime, who.timeZone) },
            { title: 'Completed by', value: who.name ?? who.aadObjectId ?? 'unknown' },
            { title: 'request-id', value: requestId ?? 'none' },
          ],
        },
        ledgerEntry(who, { ...base, outcome: 'succeeded', error: null, requestId, after }),
      );
    // Only the Graph call is inside the try: a failure to record the outcome must not be taken for
    // a failed completion (and reconciled and recorded a second time).
    let completed: { requestId: string | null } | null = null;
    let callError: unknown = null;
    try {
      completed = await this.deps.migration.completeMigration(payload.target);
    } catch (err) {
      callError = err;
    }
    if (completed) {
      let after: ThreadSnapshot | null = null;
      try {
        after = snapshotOf(await read());
      } catch {
        // Completed all the same; the card says the state was not read back.
      }
      return succeed(completed.requestId, after, false);
    }
    const failure = toGraphCallError(callError).failure;
    let summary = explainFailure(failure, 'complete');
    let outcome: 'failed' | 'unknown' = failure.outcomeUnknown ? 'unknown' : 'failed';
    // A lost answer, or graph-client's retry of a completion that had worked ("not in migration"),
    // is settled by reading the thread.
    if (before?.migrationMode === 'inProgress' && mayHaveTakenEffect(failure, 'complete')) {
      const settled = await settleWrite(this.deps.directory, payload.target, completeTookEffect);
      if (settled.state === 'happened') return succeed(failure.requestId, settled.snapshot, true);
      if (settled.state === 'not-happened' && failure.outcomeUnknown) {
        summary = nothingChanged(failure);
        outcome = 'failed';
      }
    }
    return this.deps.guard.finish(
      claimed,
      {
        title: `Migration not completed: ${payload.targetName}`,
        color: 'Attention',
        summary,
        errorFacts: errorFacts(failure),
      },
      ledgerEntry(who, {
        ...base,
        outcome,
        error: { status: failure.status, code: failure.code, message: failure.message },
        requestId: failure.requestId,
        after: null,
      }),
    );
  }
}
