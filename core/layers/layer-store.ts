/**
 * The layer store: containerd's content store, snapshotter, unpacker and garbage collector
 * behind one contract, so that the image store (and later the container services) can use it
 * in-process (`LocalLayerStore`) or through the layer-store component (`GrpcLayerStore`)
 * without knowing which.
 *
 * Garbage collection is by reference, as in containerd:
 *  - a *holder* (`{kind: 'image', id: 'docker.io/library/busybox:latest'}`, later
 *    `{kind: 'container', id}`) is a root that keeps the resources it names alive;
 *  - blobs keep others alive through their labels (`containerd.io/gc.ref.content.<n>` on a
 *    manifest naming its config and layers; `containerd.io/gc.ref.snapshot.overlayfs` on a
 *    config naming the chain ID of its top layer); a snapshot keeps its parents alive;
 *  - a lease keeps what it holds alive while work is in progress (a load, a pull), so a
 *    collection running meanwhile cannot remove half-written results.
 * Everything no holder, label chain or lease reaches is removed by `collectGarbage`.
 */
import type { ContentStore } from '../content/content-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';

export interface ResourceRef {
  /** `content` (id: a digest), `snapshot` (id: a key), or a holder kind (`image`, `container`, …). */
  kind: string;
  id: string;
}

export interface LayerDescriptor {
  /** The blob's digest in the content store (compressed, as distributed). */
  digest: string;
  /** e.g. `application/vnd.oci.image.layer.v1.tar+gzip`, `application/vnd.docker.image.rootfs.diff.tar`. */
  mediaType: string;
  size: number;
}

export interface UnpackOptions {
  /** The config's `rootfs.diff_ids`: each applied layer must match, else `data-loss`. */
  expectedDiffIds?: string[];
  /** A lease holding the new snapshots until a holder refers to them. */
  lease?: string;
}

export interface UnpackResult {
  /** The diff ID (sha256 of the uncompressed tar) of each layer, bottom first. */
  diffIds: string[];
  /** The chain ID of each layer, bottom first; the committed snapshot of layer i is keyed `chainIds[i]`. */
  chainIds: string[];
  /** How many layers were applied now (the others were already unpacked). */
  applied: number;
}

export interface GcSummary {
  content: string[];
  snapshots: string[];
  leases: string[];
  /** What could not be removed now; it is retried by the next collection. */
  failures: { kind: string; id: string; message: string }[];
}

export interface LeaseOptions {
  /** Expires by itself after this long (a crashed client does not pin garbage forever). */
  expiresInMs?: number;
}

/**
 * Errors are `MobyError`s with the kinds of the content store and snapshotter contracts;
 * `unpack` adds `data-loss` for a layer whose diff ID differs from the expected one and
 * `invalid-argument` for a hostile or malformed layer (nothing of it stays visible).
 */
export interface LayerStore {
  readonly content: ContentStore;
  readonly snapshots: Snapshotter;

  /**
   * Applies `layers` (bottom first) into committed snapshots keyed by chain ID. Layers
   * whose snapshot already exists are not applied again. Idempotent.
   */
  unpack(layers: LayerDescriptor[], opts?: UnpackOptions): Promise<UnpackResult>;

  /** Makes `holder` a root that refers to exactly `refs` (replacing what it referred to). */
  setHolder(holder: ResourceRef, refs: ResourceRef[]): Promise<void>;
  /** Removes a holder; what only it kept alive becomes garbage. Not-found is fine. */
  deleteHolder(holder: ResourceRef): Promise<void>;
  listHolders(kind?: string): Promise<{ holder: ResourceRef; refs: ResourceRef[] }[]>;

  createLease(opts?: LeaseOptions): Promise<string>;
  addToLease(lease: string, ref: ResourceRef): Promise<void>;
  deleteLease(lease: string): Promise<void>;

  /** Mark and sweep; safe while other work runs under leases. */
  collectGarbage(): Promise<GcSummary>;

  close(): Promise<void>;
}
