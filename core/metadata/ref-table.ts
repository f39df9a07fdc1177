import type Database from 'better-sqlite3';
import { resourceKey, validateResourceRef, type ResourceRef } from './resource-ref.js';

interface Row {
  kind: string;
  id: string;
}

/**
 * Edges of the reference graph: a parent keeps its children alive. Recorded
 * by whoever understands the parent (an image's manifest lists its config
 * and layers; a container holds its rootfs snapshot).
 */
export class RefTable {
  private readonly insert;
  private readonly removeOne;
  private readonly removeAll;
  private readonly selectChildren;
  private readonly selectParents;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO refs VALUES (?, ?, ?, ?)');
    this.removeOne = db.prepare(
      'DELETE FROM refs WHERE parent_kind = ? AND parent_id = ? AND child_kind = ? AND child_id = ?',
    );
    this.removeAll = db.prepare('DELETE FROM refs WHERE parent_kind = ? AND parent_id = ?');
    this.selectChildren = db.prepare<[string, string], Row>(
      'SELECT child_kind AS kind, child_id AS id FROM refs WHERE parent_kind = ? AND parent_id = ? ORDER BY 1, 2',
    );
    this.selectParents = db.prepare<[string, string], Row>(
      'SELECT parent_kind AS kind, parent_id AS id FROM refs WHERE child_kind = ? AND child_id = ? ORDER BY 1, 2',
    );
  }

  /** Idempotent. */
  add(parent: ResourceRef, child: ResourceRef): void {
    const [p, c] = [validateResourceRef(parent), validateResourceRef(child)];
    if (resourceKey(p) === resourceKey(c)) return;
    this.insert.run(p.kind, p.id, c.kind, c.id);
  }

  /** Returns whether the edge existed. */
  remove(parent: ResourceRef, child: ResourceRef): boolean {
    const [p, c] = [validateResourceRef(parent), validateResourceRef(child)];
    return this.removeOne.run(p.kind, p.id, c.kind, c.id).changes > 0;
  }

  /** Drops every edge out of `parent` (before re-deriving them, or when it is gone); returns how many. */
  removeFrom(parent: ResourceRef): number {
    const p = validateResourceRef(parent);
    return this.removeAll.run(p.kind, p.id).changes;
  }

  children(parent: ResourceRef): ResourceRef[] {
    return this.selectChildren.all(parent.kind, parent.id);
  }

  parents(child: ResourceRef): ResourceRef[] {
    return this.selectParents.all(child.kind, child.id);
  }
}
