import { randomUUID } from 'node:crypto';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import type { ImageConfig } from '../image/image-config.js';
import type { LayerDescriptor, LayerStore, ResourceRef } from '../layers/layer-store.js';
import type { Descriptor, GcLock } from '../metadata/index.js';
import type { Mount } from '../snapshots/index.js';
import type { ImageEventSink } from './image-events.js';
import { imageManifest, gcLabel, manifestLabels } from './image-manifest.js';
import type { ImageRecord, ImageRecords, NameChange } from './image-records.js';
import type { LeaseBook } from './lease-book.js';

/** An image whose config and layers are in the content store, held by a lease. */
export interface IncomingImage {
  config: Descriptor;
  parsed: ImageConfig;
  layers: LayerDescriptor[];
  /** The manifest as it arrived (OCI layouts), already stored; absent: one is created. */
  manifest?: Descriptor;
}

/** What the image store's operations share. */
export interface StoreContext {
  layers: LayerStore;
  records: ImageRecords;
  /** Serialises holder changes with record changes (commits and removals). */
  commits: GcLock;
  leases: LeaseBook;
  clock: () => Date;
  /** Told of Docker's image events (`tag`, `untag`, `delete`, `pull`…) once each has happened. */
  publish: ImageEventSink;
}

export function holderOf(id: string): ResourceRef {
  return { kind: 'image', id };
}

/**
 * Runs `work` under a fresh lease and ends the lease afterwards. On failure it also
 * collects garbage, so that nothing the work stored stays behind.
 */
export async function withLease<T>(ctx: StoreContext, work: (lease: string) => Promise<T>): Promise<T> {
  const lease = await ctx.leases.create();
  let result: T;
  try {
    result = await work(lease);
  } catch (err) {
    await ctx.leases.release(lease).catch(() => undefined);
    await ctx.layers.collectGarbage().catch(() => undefined);
    throw err;
  }
  await ctx.leases.release(lease);
  return result;
}

/**
 * Unpacks an incoming image and labels its blobs for garbage collection (the manifest
 * names its config and layers, the config its top snapshot); returns its record. A
 * layer whose content is not what the config says is `data-loss` (from the unpack).
 */
export async function prepareImage(layers: LayerStore, image: IncomingImage, lease: string): Promise<ImageRecord> {
  const diffIds = image.parsed.rootfs.diff_ids;
  const unpacked = await layers.unpack(image.layers, { expectedDiffIds: diffIds, lease });
  const manifest = await storeManifest(layers, image, lease);
  const top = unpacked.chainIds.at(-1);
  if (top !== undefined) await layers.content.updateLabels(image.config.digest, { [gcLabel.snapshot]: top });
  const layerSizes: number[] = [];
  for (const chain of unpacked.chainIds) layerSizes.push((await layers.snapshots.usage(chain)).size);
  const record: ImageRecord = {
    id: image.config.digest,
    manifest,
    config: { mediaType: image.config.mediaType, digest: image.config.digest, size: image.config.size },
    layers: image.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    diffIds: [...diffIds],
    chainIds: unpacked.chainIds,
    layerSizes,
    labels: image.parsed.config?.Labels ?? null,
    graphDriver: top === undefined ? {} : await graphDriverData(layers, top, lease),
  };
  if (image.parsed.created !== undefined) record.created = image.parsed.created;
  return record;
}

async function storeManifest(layers: LayerStore, image: IncomingImage, lease: string): Promise<Descriptor> {
  const labels = manifestLabels(image.config.digest, image.layers);
  if (image.manifest) {
    await layers.content.updateLabels(image.manifest.digest, labels);
    return { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size };
  }
  const created = imageManifest(image.config, image.layers);
  await layers.addToLease(lease, { kind: 'content', id: created.descriptor.digest });
  await layers.content.put(created.bytes, { expected: created.descriptor.digest, labels });
  return created.descriptor;
}

/** `GraphDriver.Data` of the top layer: its directory and those below, from a view's mounts. */
async function graphDriverData(layers: LayerStore, top: string, lease: string): Promise<Record<string, string>> {
  const key = `image-view-${randomUUID()}`;
  await layers.addToLease(lease, { kind: 'snapshot', id: key });
  const mounts = await layers.snapshots.view(key, top);
  try {
    return driverData(mounts);
  } finally {
    await layers.snapshots.remove(key).catch(() => undefined);
  }
}

function driverData(mounts: Mount[]): Record<string, string> {
  const [m] = mounts;
  if (!m) return {};
  if (m.type === 'bind') return { UpperDir: m.source };
  const lowers = m.options.find((o) => o.startsWith('lowerdir='))?.slice('lowerdir='.length).split(':') ?? [];
  const [upper, ...below] = lowers;
  if (upper === undefined) return {};
  return below.length > 0 ? { LowerDir: below.join(':'), UpperDir: upper } : { UpperDir: upper };
}

/**
 * Makes prepared images visible: each becomes a holder of its manifest and config in the
 * layer store, then its record and names are written in one transaction. An image
 * already here keeps its record (and manifest). Serialised with removals.
 */
export async function commitImages(
  ctx: StoreContext, images: { record: ImageRecord; names: string[] }[], tagTime?: string,
): Promise<NameChange[]> {
  return ctx.commits.exclusive(async () => {
    for (const { record } of images) {
      const kept = ctx.records.get(record.id) ?? record;
      await ctx.layers.setHolder(holderOf(kept.id), [
        { kind: 'content', id: kept.manifest.digest },
        { kind: 'content', id: kept.config.digest },
      ]);
    }
    return ctx.records.add(images, tagTime);
  });
}

/** A `data-loss` from unpacking an archive's layer means the archive is inconsistent. */
export function asInvalidArchive(err: unknown): unknown {
  if (!isKind(err, 'data-loss')) return err;
  return errorOf('invalid-argument', `invalid archive: ${(err as Error).message}`, err);
}
