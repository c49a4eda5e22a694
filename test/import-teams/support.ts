import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Emulator } from '../../emulator/index';
import { startEmulator } from '../../emulator/index';
import { TeamsClient } from '../../emulator/teams-client';
import type { Conversation } from '../../emulator/teams-client';
import { loadConfig } from '../../src/config/config';
import { startBot, type RunningBot } from '../../src/index';
import { writeSlackStoryExport } from '../support/exports/slack-export';
import { emulatorEnv, lastCardActivity } from '../support/harness';

/** The story export's channels as Teams has them in "My Team". */
export const GENERAL = '19:myteam-general@thread.tacv2';
export const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
export const FALCON = '19:myteam-falcon@thread.tacv2';
export const PARTNERS = '19:myteam-partners@thread.tacv2';

/**
 * A bot and an emulator whose bot can be stopped and started again on the same data folder (a
 * restart mid-import), with the Slack story export ready to attach.
 */
export interface TeamsImportWorld {
  emulator: Emulator;
  bot: RunningBot;
  teams: TeamsClient;
  dataDir: string;
  /** The Slack story export's bytes. */
  slackExport: Buffer;
  logs: string[];
  restart(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startTeamsImportWorld(env: Record<string, string> = {}): Promise<TeamsImportWorld> {
  const emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-teams-import-'));
  const exportFile = path.join(dataDir, 'story-export.zip');
  await writeSlackStoryExport(exportFile);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const boot = (extra: Record<string, string>) =>
    startBot(loadConfig({ ...emulatorEnv(emulator, path.join(dataDir, 'bot')), ...env, ...extra }), { logDestination: sink });
  const world: TeamsImportWorld = {
    emulator,
    bot: await boot({}),
    teams: null as unknown as TeamsClient,
    dataDir,
    slackExport: readFileSync(exportFile),
    logs,
    async restart(extraEnv = {}) {
      await world.bot.stop();
      world.bot = await boot(extraEnv);
      world.teams = new TeamsClient({ emulator, botUrl: `${world.bot.url}/api/messages` });
    },
    async stop() {
      await world.bot.stop();
      await emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  world.teams = new TeamsClient({ emulator, botUrl: `${world.bot.url}/api/messages` });
  return world;
}

/** The id of the channel input for source channel `name` on a plan card. */
export function channelInput(card: unknown, name: string): string {
  let found: string | null = null;
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Input.ChoiceSet' && n.label === `Import ${name} into` && typeof n.id === 'string') found = n.id;
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  if (!found) throw new Error(`no channel input for ${name} on the plan card`);
  return found;
}

/** The card a message shows now (after updates), by its activity id. */
// The card is the bot's JSON as sent: tests probe its fields directly.
export function cardOf(emulator: Emulator, activityId: string): any {
  return emulator.connector.current(activityId)?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The plan card message of a conversation (the newest card). */
export function planMessage(conversation: Conversation, emulator: Emulator) {
  return lastCardActivity(conversation, emulator);
}
