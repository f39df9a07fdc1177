import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { chunked, tarOf } from '../archive/tar-fixture.js';
import { digestOf } from '../content/index.js';
import { completeContainerConfig } from '../image/container-config.js';
import { viewTree } from '../layers/conformance-support.js';
import { chainIds } from '../snapshots/chain-id.js';
import { emptyLayerDiffId, mergeRunConfig } from './commit-image.js';
import type { Json } from './image-store.js';
import {
  blobDigests, busyboxRootfs, field, importTar, snapshotKeys, tempImageStore,
} from './test-support.js';

const containerId = 'e8360f2d297076d9f9714ced5d28d8a4cd71eac31bb210c290325d7c1166dde3';

/** A container's Config as Docker keeps it: the image's values merged in at create. */
function containerConfigOf(cmd: string[], extra: Record<string, Json> = {}): Json {
  return {
    Hostname: 'e8360f2d2970', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: ['PATH=/bin'], Cmd: cmd, Image: 'busybox:local',
    Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {}, ...extra,
  };
}

/** The container's changes: a new file, and the parent's `etc/old` deleted. */
function changesTar(): Promise<Buffer> {
  return tarOf([{ name: 'f', content: 'hi\n' }, { name: 'etc/' }, { name: 'etc/.wh.old', content: '' }]);
}

async function parentImage(store: Awaited<ReturnType<typeof tempImageStore>>['store']) {
  const rootfs = await busyboxRootfs([{ name: 'etc/' }, { name: 'etc/old', content: 'to be deleted' }, { name: 'etc/kept', content: 'kept' }]);
  const id = await importTar(store, rootfs, 'busybox:local', ['ENV PATH=/bin', 'CMD ["sh"]', 'LABEL from=parent']);
  return { id, diffId: digestOf(rootfs) };
}

test('LocalImageStore.commit makes the parent\'s layers plus the container\'s, with the merged config, one more history entry and the name', async (t) => {
  const { store, layers, setTime, events } = await tempImageStore(t, '2026-11-23T16:38:10.585Z');
  const parent = await parentImage(store);
  setTime('2026-11-23T16:40:00.5Z');
  const tar = await changesTar();
  events.length = 0;
  const { id } = await store.commit(chunked(tar, 100), {
    parent: 'busybox:local', containerId, containerConfig: containerConfigOf(['sh', '-c', 'echo hi > /f'], { Labels: { from: 'parent' } }),
    comment: 'msg', author: 'me', changes: ['ENV A=1', 'CMD ["sh"]'], repo: 'docker.io/library/committed', tag: 'v1',
  });
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const configBytes = await layers.content.readAll(id);
  assert.equal(digestOf(configBytes), id, 'the ID is the config digest');
  const config = JSON.parse(configBytes.toString());
  const diffId = digestOf(tar);
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [parent.diffId, diffId] });
  assert.equal((await layers.content.readAll(diffId)).equals(tar), true, 'the layer is kept as the plain tar it came as');
  assert.deepEqual(Object.keys(config), [
    'architecture', 'author', 'config', 'container', 'container_config', 'created', 'docker_version', 'history', 'os', 'rootfs',
  ], 'no top-level comment, as moby\'s NewChildImage writes it');
  assert.deepEqual([config.author, config.container, config.created, config.docker_version], ['me', containerId, '2026-11-23T16:40:00.5Z', '0.1.0-test']);
  assert.deepEqual(config.container_config.Cmd, ['sh', '-c', 'echo hi > /f']);
  assert.equal(config.container_config.Hostname, 'e8360f2d2970');
  assert.deepEqual(config.config.Cmd, ['sh'], 'the change wins over the container\'s Cmd');
  assert.deepEqual(config.config.Env, ['PATH=/bin', 'A=1']);
  assert.deepEqual(config.config.Labels, { from: 'parent' });
  assert.deepEqual([config.config.Hostname, config.config.Image], ['e8360f2d2970', 'busybox:local']);
  assert.equal(config.history.length, 2);
  assert.deepEqual(config.history[1], { created: '2026-11-23T16:40:00.5Z', created_by: 'sh -c echo hi > /f', author: 'me', comment: 'msg' });

  const inspect = await store.inspect('committed:v1');
  assert.deepEqual([field(inspect, 'Id'), field(inspect, 'RepoTags'), field(inspect, 'Author')], [id, ['committed:v1'], 'me']);
  assert.deepEqual(field(field(inspect, 'RootFS'), 'Layers'), [parent.diffId, diffId]);
  assert.deepEqual(field(inspect, 'Metadata'), { LastTagTime: '2026-11-23T16:40:00.5Z' });
  const history = await store.history('committed:v1');
  assert.deepEqual(history.map((h) => [field(h, 'CreatedBy'), field(h, 'Comment'), field(h, 'Id'), field(h, 'Tags')]), [
    ['sh -c echo hi > /f', 'msg', id, ['committed:v1']],
    ['', 'Imported from -', '<missing>', null],
  ]);
  assert.ok(field<number>(history[0]!, 'Size') > 0, 'the new layer is sized');

  const top = chainIds([parent.diffId, diffId]).at(-1)!;
  assert.ok((await snapshotKeys(layers)).includes(top), 'unpacked over the parent\'s snapshot');
  const tree = await viewTree(t, layers, top);
  assert.equal(tree.f, 'hi\n');
  assert.equal(tree['etc/kept'], 'kept');
  assert.equal(tree['etc/old'], undefined, 'the whiteout hides the parent\'s file');
  assert.equal(tree['bin/busybox'] !== undefined, true);

  assert.deepEqual(events, [
    { type: 'image', action: 'tag', actor: { id, attributes: { from: 'parent', name: 'committed:v1' } } },
  ], 'only tag: the commit event is the container\'s');
  const summary = await layers.collectGarbage();
  assert.deepEqual([summary.content, summary.snapshots], [[], []], 'nothing of the committed image is garbage');
  await store.remove('busybox:local');
  assert.deepEqual(await viewTree(t, layers, top), tree, 'the child keeps the parent\'s layers');
});

