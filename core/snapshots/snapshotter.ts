/**
 * The snapshotter contract, after containerd's `snapshots.Snapshotter`.
 *
 * A snapshot is a directory tree identified by a key. `prepare` makes an
 * active (writable) snapshot on top of an optional committed parent; `view`
 * makes a read-only one; `commit` turns an active snapshot into a committed
 * one under a new name, which can then be a parent. Callers never see paths
 * directly, only the mounts that assemble the snapshot's filesystem, so the
 * same contract can be served over gRPC. Every method is async for that
 * reason. Errors are `MobyError`s:
 *   - `not-found`: the key (or the parent) does not exist;
 *   - `already-exists`: `prepare`/`view`/`commit` to a key already in use;
 *   - `invalid-argument`: the parent is not committed, or a key is empty;
 *   - `failed-precondition`: `commit` of a snapshot that is not active,
 *     `mounts` of a committed snapshot, `remove` of a snapshot with children.
 */
export interface Snapshotter {
  /** Information about one snapshot. */
  stat(key: string): Promise<SnapshotInfo>;
  /** Every snapshot, in no particular order. */
  list(): Promise<SnapshotInfo[]>;
  /**
   * Space used by the snapshot's own layer (not its parents): computed now for
   * active snapshots, recorded at commit for committed ones.
   */
  usage(key: string): Promise<SnapshotUsage>;
  /** The mounts of an active snapshot or a view, as `prepare`/`view` returned them. */
  mounts(key: string): Promise<Mount[]>;
  /** Creates an active snapshot on top of the committed `parent` (or empty). */
  prepare(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]>;
  /** Creates a read-only view of the committed `parent` (or an empty one). */
  view(key: string, parent?: string, opts?: SnapshotOptions): Promise<Mount[]>;
  /**
   * Turns the active snapshot `key` into the committed snapshot `name`; `key`
   * is gone afterwards. The active snapshot must no longer be mounted.
   */
  commit(name: string, key: string, opts?: SnapshotOptions): Promise<void>;
  /** Removes a snapshot that no other snapshot has as its parent. */
  remove(key: string): Promise<void>;
  /** Releases what the snapshotter holds open; it must not be used afterwards. */
  close(): Promise<void>;
}

export type SnapshotKind = 'active' | 'view' | 'committed';

export interface SnapshotInfo {
  key: string;
  /** The committed snapshot this one is based on, if any. */
  parent?: string;
  kind: SnapshotKind;
  labels: Record<string, string>;
  created: Date;
  updated: Date;
}

export interface SnapshotUsage {
  /** Bytes allocated on disk (blocks × 512), hard links counted once. */
  size: number;
  /** Distinct inodes. */
  inodes: number;
}

export interface SnapshotOptions {
  labels?: Record<string, string>;
}

/**
 * One mount to perform, as in containerd's `mount.Mount` and fstab: `type` is
 * the filesystem type (`overlay`, `bind`), `options` the comma-separated
 * options split into a list (flags such as `ro` and data such as
 * `lowerdir=…` alike). Mounts in a list are applied in order on one target.
 */
export interface Mount {
  type: string;
  source: string;
  options: string[];
}
