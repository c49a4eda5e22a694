import type { TurnContext } from 'botbuilder';
import { Command, parseCommand } from '../domain/parse/command-parser';
import { FlowReply, text } from '../features/shared/acting';
import type { StartMigrationFlow } from '../features/start/start-migration';
import { actingContext, conversationPlace } from './turn-context';

/** The flows typed commands lead to; built in the composition root. */
export interface CommandFlows {
  help: () => FlowReply;
  migrateForm: (context: TurnContext) => Promise<FlowReply>;
  start: StartMigrationFlow;
  other: (context: TurnContext, command: Exclude<Command, { verb: 'help' | 'migrate-form' | 'migrate' | 'invalid' | 'unknown' }>) => Promise<FlowReply>;
}

/** A short answer for words the bot does not know. */
export function shortHelp(word: string): FlowReply {
  const start = word ? `I don't know "${word}".` : "I didn't catch a command.";
  return text(`${start} Commands: migrate, status, complete, locked, audit, help. Type help for examples.`);
}

/** Parses the typed text and hands it to the flow for its verb. */
export async function dispatchCommand(context: TurnContext, rawText: string, flows: CommandFlows): Promise<FlowReply> {
  const command = parseCommand(rawText);
  switch (command.verb) {
    case 'help':
      return flows.help();
    case 'unknown':
      return shortHelp(command.word);
    case 'invalid':
      return text(`${command.message}\nUsage: ${command.usage}`);
    case 'migrate-form':
      return flows.migrateForm(context);
    case 'migrate':
      return flows.start.prepare(actingContext(context), command.target, command.since, conversationPlace(context), rawText);
    default:
      return flows.other(context, command);
  }
}