test('LocalImageStore.commit without a repo makes an untagged image; an empty layer adds none, as moby marks it empty_layer', async (t) => {
  const { store, layers, events } = await tempImageStore(t);
  const parent = await parentImage(store);
  events.length = 0;
  const empty = Buffer.alloc(1024);
  assert.equal(digestOf(empty), emptyLayerDiffId);
  const { id } = await store.commit(chunked(empty), { parent: parent.id, containerId, containerConfig: containerConfigOf(['sh']) });
  const config = JSON.parse((await layers.content.readAll(id)).toString());
  assert.deepEqual(config.rootfs.diff_ids, [parent.diffId]);
  assert.deepEqual(config.history[1], { created: '2024-05-06T07:08:09.123Z', created_by: 'sh', empty_layer: true });
  assert.equal(config.author, undefined);
  const inspect = await store.inspect(id);
  assert.deepEqual([field(inspect, 'RepoTags'), field(inspect, 'Size')], [[], field(await store.inspect(parent.id), 'Size')]);
  assert.deepEqual((await store.history(id)).map((h) => field(h, 'Size')), [0, field(await store.inspect(parent.id), 'Size')]);
  assert.deepEqual(events, []);
});

test('LocalImageStore.commit takes the request\'s config over the container\'s, merged as moby merges them', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const parent = await parentImage(store);
  const { id } = await store.commit(chunked(await changesTar()), {
    parent: parent.id, containerId,
    containerConfig: containerConfigOf(['sh', '-c', 'x'], { Env: ['PATH=/bin', 'B=2'], WorkingDir: '/tmp', Labels: { a: '1' }, ExposedPorts: { '80/tcp': {} } }),
    config: { Env: ['B=3'], Labels: { b: '2' }, Entrypoint: ['/bin/run'], HostConfig: { Binds: [] } },
    changes: ['EXPOSE 81/udp'],
  });
  const config = JSON.parse((await layers.content.readAll(id)).toString());
  const c = config.config;
  assert.deepEqual(c.Env, ['B=3', 'PATH=/bin'], 'the request\'s keys win, the container fills the others');
  assert.deepEqual(c.Labels, { a: '1', b: '2' });
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/bin/run'], null], 'with an Entrypoint, the container\'s Cmd is not taken');
  assert.deepEqual(c.ExposedPorts, { '81/udp': {}, '80/tcp': {} });
  assert.equal(c.WorkingDir, '/tmp');
  assert.deepEqual([c.Hostname, c.Image], ['', ''], 'fields merge does not fill stay as the request left them');
  assert.equal(config.history[1].created_by, 'sh -c x', 'created_by is the container\'s Cmd, not the image\'s');
});

