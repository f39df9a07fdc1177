export {
  defaultTag, familiarName, familiarString, familiarize, isValidTag, normalizeReference, parseAnyReference,
  parseNormalizedNamed, parseReference, referenceName, referenceString, repoTagReference, withDefaultTag,
  type AnyReference, type Reference,
} from './reference.js';
export { fullImageId, imageIdPrefix, matchIdPrefix, shortId } from './image-id.js';
export {
  annotations, dockerLayerType, isConfigType, isIndexType, isManifestType, layerMediaType, mediaTypes,
  type Descriptor, type ImageIndex, type ImageManifest, type LayerCompression, type Platform,
} from './oci.js';
export { parseDescriptor, parseIndex, parseManifest, parseManifestOrIndex, type ParsedDocument } from './parse-manifest.js';
export {
  compatiblePlatforms, defaultPlatform, formatPlatform, normalizePlatform, parsePlatform, platformEquals, platformRank,
  selectManifest,
} from './platform.js';
export {
  completeContainerConfig, emptyContainerConfig, encodeContainerConfig, type ContainerConfig, type HealthConfig,
} from './container-config.js';
export {
  encodeImageConfig, newImportConfig, parseImageConfig, type CreatedConfig, type HistoryEntry, type ImageConfig,
  type ImportConfigOptions, type RootFs,
} from './image-config.js';
export { applyChanges } from './apply-changes.js';
export { historyOf, type HistoryItem, type HistoryOptions, type NamedImage } from './history.js';
export { chainIds } from '../snapshots/chain-id.js';
export { goJson, goTime } from './go-json.js';
export type { ArchiveSource, BlobInfo, BlobKind, BlobSink } from './blob-sink.js';
export type { ArchiveImage, ArchiveLayer, ImageArchiveContents } from './archive-image.js';
export { readImageArchive, type ReadImageArchiveOptions } from './read-image-archive.js';
export { parseManifestJson, type ManifestItem } from './docker-archive.js';
export { writeImageArchive, type ImageToSave } from './write-image-archive.js';
