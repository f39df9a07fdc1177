import { isKind } from '../../lib/errdefs/index.js';
import { isDigest, type Labels } from '../content/index.js';
import type { ReadTx } from './metadata-store.js';
import { resourceKey, type ResourceRef } from './resource-ref.js';

/** containerd's garbage-collection labels, honoured on blobs and snapshots. */
export const gcLabels = {
  /** Any value: the labelled blob or snapshot is a root. */
  root: 'containerd.io/gc.root',
  /** `containerd.io/gc.ref.content` or `….content.<name>` = a digest the labelled resource keeps alive. */
  contentRef: 'containerd.io/gc.ref.content',
  /** `containerd.io/gc.ref.snapshot.<snapshotter>` = a snapshot key the labelled resource keeps alive. */
  snapshotRef: 'containerd.io/gc.ref.snapshot.',
} as const;

/**
 * Where marking starts: every image, every lease not yet expired at `now`,
 * every flagged root, and every blob or snapshot labelled `gc.root`.
 */
export function gcRoots(tx: ReadTx, now: Date): ResourceRef[] {
  const roots: ResourceRef[] = [];
  for (const image of tx.images.list()) roots.push({ kind: 'image', id: image.name });
  for (const lease of tx.leases.list()) {
    if (lease.expiresAt === undefined || lease.expiresAt > now) roots.push({ kind: 'lease', id: lease.id });
  }
  roots.push(...tx.roots.list());
  for (const { digest, labels } of tx.contentLabels.list()) {
    if (Object.hasOwn(labels, gcLabels.root)) roots.push({ kind: 'content', id: digest });
  }
  for (const snapshot of tx.snapshots.list()) {
    if (Object.hasOwn(snapshot.labels, gcLabels.root)) roots.push({ kind: 'snapshot', id: snapshot.key });
  }
  return roots;
}

/** Everything `node` keeps alive: recorded edges plus what its kind implies. */
export function referencesOf(tx: ReadTx, node: ResourceRef): ResourceRef[] {
  const found = tx.refs.children(node);
  const implied = ifExists((): ResourceRef[] => {
    switch (node.kind) {
      case 'image':
        return [{ kind: 'content', id: tx.images.get(node.id).target.digest }];
      case 'lease':
        return tx.leases.resources(node.id);
      case 'content':
        return labelRefs(tx.contentLabels.get(node.id).labels);
      case 'snapshot': {
        const snapshot = tx.snapshots.get(node.id);
        const parent: ResourceRef[] = snapshot.parent === undefined ? [] : [{ kind: 'snapshot', id: snapshot.parent }];
        return [...parent, ...labelRefs(snapshot.labels)];
      }
      default:
        return [];
    }
  });
  return [...found, ...implied];
}

/** The keys (`kind:id`) of everything reachable from the roots. */
export function markLive(tx: ReadTx, now: Date): Set<string> {
  const live = new Set<string>();
  const pending = gcRoots(tx, now);
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const key = resourceKey(node);
    if (live.has(key)) continue;
    live.add(key);
    pending.push(...referencesOf(tx, node));
  }
  return live;
}

function labelRefs(labels: Labels): ResourceRef[] {
  const refs: ResourceRef[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const isContent = key === gcLabels.contentRef || key.startsWith(`${gcLabels.contentRef}.`);
    if (isContent && isDigest(value)) refs.push({ kind: 'content', id: value });
    else if (key.startsWith(gcLabels.snapshotRef) && value !== '') refs.push({ kind: 'snapshot', id: value });
  }
  return refs;
}

/** A reference to something already gone keeps nothing alive. */
function ifExists(find: () => ResourceRef[]): ResourceRef[] {
  try {
    return find();
  } catch (err) {
    if (isKind(err, 'not-found') || isKind(err, 'invalid-argument')) return [];
    throw err;
  }
}
