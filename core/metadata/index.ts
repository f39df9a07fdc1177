export { ContentLabelTable } from './content-label-table.js';
export {
  collectGarbage, planGarbage, type CollectGarbageOptions, type GcFailure, type GcPlan, type GcResult,
  type SnapshotRemover,
} from './gc.js';
export { GcLock } from './gc-lock.js';
export { ImageTable, type Descriptor, type ImageChanges, type ImageRecord, type NewImage } from './image-table.js';
export { KvTable } from './kv-table.js';
export { LeaseTable, type LeaseRecord, type NewLease } from './lease-table.js';
export { gcLabels, gcRoots, markLive, referencesOf } from './mark-live.js';
export { MetadataLabelStore } from './metadata-label-store.js';
export { MetadataStore, type MetadataStoreOptions, type ReadTx, type WriteTx } from './metadata-store.js';
export { migrate, migrations } from './migrations.js';
export { RefTable } from './ref-table.js';
export { resourceKey, validateResourceRef, type ResourceRef } from './resource-ref.js';
export { RootTable } from './root-table.js';
export {
  SnapshotTable, type NewSnapshot, type SnapshotChanges, type SnapshotKind, type SnapshotRecord,
  type SnapshotUsageRecord,
} from './snapshot-table.js';
