import { renderCard } from '../../cards/renderer';
import { commandCatalog } from './command-catalog';
import type { FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';

/** The help card: every command with examples, and a button that opens the migration form. */
export function helpCard(intro: string = HELP_INTRO): FlowReply {
  return card(
    renderCard('help', {
      intro,
      commands: commandCatalog.map((c) => ({ name: c.name, description: c.description, examples: [...c.examples] })),
    }),
  );
}

/** What the bot is for, at the top of the help card. */
export const HELP_INTRO =
  'I put existing Teams channels and chats into migration mode so history from Slack, Mattermost or another platform can be imported with its original timestamps, then complete the migration and keep an audit trail.';

/** Shown once when the bot is added to a personal scope, a team or a group chat. */
export const WELCOME_INTRO =
  'Thanks for adding me. Teams administrators can use me to put channels and chats into migration mode, so history from another platform can be imported with its original timestamps. Open the form below, or type a command.';

/** A short answer for words the bot does not know (or no command at all). */
export function shortHelp(word: string): FlowReply {
  const start = word ? `I don't know "${word}".` : "I didn't catch a command.";
  return text(`${start} Commands: migrate, status, complete, locked, audit, help. Type help for examples.`);
}

/** What a message without text gets: the first example of the first command, to show how to start. */
export const TYPE_A_COMMAND = `Type a command, for example: help, or ${commandCatalog[0].examples[1]}`;
