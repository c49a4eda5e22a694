import type { Command } from '../domain/parse/command-parser';
import { parseCommand } from '../domain/parse/command-parser';
import type { FlowReply } from '../features/shared/acting';
import { text } from '../features/shared/acting';
import type { ButtonHandler, ButtonHandlers, Conversation } from '../features/shared/conversation';
import type { FormButtons, MigrationFormFlow } from '../features/form/migration-form';
import { helpCard, shortHelp, WELCOME_INTRO } from '../features/help/help';
import type { AuditFlow } from '../features/audit/audit';
import type { CompleteMigrationFlow } from '../features/complete/complete-migration';
import type { LockedFlow } from '../features/locked/locked';
import type { StatusFlow } from '../features/status/status';
import { specFromTargetKey } from '../domain/parse/target-key';
import type { OperationGuard } from '../features/shared/operation-guard';
import type { StartMigrationFlow } from '../features/start/start-migration';
import type { BulkButtons } from '../features/bulk/bulk-flows';
import type { ImportCommands } from '../features/import-flow/import-commands';
import type { ReportCommands } from '../features/reports/report-commands';

/** A typed command's handler: the conversation, the parsed command and the text as typed. */
type CommandHandler<V extends Command['verb']> = (
  conversation: Conversation,
  command: Extract<Command, { verb: V }>,
  typed: string,
) => Promise<FlowReply> | FlowReply;

/** Every verb the command parser can produce → its handler; a verb without one is a compile error. */
export type CommandHandlers = { [V in Command['verb']]: CommandHandler<V> };

/** The card verbs of bulk jobs (features/bulk), which the typed `migrate team` / `complete team` also reach. */
export type { BulkButtons };

/** The card verbs of confirmations, status cards, the help card and channel summaries. */
type OwnCardVerb = 'confirm' | 'cancelOp' | 'openForm' | 'refreshView' | 'status' | 'completeAsk' | 'completeConfirm';

/** The features the table leads to; built in the composition root. */
export interface VerbTableFlows {
  start: Pick<StartMigrationFlow, 'prepare' | 'confirm'>;
  status: Pick<StatusFlow, 'status' | 'statusTeam'>;
  complete: Pick<CompleteMigrationFlow, 'ask' | 'confirm'>;
  locked: Pick<LockedFlow, 'locked'>;
  audit: Pick<AuditFlow, 'audit'>;
  guard: Pick<OperationGuard, 'cancel' | 'privateView'>;
  form: Pick<MigrationFormFlow, 'open'>;
  /** The form's steps (`form.buttons(…)`, with the bulk preview when bulk jobs are wired). */
  formButtons: FormButtons;
  /** Bulk jobs; absent in a deployment without them. */
  bulk?: BulkButtons;
  /** Import from an export attached in the personal chat; absent in a deployment without it. */
  imports?: ImportCommands;
  /** Reports sent as CSV files through Teams' file consent card; absent in a deployment without them. */
  reports?: ReportCommands;
}

/** A type-ahead dataset's handler (`application/search`): the conversation, the text typed, how many results. */
export type SearchHandler = (conversation: Conversation, queryText: string, count: number) => Promise<{ title: string; value: string }[]>;

/**
 * The one table from what Teams can send to a feature: typed-command verb → handler, card verb →
 * handler, and the welcome. Card data is untrusted: buttons carry an opaque operation id or a
 * target key, both re-checked by the feature.
 */
export interface VerbTable {
  commands: CommandHandlers;
  buttons: ButtonHandlers;
  welcome: (conversation: Conversation) => Promise<FlowReply>;
  /** A message with files attached (`team` from `import into "<team>"` typed with it); absent without the import feature. */
  files?: ImportCommands['received'];
  /** Type-ahead datasets of the features' cards (the form's `teams` is wired by the routes). */
  search: Record<string, SearchHandler>;
  /** The answers to a file consent card; absent without the reports feature. */
  fileConsent?: Pick<ReportCommands, 'accept' | 'decline'>;
}

const badTarget = (): FlowReply => text('This button has no valid target. Run the command again to get a fresh card.');
const noBulk = (): FlowReply => text('Bulk operations are not available in this deployment.');
const noImport = (): FlowReply => text('Importing from Slack or Mattermost exports is not available in this deployment.');
const noReports = (): FlowReply => text('Reports as files are not available in this deployment.');

