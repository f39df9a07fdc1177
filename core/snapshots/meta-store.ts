import type { SnapshotKind, SnapshotUsage } from './snapshotter.js';

/** What a snapshotter records about one snapshot. Times are ISO strings. */
export interface SnapshotRecord {
  /** Short, stable, filesystem-safe id naming the snapshot's directory. */
  id: string;
  key: string;
  parent?: string;
  kind: SnapshotKind;
  labels: Record<string, string>;
  created: string;
  updated: string;
  /** Recorded at commit. */
  usage?: SnapshotUsage;
}

/**
 * A consistent view of the records, inside one transaction. Synchronous on
 * purpose: it maps onto better-sqlite3 and bbolt transactions, and keeps
 * filesystem work (which must not run inside a transaction) outside.
 */
export interface MetaTx {
  get(key: string): SnapshotRecord | undefined;
  list(): SnapshotRecord[];
  /** Whether any record names `key` as its parent. */
  hasChildren(key: string): boolean;
  /** Inserts or replaces the record with this key. */
  put(record: SnapshotRecord): void;
  delete(key: string): void;
  /** A new id, never handed out before by this store. */
  nextId(): string;
}

/**
 * Where a snapshotter keeps its records. The narrow seam that lets them move
 * into the shared metadata database later: `update` runs `fn` in a
 * transaction that is saved atomically when `fn` returns and discarded when
 * it throws; `read` sees the last saved state. Calls are serialized.
 */
export interface SnapshotMetaStore {
  read<T>(fn: (tx: MetaTx) => T): Promise<T>;
  update<T>(fn: (tx: MetaTx) => T): Promise<T>;
  close(): Promise<void>;
}
