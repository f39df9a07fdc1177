import type Database from 'better-sqlite3';
import { errorOf } from '../../lib/errdefs/index.js';
import type { Labels } from '../content/index.js';
import { readLabels, requireName, writeLabels } from './labels-column.js';
import { validateResourceRef, type ResourceRef } from './resource-ref.js';

/**
 * A lease keeps resources alive while work is in progress (a pull writing
 * blobs no image refers to yet, an unpack preparing snapshots). It is a
 * garbage-collection root until it is deleted or its expiry passes.
 */
export interface LeaseRecord {
  id: string;
  /** No expiry means the lease lives until deleted. */
  expiresAt?: Date;
  labels: Labels;
  createdAt: Date;
}

export interface NewLease {
  id: string;
  expiresAt?: Date;
  labels?: Labels;
}

interface Row {
  id: string;
  expires_at: number | null;
  labels: string;
  created_at: number;
}

export class LeaseTable {
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectExpired;
  private readonly insert;
  private readonly remove;
  private readonly addOne;
  private readonly removeOne;
  private readonly selectResources;

  constructor(
    db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.selectOne = db.prepare<[string], Row>('SELECT * FROM leases WHERE id = ?');
    this.selectAll = db.prepare<[], Row>('SELECT * FROM leases ORDER BY id');
    this.selectExpired = db
      .prepare<[number], string>('SELECT id FROM leases WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY id')
      .pluck();
    this.insert = db.prepare('INSERT INTO leases VALUES (?, ?, ?, ?)');
    this.remove = db.prepare<[string]>('DELETE FROM leases WHERE id = ?');
    this.addOne = db.prepare('INSERT OR IGNORE INTO lease_resources VALUES (?, ?, ?)');
    this.removeOne = db.prepare('DELETE FROM lease_resources WHERE lease_id = ? AND kind = ? AND id = ?');
    this.selectResources = db.prepare<[string], ResourceRef>(
      'SELECT kind, id FROM lease_resources WHERE lease_id = ? ORDER BY kind, id',
    );
  }

  get(id: string): LeaseRecord {
    const row = this.selectOne.get(id);
    if (!row) throw errorOf('not-found', `lease ${id}: not found`);
    return fromRow(row);
  }

  list(): LeaseRecord[] {
    return this.selectAll.all().map(fromRow);
  }

  /** Leases whose expiry is at or before `now`. */
  expired(now: Date): string[] {
    return this.selectExpired.all(now.getTime());
  }

  create(lease: NewLease): LeaseRecord {
    requireName(lease.id, 'lease id');
    if (lease.expiresAt !== undefined && !(lease.expiresAt instanceof Date && !Number.isNaN(lease.expiresAt.getTime()))) {
      throw errorOf('invalid-argument', `lease ${lease.id}: invalid expiry`);
    }
    if (this.selectOne.get(lease.id)) throw errorOf('already-exists', `lease ${lease.id}: already exists`);
    this.insert.run(lease.id, lease.expiresAt?.getTime() ?? null, writeLabels(lease.labels), this.clock().getTime());
    return this.get(lease.id);
  }

  /** Deletes the lease and lets go of everything it held. */
  delete(id: string): void {
    if (this.remove.run(id).changes === 0) throw errorOf('not-found', `lease ${id}: not found`);
  }

  /** Idempotent. */
  addResource(id: string, resource: ResourceRef): void {
    this.get(id);
    const valid = validateResourceRef(resource);
    this.addOne.run(id, valid.kind, valid.id);
  }

  /** Returns whether the lease held it. */
  removeResource(id: string, resource: ResourceRef): boolean {
    this.get(id);
    return this.removeOne.run(id, resource.kind, resource.id).changes > 0;
  }

  resources(id: string): ResourceRef[] {
    this.get(id);
    return this.selectResources.all(id);
  }
}

function fromRow(row: Row): LeaseRecord {
  const lease: LeaseRecord = { id: row.id, labels: readLabels(row.labels), createdAt: new Date(row.created_at) };
  if (row.expires_at !== null) lease.expiresAt = new Date(row.expires_at);
  return lease;
}
