import type Database from 'better-sqlite3';
import { validateResourceRef, type ResourceRef } from './resource-ref.js';

/**
 * Resources flagged as garbage-collection roots by their owners (e.g. a
 * container's record, which then refers to its rootfs snapshot).
 */
export class RootTable {
  private readonly insertRoot;
  private readonly deleteRoot;
  private readonly selectOne;
  private readonly selectAll;

  constructor(db: Database.Database) {
    this.insertRoot = db.prepare('INSERT OR IGNORE INTO gc_roots VALUES (?, ?)');
    this.deleteRoot = db.prepare('DELETE FROM gc_roots WHERE kind = ? AND id = ?');
    this.selectOne = db.prepare<[string, string], number>('SELECT 1 FROM gc_roots WHERE kind = ? AND id = ?').pluck();
    this.selectAll = db.prepare<[], ResourceRef>('SELECT kind, id FROM gc_roots ORDER BY kind, id');
  }

  /** Idempotent. */
  add(resource: ResourceRef): void {
    const valid = validateResourceRef(resource);
    this.insertRoot.run(valid.kind, valid.id);
  }

  /** Returns whether it was a root. */
  remove(resource: ResourceRef): boolean {
    return this.deleteRoot.run(resource.kind, resource.id).changes > 0;
  }

  has(resource: ResourceRef): boolean {
    return this.selectOne.get(resource.kind, resource.id) !== undefined;
  }

  list(): ResourceRef[] {
    return this.selectAll.all();
  }
}
