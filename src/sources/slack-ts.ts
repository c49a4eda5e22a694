/**
 * Slack message timestamps (`ts`): decimal strings of epoch seconds with six decimals,
 * `"1609459200.123456"`. They are ids as much as times, so they are handled as strings: parsing them
 * as floats would round (1609459200.123456 is not a double), and two ids could collide or misorder.
 */

const TS = /^(\d{1,15})(?:\.(\d{1,9}))?$/;

/** True for a string shaped like a Slack `ts`. */
export function isSlackTs(ts: string): boolean {
  return TS.test(ts);
}

/** Epoch milliseconds of a `ts`, truncated (`"1609459200.123456"` → 1609459200123), by integer arithmetic on the digits. */
export function slackTsToMillis(ts: string): number {
  const match = TS.exec(ts);
  if (!match) throw new Error(`not a Slack ts: ${JSON.stringify(ts)}`);
  const millis = (match[2] ?? '').padEnd(3, '0').slice(0, 3);
  // Seconds have at most 15 digits, so seconds × 1000 stays below 2^53: exact.
  return Number(match[1]) * 1000 + Number(millis);
}

/** A string that sorts like the `ts` it was made from (fixed-width digits), for ordering without rounding. */
export function slackTsSortKey(ts: string): string {
  const match = TS.exec(ts);
  if (!match) throw new Error(`not a Slack ts: ${JSON.stringify(ts)}`);
  return match[1].padStart(15, '0') + (match[2] ?? '').padEnd(9, '0');
}
