import type Database from 'better-sqlite3';
import { errorOf } from '../../lib/errdefs/index.js';

/**
 * The schema, as an append-only list: migration N (1-based) takes the
 * database from version N-1 to N, recorded in SQLite's `user_version`.
 * Never edit a released migration; add the next one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE images (
    name TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX images_by_digest ON images (digest);

  CREATE TABLE refs (
    parent_kind TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    child_kind TEXT NOT NULL,
    child_id TEXT NOT NULL,
    PRIMARY KEY (parent_kind, parent_id, child_kind, child_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX refs_by_child ON refs (child_kind, child_id);

  CREATE TABLE snapshots (
    key TEXT PRIMARY KEY,
    parent TEXT REFERENCES snapshots (key),
    kind TEXT NOT NULL CHECK (kind IN ('view', 'active', 'committed')),
    labels TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX snapshots_by_parent ON snapshots (parent);

  CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    expires_at INTEGER,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE lease_resources (
    lease_id TEXT NOT NULL REFERENCES leases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (lease_id, kind, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE gc_roots (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (kind, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE content_labels (
    digest TEXT PRIMARY KEY,
    labels TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // 2: what the overlay snapshotter records beside the GC's view of a snapshot,
  // so its records live here and not in a second store: the short id naming
  // its directory, and the disk usage measured at commit.
  `
  ALTER TABLE snapshots ADD COLUMN snapshotter_id TEXT;
  ALTER TABLE snapshots ADD COLUMN usage_size INTEGER;
  ALTER TABLE snapshots ADD COLUMN usage_inodes INTEGER;
  CREATE UNIQUE INDEX snapshots_by_snapshotter_id ON snapshots (snapshotter_id);
  `,
];

/** Brings `db` up to the newest schema, one transaction per step; refuses a database from a newer engine. */
export function migrate(db: Database.Database, steps: readonly string[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > steps.length) {
    throw errorOf(
      'failed-precondition',
      `metadata database ${db.name}: schema version ${current} is newer than this engine understands (${steps.length})`,
    );
  }
  for (let version = current + 1; version <= steps.length; version++) {
    db.transaction(() => {
      db.exec(steps[version - 1]!);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
  return steps.length;
}
