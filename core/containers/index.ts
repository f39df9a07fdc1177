/**
 * Containers: the records the engine keeps, their store, and Docker's
 * container shapes (create request, inspect and list views, filters,
 * signals, restart policy). No gRPC, no HTTP.
 */
export * from './container-record.js';
export * from './names.js';
export * from './container-store.js';
export * from './create-request.js';
export * from './views.js';
export * from './list-filters.js';
export * from './signals.js';
export * from './restart-policy.js';
export { containerStoreConformance, type ContainerStoreFixture } from './conformance.js';
