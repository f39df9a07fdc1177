export * from './manifest.js';
export { parseManifest } from './parse-manifest.js';
