import { renderCard } from '../../cards/renderer';
import { commandCatalog } from '../command-catalog';
import { card, FlowReply } from './acting';

/** The help card: every command with examples, and a button that opens the migration form. */
export function helpCard(): FlowReply {
  return card(
    renderCard('help', {
      intro: 'I put existing Teams channels and chats into migration mode so history from Slack, Mattermost or another platform can be imported with its original timestamps, then complete the migration and keep an audit trail.',
      commands: commandCatalog.map((c) => ({ name: c.name, description: c.description, examples: c.examples.join('\n') })),
    }),
  );
}
