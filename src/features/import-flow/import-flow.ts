import type { TeamsDirectory } from '../../graph/teams-directory';
import type { UsersDirectory } from '../../graph/users-directory';
import type { ImportJobStore } from '../../store/ports/import-jobs';
import type { PendingOperationStore } from '../../store/ports/pending-operations';
import type { FlowReply } from '../shared/acting';
import { text } from '../shared/acting';
import { randomUUID } from 'node:crypto';
import { renderOutcome } from '../../cards/renderer';
import type { Logger } from '../../log/logger';
import type { ButtonHandlers, Conversation, Messenger } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { TargetResolver } from '../shared/target-resolver';
import type { ImportEngine } from '../import/import-engine';
import type { AttachedFile, ImportCommands } from './import-commands';
import { ImportConfirm } from './import-confirm';
import { newDraft } from './import-draft';
import { UploadRefused, type ExportUploads } from './export-uploads';
import { ImportPlanning } from './import-planning';
import type { ImportRuns } from './import-runs';
import { JobControls } from './job-controls';

export interface ImportFlowDeps {
  guard: OperationGuard;
  store: PendingOperationStore & ImportJobStore;
  engine: ImportEngine;
  uploads: ExportUploads;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  users: UsersDirectory;
  runs: ImportRuns;
  /** Posts the plan card after the turn that received the file has answered. */
  messenger: Messenger;
  logger: Logger;
  tenantId: string;
  /** More messages than this need the team's name typed to confirm. */
  typedConfirmationAbove: number;
}

/** File names this bot can import. */
const EXPORT_NAME = /\.(zip|jsonl)$/i;

export const PERSONAL_CHAT_ONLY =
  'Exports are imported from your personal chat with me, where only you see the plan and the progress. Open a chat with me and attach the export there (it was not downloaded).';

const HOW_TO_ATTACH =
  'Attach the export (a Slack export .zip, or a Mattermost bulk export .jsonl or .zip) to a message in this chat, with the text import into "<team>". I show the plan before anything is written.';

/**
 * History import from Teams: an admin attaches an export to the personal chat, reviews the plan
 * card, confirms, watches the progress card and completes. This class checks the upload and hands
 * the rest to its parts: ImportPlanning (the plan card), ImportConfirm (the job starts), ImportRuns
 * (jobs running here) and JobControls (pause, resume, cancel, complete, status). The import's
 * rules are the engine's (features/import), shared with the command line.
 */
