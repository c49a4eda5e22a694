/**
 * Writes the generated exports to a folder, for the local demo and for benchmarks run by hand:
 *
 *   node dist/test/support/exports/write-exports.js <folder> [--bulk <messages>] [--channels <n>] [--seed <n>]
 *
 * Always: `slack-story.zip`, `mattermost-story.zip`, `mattermost-story.jsonl`, and each story's facts
 * as `*.facts.json`. With `--bulk`: `slack-bulk-<messages>.zip` and `mattermost-bulk-<messages>.jsonl`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeMattermostBulkExport, writeMattermostStoryExport } from './mattermost-export';
import { writeSlackBulkExport, writeSlackStoryExport } from './slack-export';

/** Parses `--name value` options; throws on a missing or non-numeric value. */
function numberOption(args: readonly string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

/** Writes the exports named in the header into `args[0]` and reports each file on stdout. */
export async function writeExports(args: readonly string[]): Promise<void> {
  const folder = args[0];
  if (!folder || folder.startsWith('--')) throw new Error('usage: write-exports <folder> [--bulk <messages>] [--channels <n>] [--seed <n>]');
  mkdirSync(folder, { recursive: true });
  const say = (file: string): void => {
    process.stdout.write(`wrote ${file}\n`);
  };
  const out = (name: string): string => path.join(folder, name);

  const slack = await writeSlackStoryExport(out('slack-story.zip'));
  writeFileSync(out('slack-story.facts.json'), `${JSON.stringify(slack, null, 2)}\n`);
  say(slack.file);
  for (const zip of [true, false]) {
    const name = zip ? 'mattermost-story.zip' : 'mattermost-story.jsonl';
    const story = await writeMattermostStoryExport(out(name), { zip });
    writeFileSync(out(`${name}.facts.json`), `${JSON.stringify(story, null, 2)}\n`);
    say(story.file);
  }

  const bulk = numberOption(args, 'bulk');
  if (bulk === undefined) return;
  const channels = numberOption(args, 'channels') ?? 10;
  const seed = numberOption(args, 'seed') ?? 1;
  const s = await writeSlackBulkExport(out(`slack-bulk-${bulk}.zip`), { messages: bulk, channels, seed });
  say(`${out(`slack-bulk-${bulk}.zip`)} (${s.messages} messages, ${s.replies} replies, ${s.dayFiles} day files)`);
  const m = await writeMattermostBulkExport(out(`mattermost-bulk-${bulk}.jsonl`), { messages: bulk, channels, seed });
  say(`${out(`mattermost-bulk-${bulk}.jsonl`)} (${m.messages} messages, ${m.replies} replies)`);
}

if (require.main === module) {
  writeExports(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
