import { errorOf, isKind } from '../../lib/errdefs/index.js';
import type { MetadataStore, ReadTx, SnapshotRecord as TableRecord, WriteTx } from '../metadata/index.js';
import type { MetaTx, SnapshotMetaStore, SnapshotRecord } from '../snapshots/index.js';

export interface MetadataSnapshotStoreOptions {
  /** The kv key holding the next snapshotter id; one per snapshotter sharing the database. */
  counterKey?: string;
}

/**
 * The overlay snapshotter's records kept in the metadata database's
 * `snapshots` table, so garbage collection and the snapshotter read one
 * source of truth in one transaction. The snapshotter's short ids and commit
 * usage live in that table's own columns; the id counter in `kv`.
 *
 * `read` runs on the metadata store's read-only connection (committed state);
 * `update` in one immediate transaction, rolled back when `fn` throws. Both
 * are synchronous SQLite transactions, hence serialized. `close` does not
 * close the metadata store, which its opener owns.
 */
export class MetadataSnapshotStore implements SnapshotMetaStore {
  private readonly counterKey: string;
  private closed = false;

  constructor(private readonly metadata: MetadataStore, opts: MetadataSnapshotStoreOptions = {}) {
    this.counterKey = opts.counterKey ?? 'snapshots/overlayfs/next-id';
  }

  async read<T>(fn: (tx: MetaTx) => T): Promise<T> {
    this.checkOpen();
    return this.metadata.view((tx) => fn(readTx(tx)));
  }

  async update<T>(fn: (tx: MetaTx) => T): Promise<T> {
    this.checkOpen();
    return this.metadata.update((tx) => fn(writeTx(tx, this.counterKey)));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw errorOf('failed-precondition', 'snapshot metadata: closed');
  }
}

function readTx(tx: ReadTx): MetaTx {
  const refuse = (): never => {
    throw errorOf('internal', 'snapshot metadata: write in a read transaction');
  };
  return {
    get: (key) => find(tx, key),
    list: () => tx.snapshots.list().map(toRecord),
    hasChildren: (key) => tx.snapshots.children(key).length > 0,
    put: refuse,
    delete: refuse,
    nextId: refuse,
  };
}

function writeTx(tx: WriteTx, counterKey: string): MetaTx {
  return {
    ...readTx(tx),
    put: (record) => put(tx, record),
    delete: (key) => {
      if (find(tx, key)) tx.snapshots.delete(key);
    },
    nextId: () => {
      const next = Number(tx.kv.get(counterKey) ?? '1');
      tx.kv.set(counterKey, String(next + 1));
      return String(next);
    },
  };
}

function find(tx: ReadTx, key: string): SnapshotRecord | undefined {
  try {
    return toRecord(tx.snapshots.get(key));
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

/**
 * Inserts or replaces. What the table lets change in place (kind, labels,
 * usage set or changed, update time) is updated, so the row keeps its
 * reference edges; anything else (parent, id, creation time, usage dropped)
 * means a new row.
 */
function put(tx: WriteTx, record: SnapshotRecord): void {
  const current = find(tx, record.key);
  const usage = record.usage && { size: record.usage.size, inodes: record.usage.inodes };
  const samePlace = current !== undefined && current.parent === record.parent && current.id === record.id
    && current.created === record.created && (record.usage !== undefined || current.usage === undefined);
  if (samePlace) {
    tx.snapshots.update(record.key, { kind: record.kind, labels: record.labels, usage, updatedAt: new Date(record.updated) });
    return;
  }
  if (current) tx.snapshots.delete(record.key);
  tx.snapshots.create({
    key: record.key,
    parent: record.parent,
    kind: record.kind,
    labels: record.labels,
    snapshotterId: record.id,
    usage,
    createdAt: new Date(record.created),
    updatedAt: new Date(record.updated),
  });
}

function toRecord(row: TableRecord): SnapshotRecord {
  if (row.snapshotterId === undefined) {
    throw errorOf('data-loss', `snapshot ${row.key}: recorded without a snapshotter id`);
  }
  const record: SnapshotRecord = {
    id: row.snapshotterId,
    key: row.key,
    kind: row.kind,
    labels: row.labels,
    created: row.createdAt.toISOString(),
    updated: row.updatedAt.toISOString(),
  };
  if (row.parent !== undefined) record.parent = row.parent;
  if (row.usage !== undefined) record.usage = row.usage;
  return record;
}
