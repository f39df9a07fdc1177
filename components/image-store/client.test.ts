import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { chunked, tarOf } from '../../core/archive/tar-fixture.js';
import { digestOf } from '../../core/content/index.js';
import { blob, configOf, dockerArchive } from '../../core/image-store/archive-fixtures.js';
import {
  assertEmpty, busyboxRootfs, bytesOf, drain, field, idsOf, tinyRootfs,
} from '../../core/image-store/test-support.js';
import { isKind, MobyError } from '../../lib/errdefs/index.js';
import { serveImageStore, watchUploads } from './test-fixture.js';

test('GrpcImageStore imports, lists, inspects, tags, shows history and removes through the component', async (t) => {
  const served = await serveImageStore();
  t.after(() => served.cleanup());
  const { client } = served;
  const tar = await busyboxRootfs();
  const { messages, result } = await drain(client.import(chunked(gzipSync(tar), 300_000), { repo: 'busybox:local', changes: ['ENV PATH=/bin'] }));
  assert.deepEqual(messages, [{ status: result.id }]);
  assert.deepEqual(await client.list(), await served.local.list(), 'the same answer as in-process');
  await client.tag(result.id, 'docker.io/library/busybox', 'tagged');
  const inspect = await client.inspect('busybox:tagged');
  assert.deepEqual([field(inspect, 'Id'), field(inspect, 'RepoTags')], [result.id, ['busybox:local', 'busybox:tagged']]);
  assert.deepEqual(field(field(inspect, 'Config'), 'Env'), ['PATH=/bin']);
  assert.deepEqual(field(field(inspect, 'RootFS'), 'Layers'), [digestOf(tar)]);
  assert.deepEqual((await client.history('busybox:local')).map((h) => field(h, 'Tags')), [['busybox:local', 'busybox:tagged']]);
  assert.deepEqual(idsOf(await client.list({ filters: { reference: ['busy*'] } })), [result.id]);
  assert.deepEqual(await client.remove('busybox:tagged'), [{ Untagged: 'busybox:tagged' }]);
  assert.deepEqual((await client.remove('busybox:local')).slice(0, 2), [{ Untagged: 'busybox:local' }, { Deleted: result.id }]);
  await assertEmpty(served.layers);
});

test('GrpcImageStore returns Docker\'s errors with their kinds', async (t) => {
  const served = await serveImageStore();
  t.after(() => served.cleanup());
  const { client } = served;
  const err = await client.inspect('nosuch:image').catch((e: unknown) => e);
  assert.ok(err instanceof MobyError);
  assert.deepEqual([err.kind, err.message], ['not-found', 'No such image: nosuch:image']);
  const id = (await drain(client.import(chunked(await tinyRootfs('c')), { repo: 'one' }))).result.id;
  await client.tag(id, 'two');
  await assert.rejects(client.remove(id), (e: Error) => isKind(e, 'conflict') && /image is referenced in multiple repositories/.test(e.message));
  await assert.rejects(client.list({ filters: { nope: ['x'] } }), (e: Error) => isKind(e, 'invalid-argument') && e.message === "invalid filter 'nope'");
  await assert.rejects(bytesOf(client.save(['nosuch:tag'])), (e: Error) => isKind(e, 'not-found'));
  await assert.rejects(drain(client.import(chunked(await tinyRootfs('x')), { changes: ['BOGUS x'] })), (e) => isKind(e, 'invalid-argument'));
});

test('GrpcImageStore saves and loads back with the same IDs, and the second save is byte-identical', async (t) => {
  const served = await serveImageStore();
  t.after(() => served.cleanup());
  const { client } = served;
  const id = (await drain(client.import(chunked(await busyboxRootfs()), { repo: 'busybox:latest' }))).result.id;
  const first = await bytesOf(client.save(['busybox']));
  assert.ok(first.equals(await bytesOf(served.local.save(['busybox']))), 'the same bytes as in-process');
  await client.remove('busybox');
  await assertEmpty(served.layers);
  const { messages, result } = await drain(client.load(chunked(first, 200_000)));
  assert.deepEqual([messages, result.loaded], [[{ stream: 'Loaded image: busybox:latest\n' }], ['busybox:latest']]);
  assert.deepEqual(idsOf(await client.list()), [id]);
  assert.ok((await bytesOf(client.save(['busybox']))).equals(first));
  const prune = await client.prune({ filters: { dangling: ['false'] } });
  assert.ok(prune.SpaceReclaimed > 0);
  assert.deepEqual((await client.diskUsage()).Images, []);
});

test('GrpcImageStore.load of a hostile archive fails with invalid-argument and leaves nothing on the server', async (t) => {
  const watch = { settled: async () => undefined } as { settled: () => Promise<void> };
  const served = await serveImageStore((store) => {
    const w = watchUploads(store);
    watch.settled = w.settled;
    return w.store;
  });
  t.after(() => served.cleanup());
  const evil = await tarOf([{ name: '../../etc/evil', content: 'x' }]);
  const archive = await dockerArchive([{ config: configOf([digestOf(evil)]), layers: [blob(evil)], repoTags: ['evil:1'] }]);
  await assert.rejects(drain(served.client.load(chunked(archive))), (e) => isKind(e, 'invalid-argument'));
  await watch.settled();
  assert.deepEqual(await served.client.list(), []);
  await assertEmpty(served.layers);
});

test('GrpcImageStore.import whose source fails midway reports the source\'s error and leaves nothing on the server', async (t) => {
  const watch = { settled: async () => undefined } as { settled: () => Promise<void> };
  const served = await serveImageStore((store) => {
    const w = watchUploads(store);
    watch.settled = w.settled;
    return w.store;
  });
  t.after(() => served.cleanup());
  const tar = await busyboxRootfs();
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield tar.subarray(0, 1_500_000);
    throw new Error('client went away');
  }
  await assert.rejects(drain(served.client.import(broken(), { repo: 'broken' })), /client went away/);
  await watch.settled();
  assert.deepEqual(await served.local.list(), []);
  await assertEmpty(served.layers);
});
