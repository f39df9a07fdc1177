import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { errorOf } from '../../lib/errdefs/index.js';
import { LocalContentStore, type ContentStore, type Digest } from '../content/index.js';
import { collectGarbage, planGarbage } from './gc.js';
import { MetadataLabelStore } from './metadata-label-store.js';
import { MetadataStore } from './metadata-store.js';

const mediaType = 'application/vnd.oci.image.manifest.v1+json';

/** An image whose manifest refers to a config and two layers, unpacked into the snapshot chain l1 ← l2. */
async function world(t: TestContext) {
  const root = await mkdtemp(join(tmpdir(), 'moby-gc-'));
  let now = new Date('2024-01-01T00:00:00Z');
  const metadata = MetadataStore.open(root, { clock: () => now });
  t.after(async () => {
    metadata.close();
    await rm(root, { recursive: true, force: true });
  });
  const content = await LocalContentStore.open(join(root, 'content'), { labels: new MetadataLabelStore(metadata) });
  const put = async (text: string) => (await content.put(Buffer.from(text))).digest;
  const [manifest, config, layer1, layer2, stray] = await Promise.all(
    ['manifest', 'config', 'layer 1', 'layer 2', 'stray'].map(put),
  ) as [Digest, Digest, Digest, Digest, Digest];
  metadata.update((tx) => {
    tx.images.create({ name: 'app:1', target: { mediaType, digest: manifest, size: 8 } });
    for (const child of [config, layer1, layer2]) tx.refs.add({ kind: 'content', id: manifest }, { kind: 'content', id: child });
    tx.snapshots.create({ key: 'l1', kind: 'committed' });
    tx.snapshots.create({ key: 'l2', parent: 'l1', kind: 'committed' });
    tx.snapshots.create({ key: 'stray-snap', kind: 'active' });
    tx.contentLabels.update(config, { 'containerd.io/gc.ref.snapshot.overlayfs': 'l2' });
  });
  const removedSnapshots: string[] = [];
  const failing = new Set<string>();
  const removeSnapshot = async (key: string) => {
    if (failing.has(key)) throw errorOf('unavailable', `snapshot ${key}: busy`);
    removedSnapshots.push(key);
  };
  const digests = { manifest, config, layer1, layer2, stray };
  const listed = async () => {
    const found: string[] = [];
    for await (const info of content.list()) found.push(info.digest);
    return found.sort();
  };
  const snapshotKeys = () => metadata.view((tx) => tx.snapshots.list().map((s) => s.key));
  const gc = (store: ContentStore = content) => collectGarbage({ metadata, content: store, removeSnapshot });
  const setNow = (date: Date) => void (now = date);
  return { metadata, content, digests, removedSnapshots, failing, listed, snapshotKeys, gc, put, setNow };
}

test('planGarbage keeps everything an image reaches and names only the strays', async (t) => {
  const { metadata, digests, listed } = await world(t);
  const plan = metadata.view((tx) => planGarbage(tx, [...Object.values(digests)], new Date()));
  assert.deepEqual(plan, { content: [digests.stray], snapshots: ['stray-snap'], leases: [] });
  assert.equal((await listed()).length, 5, 'planning removes nothing');
});

test('collectGarbage after the image is deleted removes exactly its blobs and snapshot chain, children first', async (t) => {
  const { metadata, digests, removedSnapshots, listed, snapshotKeys, gc } = await world(t);
  const first = await gc();
  assert.deepEqual([first.content, first.snapshots, first.failures], [[digests.stray], ['stray-snap'], []]);
  assert.equal((await listed()).length, 4);
  metadata.update((tx) => tx.images.delete('app:1'));
  const second = await gc();
  const imageBlobs = [digests.manifest, digests.config, digests.layer1, digests.layer2].sort();
  assert.deepEqual([second.content, second.snapshots, second.failures], [imageBlobs, ['l2', 'l1'], []]);
  assert.deepEqual(removedSnapshots, ['stray-snap', 'l2', 'l1']);
  assert.deepEqual([await listed(), snapshotKeys()], [[], []]);
  assert.deepEqual(metadata.view((tx) => [tx.refs.children({ kind: 'content', id: digests.manifest }), tx.contentLabels.list()]), [[], []]);
});

test('collectGarbage keeps a container rootfs flagged as a root, and its parents, after the image is gone', async (t) => {
  const { metadata, removedSnapshots, snapshotKeys, gc } = await world(t);
  const container = { kind: 'container', id: 'c1' };
  metadata.update((tx) => {
    tx.snapshots.create({ key: 'c1-rootfs', parent: 'l2', kind: 'active' });
    tx.roots.add(container);
    tx.refs.add(container, { kind: 'snapshot', id: 'c1-rootfs' });
    tx.images.delete('app:1');
  });
  await gc();
  assert.deepEqual(snapshotKeys(), ['c1-rootfs', 'l1', 'l2']);
  metadata.update((tx) => tx.roots.remove(container));
  await gc();
  assert.deepEqual(removedSnapshots, ['stray-snap', 'c1-rootfs', 'l2', 'l1']);
});

