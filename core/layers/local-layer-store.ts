import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { LayerApplier } from '../archive/index.js';
import { LocalContentStore, parseDigest } from '../content/index.js';
import { collectGarbage, MetadataLabelStore, MetadataStore, validateResourceRef } from '../metadata/index.js';
import { OverlaySnapshotter } from '../snapshots/index.js';
import type {
  GcSummary, LayerDescriptor, LayerStore, LeaseOptions, ResourceRef, UnpackOptions, UnpackResult,
} from './layer-store.js';
import { MetadataSnapshotStore } from './metadata-snapshot-store.js';
import { unpackLayers } from './unpack-layers.js';

export interface LocalLayerStoreOptions {
  /** Stamps records and expires leases; tests pass one they can move. */
  clock?: () => Date;
}

/** Kinds the reference graph uses for resources; a holder names something else (`image`, `container`, …). */
const resourceKinds = new Set(['content', 'snapshot', 'lease']);

/** How long the lease an unpack takes for itself outlives a crash of this process. */
const ownLeaseMs = 24 * 60 * 60 * 1000;

/**
 * The layer store on local disk, composed of containerd's parts:
 * `<root>/content` (a `LocalContentStore` whose labels live in the metadata
 * database), `<root>/snapshots` (an `OverlaySnapshotter` whose records live
 * there too) and `<root>/metadata.db` (the `MetadataStore` garbage collection
 * reads). One process owns a root, through one instance.
 *
 * GC safety, for callers: work that creates or adopts resources holds a
 * lease. Record a blob in the lease (`addToLease`) *before* writing it, since
 * a collection may run between a write and a later `addToLease`. `unpack`
 * records its snapshots in the given lease; without one it uses a lease of
 * its own that ends with the call, so its results are unprotected from then
 * until a holder refers to them.
 *
 * Locking: `unpack`, `setHolder` and `addToLease` hold the metadata store's
 * GC lock shared, `collectGarbage` exclusive, so a collection never decides
 * on a state an unpack is still checking. A collection waits for running
 * unpacks, and unpacks started after it queue behind it.
 */
export class LocalLayerStore implements LayerStore {
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Unpacks run their gunzip, tar parsing, diff ID hashing and file writes on a worker thread. */
  private readonly applier = new LayerApplier();

  private constructor(
    readonly content: LocalContentStore,
    readonly snapshots: OverlaySnapshotter,
    private readonly metadata: MetadataStore,
  ) {}

  static async open(root: string, opts: LocalLayerStoreOptions = {}): Promise<LocalLayerStore> {
    const metadata = MetadataStore.open(root, { clock: opts.clock });
    try {
      const content = await LocalContentStore.open(join(root, 'content'), { labels: new MetadataLabelStore(metadata) });
      const store = new MetadataSnapshotStore(metadata);
      const snapshots = await OverlaySnapshotter.open(root, { store, clock: opts.clock });
      return new LocalLayerStore(content, snapshots, metadata);
    } catch (err) {
      metadata.close();
      throw err;
    }
  }

  async unpack(layers: LayerDescriptor[], opts: UnpackOptions = {}): Promise<UnpackResult> {
    this.checkOpen();
    checkUnpackArgs(layers, opts);
    const deps = {
      content: this.content, snapshots: this.snapshots, metadata: this.metadata,
      apply: async (dir: string, digest: string) => this.applier.apply(dir, await this.content.blobFile(digest), { digest: false }),
    };
    return this.metadata.gcLock.shared(async () => {
      this.checkOpen(); // close() may have run while this waited for the lock
      const lease = opts.lease ?? this.newLease(ownLeaseMs);
      try {
        this.metadata.view((tx) => tx.leases.get(lease));
        return await unpackLayers(deps, layers, { expectedDiffIds: opts.expectedDiffIds, lease });
      } finally {
        if (opts.lease === undefined) this.dropLease(lease);
      }
    });
  }

  async setHolder(holder: ResourceRef, refs: ResourceRef[]): Promise<void> {
    this.checkOpen();
    const valid = validateHolder(holder);
    if (!Array.isArray(refs)) throw errorOf('invalid-argument', `holder ${valid.kind} ${valid.id}: refs must be a list`);
    await this.metadata.gcLock.shared(async () => {
      this.checkOpen();
      this.metadata.update((tx) => {
        tx.roots.add(valid);
        tx.refs.removeFrom(valid);
        for (const ref of refs) tx.refs.add(valid, ref);
      });
    });
  }

