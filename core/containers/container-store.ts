import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { errorOf, MobyError } from '../../lib/errdefs/index.js';
import { migrate } from '../metadata/migrations.js';
import { isFullId, type ContainerRecord } from './container-record.js';
import { canonicalName, generateName, nameConflict, validateContainerName } from './names.js';

/**
 * Where container records live. Docker's in-memory container set plus its
 * name registrar and memdb view, made durable: every method is one
 * transaction, and `update` is a read-modify-write under the write lock.
 *
 * Lookups follow Docker's `GetContainer`: a full id, then a name (with or
 * without '/'), then a unique id prefix.
 */
export interface ContainerStore {
  /** Adds a record and holds its name for it. Name held by another container: `conflict` with Docker's text. */
  create(record: ContainerRecord): Promise<ContainerRecord>;
  /** Missing: `not-found` `No such container: <ref>`; ambiguous prefix: `invalid-argument`. */
  get(ref: string): Promise<ContainerRecord>;
  /** Like `get`, but undefined when nothing matches (an ambiguous prefix still throws). */
  find(ref: string): Promise<ContainerRecord | undefined>;
  /** Every record, newest first. */
  /**
   * Every record, newest first. The records are shared and frozen (a list of many containers
   * is asked for often, and parsing each one every time was most of `docker ps`): copy one
   * before changing it.
   */
  list(): Promise<readonly Readonly<ContainerRecord>[]>;
  /**
   * Replaces the record of full id `id` with `fn(current)`, atomically. `fn` must be
   * synchronous; a throw leaves the record unchanged. It may not change `id` or `name`
   * (use `rename`).
   */
  update(id: string, fn: (record: ContainerRecord) => ContainerRecord): Promise<ContainerRecord>;
  /** Docker's rename: validates, reserves the new name, releases the old one. */
  rename(ref: string, newName: string): Promise<ContainerRecord>;
  /** Removes the record of full id `id` and releases every name it holds. */
  delete(id: string): Promise<void>;
  /** Holds `name` for container `id` (idempotent for the same id); `conflict` if another id holds it. */
  reserveName(name: string, id: string): Promise<string>;
  /** Frees a name; a name nobody holds is fine. */
  releaseName(name: string): Promise<void>;
  /** Generates, reserves and returns (with '/') a free `adjective_surname` name for `id`. */
  reserveGeneratedName(id: string): Promise<string>;
  close(): Promise<void>;
}

export const CONTAINERS_DB = 'containers.db';

/** The schema of `containers.db`, append-only (see `core/metadata/migrations.ts`). */
export const containerMigrations: readonly string[] = [
  `
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record))
  ) STRICT;
  CREATE UNIQUE INDEX containers_by_name ON containers (name);

  CREATE TABLE names (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL
  ) STRICT;
  CREATE INDEX names_by_id ON names (id);
  `,
];

export interface SqliteContainerStoreOptions {
  /** Random source for generated names (tests). */
  random?: (max: number) => number;
}

export function noSuchContainer(ref: string): MobyError {
  return errorOf('not-found', `No such container: ${ref}`);
}

/** `<root>/containers.db`, better-sqlite3 in WAL mode with every commit fsynced. */
export class SqliteContainerStore implements ContainerStore {
  private readonly stmts;
  /**
   * Parsed, frozen records for `list`, and the IDs written since (re-read by the next list).
   * This store is the only writer of its database (one process owns the data root).
   */
  #cache: Map<string, Readonly<ContainerRecord>> | undefined;
  readonly #stale = new Set<string>();

