import { asObject } from './json';
/** A query option the caller got wrong: becomes a 400 BadRequest with this message. */
export class QueryError extends Error {}

/** One `$filter` clause: `prop eq 'v'` or `startswith(prop,'v')`. */
export interface FilterClause {
  op: 'eq' | 'startswith';
  property: string;
  value: string;
}

/** Splits on ` and ` outside string literals. */
function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inString = false;
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
    if (!inString && /^\s+and\s+/i.test(filter.slice(i)) && /\s/.test(ch)) {
      parts.push(current);
      current = '';
      i += (/^\s+and\s+/i.exec(filter.slice(i)) as RegExpExecArray)[0].length - 1;
      continue;
    }
    current += ch;
  }
  if (inString) throw new QueryError(`Invalid filter clause: unterminated string literal in '${filter}'.`);
  parts.push(current);
  return parts;
}

/**
 * Parses the small `$filter` subset the emulated endpoints support: clauses joined by `and`, each
 * `<prop> eq '<text>'` or `startswith(<prop>,'<text>')`, with `''` escaping a quote. Anything
 * else, or a property/operator the endpoint does not allow, is a QueryError.
 */
export function parseFilter(filter: string, allowed: { eq: string[]; startswith: string[] }): FilterClause[] {
  return splitAnd(filter.trim()).map((raw) => {
    const clause = raw.trim();
    const eq = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(clause);
    const sw = /^startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(clause);
    const m = eq ?? sw;
    if (!m) throw new QueryError(`Invalid filter clause: '${clause}'.`);
    const op = eq ? 'eq' : 'startswith';
    const property = allowed[op].find((p) => p.toLowerCase() === m[1].toLowerCase());
    if (!property) throw new QueryError(`Unsupported filter: '${op}' on property '${m[1]}' is not supported on this resource.`);
    return { op, property, value: m[2].replace(/''/g, "'") };
  });
}

/** True when an object satisfies every clause (text comparisons are case-insensitive, as in the directory). */
export function matchesFilter(item: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every((c) => {
    const v = item[c.property];
    if (typeof v !== 'string') return false;
    const a = v.toLowerCase();
    const b = c.value.toLowerCase();
    return c.op === 'eq' ? a === b : a.startsWith(b);
  });
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
