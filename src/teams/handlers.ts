import type { TurnContext } from 'botbuilder';
import type { CommandFlows } from './command-dispatch';
import { FlowReply, text } from '../features/shared/acting';
import { helpCard, WELCOME_INTRO } from '../features/help/help';
import type { AuditFlow } from '../features/audit/audit';
import type { CompleteMigrationFlow } from '../features/complete/complete-migration';
import type { LockedFlow } from '../features/locked/locked';
import type { StatusFlow } from '../features/status/status';
import { specFromTargetKey } from '../domain/parse/target-key';
import type { OperationGuard } from '../features/shared/operation-guard';
import type { StartMigrationFlow } from '../features/start/start-migration';
import type { ButtonHandlers } from './routes';
import { actingContext, conversationPlace } from './turn-context';

export interface HandlerFlows {
  start: StartMigrationFlow;
  status: StatusFlow;
  complete: CompleteMigrationFlow;
  locked: LockedFlow;
  audit: AuditFlow;
  guard: OperationGuard;
  /**
   * Opens the migration form (no-argument `migrate`, the help card's button, the welcome, a channel's
   * form summary). `where` is the summary's own record of where it was shown, for clients whose
   * refresh invoke omits the conversation type.
   */
  openForm: (context: TurnContext, where?: unknown, owner?: unknown) => Promise<FlowReply>;
  /** Extra card verbs from features with their own forms (the migration form, bulk jobs). */
  extraButtons?: ButtonHandlers;
}

const badTarget = (): FlowReply => text('This button has no valid target. Run the command again to get a fresh card.');

/**
 * Maps what Teams can send — typed commands, card buttons, the bot being added — to flows.
 * Card data is untrusted: buttons carry an opaque operation id or a target key, both re-checked.
 */
export function createHandlers(f: HandlerFlows): { flows: CommandFlows; buttons: ButtonHandlers; welcome: (context: TurnContext) => Promise<FlowReply> } {
  const flows: CommandFlows = {
    help: () => helpCard(),
    migrateForm: f.openForm,
    start: f.start,
    other: async (context, command) => {
      const who = actingContext(context);
      const place = conversationPlace(context);
      const typed = String(context.activity.text ?? '').slice(0, 500);
      switch (command.verb) {
        case 'status':
          return f.status.status(who, command.target, place, typed);
        case 'status-team':
          return f.status.statusTeam(who, command.team, typed);
        case 'complete':
          return f.complete.ask(who, command.target, place, typed);
        case 'locked':
          return f.locked.locked(who, typed);
        case 'audit':
          return f.audit.audit(who, command.target, command.user, command.last, place, typed);
        case 'migrate-team':
        case 'complete-team': {
          const verb = command.verb === 'migrate-team' ? 'bulkAskStart' : 'bulkAskComplete';
          const bulk = f.extraButtons?.[verb];
          if (!bulk) return text('Bulk operations are not available in this deployment.');
          return bulk(context, { team: command.team, since: command.verb === 'migrate-team' ? command.since : null });
        }
      }
    },
  };
  const buttons: ButtonHandlers = {
    confirm: (context, data) => f.start.confirm(actingContext(context), data.opId),
    cancelOp: (context, data) => f.guard.cancel(actingContext(context), data.opId),
    // Pressed on the help card, the welcome or a channel's form summary: the form goes to the presser
    // only, and the card everyone sees stays as it is.
    openForm: async (context, data) => {
      const reply = await f.openForm(context, data.where, data.owner);
      return reply.kind === 'card' ? { ...reply, interactorOnly: true } : reply;
    },
    refreshView: (context, data) => f.guard.privateView(actingContext(context), data.opId),
    status: async (context, data) => {
      const spec = specFromTargetKey(data.target);
      return spec ? f.status.status(actingContext(context), spec, conversationPlace(context), `button status ${String(data.target)}`) : badTarget();
    },
    completeAsk: async (context, data) => {
      const spec = specFromTargetKey(data.target);
      return spec ? f.complete.ask(actingContext(context), spec, conversationPlace(context), `button complete ${String(data.target)}`) : badTarget();
    },
    completeConfirm: (context, data) => f.complete.confirm(actingContext(context), data.opId),
    ...(f.extraButtons ?? {}),
  };
  return { flows, buttons, welcome: async () => helpCard(WELCOME_INTRO) };
}