export class ImportFlow implements ImportCommands {
  private readonly planning: ImportPlanning;
  private readonly confirmation: ImportConfirm;
  private readonly controls: JobControls;
  /** Attached exports being downloaded and planned, outside the turns that received them. */
  private readonly intake = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: ImportFlowDeps) {
    this.planning = new ImportPlanning({
      guard: deps.guard,
      store: deps.store,
      engine: deps.engine,
      uploads: deps.uploads,
      directory: deps.directory,
      users: deps.users,
      typedConfirmationAbove: deps.typedConfirmationAbove,
    });
    this.confirmation = new ImportConfirm({ guard: deps.guard, store: deps.store, engine: deps.engine, planning: this.planning, runs: deps.runs });
    this.controls = new JobControls({ guard: deps.guard, store: deps.store, runs: deps.runs, tenantId: deps.tenantId });
  }

  /**
   * An export attached to a message. The sender's admin role is checked before anything else, so a
   * non-admin's file is never downloaded; then the place (personal chat only), one file, its name,
   * and the download itself (allowed hosts, size cap). The plan card follows.
   */
  async received(conversation: Conversation, files: AttachedFile[], team: string | null): Promise<FlowReply> {
    const { who } = conversation;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'import upload', { files: files.map((f) => f.name.slice(0, 200)).slice(0, 5) });
    if (refusal) return refusal;
    if (who.conversationKind !== 'personal') return text(PERSONAL_CHAT_ONLY);
    if (files.length !== 1) return text(`Attach one export at a time (this message has ${files.length} files). Nothing was downloaded.`);
    const file = files[0];
    if (!EXPORT_NAME.test(file.name)) {
      return text(
        `${file.name.slice(0, 200)} is not an export I can import. Attach a Slack export (.zip) or a Mattermost bulk export (.jsonl, or a .zip with it). Nothing was downloaded.`,
      );
    }
    // The download and the plan can take minutes (a large export): the turn answers now, and the
    // plan card follows as a message of its own.
    // Copied now: the conversation's reference is read from the turn, which ends when this returns.
    const kept: Conversation = { ...conversation, reference: conversation.reference };
    const work = this.readUpload(kept, file, team).catch((err: unknown) => this.failedUpload(kept, file, err));
    this.intake.add(work);
    void work.finally(() => this.intake.delete(work));
    return text(`Reading ${file.name.slice(0, 200)}… the plan follows here in a moment. Nothing is written to Teams before you confirm it.`);
  }

  /** Downloads the attached export and posts its plan card (or why it cannot be imported). */
  private async readUpload(conversation: Conversation, file: AttachedFile, team: string | null): Promise<void> {
    const { who } = conversation;
    let stored;
    try {
      stored = await this.deps.uploads.fetch(file, { tenantId: who.tenantId ?? '', uploadedBy: who.aadObjectId ?? '' }, this.stopping.signal);
    } catch (err) {
      if (!(err instanceof UploadRefused)) throw err;
      await this.post(conversation, file.name, text(`${file.name.slice(0, 200)} was not imported: ${err.message}`));
      return;
    }
    let teamId: string | null = null;
    if (team) {
      const resolved = await this.deps.resolver.resolveTeam(team);
      if (resolved.ok) teamId = resolved.value.id;
    }
    const draft = newDraft(
      { exportId: stored.id, fileName: stored.fileName, bytes: stored.bytes, sha256: stored.sha256 },
      { id: teamId, asked: team && !teamId ? team.slice(0, 200) : null },
    );
    await this.post(conversation, file.name, await this.planning.showOrRefuse(who, draft));
  }

  /** An error no rule foresaw: logged with a correlation id, and the admin told in plain words. */
  private async failedUpload(conversation: Conversation, file: AttachedFile, err: unknown): Promise<void> {
    const correlationId = randomUUID();
    this.deps.logger.error({ correlationId, err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'reading an attached export failed');
    await this.post(
      conversation,
      file.name,
      text(
        `Something went wrong on my side while reading ${file.name.slice(0, 200)}. Nothing was written to Teams. Attach it again; if it happens again, give your administrator this correlation id: ${correlationId}`,
      ),
    ).catch(() => undefined);
  }

  /** Posts a reply in the conversation outside its turn: a card as it is (its confirmation remembers the message), text as a short card. */
  private async post(conversation: Conversation, fileName: string, reply: FlowReply): Promise<void> {
    if (reply.kind === 'file') return;
    const card = reply.kind === 'card' ? reply.card : renderOutcome({ title: `Import: ${fileName.slice(0, 200)}`, color: 'Attention', summary: reply.text });
    const id = await this.deps.messenger.showCard(conversation.reference, card, null);
    if (reply.kind === 'card' && reply.pendingId && id) await this.deps.store.setPendingActivity(reply.pendingId, id);
  }

  /** Shutdown: downloads under way are cancelled, and what they had written is removed. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.intake]);
  }

  /** Resolves once no attached export is being read (tests wait on it). */
  async whenIdle(): Promise<void> {
    while (this.intake.size > 0) await Promise.allSettled([...this.intake]);
  }

  async withoutFile(conversation: Conversation): Promise<FlowReply> {
    return text(conversation.who.conversationKind === 'personal' ? HOW_TO_ATTACH : PERSONAL_CHAT_ONLY);
  }

  status(conversation: Conversation, jobId: string | null): Promise<FlowReply> {
    return jobId ? this.controls.show(conversation, jobId) : this.controls.list(conversation);
  }

  buttons(): ButtonHandlers {
    return {
      importPlan: (c, data) => this.planning.update(c, data),
      importConfirm: (c, data) => this.confirmation.confirm(c, data),
      importDiscard: (c, data) => this.planning.discard(c, data),
      importShow: (c, data) => this.controls.show(c, data.target),
      importPause: (c, data) => this.controls.pause(c, data),
      importResume: (c, data) => this.controls.resume(c, data),
      importCancel: (c, data) => this.controls.cancel(c, data),
      importCompleteAll: (c, data) => this.controls.completeAll(c, data),
    };
  }

  searchUsers(conversation: Conversation, queryText: string, count: number): Promise<{ title: string; value: string }[]> {
    return this.planning.searchUsers(conversation, queryText, count);
  }
}
