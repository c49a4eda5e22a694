import { benchAdminKey, bulkTeams, type BenchFixtureShape } from './fixture';
import { retarget } from './graph-replay';
import type { FloorTags, MigrateTarget, RecordedScripts, RoundTrip } from './scenario';
import { botRoundTrip, floorRoundTrip, graphSignaturesSince, REFERENCE_TARGET, resetThread, sameMultiset } from './scenario';
import type { BenchStack } from './stack';
import type { TurnFigures } from './turn-overhead';
import { figures } from './turn-overhead';

export interface ConcurrencyOptions {
  /** distinct administrators acting at once (generated in the fixture) */
  admins: number;
  /** measured rounds after one warm-up round, for each of bot and floor */
  rounds: number;
}

export interface ConcurrencyResult {
  admins: number;
  rounds: number;
  /** how the administrators were obtained */
  adminSource: string;
  migrate: TurnFigures;
  confirm: TurnFigures;
  /** checkMemberObjects calls while the admins first arrived (one per admin expected) */
  firstContactAdminLookups: number;
  floorMatchesBot: boolean;
  botErrors: number;
  floorErrors: number;
  errors: string[];
}

/** The units of the concurrency run: admin i migrates its own channel of the bulk teams. */
export function concurrencyTargets(shape: BenchFixtureShape, admins: number): MigrateTarget[] {
  const teams = bulkTeams(shape);
  const capacity = teams.length * (shape.channelsPerTeam - 1);
  if (admins > capacity) throw new Error(`the fixture has ${capacity} non-General bulk channels for ${admins} admins`);
  return Array.from({ length: admins }, (_, i) => {
    const team = teams[i % teams.length];
    const c = 1 + Math.floor(i / teams.length);
    return {
      userKey: benchAdminKey(i + 1),
      teamName: team.displayName,
      teamId: team.id,
      channelName: team.channelNames[c],
      channelId: team.channelIds[c],
      createdDateTime: '2024-06-10T09:30:00Z',
    };
  });
}

/**
 * Figure 5: `admins` different administrators (generated Teams Administrators, one personal chat
 * each) each run migrate → Confirm on their own channel, all at the same moment; the floor bot
 * then gets the same burst with the same Graph calls (the reference turn's recorded calls,
 * retargeted to each admin's team and channel, and checked against what the bot actually sent).
 * Bot and floor bursts alternate; the admins are warmed once first, so the measured rounds see
 * cached admin answers, as a busy deployment does.
 */
export async function measureConcurrency(
  stack: BenchStack,
  shape: BenchFixtureShape,
  scripts: RecordedScripts,
  options: ConcurrencyOptions,
): Promise<ConcurrencyResult> {
  const targets = concurrencyTargets(shape, options.admins);
  const ref = REFERENCE_TARGET;
  const tags: FloorTags[] = targets.map((t, i) => {
    const swap: [string, string][] = [
      [ref.teamId, t.teamId],
      [ref.channelId, t.channelId],
      [ref.teamName, t.teamName],
    ];
    return {
      migrate: stack.floor.script(`conc-migrate-${i}`, retarget(scripts.migrate, swap)),
      confirm: stack.floor.script(`conc-confirm-${i}`, retarget(scripts.confirm, swap)),
    };
  });
  const botConvs = targets.map((t) => stack.main.teams.as(t.userKey).inPersonalChat());
  const floorConvs = targets.map((t) => stack.floorTeams.as(t.userKey).inPersonalChat());
  const errors: string[] = [];
  const reset = () => targets.forEach((t) => resetThread(stack.emulator, t));

  const burst = async (kind: 'bot' | 'floor'): Promise<RoundTrip[]> => {
    reset();
    return Promise.all(targets.map((t, i) => (kind === 'bot' ? botRoundTrip(stack, botConvs[i], t) : floorRoundTrip(floorConvs[i], tags[i]))));
  };

  stack.emulator.reset();
  const lookupsBefore = stack.main.bot.admin.directoryLookups;
  const warmBot = await burst('bot');
  const firstContactAdminLookups = stack.main.bot.admin.directoryLookups - lookupsBefore;
  const warmFloor = await burst('floor');
  for (const r of [...warmBot, ...warmFloor]) if (r.error) errors.push(`warm-up: ${r.error}`);

  const bot: RoundTrip[] = [];
  const floor: RoundTrip[] = [];
  let floorMatchesBot = true;
  let botErrors = 0;
  let floorErrors = 0;
  for (let round = 0; round < options.rounds; round++) {
    stack.emulator.reset();
    const order: ('bot' | 'floor')[] = round % 2 === 0 ? ['bot', 'floor'] : ['floor', 'bot'];
    const seen: Record<string, string[]> = {};
    for (const kind of order) {
      const from = stack.emulator.requests().length;
      const results = await burst(kind);
      seen[kind] = graphSignaturesSince(stack.emulator, from);
      for (const r of results) {
        if (r.error) {
          errors.push(`${kind}: ${r.error}`);
          if (kind === 'bot') botErrors++;
          else floorErrors++;
        } else (kind === 'bot' ? bot : floor).push(r);
      }
    }
    if (!sameMultiset(seen.bot, seen.floor)) floorMatchesBot = false;
  }
  return {
    admins: options.admins,
    rounds: options.rounds,
    adminSource: `${options.admins} generated tenant-wide Teams Administrators (bench-admin-001…), one personal chat each, each migrating its own channel`,
    migrate: figures(
      bot.map((r) => r.migrateMs),
      floor.map((r) => r.migrateMs),
    ),
    confirm: figures(
      bot.map((r) => r.confirmMs),
      floor.map((r) => r.confirmMs),
    ),
    firstContactAdminLookups,
    floorMatchesBot,
    botErrors,
    floorErrors,
    errors: errors.slice(0, 20),
  };
}
