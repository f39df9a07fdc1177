import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { parseDigest, type ContentStore, type Digest } from '../content/index.js';
import { markLive } from './mark-live.js';
import type { MetadataStore, ReadTx } from './metadata-store.js';
import { resourceKey } from './resource-ref.js';

/** What a collection would remove. */
export interface GcPlan {
  /** Blobs nothing live refers to. */
  content: Digest[];
  /** Snapshots nothing live refers to, children before their parents. */
  snapshots: string[];
  /** Leases whose expiry has passed. */
  leases: string[];
}

/** Removes one snapshot from the snapshotter; `not-found` counts as removed. */
export type SnapshotRemover = (key: string) => Promise<void>;

export interface GcFailure {
  kind: 'content' | 'snapshot';
  id: string;
  error: Error;
}

export interface GcResult extends GcPlan {
  /** What could not be removed; it stays recorded and the next collection retries it. */
  failures: GcFailure[];
}

export interface CollectGarbageOptions {
  metadata: MetadataStore;
  content: ContentStore;
  removeSnapshot: SnapshotRemover;
}

/**
 * Mark and sweep: everything reachable from the roots is live; of
 * `contentDigests` (the blobs that exist) and the recorded snapshots, the
 * rest is garbage. Pure: it reads, removes nothing.
 */
export function planGarbage(tx: ReadTx, contentDigests: Iterable<string>, now: Date): GcPlan {
  const live = markLive(tx, now);
  const content = [...new Set(contentDigests)]
    .map(parseDigest)
    .filter((digest) => !live.has(resourceKey({ kind: 'content', id: digest })))
    .sort();
  const snapshots = tx.snapshots.list();
  const parents = new Map(snapshots.map((s) => [s.key, s.parent]));
  const depth = (key: string): number => {
    let d = 0;
    for (let p = parents.get(key); p !== undefined; p = parents.get(p)) d++;
    return d;
  };
  const dead = snapshots
    .map((s) => s.key)
    .filter((key) => !live.has(resourceKey({ kind: 'snapshot', id: key })))
    .map((key) => ({ key, depth: depth(key) }))
    .sort((a, b) => b.depth - a.depth || (a.key < b.key ? -1 : 1))
    .map((s) => s.key);
  return { content, snapshots: dead, leases: tx.leases.expired(now) };
}

/**
 * Runs a whole collection under the metadata store's exclusive GC lock:
 * deletes expired leases, plans in the same transaction, then removes dead
 * snapshots (children first, through `removeSnapshot`, then their records)
 * and dead blobs. Blobs listed before the plan are the only candidates, so a
 * blob committed meanwhile is never touched; work that writes content must
 * hold a lease on it (see `GcLock`).
 */
export function collectGarbage(options: CollectGarbageOptions): Promise<GcResult> {
  const { metadata, content } = options;
  return metadata.gcLock.exclusive(async () => {
    const candidates: Digest[] = [];
    for await (const info of content.list()) candidates.push(info.digest);
    const plan = metadata.update((tx) => {
      const planned = planGarbage(tx, candidates, metadata.clock());
      for (const id of planned.leases) tx.leases.delete(id);
      return planned;
    });
    const failures: GcFailure[] = [];
    const snapshots = await removeSnapshots(options, plan.snapshots, failures);
    const removed = await removeContent(options, plan.content, failures);
    return { content: removed, snapshots, leases: plan.leases, failures };
  });
}

async function removeSnapshots(options: CollectGarbageOptions, keys: string[], failures: GcFailure[]) {
  const { metadata, removeSnapshot } = options;
  const parents = metadata.view((tx) => new Map(tx.snapshots.list().map((s) => [s.key, s.parent])));
  const removed: string[] = [];
  const blocked = new Set<string>();
  for (const key of keys) {
    try {
      if (blocked.has(key)) throw errorOf('failed-precondition', `snapshot ${key}: a child snapshot could not be removed`);
      await removeSnapshot(key).catch(unlessNotFound);
      // A snapshotter that keeps its records in this database has deleted it already.
      metadata.update((tx) => {
        try {
          tx.snapshots.delete(key);
        } catch (err) {
          unlessNotFound(err);
        }
      });
      removed.push(key);
    } catch (err) {
      failures.push({ kind: 'snapshot', id: key, error: asError(err) });
      const parent = parents.get(key);
      if (parent !== undefined) blocked.add(parent);
    }
  }
  return removed;
}

async function removeContent(options: CollectGarbageOptions, digests: Digest[], failures: GcFailure[]) {
  const removed: Digest[] = [];
  for (const digest of digests) {
    try {
      await options.content.delete(digest).catch(unlessNotFound);
      options.metadata.update((tx) => {
        tx.refs.removeFrom({ kind: 'content', id: digest });
        tx.contentLabels.delete(digest);
      });
      removed.push(digest);
    } catch (err) {
      failures.push({ kind: 'content', id: digest, error: asError(err) });
    }
  }
  return removed;
}

function unlessNotFound(err: unknown): void {
  if (!isKind(err, 'not-found')) throw err;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
