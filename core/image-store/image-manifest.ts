import { digestOf, type Digest } from '../content/index.js';
import type { LayerDescriptor } from '../layers/layer-store.js';
import type { Descriptor } from '../metadata/index.js';
import { goJson } from '../image/go-json.js';
import { layerMediaType, mediaTypes } from '../image/oci.js';

/** containerd's garbage-collection labels, as the layer store reads them. */
export const gcLabel = {
  config: 'containerd.io/gc.ref.content.config',
  layer: (i: number) => `containerd.io/gc.ref.content.l.${i}`,
  snapshot: 'containerd.io/gc.ref.snapshot.overlayfs',
} as const;

/** A manifest the store made: its exact bytes and its descriptor. */
export interface CreatedManifest {
  bytes: Buffer;
  descriptor: Descriptor;
}

/**
 * The OCI image manifest the store keeps for an image that came without one (`docker
 * import`, a `docker save` archive), as Docker 25+ makes them: Go's field order
 * (mediaType, digest, size), layer media types in the OCI vocabulary by compression.
 * Equal inputs give equal bytes, so an image loaded twice gets the same manifest.
 */
export function imageManifest(config: { digest: string; size: number }, layers: readonly LayerDescriptor[]): CreatedManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: ociLayerType(l.mediaType), digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(goJson(doc));
  return { bytes, descriptor: { mediaType: mediaTypes.ociManifest, digest: digestOf(bytes), size: bytes.length } };
}

const ociLayerTypes = {
  none: [mediaTypes.ociLayer, mediaTypes.ociForeignLayer],
  gzip: [mediaTypes.ociLayerGzip, mediaTypes.ociForeignLayerGzip],
  zstd: [mediaTypes.ociLayerZstd, mediaTypes.ociForeignLayerZstd],
} as const;

function ociLayerType(mediaType: string): string {
  const known = layerMediaType(mediaType);
  return known ? ociLayerTypes[known.compression][known.foreign ? 1 : 0] : mediaType;
}

/** Labels on a manifest blob: it keeps its config and layers alive. */
export function manifestLabels(config: Digest, layers: readonly LayerDescriptor[]): Record<string, string> {
  const labels: Record<string, string> = { [gcLabel.config]: config };
  layers.forEach((l, i) => (labels[gcLabel.layer(i)] = l.digest));
  return labels;
}
