import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { tarOf } from '../archive/tar-fixture.js';
import { digestOf } from '../content/index.js';
import { blob, configOf, dockerArchive, gzLayer, ociLayoutTar } from './archive-fixtures.js';
import { assertEmpty, drain, field, idsOf, importTar, loadTar, tempImageStore, tinyRootfs } from './test-support.js';

/** Loads `archive` into an empty store, expects `invalid-argument`, and checks that no image, blob, snapshot or ingest is left. */
async function refused(t: TestContext, archive: Buffer, pattern?: RegExp): Promise<void> {
  const { store, layers } = await tempImageStore(t);
  await assert.rejects(loadTar(store, archive), (e: Error) => isKind(e, 'invalid-argument') && (pattern?.test(e.message) ?? true));
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
}

async function goodImage(text = 'good') {
  const tar = await tinyRootfs(text);
  return { config: configOf([digestOf(tar)]), layers: [blob(tar)], repoTags: [`${text}:latest`] };
}

test('LocalImageStore.load refuses an archive entry that climbs out with ..', async (t) => {
  await refused(t, await dockerArchive([await goodImage()], { extra: [{ name: '../evil', content: 'x' }] }), /\.\./);
});

test('LocalImageStore.load refuses a layer that writes outside its snapshot, leaving nothing', async (t) => {
  const evil = await tarOf([{ name: '../../etc/evil', content: 'pwned' }]);
  await refused(t, await dockerArchive([await goodImage('first'), { config: configOf([digestOf(evil)]), layers: [blob(evil)], repoTags: ['evil:1'] }]));
});

test('LocalImageStore.load refuses a config whose digest is not its name', async (t) => {
  const good = await goodImage();
  const manifest = JSON.stringify([{ Config: `${'d'.repeat(64)}.json`, RepoTags: ['x:1'], Layers: ['0-0/layer.tar'] }]);
  const extra = [{ name: `${'d'.repeat(64)}.json`, content: good.config.bytes }];
  await refused(t, await dockerArchive([good], { extra, manifest }), /digest/);
});

test('LocalImageStore.load refuses a manifest.json naming a file the archive lacks', async (t) => {
  const good = await goodImage();
  const manifest = JSON.stringify([{ Config: `${good.config.digest.slice(7)}.json`, RepoTags: null, Layers: ['nowhere/layer.tar'] }]);
  await refused(t, await dockerArchive([good], { manifest }), /not in the archive/);
});

test('LocalImageStore.load refuses a gzipped layer that is not the diff ID its config names', async (t) => {
  const { layer } = gzLayer(await tinyRootfs('what the layer holds'));
  const config = configOf([digestOf(await tinyRootfs('what the config claims'))]);
  await refused(t, await dockerArchive([{ config, layers: [layer], repoTags: ['liar:1'] }]), /diff ID/);
});

test('LocalImageStore.load refuses an OCI layout blob that is not what its descriptor says', async (t) => {
  const { layer, diffId } = gzLayer(await tinyRootfs('oci'));
  const swapped = { ...layer, bytes: Buffer.concat([layer.bytes.subarray(0, -1), Buffer.from([layer.bytes.at(-1)! ^ 1])]) };
  await refused(t, await ociLayoutTar([{ config: configOf([diffId]), layers: [swapped] }]));
});

test('LocalImageStore.load refuses a symlink out of the archive and a tarball that is no image archive', async (t) => {
  const good = await goodImage();
  await refused(t, await dockerArchive([good], { extra: [{ name: 'escape', type: 'symlink', linkname: '../../etc/passwd' }] }), /outside the archive/);
  await refused(t, await tarOf([{ name: 'hello.txt', content: 'hi' }]), /not an image archive/);
});

test('LocalImageStore.load of a broken archive leaves images already there untouched', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('kept'), 'kept');
  const evil = await tarOf([{ name: '../x', content: 'x' }]);
  const archive = await dockerArchive([{ config: configOf([digestOf(evil)]), layers: [blob(evil)], repoTags: ['kept:latest'] }]);
  await assert.rejects(loadTar(store, archive), (e) => isKind(e, 'invalid-argument'));
  assert.deepEqual(idsOf(await store.list()), [id]);
  assert.deepEqual(field(await store.inspect(id), 'RepoTags'), ['kept:latest'], 'the tag did not move');
  await store.remove('kept');
  await assertEmpty(layers);
});

test('LocalImageStore.load leaves nothing when its source fails midway', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const archive = await dockerArchive([await goodImage('a'), await goodImage('b')]);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield archive.subarray(0, archive.length - 2048);
    throw new Error('connection reset');
  }
  await assert.rejects(drain(store.load(broken())), /connection reset/);
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});
