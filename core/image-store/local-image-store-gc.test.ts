import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { digestOf } from '../content/index.js';
import type { LayerStore } from '../layers/layer-store.js';
import { blob, configOf, dockerArchive, gzLayer } from './archive-fixtures.js';
import { LocalImageStore } from './local-image-store.js';
import { chunked } from '../archive/tar-fixture.js';
import {
  assertEmpty, blobDigests, busyboxRootfs, bytesOf, drain, field, importTar, loadTar, snapshotKeys, tempImageStore, tinyRootfs,
} from './test-support.js';

/** `layers` with a full garbage collection run before every step that adopts what an import or load stored. */
function collectingBeforeEachStep(layers: LayerStore): { layers: LayerStore; collections: () => number } {
  let collections = 0;
  const gcFirst = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const summary = await layers.collectGarbage();
    collections++;
    assert.deepEqual(summary.failures, []);
    return fn(...args);
  };
  const content = new Proxy(layers.content, {
    get: (target, prop) => (prop === 'updateLabels' ? gcFirst(target.updateLabels.bind(target)) : (Reflect.get(target, prop, target) as Function).bind(target)),
  });
  const wrapped = new Proxy(layers, {
    get(target, prop) {
      if (prop === 'content') return content;
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'unpack' || prop === 'setHolder') return gcFirst((value as (...a: unknown[]) => Promise<unknown>).bind(target));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { layers: wrapped, collections: () => collections };
}

test('LocalImageStore import and load survive garbage collections between every step, thanks to their lease', async (t) => {
  const { layers, root } = await tempImageStore(t);
  const watched = collectingBeforeEachStep(layers);
  const store = await LocalImageStore.open({ root: join(root, 'gc-images'), layers: watched.layers });
  t.after(() => store.close());
  const imported = await importTar(store, await busyboxRootfs(), 'bb');
  const { layer, diffId } = gzLayer(await tinyRootfs('loaded'));
  const config = configOf([diffId]);
  await loadTar(store, await dockerArchive([{ config, layers: [layer], repoTags: ['loaded:1'] }]));
  assert.ok(watched.collections() >= 6, `collections ran: ${watched.collections()}`);
  const summary = await layers.collectGarbage();
  assert.deepEqual([summary.content, summary.snapshots], [[], []], 'nothing of either image is garbage');
  assert.deepEqual(await snapshotKeys(layers), [digestOf(await busyboxRootfs()), diffId].sort());
  assert.equal(field(await store.inspect('loaded:1'), 'Id'), config.digest);
  assert.equal(field(await store.inspect('bb'), 'Id'), imported);
  for (const ref of ['bb', 'loaded:1']) await store.remove(ref);
  await assertEmpty(layers);
});

test('LocalImageStore.open drops image holders that no record names (a crash between holding and recording) and collects', async (t) => {
  const { layers, root } = await tempImageStore(t);
  const stray = blob('stray');
  await layers.content.put(stray.bytes);
  await layers.setHolder({ kind: 'image', id: stray.digest }, [{ kind: 'content', id: stray.digest }]);
  const kept = digestOf(await tinyRootfs('kept'));
  const first = await LocalImageStore.open({ root: join(root, 'again'), layers });
  const id = await importTar(first, await tinyRootfs('kept'), 'kept');
  await first.close();
  const reopened = await LocalImageStore.open({ root: join(root, 'again'), layers });
  t.after(() => reopened.close());
  assert.deepEqual((await layers.listHolders('image')).map((h) => h.holder.id), [id]);
  assert.equal((await blobDigests(layers)).includes(stray.digest), false, 'what only the stray holder kept was collected');
  assert.deepEqual(await snapshotKeys(layers), [kept]);
  assert.equal(field(await reopened.inspect('kept'), 'Id'), id);
});

test('LocalImageStore.save keeps what it streams even when the image is removed meanwhile', async (t) => {
  const { store, layers } = await tempImageStore(t);
  await importTar(store, await tinyRootfs('saved'), 'saved');
  const chunks: Uint8Array[] = [];
  const saving = store.save(['saved'])[Symbol.asyncIterator]();
  const first = await saving.next();
  assert.equal(first.done, false);
  chunks.push(first.value as Uint8Array);
  await store.remove('saved');
  for (let next = await saving.next(); !next.done; next = await saving.next()) chunks.push(next.value);
  const { messages } = await loadTar(store, Buffer.concat(chunks));
  assert.deepEqual(messages, [{ stream: 'Loaded image: saved:latest\n' }]);
  await store.remove('saved');
  await layers.collectGarbage();
  await assertEmpty(layers);
});

test('LocalImageStore refuses calls after close', async (t) => {
  const { store } = await tempImageStore(t);
  await store.close();
  await assert.rejects(store.list(), /closed/);
  assert.throws(() => store.save(['x']), /closed/);
});

test('LocalImageStore.open after a crash mid-load ends the dead load\'s lease, so nothing it stored stays', async (t) => {
  const { store, layers, root } = await tempImageStore(t);
  await importTar(store, await tinyRootfs('first'), 'first');
  await importTar(store, await busyboxRootfs(), 'second');
  const archive = await bytesOf(store.save(['first', 'second']));
  for (const ref of ['first', 'second']) await store.remove(ref);
  await assertEmpty(layers);

  // Stopping short of the end-of-archive marker (the last 1 KiB): every file has been read,
  // and the layers (which go to the content store as they arrive) are stored and leased.
  let reached!: () => void;
  const atStall = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  async function* stalling(): AsyncGenerator<Uint8Array> {
    yield* chunked(archive.subarray(0, archive.length - 1024), 64 * 1024);
    reached();
    await released;
    throw new Error('the process died');
  }
  const dead = drain(store.load(stalling()));
  dead.catch(() => undefined);
  await atStall;
  assert.ok((await blobDigests(layers)).length >= 2, 'both layers are stored, held by the load\'s lease');

  const restarted = await LocalImageStore.open({ root: join(root, 'images'), layers });
  t.after(() => restarted.close());
  assert.deepEqual(await blobDigests(layers), [], 'the restart ended the lease and collected');
  release();
  await assert.rejects(dead, /the process died/);
  assert.deepEqual(await restarted.list(), []);
  await assertEmpty(layers);
});

test('LocalImageStore.open aborts the ingests a crashed run of the image store left', async (t) => {
  const { layers, root } = await tempImageStore(t);
  const writer = await layers.content.writer('image-store-crashed');
  await writer.write(Buffer.from('half a layer'));
  await writer.close();
  const other = await layers.content.writer('someone-else');
  await other.close();
  const store = await LocalImageStore.open({ root: join(root, 'other-images'), layers });
  t.after(() => store.close());
  assert.deepEqual((await layers.content.listIngests()).map((i) => i.ref), ['someone-else']);
  await layers.content.abort('someone-else');
});
