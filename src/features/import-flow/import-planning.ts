import type { TeamsDirectory } from '../../graph/teams-directory';
import type { UsersDirectory } from '../../graph/users-directory';
import { ExportRefused } from '../../sources/export-reader';
import { ExportDamaged, ExportNotStored } from '../../store/ports/export-files';
import type { PendingOperation, PendingOperationStore } from '../../store/ports/pending-operations';
import type { ActingContext, FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';
import { renderOutcome } from '../../cards/renderer';
import type { Conversation } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { ImportEngine, PreparedImport } from '../import/import-engine';
import { ImportRequestError } from '../import/import-engine';
import { choicesFrom, planFingerprint, readDraft, type ImportDraft } from './import-draft';
import type { ExportUploads } from './export-uploads';
import { planView, renderPlanCard } from './plan-views';

/** Teams listed in the picker before the admin types (type-ahead finds the others). */
const STATIC_TEAMS = 15;

export interface ImportPlanningDeps {
  guard: OperationGuard;
  store: PendingOperationStore;
  engine: ImportEngine;
  uploads: ExportUploads;
  directory: TeamsDirectory;
  users: UsersDirectory;
  /** More messages than this need the team's name typed to confirm. */
  typedConfirmationAbove: number;
}

/** A plan for a draft: the engine's plan, or why there is none. */
export interface DraftPlan {
  prepared: PreparedImport | null;
  problems: string[];
  fallback: { id: string; displayName: string } | null;
}

export const UNREADABLE_DRAFT = 'This plan was made by another version of the bot and cannot be read. Attach the export again to get a new plan.';

/**
 * The plan card of an uploaded export: made when the file arrives, made again (a new card, the old
 * one retired) whenever the admin changes a choice and presses Update plan, discarded on request.
 * Everything here reads — the export, the team, the tenant's users — and nothing is written to
 * Graph; Confirm (ImportConfirm) is where the import begins.
 */
export class ImportPlanning {
  constructor(private readonly deps: ImportPlanningDeps) {}

  /** The engine's plan for a draft; an archive refusal is thrown (the caller tells the admin and drops the upload). */
  async plan(draft: ImportDraft): Promise<DraftPlan> {
    if (!draft.teamId) return { prepared: null, problems: [], fallback: null };
    const exportPath = await this.deps.uploads.localPath(draft.exportId);
    const request = {
      exportPath,
      fileName: draft.fileName,
      sha256: draft.sha256,
      team: draft.teamId,
      maps: Object.entries(draft.maps).map(([source, target]) => `${source}=${target}`),
      fallbackUser: draft.fallbackUserId,
      completeWhenDone: draft.completeWhenDone,
      uploadFiles: draft.uploadFiles,
    };
    const problems: string[] = [];
    try {
      const prepared = await this.deps.engine.prepare(request);
      return { prepared, problems, fallback: prepared.plan.fallback };
    } catch (err) {
      if (!(err instanceof ImportRequestError)) throw err;
      problems.push(err.message);
      // A fallback user that is not found should not hide the rest of the plan.
      if (draft.fallbackUserId) {
        try {
          const prepared = await this.deps.engine.prepare({ ...request, fallbackUser: null });
          return { prepared, problems, fallback: null };
        } catch (again) {
          if (!(again instanceof ImportRequestError)) throw again;
          if (again.message !== err.message) problems.push(again.message);
        }
      }
      return { prepared: null, problems, fallback: null };
    }
  }

  /** The plan card for `draft`, as a new pending operation (its id is all the card carries). */
  async show(who: ActingContext, draft: ImportDraft, planned?: DraftPlan, typedError?: string): Promise<FlowReply> {
    const p = planned ?? (await this.plan(draft));
    const teamChoices = (await this.deps.directory.searchTeams('', STATIC_TEAMS).catch(() => [])).map((t) => ({ title: t.displayName, value: t.id }));
    const chosen = p.prepared?.plan.team;
    if (chosen && !teamChoices.some((c) => c.value === chosen.id)) teamChoices.unshift({ title: chosen.displayName, value: chosen.id });
    const problems = [...p.problems];
    if (draft.teamAsked && !draft.teamId) problems.unshift(`No team is named "${draft.teamAsked}". Choose the team below.`);
    const sends = p.prepared?.plan.sends ?? 0;
    const typedRequired = sends > this.deps.typedConfirmationAbove;
    const viewOf = (opId: string, expiresAt: string) =>
      planView({
        draft: { ...draft, typedRequired },
        prepared: p.prepared,
        problems,
        teamChoices,
        fallback: p.fallback,
        admin: who.aadObjectId && who.name ? { id: who.aadObjectId, displayName: who.name } : null,
        opId,
        expiresAt,
        timeZone: who.timeZone,
        typedError,
      });
    // What the card shows for each channel input is kept with the draft (an input left as shown is no choice).
    const { shown, sources } = viewOf('', new Date().toISOString());
    const stored: ImportDraft = {
      ...draft,
      teamId: p.prepared?.plan.team.id ?? draft.teamId,
      teamName: p.prepared?.plan.team.displayName ?? null,
      fallbackUserId: p.fallback?.id ?? (p.prepared ? null : draft.fallbackUserId),
      shown,
      sources,
      sends,
      typedRequired,
      planKey: planFingerprint(p.prepared),
    };
    return this.deps.guard.create(who, 'import', { ...stored }, `Import ${draft.fileName}`, (opId, expiresAt) => renderPlanCard(viewOf(opId, expiresAt).view));
  }

  /**
   * Loads the plan card's operation for a press by its requester, admin re-checked: the operation
   * and its draft, or the reply to show instead. Nothing is claimed.
   */
  async loadForPress(who: ActingContext, opId: unknown, attempted: string): Promise<{ op: PendingOperation; draft: ImportDraft } | FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, attempted, { button: attempted });
    if (refusal) return refusal;
    const op = await this.deps.guard.load(who, opId, ['import']);
    if (!('state' in op)) return op;
    const notYours = this.deps.guard.refuseNonRequester(op, who);
    if (notYours) return notYours;
    if (op.state !== 'pending') return this.deps.guard.alreadyHandled(op.id);
    const draft = readDraft(op.payload);
    if (!draft) return text(UNREADABLE_DRAFT);
    return { op, draft };
  }

  /** Update plan: the admin's choices applied, a new plan card in place of the old one. */
  async update(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const loaded = await this.loadForPress(conversation.who, data.opId, 'importPlan');
    if (!('op' in loaded)) return loaded;
    if (!(await this.deps.store.cancelPending(loaded.op.id))) return this.deps.guard.alreadyHandled(loaded.op.id);
    return this.showOrRefuse(conversation.who, choicesFrom(loaded.draft, data));
  }

  /** Shows the plan card, or says why the export cannot be imported at all (and drops the upload). */
  async showOrRefuse(who: ActingContext, draft: ImportDraft): Promise<FlowReply> {
    try {
      return await this.show(who, draft);
    } catch (err) {
      if (err instanceof ExportNotStored || err instanceof ExportDamaged) return text(`${draft.fileName}: ${err.message} Nothing was written.`);
      if (!(err instanceof ExportRefused)) throw err;
      await this.deps.uploads.delete(draft.exportId).catch(() => undefined);
      return text(`${draft.fileName} cannot be imported: ${err.message} Nothing was written; the upload was deleted.`);
    }
  }

  /** Discard: the plan card retired and the upload deleted; nothing was written to Teams. */
  async discard(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const loaded = await this.loadForPress(conversation.who, data.opId, 'importDiscard');
    if (!('op' in loaded)) return loaded;
    if (!(await this.deps.store.cancelPending(loaded.op.id))) return this.deps.guard.alreadyHandled(loaded.op.id);
    await this.deps.store.finishPending(loaded.op.id, 'cancelled', null);
    await this.deps.uploads.delete(loaded.draft.exportId).catch(() => undefined);
    return card(
      renderOutcome({
        title: `Import discarded: ${loaded.draft.fileName}`,
        summary: 'Nothing was written to Teams and the uploaded export was deleted. Attach it again to start over.',
      }),
    );
  }

  /** The fallback user type-ahead (admins only, like the team picker). */
  async searchUsers(conversation: Conversation, queryText: string, count: number): Promise<{ title: string; value: string }[]> {
    if (await this.deps.guard.refuseNonAdmin(conversation.who, 'search', {})) return [];
    const users = await this.deps.users.searchUsers(typeof queryText === 'string' ? queryText : '', Math.min(Math.max(count || 15, 1), 15));
    return users.map((u) => ({ title: u.displayName, value: u.id }));
  }
}
