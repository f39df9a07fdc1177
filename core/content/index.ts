export type {
  CommitOptions, ContentInfo, ContentSource, ContentStore, ContentWriter, IngestStatus, LabelChanges, Labels,
  ListFilter, PutOptions, ReadRange, WriterOptions,
} from './content-store.js';
export { digestHex, digestOf, isDigest, newDigester, parseDigest, type Digest, type Digester } from './digest.js';
export { FileLabelStore } from './file-label-store.js';
export {
  applyLabelChanges, matchesLabelFilter, validateLabelChanges, type LabelRecord, type LabelStore,
} from './label-store.js';
export { LocalContentStore, type LocalContentStoreOptions } from './local-content-store.js';
export { pruneIngests } from './prune-ingests.js';
export { putContent } from './put-content.js';
