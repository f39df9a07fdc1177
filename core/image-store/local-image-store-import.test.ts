import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isKind } from '../../lib/errdefs/index.js';
import { chunked, tarOf } from '../archive/tar-fixture.js';
import { digestOf } from '../content/index.js';
import { mediaTypes } from '../image/oci.js';
import {
  assertEmpty, blobDigests, busyboxRootfs, drain, field, importTar, snapshotKeys, tempImageStore, tinyRootfs,
} from './test-support.js';

test('LocalImageStore.import stores the rootfs as one uncompressed layer and reports Docker\'s status line', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const tar = await busyboxRootfs();
  const { messages, result } = await drain(store.import(chunked(gzipSync(tar)), { repo: 'busybox:local' }));
  assert.match(result.id, /^sha256:[a-f0-9]{64}$/);
  assert.deepEqual(messages, [{ status: result.id }]);
  const diffId = digestOf(tar);
  const inspect = await store.inspect('busybox:local');
  assert.deepEqual(field(inspect, 'RootFS'), { Type: 'layers', Layers: [diffId] });
  assert.equal((await layers.content.readAll(diffId)).equals(tar), true, 'the layer blob is the plain tar');
  const config = JSON.parse((await layers.content.readAll(result.id)).toString());
  assert.equal(digestOf(await layers.content.readAll(result.id)), result.id, 'the ID is the config digest');
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [diffId] });
  assert.deepEqual(await snapshotKeys(layers), [diffId], 'one snapshot, keyed by its chain ID');
});

test('LocalImageStore.inspect shows Docker\'s fields for an imported image with changes', async (t) => {
  const { store } = await tempImageStore(t, '2026-11-23T16:38:10.585Z');
  const id = await importTar(store, await busyboxRootfs(), 'busybox:local', ['ENV PATH=/bin', 'CMD ["sh"]', 'LABEL a=b']);
  const inspect = (await store.inspect('busybox:local')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(inspect), [
    'Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config',
    'Architecture', 'Os', 'Size', 'GraphDriver', 'RootFS', 'Metadata',
  ]);
  assert.equal(inspect.Id, id);
  assert.deepEqual([inspect.RepoTags, inspect.RepoDigests, inspect.Parent], [['busybox:local'], [], '']);
  assert.deepEqual([inspect.Comment, inspect.Created, inspect.DockerVersion, inspect.Author], ['Imported from -', '2026-11-23T16:38:10.585Z', '0.1.0-test', '']);
  const config = inspect.Config as Record<string, unknown>;
  assert.deepEqual([config.Env, config.Cmd, config.Labels, config.Entrypoint, config.WorkingDir], [['PATH=/bin'], ['sh'], { a: 'b' }, null, '']);
  assert.deepEqual([inspect.Architecture, inspect.Os], ['amd64', 'linux']);
  assert.ok((inspect.Size as number) >= readFileSync('/bin/busybox').length, `Size ${inspect.Size} counts the layer`);
  const driver = inspect.GraphDriver as { Name: string; Data: { UpperDir: string } };
  assert.equal(driver.Name, 'overlay2');
  assert.ok(existsSync(join(driver.Data.UpperDir, 'bin', 'busybox')), 'UpperDir is the layer\'s directory');
  assert.deepEqual(inspect.Metadata, { LastTagTime: '2026-11-23T16:38:10.585Z' });
});

test('LocalImageStore.history lists the imported layer with the image\'s ID, tags and size', async (t) => {
  const { store } = await tempImageStore(t, '2026-11-23T16:38:10.585Z');
  const id = await importTar(store, await busyboxRootfs(), 'busybox:local');
  await store.tag('busybox:local', 'docker.io/library/busybox', 'tagged');
  const size = field<number>(await store.inspect(id), 'Size');
  assert.deepEqual(await store.history('busybox'.concat(':tagged')), [
    { Comment: 'Imported from -', Created: 1795451890, CreatedBy: '', Id: id, Size: size, Tags: ['busybox:local', 'busybox:tagged'] },
  ]);
});

