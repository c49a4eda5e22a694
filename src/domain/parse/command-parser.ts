import { parseCreationDate } from './dates';
import { isChatId, isImportJobId } from './ids';
import type { TeamsLink } from './teams-links';
import { looksLikeLink, parseTeamsLink } from './teams-links';

/** How an admin named a thread in a command. Names are resolved against Graph later. */
export type TargetSpec =
  { kind: 'channel'; team: string; channel: string } | { kind: 'chat'; chatId: string } | { kind: 'link'; link: TeamsLink } | { kind: 'this' };

export type Command =
  | { verb: 'help' }
  | { verb: 'migrate-form' }
  | { verb: 'migrate'; target: TargetSpec; since: string | null }
  | { verb: 'migrate-team'; team: string; since: string | null }
  | { verb: 'status'; target: TargetSpec }
  | { verb: 'status-team'; team: string }
  | { verb: 'complete'; target: TargetSpec }
  | { verb: 'complete-team'; team: string }
  | { verb: 'locked' }
  | { verb: 'audit'; target: TargetSpec | null; user: string | null; last: number }
  /** `audit export [since <date>]`: the ledger as a CSV file in the personal chat. */
  | { verb: 'audit-export'; since: string | null }
  /** `import` / `import into "<team>"` (the export comes as a file attached to the message). */
  | { verb: 'import'; team: string | null }
  /** `import status [<job id>]`. */
  | { verb: 'import-status'; jobId: string | null }
  /** `import report <job id>`: one job's message rows as a CSV file in the personal chat. */
  | { verb: 'import-report'; jobId: string }
  /** A known verb with arguments that do not fit: `message` says what is wrong, `usage` how to write it. */
  | { verb: 'invalid'; message: string; usage: string }
  | { verb: 'unknown'; word: string };

export const MAX_COMMAND_LENGTH = 2000;
export const MAX_AUDIT_ROWS = 200;

export const usage = {
  migrate:
    'migrate channel "<team>" "<channel>" [since <date>] · migrate chat <chat id> [since <date>] · migrate <Teams link> [since <date>] · migrate this [since <date>] · migrate team "<team>" [since <date>]',
  status: 'status channel "<team>" "<channel>" · status chat <chat id> · status <Teams link> · status this · status team "<team>"',
  complete: 'complete channel "<team>" "<channel>" · complete chat <chat id> · complete <Teams link> · complete this · complete team "<team>"',
  audit: 'audit [channel "<team>" "<channel>" | chat <chat id> | <Teams link> | this | user <name or object id>] [last <N>]',
  auditExport: 'audit export [since <date>]',
  import: 'import [into "<team>"] (attach the export file) · import status [<job id>] · import report <job id>',
} as const;

class ParseError extends Error {
  constructor(
    message: string,
    readonly usageText: string,
  ) {
    super(message);
  }
}

/** Splits on white space, keeping "quoted names" (straight or typographic quotes) together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|'([^']*)'|‘([^’]*)’|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '');
  }
  return tokens;
}

/** Removes what Teams wraps around a typed command: leftover mention tags, HTML, entities, odd spaces. */
export function normaliseText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>[^<]*<\/a>/gi, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&amp;/gi, '&')
    .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g, ' ')
    .trim();
}

