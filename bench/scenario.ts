import type { Conversation, Emulator } from '../emulator/index';
import { findButton, invokeText, pressButton } from './cards';
import { FLOOR_VERB } from './floor-bot';
import type { GraphCall } from './graph-replay';
import { graphCallsOf, signatures } from './graph-replay';
import type { BenchStack } from './stack';

/** One admin migrating one channel: who types what, and which thread it touches. */
export interface MigrateTarget {
  userKey: string;
  teamName: string;
  teamId: string;
  channelName: string;
  channelId: string;
  /** the channel's creation date in the fixture, restored before every iteration */
  createdDateTime: string;
}

/** The reference turn of the brief: Alex migrates My Team › Announcements back to 2020-01-01. */
export const REFERENCE_TARGET: MigrateTarget = {
  userKey: 'alex',
  teamName: 'My Team',
  teamId: '00000000-0000-0000-0000-000000000031',
  channelName: 'Announcements',
  channelId: '19:myteam-announcements@thread.tacv2',
  createdDateTime: '2024-06-10T09:30:00Z',
};

/** The command an admin types for a target. */
export function migrateCommand(t: MigrateTarget): string {
  return `migrate channel "${t.teamName}" "${t.channelName}" since 2020-01-01`;
}

/** Puts the target's thread back as the fixture has it (never migrated), so the next Confirm really starts a migration. */
export function resetThread(emulator: Emulator, t: MigrateTarget): void {
  emulator.setThread(t.channelId, { migrationMode: null, createdDateTime: t.createdDateTime, originalCreatedDateTime: null, migrationOwnerAppId: null });
}

/** Latencies of one migrate → Confirm round trip, and what went wrong if anything did. */
export interface RoundTrip {
  migrateMs: number;
  /** command → the card reaching the connector (whole milliseconds: the connector stamps Date.now()) */
  cardMs: number;
  confirmMs: number;
  error: string | null;
}

/**
 * The bot's turn pair, timed through HTTP: the migrate command (POST returns once the bot has
 * sent the confirmation card), then Confirm on that card (the invoke's answer is the result
 * card). The button is looked up between the two timings, so only the bot is on the clock.
 */
export async function botRoundTrip(stack: Pick<BenchStack, 'emulator'>, conversation: Conversation, t: MigrateTarget): Promise<RoundTrip> {
  const wallStart = Date.now();
  let start = performance.now();
  const asked = await conversation.says(migrateCommand(t));
  const migrateMs = performance.now() - start;
  const failed = (error: string, confirmMs = Number.NaN, cardMs = Number.NaN): RoundTrip => ({ migrateMs, cardMs, confirmMs, error });
  if (asked.status !== 200) return failed(`migrate answered HTTP ${asked.status}`);
  let confirm;
  try {
    confirm = findButton(conversation, stack.emulator, 'Confirm');
  } catch (err) {
    return failed(`no confirmation card: ${(err as Error).message}`);
  }
  const cardMs = confirm.sentAt - wallStart;
  start = performance.now();
  const done = await pressButton(conversation, confirm);
  const confirmMs = performance.now() - start;
  const text = invokeText(done);
  if (done.status !== 200 || !/Migration started/.test(text)) return failed(`Confirm answered ${done.status}: ${text.slice(0, 160)}`, confirmMs, cardMs);
  return { migrateMs, cardMs, confirmMs, error: null };
}

/** Script tags of the floor's two turns for one target. */
export interface FloorTags {
  migrate: string;
  confirm: string;
}

/**
 * The floor's turn pair: a message that makes the migrate turn's Graph calls and echoes, then an
 * `Action.Execute` on the echo that makes the Confirm turn's Graph calls and answers with a card.
 */
export async function floorRoundTrip(conversation: Conversation, tags: FloorTags): Promise<RoundTrip> {
  const wallStart = Date.now();
  let start = performance.now();
  const asked = await conversation.says(tags.migrate, { mentionBot: false });
  const migrateMs = performance.now() - start;
  const echo = conversation.lastReply();
  if (asked.status !== 200 || !echo) return { migrateMs, cardMs: Number.NaN, confirmMs: Number.NaN, error: `floor message answered HTTP ${asked.status}` };
  const cardMs = echo.at - wallStart;
  start = performance.now();
  const done = await conversation.executes(echo.id, FLOOR_VERB, { script: tags.confirm });
  const confirmMs = performance.now() - start;
  if (done.status !== 200) return { migrateMs, cardMs, confirmMs, error: `floor invoke answered HTTP ${done.status}` };
  return { migrateMs, cardMs, confirmMs, error: null };
}

/** The Graph calls of the bot's migrate turn and of its Confirm turn, recorded from the emulator's log. */
export interface RecordedScripts {
  migrate: GraphCall[];
  confirm: GraphCall[];
}

/**
 * Runs one bot round trip and records which Graph calls each turn made: the floor replays exactly
 * these, so "the same Graph calls" holds by construction, whatever the bot's flows do.
 */
export async function recordBotScripts(stack: BenchStack, conversation: Conversation, t: MigrateTarget): Promise<RecordedScripts> {
  resetThread(stack.emulator, t);
  const n0 = stack.emulator.requests().length;
  const asked = await conversation.says(migrateCommand(t));
  const n1 = stack.emulator.requests().length;
  if (asked.status !== 200) throw new Error(`recording: migrate answered HTTP ${asked.status}`);
  const done = await pressButton(conversation, findButton(conversation, stack.emulator, 'Confirm'));
  if (!/Migration started/.test(invokeText(done))) throw new Error(`recording: Confirm answered ${invokeText(done).slice(0, 160)}`);
  const log = stack.emulator.requests();
  return { migrate: graphCallsOf(log.slice(n0, n1)), confirm: graphCallsOf(log.slice(n1)) };
}

/** Graph request signatures in the emulator log from index `from` on (to compare bot and floor). */
export function graphSignaturesSince(emulator: Emulator, from: number): string[] {
  return signatures(graphCallsOf(emulator.requests().slice(from)));
}

/** True when two lists hold the same requests, in any order (concurrent turns interleave). */
export function sameMultiset(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}