  private constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteContainerStoreOptions,
  ) {
    this.stmts = {
      byId: db.prepare<[string], { record: string }>('SELECT record FROM containers WHERE id = ?'),
      byName: db.prepare<[string], { record: string }>('SELECT record FROM containers WHERE name = ?'),
      byPrefix: db.prepare<[string, string], { id: string }>('SELECT id FROM containers WHERE id >= ? AND id < ? ORDER BY id LIMIT 2'),
      all: db.prepare<[], { record: string }>('SELECT record FROM containers ORDER BY created DESC, id'),
      insert: db.prepare<[string, string, string, string]>('INSERT INTO containers (id, name, created, record) VALUES (?, ?, ?, ?)'),
      save: db.prepare<[string, string, string]>('UPDATE containers SET name = ?, record = ? WHERE id = ?'),
      remove: db.prepare<[string]>('DELETE FROM containers WHERE id = ?'),
      nameHolder: db.prepare<[string], { id: string }>('SELECT id FROM names WHERE name = ?'),
      reserve: db.prepare<[string, string]>('INSERT INTO names (name, id) VALUES (?, ?)'),
      release: db.prepare<[string]>('DELETE FROM names WHERE name = ?'),
      releaseAll: db.prepare<[string]>('DELETE FROM names WHERE id = ?'),
    };
  }

  /** Opens or creates `<root>/containers.db` and migrates it. */
  static open(root: string, options: SqliteContainerStoreOptions = {}): SqliteContainerStore {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const db = new Database(join(root, CONTAINERS_DB), { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      // WAL with synchronous NORMAL: a commit is atomic and survives the engine crashing or
      // being killed at any point (what recovery and restart policies rely on); only a power
      // loss or kernel crash may roll back the last commits — when every container has died
      // with the host anyway. FULL fsynced every state change (create, start, running, exit,
      // removing, remove: ~6 per `docker run --rm`) on the request path.
      db.pragma('synchronous = NORMAL');
      migrate(db, containerMigrations);
      return new SqliteContainerStore(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async create(record: ContainerRecord): Promise<ContainerRecord> {
    if (!isFullId(record.id)) throw errorOf('invalid-argument', `invalid container id ${JSON.stringify(record.id)}`);
    const name = validateContainerName(record.name);
    const stored = { ...structuredClone(record), name };
    this.write(() => {
      if (this.stmts.byId.get(record.id)) throw errorOf('already-exists', `container ${record.id} already exists`);
      this.reserveIn(name, record.id);
      this.#stale.add(record.id); // read again by the next list, whether this commits or not
      this.stmts.insert.run(record.id, name, stored.created, JSON.stringify(stored));
    });
    return structuredClone(stored);
  }

  async get(ref: string): Promise<ContainerRecord> {
    const found = this.lookup(ref);
    if (!found) throw noSuchContainer(ref);
    return found;
  }

  async find(ref: string): Promise<ContainerRecord | undefined> {
    return this.lookup(ref);
  }

  async list(): Promise<readonly Readonly<ContainerRecord>[]> {
    if (this.#cache === undefined) {
      this.#cache = new Map(this.stmts.all.all().map((row) => {
        const record = deepFreeze(JSON.parse(row.record) as ContainerRecord);
        return [record.id, record];
      }));
      this.#stale.clear();
    }
    for (const id of this.#stale) {
      const row = this.stmts.byId.get(id);
      if (row) this.#cache.set(id, deepFreeze(JSON.parse(row.record) as ContainerRecord));
      else this.#cache.delete(id);
    }
    this.#stale.clear();
    // As the query orders them: created (RFC 3339 text) descending, then ID.
    return [...this.#cache.values()].sort((a, b) => (a.created === b.created ? (a.id < b.id ? -1 : 1) : a.created < b.created ? 1 : -1));
  }

  async update(id: string, fn: (record: ContainerRecord) => ContainerRecord): Promise<ContainerRecord> {
    return this.write(() => {
      const row = this.stmts.byId.get(id);
      if (!row) throw noSuchContainer(id);
      const current = JSON.parse(row.record) as ContainerRecord;
      const next = fn(current);
      if (typeof (next as unknown as PromiseLike<unknown>)?.then === 'function') {
        throw errorOf('invalid-argument', 'container update callbacks must be synchronous');
      }
      if (!next || next.id !== current.id) throw errorOf('invalid-argument', `update of container ${id} may not change its id`);
      if (next.name !== current.name) throw errorOf('invalid-argument', `update of container ${id} may not change its name; rename it`);
      this.#stale.add(id);
      this.stmts.save.run(next.name, JSON.stringify(next), id);
      return structuredClone(next);
    });
  }

  async rename(ref: string, newName: string): Promise<ContainerRecord> {
    if (ref === '' || newName === '') throw errorOf('invalid-argument', 'Neither old nor new names may be empty');
    return this.write(() => {
      const current = this.lookup(ref);
      if (!current) throw noSuchContainer(ref);
      let name: string;
      try {
        name = validateContainerName(newName);
      } catch (err) {
        throw errorOf('invalid-argument', `Error when allocating new name: ${(err as Error).message}`, err);
      }
      if (name === current.name) {
        throw errorOf('invalid-argument', 'Renaming a container with the same name as its current name');
      }
      try {
        this.reserveIn(name, current.id);
      } catch (err) {
        if (err instanceof MobyError) throw errorOf(err.kind, `Error when allocating new name: ${err.message}`, err);
        throw err;
      }
      this.stmts.release.run(current.name);
      const next = { ...current, name };
      this.#stale.add(current.id);
      this.stmts.save.run(name, JSON.stringify(next), current.id);
      return next;
    });
  }

  async delete(id: string): Promise<void> {
    this.write(() => {
      this.#stale.add(id);
      const result = this.stmts.remove.run(id);
      if (result.changes === 0) throw noSuchContainer(id);
      this.stmts.releaseAll.run(id);
    });
  }

  async reserveName(name: string, id: string): Promise<string> {
    const canonical = validateContainerName(name);
    this.write(() => this.reserveIn(canonical, id));
    return canonical;
  }

  async releaseName(name: string): Promise<void> {
    this.write(() => {
      this.stmts.release.run(canonicalName(name));
    });
  }

  async reserveGeneratedName(id: string): Promise<string> {
    return this.write(() =>
      generateName(
        id,
        (name) => {
          if (this.stmts.nameHolder.get(name)) return false;
          this.stmts.reserve.run(name, id);
          return true;
        },
        this.options.random,
      ),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private reserveIn(name: string, id: string): void {
    const holder = this.stmts.nameHolder.get(name);
    if (holder) {
      if (holder.id === id) return;
      throw nameConflict(name, holder.id);
    }
    this.stmts.reserve.run(name, id);
  }

  private lookup(ref: string): ContainerRecord | undefined {
    if (ref === '') throw errorOf('invalid-argument', 'invalid container name or ID: value is empty');
    const exact = this.stmts.byId.get(ref) ?? this.stmts.byName.get(canonicalName(ref));
    if (exact) return JSON.parse(exact.record) as ContainerRecord;
    if (!/^[0-9a-f]+$/.test(ref) || ref.length >= 64) return undefined;
    const matches = this.stmts.byPrefix.all(ref, `${ref}g`);
    if (matches.length > 1) throw errorOf('invalid-argument', `multiple IDs found with provided prefix: ${ref}`);
    if (matches.length === 0) return undefined;
    const row = this.stmts.byId.get(matches[0]!.id);
    return row ? (JSON.parse(row.record) as ContainerRecord) : undefined;
  }

  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

/** Freezes an object and everything it holds. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