test('mergeRunConfig fills Cmd only without an Entrypoint, and Healthcheck field by field', () => {
  const image = completeContainerConfig({ Cmd: ['sh'], Entrypoint: ['/e'], Healthcheck: { Test: ['CMD', 'true'], Interval: 5, Retries: 3 }, StopSignal: 'SIGINT' });
  const merged = mergeRunConfig(completeContainerConfig({ Healthcheck: { Interval: 7 } }), image);
  assert.deepEqual([merged.Cmd, merged.Entrypoint, merged.StopSignal], [['sh'], ['/e'], 'SIGINT']);
  assert.deepEqual(merged.Healthcheck, { Test: ['CMD', 'true'], Interval: 7, Retries: 3 });
  const withEntrypoint = mergeRunConfig(completeContainerConfig({ Entrypoint: ['/x'] }), image);
  assert.deepEqual([withEntrypoint.Cmd, withEntrypoint.Entrypoint], [null, ['/x']]);
  const emptyEntrypoint = mergeRunConfig(completeContainerConfig({ Entrypoint: [] }), image);
  assert.deepEqual([emptyEntrypoint.Cmd, emptyEntrypoint.Entrypoint], [['sh'], []], 'an empty (not null) Entrypoint stays');
});

test('LocalImageStore.commit of a corrupt or hostile layer is invalid-argument and stores nothing', async (t) => {
  const { store, layers, events } = await tempImageStore(t);
  await parentImage(store);
  const before = { list: await store.list(), blobs: await blobDigests(layers), snapshots: await snapshotKeys(layers) };
  events.length = 0;
  const corrupt = Buffer.from('this is not a tar archive '.repeat(100));
  const truncated = (await tarOf([{ name: 'big', content: 'x'.repeat(5000) }])).subarray(0, 1500);
  const escape = await tarOf([{ name: '../escape', content: 'x' }]);
  for (const body of [corrupt, truncated, escape]) {
    await assert.rejects(
      store.commit(chunked(body), { parent: 'busybox:local', containerId, containerConfig: containerConfigOf(['sh']), repo: 'bad' }),
      (e) => isKind(e, 'invalid-argument'),
    );
  }
  assert.deepEqual(await store.list(), before.list);
  assert.deepEqual(await blobDigests(layers), before.blobs);
  assert.deepEqual(await snapshotKeys(layers), before.snapshots);
  assert.deepEqual(await layers.content.listIngests(), []);
  assert.equal((await layers.listHolders('image')).length, 1);
  assert.deepEqual(events, []);
});

test('LocalImageStore.commit checks its options and the parent before reading the layer', async (t) => {
  const { store, layers } = await tempImageStore(t);
  await parentImage(store);
  const before = await blobDigests(layers);
  async function* untouchable(): AsyncGenerator<Uint8Array> {
    throw new Error('the layer was read');
  }
  const base = { parent: 'busybox:local', containerId, containerConfig: containerConfigOf(['sh']) };
  const cases: [Parameters<typeof store.commit>[1], string][] = [
    [{ ...base, parent: 'nosuch:image' }, 'not-found'],
    [{ ...base, changes: ['RUN x'] }, 'invalid-argument'],
    [{ ...base, repo: 'Upper' }, 'invalid-argument'],
    [{ ...base, repo: 'x', tag: 'bad tag' }, 'invalid-argument'],
    [{ ...base, containerConfig: 'nope' }, 'invalid-argument'],
    [{ ...base, containerConfig: containerConfigOf([], { Cmd: 3 }) }, 'invalid-argument'],
    [{ ...base, config: [] }, 'invalid-argument'],
    [{ ...base, containerId: '' }, 'invalid-argument'],
  ];
  for (const [opts, kind] of cases) {
    await assert.rejects(store.commit(untouchable(), opts), (e) => isKind(e, kind as 'not-found'), JSON.stringify(opts));
  }
  const err = await store.commit(untouchable(), { ...base, changes: ['RUN x'] }).catch((e: Error) => e);
  assert.equal((err as Error).message, 'RUN is not a valid change command');
  assert.deepEqual(await blobDigests(layers), before);
});

test('LocalImageStore.commit leaves nothing when its layer source fails midway', async (t) => {
  const { store, layers } = await tempImageStore(t);
  await parentImage(store);
  const before = await blobDigests(layers);
  const tar = await busyboxRootfs();
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield tar.subarray(0, 100_000);
    throw new Error('container went away');
  }
  await assert.rejects(store.commit(broken(), { parent: 'busybox:local', containerId, containerConfig: containerConfigOf(['sh']) }), /container went away/);
  assert.deepEqual(await blobDigests(layers), before);
  assert.deepEqual(await layers.content.listIngests(), []);
});
