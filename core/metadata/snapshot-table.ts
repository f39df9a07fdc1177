import type Database from 'better-sqlite3';
import { errorOf } from '../../lib/errdefs/index.js';
import type { Labels } from '../content/index.js';
import { readLabels, requireName, writeLabels } from './labels-column.js';

export type SnapshotKind = 'view' | 'active' | 'committed';

/** Disk usage of a snapshot's own layer, as the snapshotter measured it. */
export interface SnapshotUsageRecord {
  size: number;
  inodes: number;
}

export interface SnapshotRecord {
  key: string;
  parent?: string;
  kind: SnapshotKind;
  labels: Labels;
  createdAt: Date;
  updatedAt: Date;
  /** The snapshotter's own short id for the snapshot (its directory name); unique when present. */
  snapshotterId?: string;
  /** Recorded by the snapshotter at commit. */
  usage?: SnapshotUsageRecord;
}

export interface NewSnapshot {
  key: string;
  parent?: string;
  kind: SnapshotKind;
  labels?: Labels;
  snapshotterId?: string;
  usage?: SnapshotUsageRecord;
  /** The store's clock when absent; a snapshotter passes its own times. */
  createdAt?: Date;
  updatedAt?: Date;
}

export interface SnapshotChanges {
  kind?: SnapshotKind;
  /** Replaces all labels. */
  labels?: Labels;
  usage?: SnapshotUsageRecord;
  /** The store's clock when absent. */
  updatedAt?: Date;
}

interface Row {
  key: string;
  parent: string | null;
  kind: SnapshotKind;
  labels: string;
  created_at: number;
  updated_at: number;
  snapshotter_id: string | null;
  usage_size: number | null;
  usage_inodes: number | null;
}

const kinds: readonly string[] = ['view', 'active', 'committed'];

/**
 * The snapshots the snapshotter holds, as the metadata sees them: a chain of
 * parents that must be committed. A snapshot keeps its parent alive; a parent
 * cannot be removed or un-committed while it has children.
 */
export class SnapshotTable {
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectChildren;
  private readonly selectBySnapshotterId;
  private readonly insert;
  private readonly replace;
  private readonly remove;
  private readonly removeRefs;

  constructor(
    db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.selectOne = db.prepare<[string], Row>('SELECT * FROM snapshots WHERE key = ?');
    this.selectAll = db.prepare<[], Row>('SELECT * FROM snapshots ORDER BY key');
    this.selectChildren = db.prepare<[string], string>('SELECT key FROM snapshots WHERE parent = ? ORDER BY key').pluck();
    this.selectBySnapshotterId = db.prepare<[string], string>('SELECT key FROM snapshots WHERE snapshotter_id = ?').pluck();
    this.insert = db.prepare(
      `INSERT INTO snapshots (key, parent, kind, labels, created_at, updated_at, snapshotter_id, usage_size, usage_inodes)
       VALUES (@key, @parent, @kind, @labels, @createdAt, @updatedAt, @snapshotterId, @usageSize, @usageInodes)`,
    );
    this.replace = db.prepare(
      `UPDATE snapshots SET kind = @kind, labels = @labels, updated_at = @updatedAt, usage_size = @usageSize,
       usage_inodes = @usageInodes WHERE key = @key`,
    );
    this.remove = db.prepare<[string]>('DELETE FROM snapshots WHERE key = ?');
    this.removeRefs = db.prepare<[string]>("DELETE FROM refs WHERE parent_kind = 'snapshot' AND parent_id = ?");
  }

  get(key: string): SnapshotRecord {
    const row = this.selectOne.get(key);
    if (!row) throw errorOf('not-found', `snapshot ${key}: not found`);
    return fromRow(row);
  }

  list(): SnapshotRecord[] {
    return this.selectAll.all().map(fromRow);
  }

  children(key: string): string[] {
    return this.selectChildren.all(key);
  }

  create(snapshot: NewSnapshot): SnapshotRecord {
    requireName(snapshot.key, 'snapshot key');
    checkKind(snapshot.kind);
    if (this.selectOne.get(snapshot.key)) throw errorOf('already-exists', `snapshot ${snapshot.key}: already exists`);
    if (snapshot.parent !== undefined) {
      const parent = this.get(snapshot.parent);
      if (parent.kind !== 'committed') {
        throw errorOf('failed-precondition', `snapshot ${snapshot.key}: parent ${parent.key} is ${parent.kind}, not committed`);
      }
    }
    const snapshotterId = snapshot.snapshotterId ?? null;
    if (snapshotterId !== null) {
      requireName(snapshotterId, `snapshot ${snapshot.key}: snapshotter id`);
      const holder = this.selectBySnapshotterId.get(snapshotterId);
      if (holder !== undefined) {
        throw errorOf('already-exists', `snapshot ${snapshot.key}: snapshotter id ${snapshotterId} already belongs to ${holder}`);
      }
    }
    const labels = writeLabels(snapshot.labels);
    const now = this.clock();
    const createdAt = checkTime(snapshot.key, snapshot.createdAt ?? now);
    const updatedAt = checkTime(snapshot.key, snapshot.updatedAt ?? snapshot.createdAt ?? now);
    const usage = usageColumns(snapshot.key, snapshot.usage);
    const { key, kind } = snapshot;
    this.insert.run({ key, parent: snapshot.parent ?? null, kind, labels, createdAt, updatedAt, snapshotterId, ...usage });
    return this.get(snapshot.key);
  }

  update(key: string, changes: SnapshotChanges): SnapshotRecord {
    const current = this.get(key);
    const kind = changes.kind ?? current.kind;
    checkKind(kind);
    if (kind !== 'committed' && this.children(key).length > 0) {
      throw errorOf('failed-precondition', `snapshot ${key}: has children, must stay committed`);
    }
    const labels = writeLabels(changes.labels ?? current.labels);
    const updatedAt = checkTime(key, changes.updatedAt ?? this.clock());
    this.replace.run({ key, kind, labels, updatedAt, ...usageColumns(key, changes.usage ?? current.usage) });
    return this.get(key);
  }

  /** Also drops the snapshot's own reference edges. Children go first: removing a parent that still has them is `failed-precondition`. */
  delete(key: string): void {
    this.get(key);
    const children = this.children(key);
    if (children.length > 0) {
      throw errorOf('failed-precondition', `snapshot ${key}: still the parent of ${children.join(', ')}`);
    }
    this.remove.run(key);
    this.removeRefs.run(key);
  }
}

function checkKind(kind: string): void {
  if (!kinds.includes(kind)) throw errorOf('invalid-argument', `invalid snapshot kind ${JSON.stringify(kind)}`);
}

function checkTime(key: string, time: Date): number {
  const ms = time instanceof Date ? time.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw errorOf('invalid-argument', `snapshot ${key}: invalid time`);
  return ms;
}

function usageColumns(key: string, usage: SnapshotUsageRecord | undefined) {
  if (usage === undefined) return { usageSize: null, usageInodes: null };
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!count(usage.size) || !count(usage.inodes)) throw errorOf('invalid-argument', `snapshot ${key}: invalid usage`);
  return { usageSize: usage.size, usageInodes: usage.inodes };
}

function fromRow(row: Row): SnapshotRecord {
  const record: SnapshotRecord = {
    key: row.key,
    kind: row.kind,
    labels: readLabels(row.labels),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
  if (row.parent !== null) record.parent = row.parent;
  if (row.snapshotter_id !== null) record.snapshotterId = row.snapshotter_id;
  if (row.usage_size !== null && row.usage_inodes !== null) record.usage = { size: row.usage_size, inodes: row.usage_inodes };
  return record;
}
