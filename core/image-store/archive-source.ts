import { errorOf } from '../../lib/errdefs/index.js';
import { gunzip } from '../archive/decompress.js';
import type { Digest } from '../content/index.js';
import type { ArchiveSource } from '../image/blob-sink.js';
import { layerMediaType } from '../image/oci.js';
import type { LayerDescriptor, LayerStore } from '../layers/layer-store.js';
import type { ImageRecord } from './image-records.js';

/** On a compressed layer blob: the size of the tar inside, counted the first time a save needs it. */
export const diffSizeLabel = 'org.mobyproject.image.diff-size';

/**
 * What `writeImageArchive` reads for a save, from the layer store: configs as stored, and
 * each layer as its uncompressed tar (the diff) with its exact size. A layer stored plain
 * is read as it is; a gzipped one is gunzipped, its size counted by one extra pass the
 * first time and kept as a label on the blob.
 */
export function layerStoreSource(layers: LayerStore, images: readonly ImageRecord[]): ArchiveSource {
  const blobs = new Map<string, LayerDescriptor>();
  for (const image of images) image.diffIds.forEach((diffId, i) => blobs.set(diffId, image.layers[i]!));
  return {
    config: (id) => layers.content.readAll(id),
    layer: async (diffId) => {
      const blob = blobs.get(diffId);
      if (!blob) throw errorOf('internal', `save: layer ${diffId} belongs to no image being saved`);
      if (blob.digest === diffId) return { size: blob.size, stream: await layers.content.reader(blob.digest) };
      const compression = layerMediaType(blob.mediaType)?.compression;
      if (compression !== 'gzip') throw errorOf('not-implemented', `save: layer ${blob.digest} is ${compression ?? blob.mediaType}, which cannot be exported`);
      return { size: await diffSize(layers, blob.digest as Digest), stream: gunzip(await layers.content.reader(blob.digest)) };
    },
  };
}

async function diffSize(layers: LayerStore, digest: Digest): Promise<number> {
  const known = Number((await layers.content.info(digest)).labels[diffSizeLabel]);
  if (Number.isSafeInteger(known) && known >= 0) return known;
  let size = 0;
  for await (const chunk of gunzip(await layers.content.reader(digest))) size += chunk.length;
  await layers.content.updateLabels(digest, { [diffSizeLabel]: String(size) });
  return size;
}
