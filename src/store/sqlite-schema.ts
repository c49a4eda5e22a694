import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append new
 * steps, never edit a shipped one: a ledger file outlives the code that wrote it.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,      -- insertion order, breaks ties between equal times
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    at_ms INTEGER NOT NULL,                     -- what the ledger is ordered and filtered by
    action TEXT NOT NULL,
    actor_aad_object_id TEXT,
    actor_name TEXT,
    tenant_id TEXT,
    conversation_id TEXT,
    target_key TEXT,
    target TEXT CHECK (target IS NULL OR json_valid(target)),
    parameters TEXT NOT NULL CHECK (json_valid(parameters)),
    outcome TEXT NOT NULL,
    error TEXT CHECK (error IS NULL OR json_valid(error)),
    request_id TEXT,
    before_snapshot TEXT CHECK (before_snapshot IS NULL OR json_valid(before_snapshot)),
    after_snapshot TEXT CHECK (after_snapshot IS NULL OR json_valid(after_snapshot)),
    job_id TEXT
  );
  CREATE INDEX audit_by_time ON audit (at_ms DESC, seq DESC);
  CREATE INDEX audit_by_target ON audit (target_key, at_ms DESC, seq DESC);
  CREATE INDEX audit_by_actor ON audit (actor_aad_object_id, at_ms DESC, seq DESC);
  CREATE INDEX audit_by_tenant ON audit (tenant_id, at_ms DESC, seq DESC);
  CREATE INDEX audit_by_action ON audit (action, at_ms DESC, seq DESC);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;

  CREATE TABLE pending_operations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    requested_by TEXT NOT NULL CHECK (json_valid(requested_by)),
    conversation_id TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'cancelled')),
    result TEXT CHECK (result IS NULL OR json_valid(result)),
    activity_id TEXT
  );

  CREATE TABLE bulk_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    team_name TEXT NOT NULL,
    requested_by TEXT NOT NULL CHECK (json_valid(requested_by)),
    conversation_id TEXT NOT NULL,
    conversation_reference TEXT NOT NULL CHECK (json_valid(conversation_reference)),
    progress_activity_id TEXT,
    conversation_creation_date_time TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX bulk_jobs_by_state ON bulk_jobs (state, created_at, id);

  CREATE TABLE bulk_items (
    job_id TEXT NOT NULL REFERENCES bulk_jobs (id),
    item_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    target TEXT NOT NULL CHECK (json_valid(target)),
    state TEXT NOT NULL CHECK (state IN ('queued', 'intent', 'succeeded', 'failed', 'skipped')),
    detail TEXT,
    error_code TEXT,
    request_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job_id, item_key)
  ) WITHOUT ROWID;
  CREATE INDEX bulk_items_in_order ON bulk_items (job_id, seq, item_key);

  CREATE TABLE conversation_references (
    aad_object_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    reference TEXT NOT NULL CHECK (json_valid(reference)),
    updated_at TEXT NOT NULL
  );

  CREATE TABLE reminders (
    target_key TEXT PRIMARY KEY,
    sent_at TEXT NOT NULL
  );
  `,
  // 2: bulk job leases, so that of several bot instances on one ledger only one works on a job.
  `
  ALTER TABLE bulk_jobs ADD COLUMN lease_owner TEXT;
  ALTER TABLE bulk_jobs ADD COLUMN lease_until_ms INTEGER;
  `,
  // 3: when Confirm claimed an operation, so one interrupted by a stopped bot can be settled later.
  `
  ALTER TABLE pending_operations ADD COLUMN claimed_at TEXT;
  `,
  // 4: import jobs: a job, its targets (one per target channel, with counters) and one row per
  // planned message. Message rows and counters change together, in one transaction.
  `
  CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    job_key TEXT NOT NULL,                      -- {source sha256}:{team id}: the same import is found again
    tenant_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    team_name TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_file_name TEXT NOT NULL,
    source_location TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source_bytes INTEGER NOT NULL,
    requested_by TEXT NOT NULL CHECK (json_valid(requested_by)),
    origin TEXT NOT NULL CHECK (origin IN ('cli', 'teams')),
    options TEXT NOT NULL CHECK (json_valid(options)),
    conversation_id TEXT,
    conversation_reference TEXT CHECK (conversation_reference IS NULL OR json_valid(conversation_reference)),
    progress_activity_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'done', 'cancelled')),
    created_at TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,             -- what listings order by (newest first), never the text
    updated_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until_ms INTEGER
  );
  CREATE INDEX import_jobs_by_key ON import_jobs (job_key, created_at_ms DESC, id DESC);
  CREATE INDEX import_jobs_by_time ON import_jobs (created_at_ms DESC, id DESC);
  CREATE INDEX import_jobs_by_state ON import_jobs (state, created_at_ms DESC, id DESC);
  CREATE INDEX import_jobs_by_tenant ON import_jobs (tenant_id, created_at_ms DESC, id DESC);

  CREATE TABLE import_targets (
    job_id TEXT NOT NULL REFERENCES import_jobs (id),
    target_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    source_channel_id TEXT NOT NULL,
    source_channel_name TEXT NOT NULL,
    target TEXT NOT NULL CHECK (json_valid(target)),
    state TEXT NOT NULL CHECK (state IN ('queued', 'importing', 'imported', 'failed', 'skipped', 'completed')),
    planned INTEGER NOT NULL,
    conversation_creation_date_time TEXT,
    started_by_job INTEGER NOT NULL CHECK (started_by_job IN (0, 1)),
    messages INTEGER NOT NULL,
    replies INTEGER NOT NULL,
    reactions INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    fallback_authored INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    detail TEXT,
    error_code TEXT,
    request_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job_id, target_key)
  ) WITHOUT ROWID;
  CREATE INDEX import_targets_in_order ON import_targets (job_id, seq, target_key);

  CREATE TABLE import_messages (
    job_id TEXT NOT NULL,
    target_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    parent_source_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('intent', 'imported', 'skipped', 'failed')),
    created_date_time TEXT,
    graph_id TEXT,
    request_id TEXT,
    detail TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job_id, target_key, seq),
    FOREIGN KEY (job_id, target_key) REFERENCES import_targets (job_id, target_key)
  ) WITHOUT ROWID;
  -- A reply finds its root by source id; unique, so that lookup has one answer.
  CREATE UNIQUE INDEX import_messages_by_source ON import_messages (job_id, target_key, source_id);
  -- The report and a resumed run list rows in one state (skipped, failed, intent) without reading the others.
  CREATE INDEX import_messages_by_state ON import_messages (job_id, target_key, state, seq);
  `,
];

/** The schema version this code writes; a file with a higher `user_version` is refused. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a freshly opened ledger up to `SCHEMA_VERSION` inside one transaction, so a crash during an
 * upgrade leaves the old schema intact. Throws when the file was written by a newer release, because
 * running old code on a newer schema could corrupt records it does not understand.
 */
export function migrateSchema(db: Database.Database): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() === SCHEMA_VERSION) return;
  // Re-read under the write lock: another process may have migrated while this one waited for it.
  db.transaction(() => {
    const current = version();
    if (current > SCHEMA_VERSION) {
      throw new Error(`the ledger has schema version ${current}; this release understands up to ${SCHEMA_VERSION}`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
