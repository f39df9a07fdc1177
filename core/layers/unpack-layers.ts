import { randomUUID } from 'node:crypto';
import { errorOf, isKind, wrap } from '../../lib/errdefs/index.js';
import { applyLayer, type AppliedLayer } from '../archive/index.js';
import { isDigest, type ContentStore } from '../content/index.js';
import type { MetadataStore } from '../metadata/index.js';
import { chainId, upperDirOf, type Snapshotter } from '../snapshots/index.js';
import type { LayerDescriptor, UnpackResult } from './layer-store.js';

/**
 * containerd's label on a layer blob naming its diff ID. Unpack sets it once it
 * has applied the blob and checked the result, so a later unpack without
 * expected diff IDs knows the chain ID without applying the layer again.
 */
export const uncompressedLabel = 'containerd.io/uncompressed';

export interface UnpackDeps {
  content: ContentStore;
  snapshots: Snapshotter;
  metadata: MetadataStore;
  /**
   * Applies the blob `digest` to `dir` (`applyLayer` without the compressed digest), e.g.
   * on a worker thread; by default `applyLayer` here, reading through `content`.
   */
  apply?: (dir: string, digest: string) => Promise<AppliedLayer>;
}

export interface UnpackLayersOptions {
  expectedDiffIds?: readonly string[];
  /** Receives every committed snapshot of the chain; must exist. */
  lease: string;
}

interface Applied {
  diffId: string;
  chainId: string;
  /** False when another unpack committed the same chain ID first. */
  committed: boolean;
}

/**
 * The unpacker: for each layer, bottom first, reuses the committed snapshot
 * named by its chain ID or applies the layer into a fresh `extract-<uuid>`
 * snapshot and commits it under the chain ID. The caller holds the GC lock
 * shared for the whole run, so nothing it finds can be collected meanwhile.
 * A layer that fails (hostile, corrupt, wrong diff ID) leaves no snapshot.
 */
export async function unpackLayers(deps: UnpackDeps, layers: readonly LayerDescriptor[], opts: UnpackLayersOptions): Promise<UnpackResult> {
  const result: UnpackResult = { diffIds: [], chainIds: [], applied: 0 };
  for (const [index, layer] of layers.entries()) {
    const parent = result.chainIds.at(-1);
    const expected = opts.expectedDiffIds?.[index];
    const known = expected ?? (await recordedDiffId(deps.content, index, layer.digest));
    let done: Applied | undefined;
    if (known !== undefined) {
      const id = chainOf(parent, known);
      leaseSnapshot(deps.metadata, opts.lease, id);
      if (await isCommitted(deps.snapshots, id)) done = { diffId: known, chainId: id, committed: false };
    }
    done ??= await applyOne(deps, { layer, index, parent, expected, lease: opts.lease });
    if (done.committed) result.applied++;
    result.diffIds.push(done.diffId);
    result.chainIds.push(done.chainId);
  }
  return result;
}

interface Step {
  layer: LayerDescriptor;
  index: number;
  parent?: string;
  expected?: string;
  lease: string;
}

async function applyOne(deps: UnpackDeps, step: Step): Promise<Applied> {
  const { snapshots } = deps;
  const key = `extract-${randomUUID()}`;
  const context = `unpack layer ${step.index} ${step.layer.digest}`;
  try {
    const mounts = await snapshots.prepare(key, step.parent);
    // The content store verified the blob's digest as it was committed (and keeps it read-only): not hashed again.
    const dir = upperDirOf(mounts);
    const applied = deps.apply
      ? await deps.apply(dir, step.layer.digest)
      : await applyLayer(dir, await deps.content.reader(step.layer.digest), { digest: false });
    if (step.expected !== undefined && applied.diffId !== step.expected) {
      throw errorOf('data-loss', `diff ID ${applied.diffId} does not match the expected ${step.expected}`);
    }
    const id = chainOf(step.parent, applied.diffId);
    leaseSnapshot(deps.metadata, step.lease, id);
    const committed = await commitOrReuse(snapshots, id, key);
    await deps.content.updateLabels(step.layer.digest, { [uncompressedLabel]: applied.diffId });
    return { diffId: applied.diffId, chainId: id, committed };
  } catch (err) {
    // The layer's error is the one to report; an extract snapshot that will not
    // go now is leased by nothing, so the next collection removes it.
    await removeIfPresent(snapshots, key).catch(() => undefined);
    throw wrap(err, context);
  }
}

/** Two unpacks of one layer may race: the first commit wins and the other reuses its snapshot. */
async function commitOrReuse(snapshots: Snapshotter, id: string, key: string): Promise<boolean> {
  try {
    await snapshots.commit(id, key);
    return true;
  } catch (err) {
    if (!isKind(err, 'already-exists') || !(await isCommitted(snapshots, id))) throw err;
    await removeIfPresent(snapshots, key);
    return false;
  }
}

async function isCommitted(snapshots: Snapshotter, key: string): Promise<boolean> {
  try {
    const info = await snapshots.stat(key);
    if (info.kind !== 'committed') throw errorOf('failed-precondition', `snapshot ${key}: is ${info.kind}, not committed`);
    return true;
  } catch (err) {
    if (isKind(err, 'not-found')) return false;
    throw err;
  }
}

async function recordedDiffId(content: ContentStore, index: number, digest: string): Promise<string | undefined> {
  const info = await content.info(digest).catch((err) => {
    throw wrap(err, `unpack layer ${index}`);
  });
  const value = info.labels[uncompressedLabel];
  return value !== undefined && isDigest(value) ? value : undefined;
}

/** Recorded before the snapshot is committed, so it is never unprotected once it exists. */
function leaseSnapshot(metadata: MetadataStore, lease: string, key: string): void {
  metadata.update((tx) => tx.leases.addResource(lease, { kind: 'snapshot', id: key }));
}

async function removeIfPresent(snapshots: Snapshotter, key: string): Promise<void> {
  try {
    await snapshots.remove(key);
  } catch (err) {
    if (!isKind(err, 'not-found')) throw err;
  }
}

function chainOf(parent: string | undefined, diffId: string): string {
  return parent === undefined ? chainId([diffId]) : chainId([parent, diffId]);
}
