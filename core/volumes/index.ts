/**
 * Volumes: the `VolumeService` contract and `LocalVolumeService` (SQLite records, Docker's
 * `local` driver, legacy volume plugins), Docker's volume filters and names. No gRPC, no HTTP.
 */
export * from './volume-service.js';
export * from './local-volume-service.js';
export { LocalDriver, validateLocalOptions, isMountPoint } from './local-driver.js';
export { PluginVolumeDriver } from './plugin-volume-driver.js';
export type { DriverVolume, VolumeDriver } from './volume-driver.js';
export { VolumeDb, VOLUMES_DB, volumeMigrations, type VolumeRecord } from './volume-db.js';
export { listPredicate, prunePredicate, type FilterSubject, type VolumePredicate } from './volume-filters.js';
export { ANONYMOUS_LABEL, formatCreatedAt, generateVolumeName, validateLocalVolumeName } from './volume-name.js';
export { volumeServiceConformance, type VolumeServiceFixture } from './conformance.js';
