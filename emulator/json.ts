/**
 * Narrowing helpers for the untyped JSON the emulator reads from HTTP bodies, tokens and fixtures:
 * every field stays `unknown` until a check says what it is.
 */

/** The value as an object whose fields are still to be checked; undefined for null and primitives (arrays count as objects, as `typeof` says). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A JSON value as text for messages and look-ups: strings as they are, anything else as JSON (never `[object Object]`). */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}
