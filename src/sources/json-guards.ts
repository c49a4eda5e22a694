/**
 * Small readers for parsed JSON of unknown shape. Exports come from other people's software (and
 * sometimes from hand-edited files), so every field is checked where it is read instead of casting
 * whole objects to an interface that may not hold.
 */

export type JsonRecord = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field when it is a string, else null. */
export function stringField(record: JsonRecord, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

/** The field when it is a string with something besides blanks in it, else null (exports use "" for "none"). */
export function textField(record: JsonRecord, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** The field when it is a finite number, else null. */
export function numberField(record: JsonRecord, key: string): number | null {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The field when it is an object, else null. */
export function recordField(record: JsonRecord, key: string): JsonRecord | null {
  const value = record[key];
  return isRecord(value) ? value : null;
}

/** The field when it is an array, else an empty one (exports write `null` for "no replies", "no reactions"). */
export function arrayField(record: JsonRecord, key: string): unknown[] {
  const value = record[key];
  return Array.isArray(value) ? value : [];
}

/** The strings of an array field, other items dropped. */
export function stringsField(record: JsonRecord, key: string): string[] {
  return arrayField(record, key).filter((item): item is string => typeof item === 'string');
}
