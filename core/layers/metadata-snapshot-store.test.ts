import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataStore } from '../metadata/index.js';
import { metaStoreConformance, OverlaySnapshotter, snapshotterConformance } from '../snapshots/index.js';
import { MetadataSnapshotStore } from './metadata-snapshot-store.js';

/** A temporary root and every metadata store opened on it, all closed and removed after the test. */
function backing(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'moby-msnap-'));
  const opened: MetadataStore[] = [];
  t.after(() => {
    for (const metadata of opened) metadata.close();
    rmSync(root, { recursive: true, force: true });
  });
  const openMetadata = () => {
    const metadata = MetadataStore.open(root);
    opened.push(metadata);
    return metadata;
  };
  return { root, openMetadata };
}

metaStoreConformance('MetadataSnapshotStore', async (t) => {
  const { openMetadata } = backing(t);
  return { open: () => new MetadataSnapshotStore(openMetadata()) };
});

snapshotterConformance('OverlaySnapshotter over MetadataSnapshotStore', async (t) => {
  const { root, openMetadata } = backing(t);
  const s = await OverlaySnapshotter.open(root, { store: new MetadataSnapshotStore(openMetadata()) });
  t.after(() => s.close());
  return s;
});

test('MetadataSnapshotStore keeps the snapshotter\'s records in the metadata snapshots table', async (t) => {
  const { root, openMetadata } = backing(t);
  const metadata = openMetadata();
  const s = await OverlaySnapshotter.open(root, { store: new MetadataSnapshotStore(metadata) });
  t.after(() => s.close());
  await s.prepare('a');
  await s.commit('A', 'a');
  await s.prepare('b', 'A', { labels: { role: 'rootfs' } });
  const rows = metadata.view((tx) => tx.snapshots.list());
  assert.deepEqual(
    rows.map((r) => [r.key, r.parent, r.kind, r.snapshotterId, r.labels]),
    [['A', undefined, 'committed', '1', {}], ['b', 'A', 'active', '2', { role: 'rootfs' }]],
  );
  assert.equal(typeof rows[0]?.usage?.inodes, 'number');
});

test('MetadataSnapshotStore.read refuses writes and every call after close', async (t) => {
  const store = new MetadataSnapshotStore(backing(t).openMetadata());
  await assert.rejects(store.read((tx) => tx.nextId()), /write in a read transaction/);
  await store.close();
  await assert.rejects(store.read((tx) => tx.list()), /closed/);
});

test('MetadataSnapshotStore.put replaces a record whose parent changed, keeping in place what may change', async (t) => {
  const store = new MetadataSnapshotStore(backing(t).openMetadata());
  const at = new Date(0).toISOString();
  const base = { id: '1', key: 'base', kind: 'committed' as const, labels: {}, created: at, updated: at };
  await store.update((tx) => {
    tx.put(base);
    tx.put({ ...base, id: '2', key: 'other' });
    tx.put({ ...base, id: '3', key: 'x', kind: 'active' });
    tx.put({ ...base, id: '3', key: 'x', kind: 'committed', usage: { size: 1, inodes: 1 } });
    tx.put({ ...base, id: '4', key: 'y', parent: 'base' });
    tx.put({ ...base, id: '4', key: 'y', parent: 'other' });
  });
  assert.deepEqual(await store.read((tx) => [tx.get('x')?.usage, tx.get('y')?.parent, tx.hasChildren('base')]), [
    { size: 1, inodes: 1 }, 'other', false,
  ]);
});
