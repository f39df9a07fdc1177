import { createGzip } from 'node:zlib';
import { isKind } from '../../lib/errdefs/index.js';
import { isDigest, type Digest } from '../content/index.js';
import { runLimited } from '../distribution/run-limited.js';
import { layerMediaType, mediaTypes } from '../image/oci.js';
import type { LayerDescriptor, LayerStore } from '../layers/layer-store.js';
import { imageManifest } from './image-manifest.js';
import type { ImageRecord } from './image-records.js';
import { putLeased } from './put-leased.js';

/**
 * On an uncompressed layer blob: its gzipped form, made by the first push. Being a
 * `gc.ref.content` label it keeps that blob alive as long as the layer lives, so later
 * pushes send the same bytes (`Layer already exists`, same manifest digest) without
 * compressing again, and the blob goes when the image does.
 */
export const gzipLabel = 'containerd.io/gc.ref.content.moby.gzip';

/** Layers compressed at once. */
const concurrency = 3;

export interface PushableManifest {
  bytes: Buffer;
  mediaType: string;
}

/**
 * The manifest to push for an image. An image whose layers are all compressed (pulled, or
 * loaded from an OCI layout with gzip layers) is pushed with the manifest it has, byte for
 * byte, so its digest stays the one it was pulled by. An image with uncompressed layers
 * (`docker import`, `docker load` of a `docker save` archive, commits) gets its layers
 * gzipped, as Docker does: registries and clients expect compressed layers (some refuse
 * plain tars), a rootfs shrinks two to four times, and Docker pushes such images the same
 * way. The manifest is then Docker's schema 2 with gzip layers, as `docker push` writes it
 * (three-space indent, Go's field order). Compressed blobs are stored under `lease`.
 */
export async function pushableManifest(layers: LayerStore, record: ImageRecord, lease: string): Promise<PushableManifest> {
  if (!record.layers.some(isPlain)) {
    return { bytes: await layers.content.readAll(record.manifest.digest), mediaType: record.manifest.mediaType };
  }
  const pushed: LayerDescriptor[] = new Array(record.layers.length);
  await runLimited(record.layers, concurrency, async (layer, i) => {
    pushed[i] = isPlain(layer) ? await gzipped(layers, layer, lease) : layer;
  });
  if (pushed.every((l) => layerMediaType(l.mediaType)?.compression === 'gzip')) return dockerManifest(record.config, pushed);
  const created = imageManifest(record.config, pushed);
  return { bytes: created.bytes, mediaType: created.descriptor.mediaType };
}

function isPlain(layer: LayerDescriptor): boolean {
  return layerMediaType(layer.mediaType)?.compression === 'none';
}

/** The gzip of a plain layer: the one its label names when still stored, else made now and labelled. */
async function gzipped(layers: LayerStore, layer: LayerDescriptor, lease: string): Promise<LayerDescriptor> {
  const known = (await layers.content.info(layer.digest)).labels[gzipLabel];
  if (known !== undefined && isDigest(known)) {
    await layers.addToLease(lease, { kind: 'content', id: known }); // before the check: a collection may run meanwhile
    try {
      return { mediaType: mediaTypes.dockerLayerGzip, digest: known, size: (await layers.content.info(known)).size };
    } catch (err) {
      if (!isKind(err, 'not-found')) throw err;
    }
  }
  const source = await layers.content.reader(layer.digest);
  const gzip = createGzip();
  source.on('error', (err) => gzip.destroy(err));
  const written = await putLeased(layers, lease, source.pipe(gzip));
  await layers.content.updateLabels(layer.digest, { [gzipLabel]: written.digest });
  return { mediaType: mediaTypes.dockerLayerGzip, digest: written.digest, size: written.size };
}

/** Docker's schema 2 manifest as distribution's `schema2.ManifestBuilder` marshals it. */
function dockerManifest(config: { digest: string; size: number }, layers: readonly LayerDescriptor[]): PushableManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: config.size, digest: config.digest as Digest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  return { bytes: Buffer.from(JSON.stringify(doc, null, 3)), mediaType: mediaTypes.dockerManifest };
}
