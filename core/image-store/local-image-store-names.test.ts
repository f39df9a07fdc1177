import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { assertEmpty, field, idsOf, importTar, tempImageStore, tinyRootfs } from './test-support.js';

const notFound = (message: string) => (e: Error) => isKind(e, 'not-found') && e.message === message;

test('LocalImageStore resolves names, full IDs, bare hex and unique ID prefixes', async (t) => {
  const { store } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('r'), '127.0.0.1:5055/bb');
  const hex = id.slice(7);
  for (const ref of ['127.0.0.1:5055/bb', '127.0.0.1:5055/bb:latest', id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 5)}`]) {
    assert.equal(field(await store.inspect(ref), 'Id'), id, ref);
  }
});

test('LocalImageStore answers Docker\'s messages for unknown and malformed names', async (t) => {
  const { store } = await tempImageStore(t);
  await assert.rejects(store.inspect('nosuch:image'), notFound('No such image: nosuch:image'));
  await assert.rejects(store.remove('busybox'), notFound('No such image: busybox:latest'));
  await assert.rejects(store.history(`sha256:${'a'.repeat(64)}`), notFound(`No such image: sha256:${'a'.repeat(64)}`));
  await assert.rejects(store.inspect('Busy:box'), (e) => isKind(e, 'invalid-argument'));
});

test('LocalImageStore treats an ambiguous ID prefix as naming no image', async (t) => {
  const { store } = await tempImageStore(t);
  // 17 images always include two whose IDs share a first hex digit; usually a few suffice.
  const firstDigits = new Set<string>();
  let prefix: string | undefined;
  for (let i = 0; prefix === undefined; i++) {
    const digit = (await importTar(store, await tinyRootfs(`p${i}`))).slice(7, 8);
    if (firstDigits.has(digit)) prefix = digit;
    firstDigits.add(digit);
  }
  await assert.rejects(store.inspect(prefix), notFound(`No such image: ${prefix}:latest`));
});

test('LocalImageStore.tag normalises the name, moves it from another image and stamps LastTagTime', async (t) => {
  const { store, setTime } = await tempImageStore(t);
  const a = await importTar(store, await tinyRootfs('a'), 'app:1');
  const b = await importTar(store, await tinyRootfs('b'), 'other');
  setTime('2025-01-02T03:04:05.5Z');
  await store.tag(b, 'docker.io/library/app', '1');
  assert.equal(field(await store.inspect('app:1'), 'Id'), b);
  assert.deepEqual(field(await store.inspect(b), 'RepoTags'), ['app:1', 'other:latest']);
  assert.deepEqual(field(await store.inspect(b), 'Metadata'), { LastTagTime: '2025-01-02T03:04:05.5Z' });
  assert.deepEqual(field(await store.inspect(a), 'RepoTags'), [], 'the image it left is untagged, not deleted');
  await store.tag('app:1', 'localhost:5000/app');
  assert.equal(field(await store.inspect('localhost:5000/app:latest'), 'Id'), b);
});

test('LocalImageStore.tag refuses digests, bad tags, the name sha256 and unknown sources', async (t) => {
  const { store } = await tempImageStore(t);
  await importTar(store, await tinyRootfs('t'), 'src');
  const invalid = (e: Error) => isKind(e, 'invalid-argument');
  await assert.rejects(store.tag('src', `x@sha256:${'b'.repeat(64)}`), /refusing to create a tag with a digest reference/);
  await assert.rejects(store.tag('src', 'x', 'bad tag'), invalid);
  await assert.rejects(store.tag('src', 'sha256', 'x'), /refusing to create an ambiguous tag/);
  await assert.rejects(store.tag('nosuch', 'x'), notFound('No such image: nosuch:latest'));
});

test('LocalImageStore.remove by name untags while other names remain', async (t) => {
  const { store } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('n'), 'busybox:local');
  await store.tag(id, 'busybox', 'tagged');
  assert.deepEqual(await store.remove('busybox:tagged'), [{ Untagged: 'busybox:tagged' }]);
  assert.deepEqual(field(await store.inspect(id), 'RepoTags'), ['busybox:local']);
});

test('LocalImageStore.remove of the last name deletes the image, its layer and everything it held', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('last'), 'only');
  const layer = (field<{ Layers: string[] }>(await store.inspect(id), 'RootFS')).Layers[0];
  assert.deepEqual(await store.remove('only'), [{ Untagged: 'only:latest' }, { Deleted: id }, { Deleted: layer }]);
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});

test('LocalImageStore.remove by ID refuses an image in several repositories unless forced', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('multi'), 'one');
  await store.tag(id, 'two');
  await assert.rejects(store.remove(id.slice(7, 19)), (e: Error) =>
    isKind(e, 'conflict') && e.message === `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
  const removed = await store.remove(id, { force: true });
  assert.deepEqual(removed.slice(0, 3), [{ Untagged: 'one:latest' }, { Untagged: 'two:latest' }, { Deleted: id }]);
  await assertEmpty(layers);
});

test('LocalImageStore.remove by ID of an image with one name untags it and deletes the image', async (t) => {
  const { store } = await tempImageStore(t);
  const id = await importTar(store, await tinyRootfs('single'), 'single:v1');
  const removed = await store.remove(id.slice(7));
  assert.deepEqual(removed.slice(0, 2), [{ Untagged: 'single:v1' }, { Deleted: id }]);
});

test('LocalImageStore.remove keeps a layer another image still uses', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const tar = await tinyRootfs('shared');
  const a = await importTar(store, tar, 'a', ['ENV A=1']);
  const b = await importTar(store, tar, 'b', ['ENV B=1']);
  assert.notEqual(a, b);
  assert.deepEqual(await store.remove('a'), [{ Untagged: 'a:latest' }, { Deleted: a }]);
  assert.deepEqual(idsOf(await store.list()), [b]);
  assert.equal((await layers.snapshots.list()).length, 1);
});
