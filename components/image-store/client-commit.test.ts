import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { chunked, tarOf } from '../../core/archive/tar-fixture.js';
import { digestOf } from '../../core/content/index.js';
import { viewTree } from '../../core/layers/conformance-support.js';
import { chainIds } from '../../core/snapshots/chain-id.js';
import type { Json } from '../../core/image-store/image-store.js';
import { blobDigests, busyboxRootfs, drain, field, snapshotKeys } from '../../core/image-store/test-support.js';
import { serveImageStore, watchUploads } from './test-fixture.js';

const containerId = 'a3305e4cc8699b786594d1a77f124ff3b5bd4fcddc55d86f2ad78b2a14b06277';

function containerConfig(cmd: string[]): Json {
  return {
    Hostname: 'a3305e4cc869', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false,
    OpenStdin: false, StdinOnce: false, Env: ['PATH=/bin'], Cmd: cmd, Image: 'busybox:local', Volumes: null, WorkingDir: '',
    Entrypoint: null, OnBuild: null, Labels: {},
  };
}

async function served(t: { after: (fn: () => Promise<void>) => void }) {
  const watch = { settled: async () => undefined } as { settled: () => Promise<void> };
  const s = await serveImageStore((store) => {
    const w = watchUploads(store);
    watch.settled = w.settled;
    return w.store;
  });
  t.after(() => s.cleanup());
  const rootfs = await busyboxRootfs([{ name: 'etc/' }, { name: 'etc/old', content: 'old' }]);
  const parent = (await drain(s.client.import(chunked(rootfs, 300_000), { repo: 'busybox:local', changes: ['CMD ["sh"]'] }))).result.id;
  return { ...s, watch, parent, parentDiffId: digestOf(rootfs) };
}

test('GrpcImageStore.commit streams the layer to the component and answers with the new image, as in-process', async (t) => {
  const s = await served(t);
  const tar = await tarOf([{ name: 'f', content: 'hi\n' }, { name: 'etc/' }, { name: 'etc/.wh.old', content: '' }, { name: 'big', content: Buffer.alloc(2_500_000, 7) }]);
  const { id } = await s.client.commit(chunked(tar, 700_000), {
    parent: 'busybox:local', containerId, containerConfig: containerConfig(['sh', '-c', 'echo hi > /f']),
    comment: 'msg', author: 'me', changes: ['ENV A=1'], repo: 'docker.io/library/committed', tag: 'v1',
  });
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const inspect = await s.client.inspect('committed:v1');
  assert.deepEqual([field(inspect, 'Id'), field(inspect, 'RepoTags'), field(inspect, 'Author')], [id, ['committed:v1'], 'me']);
  assert.deepEqual(field(field(inspect, 'RootFS'), 'Layers'), [s.parentDiffId, digestOf(tar)]);
  assert.deepEqual(field(field(inspect, 'Config'), 'Env'), ['PATH=/bin', 'A=1']);
  assert.deepEqual(field(field(inspect, 'Config'), 'Cmd'), ['sh', '-c', 'echo hi > /f']);
  assert.deepEqual(await s.client.history('committed:v1'), await s.local.history('committed:v1'));
  assert.deepEqual((await s.client.history(id)).map((h) => field(h, 'CreatedBy')), ['sh -c echo hi > /f', '']);
  const tree = await viewTree(t, s.layers, chainIds([s.parentDiffId, digestOf(tar)]).at(-1)!);
  assert.equal(tree.f, 'hi\n');
  assert.equal(tree['etc/old'], undefined);
  const untagged = await s.client.commit(chunked(Buffer.alloc(1024)), { parent: id, containerId, containerConfig: containerConfig(['sh']) });
  assert.deepEqual(field(await s.client.inspect(untagged.id), 'RepoTags'), []);
});

test('GrpcImageStore.commit of a corrupt layer fails with invalid-argument and leaves nothing on the server', async (t) => {
  const s = await served(t);
  const before = { blobs: await blobDigests(s.layers), snapshots: await snapshotKeys(s.layers) };
  const corrupt = Buffer.from('not a tar at all '.repeat(100_000));
  await assert.rejects(
    s.client.commit(chunked(corrupt, 300_000), { parent: s.parent, containerId, containerConfig: containerConfig(['sh']), repo: 'bad' }),
    (e) => isKind(e, 'invalid-argument'),
  );
  await s.watch.settled();
  assert.deepEqual((await s.client.list()).length, 1);
  assert.deepEqual(await blobDigests(s.layers), before.blobs);
  assert.deepEqual(await snapshotKeys(s.layers), before.snapshots);
  assert.deepEqual(await s.layers.content.listIngests(), []);
});

test('GrpcImageStore.commit reports bad options and a missing parent with their kinds, and a failing source with its own error', async (t) => {
  const s = await served(t);
  const before = await blobDigests(s.layers);
  const tar = await busyboxRootfs();
  await assert.rejects(
    s.client.commit(chunked(tar), { parent: 'nosuch:image', containerId, containerConfig: containerConfig(['sh']) }),
    (e: Error) => isKind(e, 'not-found') && e.message === 'No such image: nosuch:image',
  );
  await assert.rejects(
    s.client.commit(chunked(tar), { parent: s.parent, containerId, containerConfig: containerConfig(['sh']), changes: ['RUN x'] }),
    (e: Error) => isKind(e, 'invalid-argument') && e.message === 'RUN is not a valid change command',
  );
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield tar.subarray(0, 1_500_000);
    throw new Error('container went away');
  }
  await assert.rejects(s.client.commit(broken(), { parent: s.parent, containerId, containerConfig: containerConfig(['sh']) }), /container went away/);
  await s.watch.settled();
  assert.deepEqual(await blobDigests(s.layers), before);
  assert.deepEqual(await s.layers.content.listIngests(), []);
});
