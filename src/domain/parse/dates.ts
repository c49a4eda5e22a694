/**
 * Dates as admins type them and as the bot shows them. Pure functions.
 */

export type DateParseResult = { ok: true; iso: string } | { ok: false; message: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;
const EXAMPLE = 'Use YYYY-MM-DD (midnight UTC) or ISO 8601 with an offset, e.g. 2020-01-01 or 2020-01-01T09:00:00+02:00.';

function validDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(2000, m - 1, d));
  dt.setUTCFullYear(y);
  return dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Parses the `<date>` of `since <date>`: `YYYY-MM-DD` means midnight UTC; a date-time must carry
 * `Z` or an offset. Returns the instant in UTC ISO form, or a message saying what is wrong.
 */
export function parseCreationDate(text: string, now: Date = new Date()): DateParseResult {
  const t = text.trim();
  const shown = t.length > 40 ? `${t.slice(0, 40)}…` : t;
  let ms: number;
  const day = DAY.exec(t);
  const dt = DATE_TIME.exec(t);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(y, m, d)) return { ok: false, message: `"${shown}" is not a real calendar date. ${EXAMPLE}` };
    ms = Date.UTC(2000, m - 1, d);
    const date = new Date(ms);
    date.setUTCFullYear(y);
    ms = date.getTime();
  } else if (dt) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(dt[i] ?? 0));
    if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return { ok: false, message: `"${shown}" is not a real date and time. ${EXAMPLE}` };
    const offset = dt[8];
    if (!offset) return { ok: false, message: `"${shown}" has no time zone. Add Z for UTC or an offset such as +02:00.` };
    let offsetMinutes = 0;
    if (!/^z$/i.test(offset)) {
      const sign = offset.startsWith('-') ? -1 : 1;
      const digits = offset.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2, 4));
      if (oh > 14 || om > 59) return { ok: false, message: `"${shown}" has an impossible offset. Offsets run from -14:00 to +14:00.` };
      offsetMinutes = sign * (oh * 60 + om);
    }
    const frac = dt[7] ? Math.floor(Number(dt[7]) * 1000) : 0;
    const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, frac));
    date.setUTCFullYear(y);
    ms = date.getTime() - offsetMinutes * 60000;
  } else {
    return { ok: false, message: `"${shown}" is not a date. ${EXAMPLE}` };
  }
  const result = new Date(ms);
  if (isNaN(ms) || result.getUTCFullYear() < 1) return { ok: false, message: `"${shown}" is before the earliest date Graph accepts (0001-01-01).` };
  if (ms > now.getTime())
    return { ok: false, message: `"${shown}" is in the future. The creation date must be in the past, earlier than the thread's current creation date.` };
  return { ok: true, iso: toGraphIso(result) };
}

/** ISO 8601 in UTC without needless milliseconds, e.g. `2020-01-01T00:00:00Z`. */
export function toGraphIso(date: Date): string {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  // toISOString uses an expanded year form only outside 0000–9999, which our inputs never reach.
  const body = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  return year < 1000 ? body.replace(/^\+?0*(\d+)-/, (_m, y: string) => `${y.padStart(4, '0')}-`) : body;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** One formatter per zone (building one costs far more than using it); null for an unknown zone. */
function cachedFormatter(zone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(zone)) {
    let formatter: Intl.DateTimeFormat | null;
    try {
      formatter = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      formatter = null;
    }
    // Zone names come from clients; bound the cache so odd names cannot grow it without limit.
    if (formatters.size > 500) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatters.get(zone) ?? null;
}

/** True when the IANA zone name is known to this runtime. */
export function isKnownTimeZone(zone: string): boolean {
  return cachedFormatter(zone) !== null;
}

/** `2024-06-10 09:30 UTC`: how every card shows an instant in UTC. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return 'unknown';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The same instant in the admin's zone, e.g. `2024-06-10 11:30 Europe/Berlin`; null for UTC or an unknown zone. */
export function formatInZone(iso: string | null | undefined, zone: string | null | undefined): string | null {
  if (!iso || !zone || /^(utc|etc\/utc|gmt|z)$/i.test(zone) || !isKnownTimeZone(zone)) return null;
  const d = new Date(iso);
  if (isNaN(d.getTime())) return null;
  const parts = cachedFormatter(zone)!.formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${zone}`;
}

/** UTC and, when different, the admin's zone: `2024-06-10 09:30 UTC (11:30 Europe/Berlin)`. */
export function formatBoth(iso: string | null | undefined, zone: string | null | undefined): string {
  const local = formatInZone(iso, zone);
  return local ? `${formatUtc(iso)} (${local})` : formatUtc(iso);
}

/** Whole days between two instants, rounded down. */
export function daysBetween(fromIso: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - new Date(fromIso).getTime()) / 86400000));
}

/** Minutes the zone is ahead of UTC at the instant `ms`. */
function zoneOffsetMinutes(ms: number, zone: string): number {
  const parts = cachedFormatter(zone)!.formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * The form's date (`YYYY-MM-DD`) and optional time (`HH:mm`) read in the admin's zone (UTC when
 * none), as an instant; a message when either is malformed.
 */
export function parseFormDateTime(date: string, time: string, zone: string | null, now: Date = new Date()): DateParseResult {
  if (!DAY.test(date.trim())) return { ok: false, message: 'Choose a date (YYYY-MM-DD).' };
  const t = time.trim() || '00:00';
  const tm = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (!tm || Number(tm[1]) > 23 || Number(tm[2]) > 59) return { ok: false, message: 'The time must be HH:mm, e.g. 09:30.' };
  const utcGuess = parseCreationDate(`${date.trim()}T${tm[1]}:${tm[2]}:${tm[3] ?? '00'}Z`, new Date(8640000000000000));
  if (!utcGuess.ok) return utcGuess;
  let ms = Date.parse(utcGuess.iso);
  if (zone && isKnownTimeZone(zone)) {
    // Two passes settle the offset across a daylight-saving change.
    const first = ms - zoneOffsetMinutes(ms, zone) * 60000;
    ms = ms - zoneOffsetMinutes(first, zone) * 60000;
  }
  if (ms > now.getTime()) return { ok: false, message: 'That date is in the future. The creation date must be in the past.' };
  return { ok: true, iso: toGraphIso(new Date(ms)) };
}
