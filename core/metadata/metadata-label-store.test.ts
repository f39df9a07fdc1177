import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentStoreConformance } from '../content/conformance.js';
import { digestOf, LocalContentStore } from '../content/index.js';
import { MetadataLabelStore } from './metadata-label-store.js';
import { MetadataStore } from './metadata-store.js';

async function makeStores() {
  const root = await mkdtemp(join(tmpdir(), 'moby-metadata-'));
  const metadata = MetadataStore.open(root);
  const store = await LocalContentStore.open(join(root, 'content'), { labels: new MetadataLabelStore(metadata) });
  const cleanup = async () => {
    metadata.close();
    await rm(root, { recursive: true, force: true });
  };
  return { root, metadata, store, cleanup };
}

contentStoreConformance('LocalContentStore with MetadataLabelStore', makeStores);

test('MetadataLabelStore keeps blob labels in the metadata database, not beside the blobs', async (t) => {
  const { root, metadata, store, cleanup } = await makeStores();
  t.after(cleanup);
  const digest = digestOf('blob');
  await store.put(Buffer.from('blob'), { labels: { 'containerd.io/gc.root': '1' } });
  assert.deepEqual(metadata.view((tx) => tx.contentLabels.get(digest).labels), { 'containerd.io/gc.root': '1' });
  assert.equal((await readdir(join(root, 'content'))).includes('labels'), false);
  await store.updateLabels(digest, { 'containerd.io/gc.root': null });
  assert.deepEqual(metadata.view((tx) => tx.contentLabels.list()), []);
});

test('ContentLabelTable.update merges edits and drops the row when no label is left', async (t) => {
  const { metadata, cleanup } = await makeStores();
  t.after(cleanup);
  const digest = digestOf('x');
  metadata.update((tx) => tx.contentLabels.update(digest, { a: '1', b: '2' }));
  metadata.update((tx) => tx.contentLabels.update(digest, { a: null, c: '3' }));
  assert.deepEqual(metadata.view((tx) => tx.contentLabels.get(digest).labels), { b: '2', c: '3' });
  metadata.update((tx) => tx.contentLabels.update(digest, { b: null, c: null }));
  assert.deepEqual(metadata.view((tx) => tx.contentLabels.get(digest)), { labels: {} });
});
