/**
 * The commands the bot understands, with the help text and an example for each. The help card,
 * the app manifest's `commandLists` (checked by test/app-package) and the command parser all agree
 * with this list.
 */
export interface CommandInfo {
  /** First word the admin types. */
  name: string;
  /** One line, shown in the Teams command menu (manifest `commandLists[].commands[].description`, ≤ 128 chars). */
  description: string;
  /** Examples for the help card. */
  examples: string[];
}

export const commandCatalog: readonly CommandInfo[] = [
  {
    name: 'migrate',
    description: 'Put a channel or chat into migration mode with an earlier creation date (opens a form without arguments).',
    examples: [
      'migrate',
      'migrate channel "My Team" General since 2020-01-01',
      'migrate chat 19:abc@thread.v2 since 2019-05-01T09:00:00+02:00',
      'migrate https://teams.microsoft.com/l/channel/… since 2021-03-15',
      'migrate this since 2020-01-01',
      'migrate team "Contoso Engineering" since 2020-01-01',
    ],
  },
  {
    name: 'status',
    description: 'Show the migration state of a channel, chat or every channel of a team.',
    examples: ['status this', 'status channel "My Team" General', 'status team "Contoso Engineering"'],
  },
  {
    name: 'complete',
    description: 'Complete a migration so the thread unlocks (one thread or a whole team).',
    examples: ['complete this', 'complete channel "My Team" General', 'complete team "Contoso Engineering"'],
  },
  {
    name: 'locked',
    description: 'List the threads this bot left in migration mode, with age and who started them.',
    examples: ['locked'],
  },
  {
    name: 'audit',
    description: 'Show the audit ledger, optionally for one target or user; audit export sends it as a CSV file.',
    examples: ['audit', 'audit last 20', 'audit channel "My Team" General', 'audit user "Alex Wilber" last 10', 'audit export since 2025-01-01'],
  },
  {
    name: 'import',
    description: 'Import Slack or Mattermost history: attach the export in this chat; import status lists the import jobs.',
    examples: ['import into "My Team" (typed with the export attached)', 'import status', 'import status <job id>', 'import report <job id>'],
  },
  {
    name: 'help',
    description: 'Show what this bot can do, with examples.',
    examples: ['help'],
  },
];
