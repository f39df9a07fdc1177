import type { Digest, LabelChanges, LabelRecord, LabelStore } from '../content/index.js';
import type { MetadataStore } from './metadata-store.js';

/**
 * Blob labels in the metadata database, for `LocalContentStore.open(root,
 * { labels: new MetadataLabelStore(metadata) })`: this is how a store's
 * `containerd.io/gc.ref.*` and `containerd.io/gc.root` labels reach garbage
 * collection.
 */
export class MetadataLabelStore implements LabelStore {
  constructor(private readonly metadata: MetadataStore) {}

  async get(digest: Digest): Promise<LabelRecord> {
    return this.metadata.view((tx) => tx.contentLabels.get(digest));
  }

  async update(digest: Digest, changes: LabelChanges): Promise<LabelRecord> {
    return this.metadata.update((tx) => tx.contentLabels.update(digest, changes));
  }

  async delete(digest: Digest): Promise<void> {
    this.metadata.update((tx) => tx.contentLabels.delete(digest));
  }
}
