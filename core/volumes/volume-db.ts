import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../metadata/migrations.js';

export const VOLUMES_DB = 'metadata.db';

/** The schema of `<root>/metadata.db`, append-only (see `core/metadata/migrations.ts`). */
export const volumeMigrations: readonly string[] = [
  `
  CREATE TABLE volumes (
    name TEXT PRIMARY KEY,
    driver TEXT NOT NULL,
    created TEXT NOT NULL,
    labels TEXT NOT NULL CHECK (json_valid(labels)),
    options TEXT NOT NULL CHECK (json_valid(options))
  ) STRICT;

  CREATE TABLE holders (
    volume TEXT NOT NULL REFERENCES volumes (name) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    PRIMARY KEY (volume, holder)
  ) STRICT, WITHOUT ROWID;
  `,
  // Which holders have the volume mounted, and where: kept across restarts, so a container that
  // outlives the engine still gets its driver's unmount when it stops.
  `
  CREATE TABLE mounts (
    volume TEXT NOT NULL REFERENCES volumes (name) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (volume, holder)
  ) STRICT, WITHOUT ROWID;
  `,
];

/** What we keep of a volume, whatever its driver. `null` maps stay `null` (Docker's `"Labels": null`). */
export interface VolumeRecord {
  name: string;
  driver: string;
  /** Docker's `CreatedAt` text. */
  created: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
}

interface Row {
  name: string;
  driver: string;
  created: string;
  labels: string;
  options: string;
}

function fromRow(row: Row): VolumeRecord {
  return { name: row.name, driver: row.driver, created: row.created, labels: JSON.parse(row.labels), options: JSON.parse(row.options) };
}

/** Volume records and their holders in SQLite (WAL, synchronous NORMAL); every method is one statement or transaction. */
export class VolumeDb {
  private readonly stmts;

  private constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM volumes WHERE name = ?'),
      all: db.prepare<[], Row>('SELECT * FROM volumes ORDER BY name'),
      insert: db.prepare<[string, string, string, string, string]>('INSERT INTO volumes (name, driver, created, labels, options) VALUES (?, ?, ?, ?, ?)'),
      remove: db.prepare<[string]>('DELETE FROM volumes WHERE name = ?'),
      holders: db.prepare<[string], { holder: string }>('SELECT holder FROM holders WHERE volume = ? ORDER BY holder'),
      allHolders: db.prepare<[], { volume: string; holder: string }>('SELECT volume, holder FROM holders ORDER BY volume, holder'),
      hold: db.prepare<[string, string]>('INSERT OR IGNORE INTO holders (volume, holder) VALUES (?, ?)'),
      release: db.prepare<[string, string]>('DELETE FROM holders WHERE volume = ? AND holder = ?'),
      mounted: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO mounts (volume, holder, path) VALUES (?, ?, ?)'),
      unmounted: db.prepare<[string, string]>('DELETE FROM mounts WHERE volume = ? AND holder = ?'),
      allMounts: db.prepare<[], { volume: string; holder: string; path: string }>('SELECT volume, holder, path FROM mounts ORDER BY volume, holder'),
    };
  }

  /** Opens or creates `<root>/metadata.db` and migrates it. */
  static open(root: string): VolumeDb {
    mkdirSync(root, { recursive: true, mode: 0o701 });
    const db = new Database(join(root, VOLUMES_DB), { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, volumeMigrations);
      return new VolumeDb(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.stmts.get.get(name);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every record, by name. */
  all(): VolumeRecord[] {
    return this.stmts.all.all().map(fromRow);
  }

  insert(rec: VolumeRecord): void {
    this.stmts.insert.run(rec.name, rec.driver, rec.created, JSON.stringify(rec.labels), JSON.stringify(rec.options));
  }

  /** Removes the record and its holders. */
  remove(name: string): void {
    this.stmts.remove.run(name);
  }

  holders(name: string): string[] {
    return this.stmts.holders.all(name).map((r) => r.holder);
  }

  /** Holders of every volume that has any. */
  allHolders(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const { volume, holder } of this.stmts.allHolders.all()) out.set(volume, [...(out.get(volume) ?? []), holder]);
    return out;
  }

  hold(name: string, holder: string): void {
    this.stmts.hold.run(name, holder);
  }

  release(name: string, holder: string): void {
    this.stmts.release.run(name, holder);
  }

  /** Records that `holder` has the volume mounted at `path`. */
  mounted(name: string, holder: string, path: string): void {
    this.stmts.mounted.run(name, holder, path);
  }

  unmounted(name: string, holder: string): void {
    this.stmts.unmounted.run(name, holder);
  }

  /** Every recorded mount. */
  allMounts(): { volume: string; holder: string; path: string }[] {
    return this.stmts.allMounts.all();
  }

  close(): void {
    this.db.close();
  }
}