  async deleteHolder(holder: ResourceRef): Promise<void> {
    this.checkOpen();
    const valid = validateHolder(holder);
    this.metadata.update((tx) => {
      tx.roots.remove(valid);
      tx.refs.removeFrom(valid);
    });
  }

  async listHolders(kind?: string): Promise<{ holder: ResourceRef; refs: ResourceRef[] }[]> {
    this.checkOpen();
    return this.metadata.view((tx) =>
      tx.roots
        .list()
        .filter((root) => !resourceKinds.has(root.kind) && (kind === undefined || root.kind === kind))
        .map((holder) => ({ holder, refs: tx.refs.children(holder) })),
    );
  }

  async createLease(opts: LeaseOptions = {}): Promise<string> {
    this.checkOpen();
    const ms = opts.expiresInMs;
    if (ms !== undefined && !(typeof ms === 'number' && Number.isFinite(ms) && ms > 0)) {
      throw errorOf('invalid-argument', `lease expiry ${String(ms)} ms: must be a positive number`);
    }
    return this.newLease(ms);
  }

  async addToLease(lease: string, ref: ResourceRef): Promise<void> {
    this.checkOpen();
    const valid = validateResourceRef(ref);
    await this.metadata.gcLock.shared(async () => {
      this.checkOpen();
      this.metadata.update((tx) => tx.leases.addResource(lease, valid));
    });
  }

  async deleteLease(lease: string): Promise<void> {
    this.checkOpen();
    this.metadata.update((tx) => tx.leases.delete(lease));
  }

  async collectGarbage(): Promise<GcSummary> {
    this.checkOpen();
    const result = await collectGarbage({
      metadata: this.metadata,
      content: this.content,
      removeSnapshot: (key) => this.snapshots.remove(key),
    });
    const failures = result.failures.map((f) => ({ kind: f.kind, id: f.id, message: f.error.message }));
    return { content: result.content, snapshots: result.snapshots, leases: result.leases, failures };
  }

  /** Waits for running unpacks and collections, then closes; the store must not be used afterwards. */
  close(): Promise<void> {
    // Work already holding the GC lock finishes first; calls queued behind close find it closed.
    this.closing ??= this.metadata.gcLock.exclusive(async () => {
      this.closed = true;
      await this.applier.close();
      await this.snapshots.close();
      this.metadata.close();
    });
    return this.closing;
  }

  private newLease(expiresInMs: number | undefined): string {
    const id = `lease-${randomUUID()}`;
    const expiresAt = expiresInMs === undefined ? undefined : new Date(this.metadata.clock().getTime() + expiresInMs);
    this.metadata.update((tx) => tx.leases.create({ id, expiresAt }));
    return id;
  }

  private dropLease(lease: string): void {
    try {
      this.metadata.update((tx) => tx.leases.delete(lease));
    } catch (err) {
      if (!isKind(err, 'not-found')) throw err;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw errorOf('failed-precondition', 'layer store: closed');
  }
}

function validateHolder(holder: ResourceRef): ResourceRef {
  const valid = validateResourceRef(holder);
  if (resourceKinds.has(valid.kind)) {
    throw errorOf('invalid-argument', `holder kind ${valid.kind}: names a resource, not a holder`);
  }
  return valid;
}

function checkUnpackArgs(layers: LayerDescriptor[], opts: UnpackOptions): void {
  if (!Array.isArray(layers)) throw errorOf('invalid-argument', 'unpack: layers must be a list');
  for (const [i, layer] of layers.entries()) {
    if (typeof layer?.digest !== 'string') throw errorOf('invalid-argument', `unpack layer ${i}: no digest`);
    parseDigest(layer.digest);
  }
  const expected = opts.expectedDiffIds;
  if (expected !== undefined && (!Array.isArray(expected) || expected.length !== layers.length)) {
    throw errorOf('invalid-argument', `unpack: ${String(expected?.length)} expected diff IDs for ${layers.length} layers`);
  }
  for (const diffId of expected ?? []) {
    if (typeof diffId !== 'string') throw errorOf('invalid-argument', 'unpack: an expected diff ID is not a string');
    parseDigest(diffId);
  }
}
