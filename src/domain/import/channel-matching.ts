/**
 * Which team channel each source channel goes to: explicit choices first, then a same-named
 * channel (case-insensitive, ignoring `-`, `_` and spaces); everything else is skipped and listed.
 */

/** The comparison key of a channel name: `Project_Falcon`, `project-falcon` and `Project Falcon` are equal. */
export function channelNameKey(name: string): string {
  return name.toLowerCase().replace(/[-_\s]+/g, '');
}

export interface SourceChannelRef {
  id: string;
  name: string;
}

export interface TargetChannelRef {
  id: string;
  displayName: string;
}

/** One source channel's destination, and how it was chosen. */
export interface ChannelMatch {
  source: SourceChannelRef;
  /** Null: not imported (`reason` says why). */
  target: TargetChannelRef | null;
  how: 'explicit' | 'same name' | 'skipped';
  reason: string | null;
}

/** The whole mapping, or the problems that stop it (each a sentence naming what to fix). */
export interface ChannelMapping {
  matches: ChannelMatch[];
  problems: string[];
}

/**
 * Parses `--map "<source>=<target>"` values into a record. An empty target (`random=`) skips that
 * source channel. Returns the problems (malformed entries) alongside.
 */
export function parseChannelMap(entries: readonly string[]): { map: Record<string, string>; problems: string[] } {
  const map: Record<string, string> = {};
  const problems: string[] = [];
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const source = at > 0 ? entry.slice(0, at).trim() : '';
    if (!source) {
      problems.push(`The channel mapping "${entry}" is not of the form "<source channel>=<target channel name or id>" (an empty target skips the channel).`);
      continue;
    }
    map[source] = entry.slice(at + 1).trim();
  }
  return { map, problems };
}

function findTarget(targets: readonly TargetChannelRef[], wanted: string): TargetChannelRef[] {
  const byId = targets.filter((t) => t.id === wanted);
  if (byId.length) return byId;
  const exact = targets.filter((t) => t.displayName.toLowerCase() === wanted.toLowerCase());
  return exact.length ? exact : targets.filter((t) => channelNameKey(t.displayName) === channelNameKey(wanted));
}

/**
 * Maps every source channel to a channel of the team. Explicit entries (`explicit`, keyed by source
 * channel name or id; value a target name or id, or '' to skip) override name matching. Two source
 * channels may not feed one target (their histories would interleave in one thread).
 */
export function matchChannels(sources: readonly SourceChannelRef[], targets: readonly TargetChannelRef[], explicit: Record<string, string>): ChannelMapping {
  const problems: string[] = [];
  const explicitFor = new Map<string, string>();
  for (const [key, value] of Object.entries(explicit)) {
    const source = sources.find((s) => s.id === key) ?? sources.find((s) => s.name.toLowerCase() === key.toLowerCase());
    if (!source) {
      problems.push(
        `The mapping "${key}=${value}" names a source channel the export does not have. Its channels: ${sources.map((s) => s.name).join(', ') || 'none'}.`,
      );
      continue;
    }
    explicitFor.set(source.id, value);
  }
  const matches: ChannelMatch[] = sources.map((source) => {
    const chosen = explicitFor.get(source.id);
    if (chosen !== undefined) {
      if (chosen === '') return { source, target: null, how: 'skipped', reason: 'skipped by the mapping' };
      const found = findTarget(targets, chosen);
      if (found.length !== 1) {
        problems.push(
          found.length === 0
            ? `The mapping "${source.name}=${chosen}" names a channel the team does not have. Its channels: ${targets.map((t) => t.displayName).join(', ')}.`
            : `The mapping "${source.name}=${chosen}" matches ${found.length} channels; use the channel id instead.`,
        );
        return { source, target: null, how: 'skipped', reason: 'the mapping names no single channel' };
      }
      return { source, target: found[0], how: 'explicit', reason: null };
    }
    const same = targets.filter((t) => channelNameKey(t.displayName) === channelNameKey(source.name));
    if (same.length === 1) return { source, target: same[0], how: 'same name', reason: null };
    if (same.length > 1) {
      problems.push(
        `The source channel "${source.name}" matches ${same.length} channels by name; choose one with --map "${source.name}=<channel id>" (on the plan card in Teams: its channel choice).`,
      );
      return { source, target: null, how: 'skipped', reason: 'several channels have this name' };
    }
    return { source, target: null, how: 'skipped', reason: 'no channel of the team has this name' };
  });
  const fed = new Map<string, string>();
  for (const m of matches) {
    if (!m.target) continue;
    const other = fed.get(m.target.id);
    if (other)
      problems.push(
        `Both "${other}" and "${m.source.name}" would go to "${m.target.displayName}"; map one of them elsewhere or skip it ("${m.source.name}=").`,
      );
    else fed.set(m.target.id, m.source.name);
  }
  return { matches, problems };
}
