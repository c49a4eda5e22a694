/**
 * A small table-driven mapping between a record and its SQLite row: each field names its column
 * and how its value is kept there (text, integer, JSON). Every query of an aggregate reads and
 * writes rows through the one mapping, so a column is named once and a new field that has no
 * column is a compile error (`FieldMap` covers every key of the record).
 */

/** How one record field is kept in one column. */
export interface ColumnCodec<V> {
  readonly kind: 'column';
  readonly column: string;
  /** False for a column only the store's own statements set (e.g. a claim stamp): left out of INSERT. */
  readonly inserted: boolean;
  toColumn(value: V): unknown;
  fromColumn(value: unknown): V;
}

/**
 * A record's fields mapped to columns; a nested object (the actor of a ledger line) maps its own
 * fields, so it is spread over several flat columns.
 */
export type FieldMap<R> = { readonly [K in keyof R]-?: ColumnCodec<R[K]> | FieldMap<R[K]> };

const column = <V>(name: string, toColumn: (value: V) => unknown, fromColumn: (value: unknown) => V): ColumnCodec<V> => ({
  kind: 'column',
  column: name,
  inserted: true,
  toColumn,
  fromColumn,
});

/** A text column; SQL NULL reads as null. Written as given (better-sqlite3 binds strings and null). */
export function text<V extends string | null>(name: string): ColumnCodec<V> {
  return column<V>(
    name,
    (v) => v,
    // A text column holds text; a number read from it (an old row) becomes its text.
    (v) => (v === null || v === undefined ? null : typeof v === 'number' ? String(v) : v) as V,
  );
}

/** An integer column, read back as the number SQLite returns. */
export function integer<V extends number>(name: string): ColumnCodec<V> {
  return column<V>(
    name,
    (v) => v,
    (v) => v as V,
  );
}

/** A boolean kept as 0/1 in an integer column (SQLite has no boolean type). */
export function flag<V extends boolean>(name: string): ColumnCodec<V> {
  return column<V>(
    name,
    (v) => (v ? 1 : 0),
    (v) => (v === 1) as V,
  );
}

/**
 * A JSON column. `missing` says what an absent value is written as: `'null'` writes SQL NULL for
 * null/undefined (a nullable column), `'as-json'` writes whatever `JSON.stringify` makes of it (a
 * NOT NULL column), and an object is the default written in its place (e.g. `{}` for parameters).
 */
export function json<V>(name: string, missing: 'null' | 'as-json' | object): ColumnCodec<V> {
  const write = (v: V): unknown => {
    if (missing === 'as-json') return JSON.stringify(v);
    if (missing === 'null') return v === null || v === undefined ? null : JSON.stringify(v);
    return JSON.stringify(v ?? missing);
  };
  return column<V>(name, write, (t) => (t === null ? null : JSON.parse(t as string)) as V);
}

/** The same codec, left out of INSERT: the store sets this column itself later. */
export function setByStore<V>(codec: ColumnCodec<V>): ColumnCodec<V> {
  return { ...codec, inserted: false };
}

const isCodec = (m: unknown): m is ColumnCodec<unknown> => (m as ColumnCodec<unknown>).kind === 'column';

/** Every codec of a mapping, nested ones included, each with the path of its field. */
function leaves(map: object, path: string[] = []): Array<{ path: string[]; codec: ColumnCodec<unknown> }> {
  return Object.entries(map).flatMap(([key, m]) => (isCodec(m) ? [{ path: [...path, key], codec: m }] : leaves(m as object, [...path, key])));
}

/**
 * One aggregate's table: its name and field map, with the row conversions and the INSERT statement
 * text derived from them. `extraColumns` are written next to the record but belong to no field
 * (an ordering key, a lease); they are passed to `insertParams` by the caller.
 */
export class RowMapping<R> {
  private readonly columns: ReadonlyArray<{ path: string[]; codec: ColumnCodec<unknown> }>;

  constructor(
    readonly table: string,
    private readonly fields: FieldMap<R>,
    private readonly extraColumns: readonly string[] = [],
  ) {
    this.columns = leaves(this.fields);
  }

  /** The record a row holds; columns that belong to no field (seq, lease, at_ms) are ignored. */
  fromRow(row: Record<string, unknown>): R {
    const record: Record<string, unknown> = {};
    for (const { path, codec } of this.columns) {
      let at = record;
      for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      at[path[path.length - 1]] = codec.fromColumn(row[codec.column]);
    }
    return record as R;
  }

  /** Named statement parameters (`@column`) for inserting `record`, plus the extra columns' values. */
  insertParams(record: R, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const { path, codec } of this.columns) {
      if (!codec.inserted) continue;
      let value: unknown = record;
      for (const key of path) value = (value as Record<string, unknown> | null | undefined)?.[key];
      params[codec.column] = codec.toColumn(value);
    }
    for (const name of this.extraColumns) params[name] = extra[name];
    return params;
  }

  /** `INSERT INTO table (…) VALUES (@…)` over every inserted column, then `suffix` (e.g. an ON CONFLICT clause). */
  insertSql(suffix = ''): string {
    const names = [...this.columns.filter((c) => c.codec.inserted).map((c) => c.codec.column), ...this.extraColumns];
    return `INSERT INTO ${this.table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})${suffix ? ` ${suffix}` : ''}`;
  }

  /** A top-level field's value as its column keeps it, for statements that write one field. */
  toColumn<K extends keyof R & string>(field: K, value: R[K]): unknown {
    return this.codecOf(field).toColumn(value);
  }

  /** The column a top-level field is kept in. */
  columnOf(field: keyof R & string): string {
    return this.codecOf(field).column;
  }

  private codecOf<K extends keyof R & string>(field: K): ColumnCodec<R[K]> {
    const m = this.fields[field];
    if (!isCodec(m)) throw new Error(`${field} spans several columns`);
    return m;
  }

  /**
   * `col = CASE WHEN @has_field THEN @field ELSE col END` for each patchable field: a patch sets only
   * the fields it names (`patchParams` fills the `has_` flags), so an explicit null can clear one.
   */
  patchSetSql(fields: ReadonlyArray<keyof R & string>): string {
    return fields.map((f) => `${this.columnOf(f)} = CASE WHEN @has_${f} THEN @${f} ELSE ${this.columnOf(f)} END`).join(',\n        ');
  }

  /**
   * Parameters for `patchSetSql`: `has_x` says whether the caller named `x`, so `null` can clear a
   * value; a named value is written the way its column keeps it (a JSON field as JSON, a flag as 0/1).
   */
  patchParams(patch: Partial<R>, fields: ReadonlyArray<keyof R & string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const value = patch[f];
      out[`has_${f}`] = value !== undefined ? 1 : 0;
      out[f] = value !== undefined ? this.codecOf(f).toColumn(value) : null;
    }
    return out;
  }
}
