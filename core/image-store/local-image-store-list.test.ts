import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { field, idsOf, importTar, tempImageStore, tinyRootfs } from './test-support.js';

/** Three images a minute apart: `busybox:local` (label tier=base), `busybox:tagged` on another, `app:1` and an untagged one. */
async function threeImages(t: TestContext) {
  const s = await tempImageStore(t, '2024-01-01T00:00:00Z');
  const base = await importTar(s.store, await tinyRootfs('base'), 'busybox:local', ['LABEL tier=base']);
  s.setTime('2024-01-01T00:01:00Z');
  const app = await importTar(s.store, await tinyRootfs('app'), 'app:1', ['LABEL tier=app', 'LABEL team=x']);
  await s.store.tag(app, 'busybox', 'tagged');
  s.setTime('2024-01-01T00:02:00Z');
  const loose = await importTar(s.store, await tinyRootfs('loose'));
  return { ...s, base, app, loose };
}

test('LocalImageStore.list answers ImageSummary objects, newest first', async (t) => {
  const { store, base, app, loose } = await threeImages(t);
  const list = await store.list();
  assert.deepEqual(idsOf(list), [loose, app, base]);
  const summary = list[1] as Record<string, unknown>;
  assert.deepEqual(Object.keys(summary), ['Containers', 'Created', 'Id', 'Labels', 'ParentId', 'RepoDigests', 'RepoTags', 'SharedSize', 'Size']);
  assert.deepEqual(
    { ...summary, Size: typeof summary.Size },
    { Containers: -1, Created: 1704067260, Id: app, Labels: { team: 'x', tier: 'app' }, ParentId: '', RepoDigests: [], RepoTags: ['app:1', 'busybox:tagged'], SharedSize: -1, Size: 'number' },
  );
  assert.deepEqual([field(list[0]!, 'RepoTags'), field(list[0]!, 'Labels')], [[], null]);
});

test('LocalImageStore.list filters dangling images in and out', async (t) => {
  const { store, base, app, loose } = await threeImages(t);
  assert.deepEqual(idsOf(await store.list({ filters: { dangling: ['true'] } })), [loose]);
  assert.deepEqual(idsOf(await store.list({ filters: { dangling: ['false'] } })), [app, base]);
  await assert.rejects(store.list({ filters: { dangling: ['maybe'] } }), (e: Error) => isKind(e, 'invalid-argument') && e.message === "invalid filter 'dangling=[maybe]'");
});

test('LocalImageStore.list matches reference globs on familiar names and shows only the matching names', async (t) => {
  const { store, base, app } = await threeImages(t);
  const busy = await store.list({ filters: { reference: ['busy*'] } });
  assert.deepEqual(idsOf(busy), [app, base]);
  assert.deepEqual(field(busy[0]!, 'RepoTags'), ['busybox:tagged'], 'app:1 does not match busy*');
  assert.deepEqual(idsOf(await store.list({ filters: { reference: ['busybox'] } })), [app, base], 'a bare name matches every tag of it');
  assert.deepEqual(idsOf(await store.list({ filters: { reference: ['*:1'] } })), [app]);
  assert.deepEqual(idsOf(await store.list({ filters: { reference: ['nothing*'] } })), []);
  await assert.rejects(store.list({ filters: { reference: ['[x'] } }), /syntax error in pattern/);
});

test('LocalImageStore.list filters by label, before, since and until', async (t) => {
  const { store, base, app, loose } = await threeImages(t);
  assert.deepEqual(idsOf(await store.list({ filters: { label: ['tier'] } })), [app, base]);
  assert.deepEqual(idsOf(await store.list({ filters: { label: ['tier=app', 'team'] } })), [app]);
  assert.deepEqual(idsOf(await store.list({ filters: { label: ['tier=none'] } })), []);
  assert.deepEqual(idsOf(await store.list({ filters: { before: ['app:1'] } })), [base]);
  assert.deepEqual(idsOf(await store.list({ filters: { since: ['busybox:local'] } })), [loose, app]);
  assert.deepEqual(idsOf(await store.list({ filters: { until: ['2024-01-01T00:01:30Z'] } })), [app, base]);
  assert.deepEqual(idsOf(await store.list({ filters: { until: ['1704067230'] } })), [base]);
  assert.deepEqual(idsOf(await store.list({ filters: { until: ['90s'] } })), [base], 'a duration counts back from now (00:02:00)');
  await assert.rejects(store.list({ filters: { before: ['nosuch'] } }), /No such image: nosuch:latest/);
  await assert.rejects(store.list({ filters: { until: ['soon'] } }), (e) => isKind(e, 'invalid-argument'));
});

test('LocalImageStore.list refuses an unknown filter with Docker\'s message', async (t) => {
  const { store } = await tempImageStore(t);
  await assert.rejects(store.list({ filters: { color: ['red'] } }), (e: Error) => isKind(e, 'invalid-argument') && e.message === "invalid filter 'color'");
});

test('LocalImageStore.list fills SharedSize on request, and diskUsage counts each layer once', async (t) => {
  const { store } = await tempImageStore(t);
  const tar = await tinyRootfs('shared layer');
  const a = await importTar(store, tar, 'a', ['ENV A=1']);
  await importTar(store, tar, 'b', ['ENV B=1']);
  const c = await importTar(store, await tinyRootfs('own layer'), 'c');
  const size = (id: string, list: unknown[]) => (list.find((s) => field(s as never, 'Id') === id) as Record<string, number>);
  const listed = await store.list({ sharedSize: true });
  assert.equal(size(a, listed).SharedSize, size(a, listed).Size);
  assert.equal(size(c, listed).SharedSize, 0);
  const df = await store.diskUsage();
  assert.equal(df.Images.length, 3);
  assert.equal(df.LayersSize, size(a, listed).Size! + size(c, listed).Size!);
});
