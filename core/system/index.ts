/** core/system: plain facts about the host and the engine's own identity. No HTTP, no gRPC. */
export { cgroup2SuperMagic, cgroupVersionOf, detectCgroupFeatures, detectCgroupVersion } from './cgroup-info.js';
export type { CgroupFeatures, CgroupVersion } from './cgroup-info.js';
export { engineIdFile, loadOrCreateEngineId } from './engine-id.js';
export { filesystemName, filesystemNameOf } from './filesystem-name.js';
export { goArchOf, LocalHostFacts } from './host-facts.js';
export type { HostFacts, HostFactsSource, LocalHostFactsOptions } from './host-facts.js';
export { parseOsRelease } from './os-release.js';
export type { OsRelease } from './os-release.js';
export { parseRuntimeVersion, readRuntimeVersion } from './runtime-version.js';
export type { RuntimeVersion } from './runtime-version.js';
