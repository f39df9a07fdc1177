export {
  statPath, encodePathStat, decodePathStat, goFileMode, rfc3339Nano,
  type ContainerPathStat, type PathOptions,
} from './stat-path.js';
export { archivePath, type PathArchive } from './archive-path.js';
export { extractArchive, type ExtractOptions, type ExtractResult } from './extract-archive.js';
export { diffChanges, ChangeKind, type Change, type ChangeKindValue, type OverlayDirs } from './diff-changes.js';
export { exportRootfs } from './export-rootfs.js';
export { layerFromUpper, diffIdOf, type UpperLayer, type UpperLayerSource } from './layer-from-upper.js';
export { resolveInContainer } from './resolve.js';