/** The command as typed, cut to what a ledger line keeps. */
const asTyped = (typed: string) => typed.slice(0, 500);

/** Builds the verb table from the features. */
export function createVerbTable(f: VerbTableFlows): VerbTable {
  const commands: CommandHandlers = {
    help: () => helpCard(),
    unknown: (_c, command) => shortHelp(command.word),
    invalid: (_c, command) => text(`${command.message}\nUsage: ${command.usage}`),
    'migrate-form': (c) => f.form.open(c),
    migrate: (c, command, typed) => f.start.prepare(c.who, command.target, command.since, c.place, typed),
    status: (c, command, typed) => f.status.status(c.who, command.target, c.place, asTyped(typed)),
    'status-team': (c, command, typed) => f.status.statusTeam(c.who, command.team, asTyped(typed)),
    complete: (c, command, typed) => f.complete.ask(c.who, command.target, c.place, asTyped(typed)),
    locked: (c, _command, typed) => f.locked.locked(c.who, asTyped(typed)),
    audit: (c, command, typed) => f.audit.audit(c.who, command.target, command.user, command.last, c.place, asTyped(typed)),
    // The typed bulk commands go to the same handlers as the preview card's buttons.
    'migrate-team': (c, command) => (f.bulk ? f.bulk.bulkAskStart(c, { team: command.team, since: command.since }) : noBulk()),
    'complete-team': (c, command) => (f.bulk ? f.bulk.bulkAskComplete(c, { team: command.team, since: null }) : noBulk()),
    // Typed without a file: the import feature says how to attach the export.
    import: (c, command) => (f.imports ? f.imports.withoutFile(c, command.team) : noImport()),
    'import-status': (c, command) => (f.imports ? f.imports.status(c, command.jobId) : noImport()),
    'import-report': (c, command, typed) => (f.reports ? f.reports.importReport(c, command.jobId, asTyped(typed)) : noReports()),
    'audit-export': (c, command, typed) => (f.reports ? f.reports.auditExport(c, command.since, asTyped(typed)) : noReports()),
  };
  const own: Record<OwnCardVerb, ButtonHandler> = {
    confirm: (c, data) => f.start.confirm(c.who, data.opId),
    cancelOp: (c, data) => f.guard.cancel(c.who, data.opId),
    // Pressed on the help card, the welcome or a channel's form summary: the form goes to the presser
    // only, and the card everyone sees stays as it is.
    openForm: async (c, data) => {
      const reply = await f.form.open(c, data.where, data.owner);
      return reply.kind === 'card' ? { ...reply, interactorOnly: true } : reply;
    },
    refreshView: (c, data) => f.guard.privateView(c.who, data.opId),
    status: async (c, data) => {
      const spec = specFromTargetKey(data.target);
      return spec ? f.status.status(c.who, spec, c.place, `button status ${String(data.target)}`) : badTarget();
    },
    completeAsk: async (c, data) => {
      const spec = specFromTargetKey(data.target);
      return spec ? f.complete.ask(c.who, spec, c.place, `button complete ${String(data.target)}`) : badTarget();
    },
    completeConfirm: (c, data) => f.complete.confirm(c.who, data.opId),
  };
  const buttons: ButtonHandlers = { ...own, ...f.formButtons, ...(f.bulk ?? {}), ...(f.imports?.buttons() ?? {}) };
  const imports = f.imports;
  const reports = f.reports;
  return {
    commands,
    buttons,
    welcome: async () => helpCard(WELCOME_INTRO),
    files: imports ? (c, files, team) => imports.received(c, files, team) : undefined,
    search: imports ? { users: (c, queryText, count) => imports.searchUsers(c, queryText, count) } : {},
    fileConsent: reports ? { accept: (c, context, to) => reports.accept(c, context, to), decline: (c, context) => reports.decline(c, context) } : undefined,
  };
}

/** Parses the typed text and answers it with the handler for its verb. */
export async function answerCommand(commands: CommandHandlers, conversation: Conversation, typed: string): Promise<FlowReply> {
  const command = parseCommand(typed);
  // The mapped type pairs each verb with its own command; TypeScript cannot follow that through a union.
  const handler = commands[command.verb] as CommandHandler<typeof command.verb>;
  return handler(conversation, command, typed);
}
