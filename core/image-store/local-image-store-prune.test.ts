import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { assertEmpty, field, idsOf, importTar, tempImageStore, tinyRootfs } from './test-support.js';

test('LocalImageStore.prune removes untagged images only, and reports what it reclaimed', async (t) => {
  const { store } = await tempImageStore(t);
  const kept = await importTar(store, await tinyRootfs('kept'), 'kept');
  const loose = await importTar(store, await tinyRootfs('loose'));
  const layer = field<{ Layers: string[] }>(await store.inspect(loose), 'RootFS').Layers[0];
  const result = await store.prune();
  assert.deepEqual(result.ImagesDeleted, [{ Deleted: loose }, { Deleted: layer }]);
  assert.ok(result.SpaceReclaimed > 0);
  assert.deepEqual(idsOf(await store.list()), [kept]);
});

test('LocalImageStore.prune with dangling=false removes every image through each of its names', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const a = await importTar(store, await tinyRootfs('a'), 'a');
  await store.tag(a, 'a2');
  await importTar(store, await tinyRootfs('b'));
  const result = await store.prune({ filters: { dangling: ['false'] } });
  const items = result.ImagesDeleted!.map((i) => JSON.stringify(i));
  assert.ok(items.includes('{"Untagged":"a:latest"}') && items.includes('{"Untagged":"a2:latest"}') && items.includes(`{"Deleted":"${a}"}`), items.join());
  assert.deepEqual(await store.list(), []);
  await assertEmpty(layers);
});

test('LocalImageStore.prune narrows by label, label! and until', async (t) => {
  const { store, setTime } = await tempImageStore(t, '2024-01-01T00:00:00Z');
  const old = await importTar(store, await tinyRootfs('old'), undefined, ['LABEL keep=no']);
  setTime('2024-06-01T00:00:00Z');
  const fresh = await importTar(store, await tinyRootfs('fresh'), undefined, ['LABEL keep=yes']);
  assert.equal((await store.prune({ filters: { 'label!': ['keep=yes'], label: ['keep'] } })).ImagesDeleted?.length, 2);
  assert.deepEqual(idsOf(await store.list()), [fresh]);
  setTime('2024-01-01T00:00:00Z');
  assert.equal(await importTar(store, await tinyRootfs('old'), undefined, ['LABEL keep=no']), old);
  assert.deepEqual((await store.prune({ filters: { until: ['2024-03-01T00:00:00Z'] } })).ImagesDeleted?.[0], { Deleted: old });
  assert.deepEqual(idsOf(await store.list()), [fresh]);
});

test('LocalImageStore.prune answers null ImagesDeleted when nothing goes, and refuses unknown filters', async (t) => {
  const { store } = await tempImageStore(t);
  assert.deepEqual(await store.prune(), { ImagesDeleted: null, SpaceReclaimed: 0 });
  await assert.rejects(store.prune({ filters: { reference: ['x'] } }), (e: Error) => isKind(e, 'invalid-argument') && e.message === "invalid filter 'reference'");
  await assert.rejects(store.prune({ filters: { dangling: ['maybe'] } }), /invalid filter 'dangling=\[maybe\]'/);
});