test('collectGarbage spares what a lease holds until the lease expires, then deletes the lease too', async (t) => {
  const { metadata, digests, gc, put, setNow, listed } = await world(t);
  const pulled = await put('layer being pulled');
  metadata.update((tx) => {
    tx.leases.create({ id: 'pull-1', expiresAt: new Date('2024-01-01T01:00:00Z') });
    tx.leases.addResource('pull-1', { kind: 'content', id: pulled });
    tx.leases.addResource('pull-1', { kind: 'snapshot', id: 'stray-snap' });
  });
  const held = await gc();
  assert.deepEqual([held.content, held.snapshots, held.leases], [[digests.stray], [], []]);
  assert.ok((await listed()).includes(pulled));
  setNow(new Date('2024-01-01T01:00:00Z'));
  const expired = await gc();
  assert.deepEqual([expired.content, expired.snapshots, expired.leases], [[pulled], ['stray-snap'], ['pull-1']]);
  assert.deepEqual(metadata.view((tx) => tx.leases.list()), []);
});

test('collectGarbage follows containerd gc.ref labels and honours gc.root labels', async (t) => {
  const { metadata, digests, content, gc, listed } = await world(t);
  metadata.update((tx) => {
    tx.images.delete('app:1');
    tx.refs.removeFrom({ kind: 'content', id: digests.manifest });
  });
  await content.updateLabels(digests.manifest, {
    'containerd.io/gc.root': '',
    'containerd.io/gc.ref.content.config': digests.config,
    'containerd.io/gc.ref.content.l.0': digests.layer1,
  });
  const result = await gc();
  assert.deepEqual(result.content.sort(), [digests.layer2, digests.stray].sort());
  assert.deepEqual(result.snapshots, ['stray-snap']);
  assert.deepEqual(await listed(), [digests.manifest, digests.config, digests.layer1].sort());
});

test('collectGarbage reports a snapshot it could not remove, keeps its parents, and retries next time', async (t) => {
  const { metadata, removedSnapshots, failing, snapshotKeys, gc } = await world(t);
  metadata.update((tx) => tx.images.delete('app:1'));
  failing.add('l2');
  const result = await gc();
  assert.deepEqual(result.snapshots, ['stray-snap']);
  assert.deepEqual(result.failures.map((f) => [f.kind, f.id]), [['snapshot', 'l2'], ['snapshot', 'l1']]);
  assert.match(result.failures[0]!.error.message, /busy/);
  assert.deepEqual(snapshotKeys(), ['l1', 'l2']);
  failing.clear();
  assert.deepEqual((await gc()).snapshots, ['l2', 'l1']);
  assert.deepEqual(removedSnapshots, ['stray-snap', 'l2', 'l1']);
});

test('collectGarbage never touches a blob committed after it listed the candidates', async (t) => {
  const { content, digests, gc, put, listed } = await world(t);
  let late: Digest | undefined;
  const racing: ContentStore = Object.create(content, {
    list: {
      value: async function* () {
        yield* content.list();
        late = await put('committed while GC runs');
      },
    },
  });
  const result = await gc(racing);
  assert.deepEqual(result.content, [digests.stray]);
  assert.ok(late && (await listed()).includes(late));
});

test('collectGarbage tolerates references to things already gone', async (t) => {
  const { metadata, digests, content, gc } = await world(t);
  await content.delete(digests.layer1);
  metadata.update((tx) => {
    tx.refs.add({ kind: 'image', id: 'ghost' }, { kind: 'snapshot', id: 'never-existed' });
    tx.roots.add({ kind: 'image', id: 'ghost' });
  });
  const result = await gc();
  assert.deepEqual([result.content, result.failures], [[digests.stray], []]);
});

test('collectGarbage accepts a snapshot remover that deletes the record itself', async (t) => {
  const { metadata, content, snapshotKeys } = await world(t);
  metadata.update((tx) => tx.images.delete('app:1'));
  const removeSnapshot = async (key: string) => metadata.update((tx) => tx.snapshots.delete(key));
  const result = await collectGarbage({ metadata, content, removeSnapshot });
  assert.deepEqual([result.snapshots, result.failures], [['l2', 'l1', 'stray-snap'], []]);
  assert.deepEqual(snapshotKeys(), []);
});
