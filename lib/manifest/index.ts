export * from './manifest.js';
export { parseManifest } from './parse-manifest.js';
export { dependenciesOf } from './start-order.js';
