import type { ImportJobStore } from '../../store/ports/import-jobs';
import type { PendingOperationStore } from '../../store/ports/pending-operations';
import type { FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';
import type { Conversation } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { ImportEngine } from '../import/import-engine';
import { ImportRequestError } from '../import/import-engine';
import { typedConfirmationMatches } from '../bulk/bulk-plan';
import { choicesChanged, choicesFrom, planFingerprint } from './import-draft';
import { ExportDamaged, ExportNotStored, exportLocation } from '../../store/ports/export-files';
import { ExportRefused } from '../../sources/export-reader';
import type { ImportPlanning } from './import-planning';
import type { ImportRuns } from './import-runs';
import { renderProgressCard } from './progress-views';

export interface ImportConfirmDeps {
  guard: OperationGuard;
  store: PendingOperationStore & ImportJobStore;
  engine: ImportEngine;
  planning: ImportPlanning;
  runs: ImportRuns;
}

/**
 * Confirm import on a plan card. In order: the presser is an admin (re-checked now) and the one
 * who asked; the inputs are the choices the plan was made with (otherwise the new plan is shown
 * and nothing starts); the typed team name when the import is large; the operation is claimed once;
 * the plan is made again from the export and the tenant as they are now, and only a clean plan
 * becomes a job. The job then runs in the background and this card becomes its progress card.
 */
export class ImportConfirm {
  constructor(private readonly deps: ImportConfirmDeps) {}

  async confirm(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const { deps } = this;
    const { who } = conversation;
    const loaded = await deps.planning.loadForPress(who, data.opId, 'importConfirm');
    if (!('op' in loaded)) return loaded;
    const { op, draft } = loaded;
    const next = choicesFrom(draft, data);
    if (choicesChanged(draft, next)) {
      if (!(await deps.store.cancelPending(op.id))) return deps.guard.alreadyHandled(op.id);
      return deps.planning.showOrRefuse(who, next);
    }
    if (draft.typedRequired && !typedConfirmationMatches(draft.teamName ?? '', data.typedConfirmation)) {
      if (!(await deps.store.cancelPending(op.id))) return deps.guard.alreadyHandled(op.id);
      const typed = typeof data.typedConfirmation === 'string' ? data.typedConfirmation.trim().slice(0, 100) : '';
      return deps.planning.show(
        who,
        draft,
        undefined,
        `${typed ? `"${typed}" is not the team's name. ` : ''}Type ${draft.teamName ?? 'the team name'} exactly to confirm. Nothing was started.`,
      );
    }
    const claimed = await deps.guard.claimForButton(who, op.id, ['import'], 'importConfirm');
    if (!('state' in claimed)) return claimed;
    try {
      const planned = await deps.planning.plan(draft);
      const prepared = planned.prepared;
      const changed = !prepared || planned.problems.length > 0 || prepared.plan.problems.length > 0 || planFingerprint(prepared) !== draft.planKey;
      if (changed) {
        // The export, the team or the tenant changed since the plan was shown: show the plan as it is now.
        await deps.store.finishPending(op.id, 'cancelled', null);
        return deps.planning.show(
          who,
          draft,
          planned,
          'The team, its channels or the export changed since this plan was shown: this is the plan as it is now. Nothing was started; press Confirm import to start this one.',
        );
      }
      if (prepared.existing?.origin === 'cli') {
        await deps.store.finishPending(op.id, 'cancelled', null);
        return text(
          `This export is being imported into ${prepared.plan.team.displayName} from the command line (import job ${prepared.existing.id}, ${prepared.existing.state}). Resume it where it was started: npm run import -- run … with the same choices. Nothing was started here.`,
        );
      }
      // The plan card becomes the progress card: the job updates this message from now on (a resumed
      // job's card moves here too, with the conversation it is in).
      const { job, resumed } = await deps.engine.start(prepared, {
        requestedBy: { aadObjectId: who.aadObjectId, name: who.name },
        origin: 'teams',
        exportLocation: exportLocation(draft.exportId),
        conversationId: who.conversationId,
        conversationReference: conversation.reference,
        progressActivityId: claimed.activityId ?? conversation.replyToId ?? null,
      });
      await deps.store.finishPending(op.id, 'done', { jobId: job.id });
      const started = job;
      await deps.runs.launch(started);
      return card(
        renderProgressCard({
          job: started,
          targets: await deps.store.listImportTargets(job.id),
          rate: () => 0,
          timeZone: who.timeZone,
          notice: resumed ? 'This export was being imported into this team already: that import resumes where it stopped.' : 'Starting…',
        }),
      );
    } catch (err) {
      await deps.store.finishPending(op.id, 'cancelled', null).catch(() => undefined);
      if (err instanceof ImportRequestError) return text(`${err.message}\nNothing was started.`);
      if (err instanceof ExportNotStored || err instanceof ExportDamaged || err instanceof ExportRefused)
        return text(`${draft.fileName}: ${err.message} Nothing was started.`);
      throw err;
    }
  }
}
