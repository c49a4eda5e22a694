import { asObject } from './json';
/** A query option the caller got wrong: becomes a 400 BadRequest with this message. */
export class QueryError extends Error {}

/** One `$filter` clause: `prop eq 'v'`, `startswith(prop,'v')` or `prop in ('a','b',…)`. */
export type FilterClause = { op: 'eq' | 'startswith'; property: string; value: string } | { op: 'in'; property: string; values: string[] };

/** Properties each operator may be used on, for one endpoint; `in` is refused when not listed. */
export interface FilterAllowed {
  eq: string[];
  startswith: string[];
  in?: string[];
}

/** Values one `in (…)` may list, as Graph's directory allows. */
export const MAX_IN_VALUES = 15;

/** Splits on ` and ` / ` or ` outside string literals and parentheses. */
function splitOn(filter: string, keyword: 'and' | 'or'): string[] {
  const parts: string[] = [];
  const separator = new RegExp(`^\\s+${keyword}\\s+`, 'i');
  let current = '';
  let inString = false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (ch === "'") {
      if (inString && filter[i + 1] === "'") {
        current += "''";
        i++;
        continue;
      }
      inString = !inString;
    }
    if (!inString && ch === '(') depth++;
    if (!inString && ch === ')') depth--;
    const sep = !inString && depth === 0 && /\s/.test(ch) ? separator.exec(filter.slice(i)) : null;
    if (sep) {
      parts.push(current);
      current = '';
      i += sep[0].length - 1;
      continue;
    }
    current += ch;
  }
  if (inString) throw new QueryError(`Invalid filter clause: unterminated string literal in '${filter}'.`);
  if (depth !== 0) throw new QueryError(`Invalid filter clause: unbalanced parentheses in '${filter}'.`);
  parts.push(current);
  return parts;
}

/** Removes parentheses around a whole clause: `(mail eq 'a')` → `mail eq 'a'`. */
function unwrap(clause: string): string {
  let c = clause.trim();
  while (c.startsWith('(') && c.endsWith(')') && closes(c) === c.length - 1) c = c.slice(1, -1).trim();
  return c;
}

/** Index of the parenthesis closing the one at 0 (outside string literals). */
function closes(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") inString = !inString;
    else if (!inString && text[i] === '(') depth++;
    else if (!inString && text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

const LITERAL = "'((?:[^']|'')*)'";

/** Parses one clause and checks its property against what the endpoint allows. */
function parseClause(raw: string, allowed: FilterAllowed, maxInValues: number): FilterClause {
  const clause = unwrap(raw);
  const eq = new RegExp(`^(\\w+)\\s+eq\\s+${LITERAL}$`, 'i').exec(clause);
  const sw = new RegExp(`^startswith\\(\\s*(\\w+)\\s*,\\s*${LITERAL}\\s*\\)$`, 'i').exec(clause);
  const inList = new RegExp(`^(\\w+)\\s+in\\s+\\(\\s*(${LITERAL}(?:\\s*,\\s*${LITERAL})*)\\s*\\)$`, 'i').exec(clause);
  const m = eq ?? sw ?? inList;
  if (!m) throw new QueryError(`Invalid filter clause: '${clause}'.`);
  const op = eq ? 'eq' : sw ? 'startswith' : 'in';
  const property = (allowed[op] ?? []).find((p) => p.toLowerCase() === m[1].toLowerCase());
  if (!property) throw new QueryError(`Unsupported filter: '${op}' on property '${m[1]}' is not supported on this resource.`);
  if (op !== 'in') return { op, property, value: m[2].replace(/''/g, "'") };
  const values = [...m[2].matchAll(new RegExp(LITERAL, 'g'))].map((v) => v[1].replace(/''/g, "'"));
  if (values.length > maxInValues) {
    throw new QueryError(
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${maxInValues}.`,
    );
  }
  return { op, property, values };
}

/**
 * Parses the small `$filter` subset the emulated endpoints support: clauses joined by `and`, each
 * `<prop> eq '<text>'`, `startswith(<prop>,'<text>')` or (where allowed) `<prop> in ('<a>',…)`,
 * with `''` escaping a quote. Anything else, or a property/operator the endpoint does not allow,
 * is a QueryError.
 */
export function parseFilter(filter: string, allowed: FilterAllowed): FilterClause[] {
  return splitOn(filter.trim(), 'and').map((raw) => parseClause(raw, allowed, MAX_IN_VALUES));
}

/**
 * Parses a `$filter` of alternatives joined by ` or `, each a parseFilter conjunction (optionally
 * in parentheses), e.g. `mail in ('a','b') or userPrincipalName in ('a','b')`. An `in` listing
 * more than maxInValues values is a QueryError, as in Graph's directory.
 */
export function parseFilterAlternatives(filter: string, allowed: FilterAllowed, maxInValues = MAX_IN_VALUES): FilterClause[][] {
  return splitOn(filter.trim(), 'or').map((alt) => splitOn(unwrap(alt), 'and').map((raw) => parseClause(raw, allowed, maxInValues)));
}

/** True when an object satisfies every clause (text comparisons are case-insensitive, as in the directory). */
export function matchesFilter(item: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every((c) => {
    const v = item[c.property];
    if (typeof v !== 'string') return false;
    const a = v.toLowerCase();
    if (c.op === 'in') return c.values.some((x) => x.toLowerCase() === a);
    const b = c.value.toLowerCase();
    return c.op === 'eq' ? a === b : a.startsWith(b);
  });
}

/** True when an object satisfies at least one alternative of parseFilterAlternatives. */
export function matchesAnyFilter(item: Record<string, unknown>, alternatives: FilterClause[][]): boolean {
  return alternatives.some((clauses) => matchesFilter(item, clauses));
}

/** Parses `$select`; unknown properties are a QueryError like Graph's "Could not find a property". */
export function parseSelect(select: string | undefined, known: string[], typeName: string): string[] | null {
  if (select === undefined) return null;
  const names = select
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new QueryError('Invalid $select: empty.');
  return names.map((n) => {
    const hit = known.find((k) => k.toLowerCase() === n.toLowerCase());
    if (!hit) throw new QueryError(`Could not find a property named '${n}' on type 'microsoft.graph.${typeName}'.`);
    return hit;
  });
}

/** Keeps only the selected properties (all when select is null). */
export function applySelect<T extends Record<string, unknown>>(item: T, select: string[] | null): Record<string, unknown> {
  if (!select) return item;
  const out: Record<string, unknown> = {};
  for (const k of select) out[k] = item[k];
  return out;
}

/** Parses `$top` within [1, max]. */
export function parseTop(top: string | undefined, max: number): number | undefined {
  if (top === undefined) return undefined;
  if (!/^\d+$/.test(top.trim())) throw new QueryError(`Invalid value '${top}' for $top query option.`);
  const n = Number(top);
  if (n < 1 || n > max) throw new QueryError(`Invalid page size specified: '${top}'. Must be between 1 and ${max}.`);
  return n;
}

/** Opaque skip token: the offset of the next page, base64url encoded. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** Reads a skip token written by encodeSkipToken. */
export function decodeSkipToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const o = asObject(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')))?.o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // falls through to the error below
  }
  throw new QueryError('The $skiptoken is invalid or expired.');
}

/** Builds an absolute next-page link that keeps the caller's query options. */
export function nextLink(base: string, query: Record<string, string>, nextOffset: number): string {
  const keep = Object.entries(query).filter(([k]) => k !== '$skiptoken');
  keep.push(['$skiptoken', encodeSkipToken(nextOffset)]);
  return `${base}?${keep.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}