test('LocalImageStore.import gives equal IDs for the same tar at the same time, plain or gzipped, and shares the layer', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const tar = await tinyRootfs('same');
  const a = await importTar(store, tar, 'a');
  const b = (await drain(store.import(chunked(gzipSync(tar)), { repo: 'b' }))).result.id;
  assert.equal(a, b);
  assert.deepEqual(field(await store.inspect('b'), 'RepoTags'), ['a:latest', 'b:latest']);
  assert.equal((await snapshotKeys(layers)).length, 1);
  assert.equal((await blobDigests(layers)).length, 3, 'layer, config and manifest');
});

test('LocalImageStore.import keeps the manifest it creates, labelled so that GC keeps config, layer and snapshot', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('x'), 'x');
  const [holder] = await layers.listHolders('image');
  assert.deepEqual(holder?.holder, { kind: 'image', id });
  const manifestDigest = holder!.refs.find((r) => r.id !== id)!.id;
  const manifest = JSON.parse((await layers.content.readAll(manifestDigest)).toString());
  assert.equal(manifest.mediaType, mediaTypes.ociManifest);
  assert.equal(manifest.config.digest, id);
  const labels = (await layers.content.info(manifestDigest)).labels;
  assert.equal(labels['containerd.io/gc.ref.content.config'], id);
  assert.equal(labels['containerd.io/gc.ref.content.l.0'], manifest.layers[0].digest);
  assert.equal((await layers.content.info(id)).labels['containerd.io/gc.ref.snapshot.overlayfs'], manifest.layers[0].digest);
  const summary = await layers.collectGarbage();
  assert.deepEqual([summary.content, summary.snapshots], [[], []], 'nothing of a held image is garbage');
});

test('LocalImageStore.import without a repo makes an untagged image, with the message as its comment', async (t) => {
  const { store } = await tempImageStore(t);
  const id = (await drain(store.import(chunked(await tinyRootfs('u')), { message: 'from a pipe', platform: 'linux/arm64' }))).result.id;
  const inspect = await store.inspect(id);
  assert.deepEqual([field(inspect, 'RepoTags'), field(inspect, 'Metadata')], [[], { LastTagTime: '0001-01-01T00:00:00Z' }]);
  assert.deepEqual([field(inspect, 'Comment'), field(inspect, 'Architecture')], ['from a pipe', 'arm64']);
  assert.equal(field((await store.history(id))[0]!, 'Comment'), 'from a pipe');
});

test('LocalImageStore.import refuses a bad change or name before reading the body', async (t) => {
  const { store, layers } = await tempImageStore(t);
  async function* untouchable(): AsyncGenerator<Uint8Array> {
    throw new Error('the body was read');
  }
  await assert.rejects(drain(store.import(untouchable(), { changes: ['NOPE x'] })), (e) => isKind(e, 'invalid-argument'));
  await assert.rejects(drain(store.import(untouchable(), { repo: 'Upper' })), (e) => isKind(e, 'invalid-argument'));
  await assert.rejects(drain(store.import(untouchable(), { repo: 'x', platform: 'plan10/amd64' })), (e) => isKind(e, 'invalid-argument'));
  await assertEmpty(layers);
});

test('LocalImageStore.import of something that is not a tar fails and leaves nothing', async (t) => {
  const { store, layers } = await tempImageStore(t);
  await assert.rejects(drain(store.import(chunked(Buffer.from('not a tar at all'.repeat(100))), { repo: 'junk' })), (e) => isKind(e, 'invalid-argument'));
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});

test('LocalImageStore.import of a truncated gzip or a layer climbing out is invalid-argument and leaves nothing', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const truncated = gzipSync(await tinyRootfs('x'.repeat(5000))).subarray(0, 60);
  const escape = await tarOf([{ name: '../escape', content: 'x' }]);
  for (const body of [truncated, escape]) {
    await assert.rejects(drain(store.import(chunked(body), { repo: 'evil' })), (e) => isKind(e, 'invalid-argument'));
  }
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});

test('LocalImageStore.import leaves nothing when its source fails midway', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const tar = await busyboxRootfs();
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield tar.subarray(0, 100_000);
    throw new Error('client went away');
  }
  await assert.rejects(drain(store.import(broken(), { repo: 'broken' })), /client went away/);
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});
