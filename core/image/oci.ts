import type { Digest } from '../content/index.js';

/**
 * The image formats' vocabulary: media types and the shapes of descriptors,
 * manifests, indexes and platforms, as the OCI image spec and Docker's
 * schema 2 define them. Field names are the JSON ones so parsed documents
 * need no renaming.
 */
export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociForeignLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociForeignLayerGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociForeignLayerZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Annotation keys the archive formats use to name images. */
export const annotations = {
  /** OCI: the reference name, in practice a tag (`latest`) or a full reference. */
  refName: 'org.opencontainers.image.ref.name',
  /** containerd (and Docker 25+): the full image name, `docker.io/library/busybox:latest`. */
  imageName: 'io.containerd.image.name',
} as const;

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const layerTypes: Record<string, { compression: LayerCompression; foreign: boolean }> = {
  [mediaTypes.dockerLayer]: { compression: 'none', foreign: false },
  [mediaTypes.dockerLayerGzip]: { compression: 'gzip', foreign: false },
  [mediaTypes.dockerLayerZstd]: { compression: 'zstd', foreign: false },
  [mediaTypes.dockerForeignLayerGzip]: { compression: 'gzip', foreign: true },
  [mediaTypes.ociLayer]: { compression: 'none', foreign: false },
  [mediaTypes.ociLayerGzip]: { compression: 'gzip', foreign: false },
  [mediaTypes.ociLayerZstd]: { compression: 'zstd', foreign: false },
  [mediaTypes.ociForeignLayer]: { compression: 'none', foreign: true },
  [mediaTypes.ociForeignLayerGzip]: { compression: 'gzip', foreign: true },
  [mediaTypes.ociForeignLayerZstd]: { compression: 'zstd', foreign: true },
};

/** What a layer media type says about its blob, or undefined for a type that is not a layer. */
export function layerMediaType(mediaType: string): { compression: LayerCompression; foreign: boolean } | undefined {
  return layerTypes[mediaType];
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === mediaTypes.dockerManifest || mediaType === mediaTypes.ociManifest;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === mediaTypes.dockerManifestList || mediaType === mediaTypes.ociIndex;
}

export function isConfigType(mediaType: string): boolean {
  return mediaType === mediaTypes.dockerConfig || mediaType === mediaTypes.ociConfig;
}

/** The media type of a layer in Docker's schema 2 vocabulary, by compression. */
export function dockerLayerType(compression: LayerCompression): string {
  return compression === 'gzip' ? mediaTypes.dockerLayerGzip : compression === 'zstd' ? mediaTypes.dockerLayerZstd : mediaTypes.dockerLayer;
}

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** A content descriptor: what a blob is, its digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** An image manifest: Docker schema 2 or OCI. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A manifest list (Docker) or image index (OCI). */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}
