export { applyLayer, type ApplyLayerOptions, type AppliedLayer } from './apply-layer.js';
export { readTar, type TarEntry, type TarSummary } from './tar-reader.js';
export type { TarHeader, TarEntryType } from './tar-header.js';
export { detectCompression, type Compression } from './decompress.js';
export { LayerApplier } from './layer-applier.js';
