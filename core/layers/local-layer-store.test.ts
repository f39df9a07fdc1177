import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestHex } from '../content/index.js';
import { MetadataStore } from '../metadata/index.js';
import { layerStoreConformance } from './conformance.js';
import { blobDigests, bottomEntries, putBlob, putLayers, snapshotKeys, topEntries } from './conformance-support.js';
import { LocalLayerStore } from './local-layer-store.js';
import { uncompressedLabel } from './unpack-layers.js';

layerStoreConformance('LocalLayerStore', async () => {
  const root = mkdtempSync(join(tmpdir(), 'moby-layers-'));
  try {
    const store = await LocalLayerStore.open(root);
    const cleanup = async () => {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    };
    return { store, root, cleanup };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
});

/** A root removed after the test, and stores on it closed first. */
function tempRoot(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'moby-layers-'));
  const opened: { close(): Promise<void> | void }[] = [];
  t.after(async () => {
    for (const store of opened) await store.close();
    rmSync(root, { recursive: true, force: true });
  });
  const track = <T extends { close(): Promise<void> | void }>(store: T): T => {
    opened.push(store);
    return store;
  };
  return { root, track };
}

test('LocalLayerStore lays out content, snapshots and one metadata database under its root', async (t) => {
  const { root, track } = tempRoot(t);
  const store = track(await LocalLayerStore.open(root));
  const { layers, diffIds } = await putLayers(store, [bottomEntries]);
  const { chainIds } = await store.unpack(layers);
  assert.deepEqual(readdirSync(root).filter((n) => !n.startsWith('metadata.db')).sort(), ['content', 'snapshots']);
  assert.ok(existsSync(join(root, 'content', 'blobs', 'sha256', digestHex(layers[0]!.digest as `sha256:${string}`))));
  assert.equal(readFileSync(join(root, 'snapshots', '1', 'fs', 'etc', 'passwd'), 'utf8'), 'root:x:0:0');
  await store.close();
  const metadata = track(MetadataStore.open(root));
  const rows = metadata.view((tx) => tx.snapshots.list());
  assert.deepEqual(rows.map((r) => [r.key, r.kind, r.snapshotterId]), [[chainIds[0], 'committed', '1']]);
  assert.deepEqual(metadata.view((tx) => tx.contentLabels.get(layers[0]!.digest).labels), { [uncompressedLabel]: diffIds[0] });
});

test('LocalLayerStore reopened keeps blobs, snapshots, holders and leases', async (t) => {
  const { root, track } = tempRoot(t);
  const first = track(await LocalLayerStore.open(root));
  const lease = await first.createLease();
  const { layers } = await putLayers(first, [bottomEntries, topEntries], lease);
  const { chainIds } = await first.unpack(layers, { lease });
  const config = await putBlob(first, Buffer.from('{}'), undefined, { 'containerd.io/gc.ref.snapshot.overlayfs': chainIds[1]! });
  await first.setHolder({ kind: 'image', id: 'app:1' }, [{ kind: 'content', id: config }]);
  await first.close();

  const again = track(await LocalLayerStore.open(root));
  assert.deepEqual(await snapshotKeys(again), [...chainIds].sort());
  assert.deepEqual((await again.unpack(layers)).applied, 0);
  assert.deepEqual(await again.listHolders(), [{ holder: { kind: 'image', id: 'app:1' }, refs: [{ kind: 'content', id: config }] }]);
  assert.deepEqual((await again.collectGarbage()).content, [], 'the lease still holds the layers');
  await again.deleteLease(lease);
  const summary = await again.collectGarbage();
  assert.deepEqual([[...summary.content].sort(), summary.snapshots], [layers.map((l) => l.digest).sort(), []]);
  assert.deepEqual(await blobDigests(again), [config]);
});

test('LocalLayerStore.collectGarbage removes a lease once it expires, with what only it held', async (t) => {
  const { root, track } = tempRoot(t);
  let now = new Date('2024-01-01T00:00:00Z');
  const store = track(await LocalLayerStore.open(root, { clock: () => now }));
  const lease = await store.createLease({ expiresInMs: 60_000 });
  const blob = await putBlob(store, Buffer.from('pulled'), lease);
  assert.deepEqual((await store.collectGarbage()).content, []);
  now = new Date(now.getTime() + 60_000);
  assert.deepEqual(await store.collectGarbage(), { content: [blob], snapshots: [], leases: [lease], failures: [] });
});

test('LocalLayerStore.collectGarbage removes an abandoned extract snapshot and its directory', async (t) => {
  const { root, track } = tempRoot(t);
  const store = track(await LocalLayerStore.open(root));
  await store.snapshots.prepare('extract-crashed');
  assert.deepEqual(readdirSync(join(root, 'snapshots')), ['1']);
  assert.deepEqual((await store.collectGarbage()).snapshots, ['extract-crashed']);
  assert.deepEqual(readdirSync(join(root, 'snapshots')), []);
});

test('LocalLayerStore.unpack refuses an unknown lease and leaves nothing', async (t) => {
  const { root, track } = tempRoot(t);
  const store = track(await LocalLayerStore.open(root));
  const { layers } = await putLayers(store, [bottomEntries]);
  await assert.rejects(store.unpack(layers, { lease: 'lease-gone' }), /lease lease-gone: not found/);
  assert.deepEqual(await snapshotKeys(store), []);
});

test('LocalLayerStore refuses calls after close, and close waits for a running unpack', async (t) => {
  const { root } = tempRoot(t);
  const store = await LocalLayerStore.open(root);
  const { layers } = await putLayers(store, [bottomEntries]);
  const unpacking = store.unpack(layers);
  await store.close();
  assert.equal((await unpacking).applied, 1);
  await assert.rejects(store.listHolders(), /closed/);
});
