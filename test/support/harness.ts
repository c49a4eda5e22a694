import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Emulator, EmulatorOptions } from '../../emulator/index';
import { botEnvironment, startEmulator } from '../../emulator/index';
import type { Conversation } from '../../emulator/teams-client';
import { TeamsClient } from '../../emulator/teams-client';
import { jsonText } from '../../emulator/json';
import { loadConfig } from '../../src/config/config';
import type { RunningBot } from '../../src/index';
import { startBot } from '../../src/index';

/** Every log line any bot started by a harness wrote in this process (the secrets test reads it). */
export const capturedLogs: string[] = [];

export interface Harness {
  emulator: Emulator;
  bot: RunningBot;
  teams: TeamsClient;
  dataDir: string;
  /** Log lines of this bot. */
  logs: string[];
  /** Clears emulator state and logs (the bot's store is kept). */
  reset(): void;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra or overriding environment variables for the bot. */
  env?: Record<string, string | undefined>;
  emulator?: EmulatorOptions;
  /** Reuse a running emulator instead of starting one. */
  sharedEmulator?: Emulator;
}

/**
 * Tests drive one admin at machine speed (hundreds of commands a minute), which the per-user limit
 * exists to stop; it has its own tests (test/security/flood.test.ts), which set it back.
 */
export const MACHINE_SPEED_USERS = { USER_COMMANDS_PER_MINUTE: '1000000', USER_COMMANDS_BURST: '1000000' };

/** The environment that points a bot at an emulator, in local mode, on a free port, with short Graph timeouts. */
export function emulatorEnv(emulator: Emulator, dataDir: string): Record<string, string> {
  return { ...botEnvironment(emulator.info, dataDir), PORT: '0', GRAPH_TIMEOUT_SECONDS: '5', LOG_LEVEL: 'info', ...MACHINE_SPEED_USERS };
}

/**
 * Starts the emulator (throttling off unless asked) and a bot wired exactly as in production but
 * pointed at it, in-process, on free ports. Tests speak to the bot over HTTP only.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = options.sharedEmulator ?? (await startEmulator({ quiet: true, limits: { enabled: false }, ...options.emulator }));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-test-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = chunk.toString();
      logs.push(line);
      capturedLogs.push(line);
      done();
    },
  });
  const env: Record<string, string | undefined> = { ...emulatorEnv(emulator, dataDir), ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const bot = await startBot(loadConfig(env), { logDestination: sink });
  const teams = new TeamsClient({ emulator, botUrl: `${bot.url}/api/messages` });
  return {
    emulator,
    bot,
    teams,
    dataDir,
    logs,
    reset() {
      emulator.reset();
      logs.length = 0;
    },
    async stop() {
      await bot.stop();
      if (!options.sharedEmulator) await emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** All text on a card (and its facts), flattened, so tests can assert what an admin reads. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value', 'label', 'placeholder', 'errorMessage']) if (typeof n[key] === 'string') out.push(n[key]);
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return out.join('\n');
}

/** Every `Action.Execute` / `Action.Submit` on a card, wherever it sits. */
export function cardActions(card: unknown): { title: string; verb: string; data: Record<string, unknown> }[] {
  const found: { title: string; verb: string; data: Record<string, unknown> }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if ((n.type === 'Action.Execute' || n.type === 'Action.Submit') && typeof n.title === 'string') {
      const data = (n.data ?? {}) as Record<string, unknown>;
      found.push({ title: n.title, verb: jsonText(n.verb ?? data.verb ?? ''), data });
    }
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return found;
}

/** The newest reply in a conversation that carries an adaptive card, as it looks now (after updates). */
// The card is the bot's JSON as sent: tests probe its fields directly.
export function lastCardActivity(conversation: Conversation, emulator: Emulator): { id: string; card: any } {
  const withCard = conversation.replies().filter((a) => a.attachments?.some((x) => x.contentType === 'application/vnd.microsoft.card.adaptive'));
  const last = withCard[withCard.length - 1];
  if (!last) throw new Error('no card was sent in this conversation');
  const current = emulator.connector.current(last.id) ?? last;
  const card = current.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  return { id: last.id, card };
}

/**
 * Presses the button titled `title` on the newest card, as Teams does for `Action.Execute`
 * (an `adaptiveCard/action` invoke), with optional input values. Returns the card or message
 * the bot answered with.
 */
export async function press(conversation: Conversation, emulator: Emulator, title: string, inputs: Record<string, unknown> = {}, seenCard?: unknown) {
  const { id, card: shared } = lastCardActivity(conversation, emulator);
  // In channels the shared card may be a summary; the presser's own view is passed in.
  const card = seenCard ?? shared;
  const action = cardActions(card).find((a) => a.title === title);
  if (!action)
    throw new Error(
      `no button "${title}" on the card; buttons: ${cardActions(card)
        .map((a) => a.title)
        .join(', ')}`,
    );
  const result = await conversation.executes(id, action.verb, { ...action.data, ...inputs });
  const body = result.body as { statusCode?: number; type?: string; value?: unknown } | undefined;
  return {
    status: result.status,
    card: body?.type === 'application/vnd.microsoft.card.adaptive' ? body.value : undefined,
    message: body?.type === 'application/vnd.microsoft.activity.message' ? String(body.value) : undefined,
    text: body?.type === 'application/vnd.microsoft.card.adaptive' ? cardText(body.value) : jsonText(body?.value ?? ''),
  };
}

/** Text of the newest reply: the message text, or the card's text. */
export function lastReplyText(conversation: Conversation): string {
  const last = conversation.lastReply();
  if (!last) return '';
  const card = last.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  return card ? cardText(card) : (last.text ?? '');
}

/**
 * In a channel or group chat a confirmation is a summary for everyone and a full card for the
 * requester, fetched by the card's refresh action. Returns what this person sees.
 */
export async function ownView(conversation: Conversation, emulator: Emulator): Promise<unknown> {
  const { card } = lastCardActivity(conversation, emulator);
  const refresh = (card as { refresh?: { action?: { title?: string } } }).refresh?.action;
  if (!refresh?.title) return card;
  return (await press(conversation, emulator, refresh.title)).card;
}