function shown(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Takes an optional trailing `since <date>` off the tokens. */
function takeSince(tokens: string[], usageText: string): { rest: string[]; since: string | null } {
  const i = tokens.findIndex((t) => t.toLowerCase() === 'since');
  if (i === -1) return { rest: tokens, since: null };
  const dateTokens = tokens.slice(i + 1);
  if (dateTokens.length === 0) throw new ParseError('"since" needs a date after it, e.g. since 2020-01-01.', usageText);
  if (dateTokens.length > 1) {
    // Allow "2020-01-01 09:00Z" typed with a space.
    const joined = dateTokens.join(' ');
    const parsed = parseCreationDate(joined);
    if (parsed.ok) return { rest: tokens.slice(0, i), since: parsed.iso };
    throw new ParseError(`Unexpected words after the date: "${shown(dateTokens.slice(1).join(' '))}". Put "since <date>" last.`, usageText);
  }
  const parsed = parseCreationDate(dateTokens[0]);
  if (!parsed.ok) throw new ParseError(parsed.message, usageText);
  return { rest: tokens.slice(0, i), since: parsed.iso };
}

/** Parses the words naming one thread: `channel <team> <channel>`, `chat <id>`, a link, or `this`. */
function parseTarget(tokens: string[], verb: string, usageText: string): TargetSpec {
  if (tokens.length === 0) throw new ParseError(`${verb} needs a target.`, usageText);
  const [first, ...rest] = tokens;
  const head = first.toLowerCase();
  if (head === 'this' || head === 'here') {
    if (rest.length > 0) throw new ParseError(`Unexpected words after "this": "${shown(rest.join(' '))}".`, usageText);
    return { kind: 'this' };
  }
  if (head === 'channel') {
    if (rest.length < 2) {
      throw new ParseError('A channel needs both its team and its channel, e.g. channel "My Team" General (quote names with spaces).', usageText);
    }
    if (rest.length > 2) {
      throw new ParseError(`Too many words for a team and a channel: "${shown(rest.join(' '))}". Quote names that contain spaces.`, usageText);
    }
    const [team, channel] = rest.map((s) => s.trim());
    if (!team || !channel) throw new ParseError('The team and channel names cannot be empty.', usageText);
    if (team.length > 256 || channel.length > 256) throw new ParseError('Team and channel names are at most 256 characters.', usageText);
    return { kind: 'channel', team, channel };
  }
  if (head === 'chat') {
    if (rest.length !== 1) throw new ParseError('A chat needs exactly one chat id (19:…@thread.v2) or a pasted chat link.', usageText);
    const value = rest[0];
    if (looksLikeLink(value)) return linkTarget(value, usageText);
    if (!isChatId(value)) {
      throw new ParseError(
        `"${shown(value)}" is not a chat id. Chat ids look like 19:…@thread.v2 or 19:…@unq.gbl.spaces; you can also paste the chat's link.`,
        usageText,
      );
    }
    return { kind: 'chat', chatId: value };
  }
  if (looksLikeLink(first)) {
    if (rest.length > 0) throw new ParseError(`Unexpected words after the link: "${shown(rest.join(' '))}".`, usageText);
    return linkTarget(first, usageText);
  }
  throw new ParseError(`"${shown(first)}" is not a target. Name one with channel, chat, a pasted Teams link, or this.`, usageText);
}

function linkTarget(value: string, usageText: string): TargetSpec {
  const parsed = parseTeamsLink(value);
  if (!parsed.ok) throw new ParseError(parsed.message, usageText);
  return { kind: 'link', link: parsed.link };
}

function parseTeamName(tokens: string[], verb: string, usageText: string): string {
  if (tokens.length === 0) throw new ParseError(`${verb} team needs the team's name or id, e.g. ${verb} team "Contoso Engineering".`, usageText);
  if (tokens.length > 1) throw new ParseError(`Too many words for one team: "${shown(tokens.join(' '))}". Quote names that contain spaces.`, usageText);
  const team = tokens[0].trim();
  if (!team || team.length > 256) throw new ParseError('The team name must be 1 to 256 characters.', usageText);
  return team;
}

function parseMigrate(args: string[]): Command {
  if (args.length === 0) return { verb: 'migrate-form' };
  const { rest, since } = takeSince(args, usage.migrate);
  if (rest.length > 0 && rest[0].toLowerCase() === 'team') {
    return { verb: 'migrate-team', team: parseTeamName(rest.slice(1), 'migrate', usage.migrate), since };
  }
  return { verb: 'migrate', target: parseTarget(rest, 'migrate', usage.migrate), since };
}

function parseStatusOrComplete(verb: 'status' | 'complete', args: string[]): Command {
  const usageText = usage[verb];
  if (args.length === 0) throw new ParseError(`${verb} needs a target.`, usageText);
  if (args.some((t) => t.toLowerCase() === 'since')) throw new ParseError(`${verb} does not take a date.`, usageText);
  if (args[0].toLowerCase() === 'team') {
    const team = parseTeamName(args.slice(1), verb, usageText);
    return verb === 'status' ? { verb: 'status-team', team } : { verb: 'complete-team', team };
  }
  return { verb, target: parseTarget(args, verb, usageText) };
}

function parseAudit(args: string[]): Command {
  if (args.length > 0 && args[0].toLowerCase() === 'export') return parseAuditExport(args.slice(1));
  let tokens = args;
  let last = 20;
  const lastAt = tokens.findIndex((t) => t.toLowerCase() === 'last');
  if (lastAt !== -1) {
    const n = tokens[lastAt + 1];
    if (!n || !/^\d{1,6}$/.test(n) || Number(n) < 1 || Number(n) > MAX_AUDIT_ROWS) {
      throw new ParseError(`"last" needs a number from 1 to ${MAX_AUDIT_ROWS}, e.g. audit last 20.`, usage.audit);
    }
    if (tokens.length > lastAt + 2) throw new ParseError(`Unexpected words after "last ${n}". Put "last <N>" at the end.`, usage.audit);
    last = Number(n);
    tokens = tokens.slice(0, lastAt);
  }
  if (tokens.length === 0) return { verb: 'audit', target: null, user: null, last };
  if (tokens[0].toLowerCase() === 'user') {
    if (tokens.length !== 2 || !tokens[1].trim()) throw new ParseError('audit user needs one name or Entra object id (quote names with spaces).', usage.audit);
    return { verb: 'audit', target: null, user: tokens[1].trim().slice(0, 256), last };
  }
  return { verb: 'audit', target: parseTarget(tokens, 'audit', usage.audit), user: null, last };
}

function parseAuditExport(args: string[]): Command {
  const { rest, since } = takeSince(args, usage.auditExport);
  if (rest.length > 0) {
    throw new ParseError(`audit export takes only "since <date>", not "${shown(rest.join(' '))}". The file holds the whole ledger.`, usage.auditExport);
  }
  return { verb: 'audit-export', since };
}

function parseJobId(tokens: string[], what: string): string {
  if (tokens.length === 0) throw new ParseError(`${what} needs a job id, e.g. ${what} 3f2a9c1e-…. Type import status to see the jobs.`, usage.import);
  if (tokens.length > 1) throw new ParseError(`${what} takes one job id, not "${shown(tokens.join(' '))}".`, usage.import);
  const id = tokens[0];
  if (!isImportJobId(id)) {
    throw new ParseError(`"${shown(id)}" is not an import job id. Job ids are letters, digits and dashes, as import status shows them.`, usage.import);
  }
  return id;
}

function parseImport(args: string[]): Command {
  if (args.length === 0) return { verb: 'import', team: null };
  const head = args[0].toLowerCase();
  if (head === 'status') {
    return { verb: 'import-status', jobId: args.length === 1 ? null : parseJobId(args.slice(1), 'import status') };
  }
  if (head === 'report') return { verb: 'import-report', jobId: parseJobId(args.slice(1), 'import report') };
  if (head === 'into') {
    const rest = args.slice(1);
    if (rest.length === 0) throw new ParseError('import into needs the team\'s name or id, e.g. import into "Contoso Engineering".', usage.import);
    if (rest.length > 1) throw new ParseError(`Too many words for one team: "${shown(rest.join(' '))}". Quote names that contain spaces.`, usage.import);
    const team = rest[0].trim();
    if (!team || team.length > 256) throw new ParseError('The team name must be 1 to 256 characters.', usage.import);
    return { verb: 'import', team };
  }
  throw new ParseError(
    `"${shown(args[0])}" is not something import understands. Write import into "<team>", import status or import report <job id>.`,
    usage.import,
  );
}

/**
 * Parses what an admin typed into a command. Pure; never throws: bad arguments to a known verb
 * come back as `invalid` with a specific message and the verb's usage.
 */
export function parseCommand(rawText: string): Command {
  if (rawText.length > MAX_COMMAND_LENGTH) {
    return {
      verb: 'invalid',
      message: `That message is too long to be a command (over ${MAX_COMMAND_LENGTH} characters).`,
      usage: 'Type help to see the commands.',
    };
  }
  const text = normaliseText(rawText);
  const tokens = tokenize(text);
  if (tokens.length === 0) return { verb: 'unknown', word: '' };
  const [verbRaw, ...args] = tokens;
  const verb = verbRaw.toLowerCase().replace(/^\//, '');
  try {
    switch (verb) {
      case 'help':
      case '?':
        return { verb: 'help' };
      case 'migrate':
        return parseMigrate(args);
      case 'status':
        return parseStatusOrComplete('status', args);
      case 'complete':
        return parseStatusOrComplete('complete', args);
      case 'locked':
        if (args.length > 0) throw new ParseError('locked takes no arguments.', 'locked');
        return { verb: 'locked' };
      case 'audit':
        return parseAudit(args);
      case 'import':
        return parseImport(args);
      default:
        return { verb: 'unknown', word: shown(verbRaw) };
    }
  } catch (err) {
    if (err instanceof ParseError) return { verb: 'invalid', message: err.message, usage: err.usageText };
    throw err;
  }
}
