import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunked } from '../archive/tar-fixture.js';
import { readTar } from '../archive/index.js';
import { digestOf } from '../content/index.js';
import { blob, configOf, dockerArchive, gzLayer, ociLayoutTar, writeOciLayout, type OciImage } from './archive-fixtures.js';
import {
  assertEmpty, busyboxRootfs, bytesOf, field, idsOf, importTar, loadTar, tempImageStore, tinyRootfs,
} from './test-support.js';

test('LocalImageStore.save writes an archive that loads back with the same IDs, and saves again byte for byte', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const bb = await importTar(store, await busyboxRootfs(), 'busybox:latest');
  const app = await importTar(store, await tinyRootfs('app'), 'app:1', ['LABEL x=y']);
  await store.tag(app, 'app', '2');
  const loose = await importTar(store, await tinyRootfs('loose'));
  const first = await bytesOf(store.save(['busybox', 'app:1', loose]));

  const names: string[] = [];
  for await (const entry of readTar(chunked(first))) names.push(entry.header.name);
  assert.equal(names[0], 'manifest.json', 'the description comes first, so a streaming reader knows every blob');
  assert.ok(names.includes('index.json') && names.includes('oci-layout'), 'also an OCI layout');

  for (const id of [bb, app, loose]) await store.remove(id, { force: true });
  await assertEmpty(layers);
  const { messages, result } = await loadTar(store, first);
  // The archive lists images by ID.
  const expected = [[bb, 'Loaded image: busybox:latest\n', 'busybox:latest'], [app, 'Loaded image: app:1\n', 'app:1'], [loose, `Loaded image ID: ${loose}\n`, loose]]
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  assert.deepEqual(messages, expected.map(([, stream]) => ({ stream })));
  assert.deepEqual(result.loaded, expected.map(([, , loaded]) => loaded));
  assert.deepEqual(idsOf(await store.list()).sort(), [bb, app, loose].sort());
  assert.deepEqual(field(await store.inspect(app), 'RepoTags'), ['app:1'], 'only the tags asked for travel');
  const second = await bytesOf(store.save(['busybox', 'app:1', loose]));
  assert.ok(second.equals(first), 'the second save is byte-identical');
});

test('LocalImageStore.save writes a gzipped layer uncompressed, and the archive loads back elsewhere with the same ID', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const tar = await tinyRootfs('zipped');
  const { layer, diffId } = gzLayer(tar);
  const config = configOf([diffId]);
  await loadTar(store, await ociLayoutTar([{ config, layers: [layer], annotations: { 'io.containerd.image.name': 'docker.io/library/zipped:1' } }]));
  const saved = await bytesOf(store.save(['zipped:1']));
  assert.equal((await layers.content.info(layer.digest)).labels['org.mobyproject.image.diff-size'], String(tar.length));
  const files = new Map<string, Buffer>();
  for await (const entry of readTar(chunked(saved))) files.set(entry.header.name, await bytesOf(entry.body));
  assert.ok(files.get(`blobs/sha256/${diffId.slice(7)}`)?.equals(tar), 'the layer blob is the plain tar');
  const other = await tempImageStore(t);
  assert.deepEqual((await loadTar(other.store, saved)).result.loaded, ['zipped:1']);
  assert.equal(field(await other.store.inspect('zipped:1'), 'Id'), config.digest);
  assert.ok((await bytesOf(other.store.save(['zipped:1']))).equals(saved), 'the same archive from either store');
});

test('LocalImageStore.save refuses unknown names before writing anything', async (t) => {
  const { store } = await tempImageStore(t);
  await importTar(store, await tinyRootfs('s'), 'known');
  await assert.rejects(bytesOf(store.save(['known', 'nosuch:tag'])), /reference does not exist/);
  await assert.rejects(bytesOf(store.save([`sha256:${'c'.repeat(64)}`])), /No such image/);
});

test('LocalImageStore.save writes an archive skopeo reads as a docker-archive and as an OCI archive, config unchanged', async (t) => {
  const { store } = await tempImageStore(t);
  const id = await importTar(store, await busyboxRootfs(), 'busybox:latest', ['CMD ["sh"]']);
  const dir = await mkdtemp(join(tmpdir(), 'moby-save-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'saved.tar'), await bytesOf(store.save(['busybox:latest'])));
  for (const source of [`docker-archive:${join(dir, 'saved.tar')}`, `oci-archive:${join(dir, 'saved.tar')}:latest`]) {
    assert.equal(digestOf(skopeo(['inspect', '--config', '--raw', source])), id, source);
  }
});

test('LocalImageStore.load moves a tag from the image that had it and says so, as Docker does', async (t) => {
  const { store } = await tempImageStore(t);
  const old = await importTar(store, await tinyRootfs('old'), 'busybox:latest');
  const tar = await tinyRootfs('new');
  const config = configOf([digestOf(tar)]);
  const { messages } = await loadTar(store, await dockerArchive([{ config, layers: [blob(tar)], repoTags: ['busybox:latest'] }]));
  assert.deepEqual(messages, [
    { stream: `The image busybox:latest already exists, renaming the old one with ID ${old} to empty string\n` },
    { stream: 'Loaded image: busybox:latest\n' },
  ]);
  assert.equal(field(await store.inspect('busybox'), 'Id'), config.digest);
  assert.deepEqual(field(await store.inspect(old), 'RepoTags'), []);
});

test('LocalImageStore.load reads a pre-25 docker save layout with a gzipped layer', async (t) => {
  const { store } = await tempImageStore(t);
  const { layer, diffId } = gzLayer(await tinyRootfs('legacy'));
  const config = configOf([diffId], { author: 'me' });
  const { result } = await loadTar(store, await dockerArchive([{ config, layers: [layer], repoTags: ['legacy:v1'] }]));
  assert.deepEqual(result.loaded, ['legacy:v1']);
  const inspect = await store.inspect('legacy:v1');
  assert.deepEqual([field(inspect, 'Id'), field(inspect, 'Author'), field(inspect, 'Created')], [config.digest, 'me', '2024-03-04T05:06:07.123456789Z']);
  assert.deepEqual((await store.history('legacy:v1')).map((h) => field(h, 'CreatedBy')), ['by hand']);
});

test('LocalImageStore.load reads an OCI layout and keeps its manifest', async (t) => {
  const { store, layers } = await tempImageStore(t);
  const named = gzLayer(await tinyRootfs('oci'));
  const bare = gzLayer(await tinyRootfs('oci bare'));
  const images: OciImage[] = [
    { config: configOf([named.diffId]), layers: [named.layer], annotations: { 'io.containerd.image.name': 'docker.io/library/hand:1', 'org.opencontainers.image.ref.name': '1' } },
    { config: configOf([bare.diffId]), layers: [bare.layer], annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
  ];
  const { messages } = await loadTar(store, await ociLayoutTar(images));
  assert.deepEqual(messages, [{ stream: 'Loaded image: hand:1\n' }, { stream: `Loaded image ID: ${images[1]!.config.digest}\n` }]);
  const holders = await layers.listHolders('image');
  const kept = holders.find((h) => h.holder.id === images[0]!.config.digest)!.refs.map((r) => r.id);
  const manifest = JSON.parse((await layers.content.readAll(kept.find((d) => d !== images[0]!.config.digest)!)).toString());
  assert.deepEqual(manifest.annotations, { 'org.example.made': 'by hand' }, 'the manifest from the layout, not one made here');
});

test('LocalImageStore.load reads a docker-archive that skopeo wrote from an OCI layout', async (t) => {
  const { store } = await tempImageStore(t);
  const dir = await mkdtemp(join(tmpdir(), 'moby-skopeo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { layer, diffId } = gzLayer(await busyboxRootfs());
  const config = configOf([diffId]);
  await writeOciLayout(join(dir, 'layout'), [{ config, layers: [layer], annotations: { 'org.opencontainers.image.ref.name': 'latest' } }]);
  skopeo(['copy', `oci:${join(dir, 'layout')}:latest`, `docker-archive:${join(dir, 'bb.tar')}:busybox:latest`]);
  const { messages } = await loadTar(store, await readFile(join(dir, 'bb.tar')));
  assert.deepEqual(messages, [{ stream: 'Loaded image: busybox:latest\n' }]);
  const inspect = await store.inspect('busybox');
  assert.equal(field(inspect, 'Id'), config.digest);
  const upper = field<{ Data: { UpperDir: string } }>(inspect, 'GraphDriver').Data.UpperDir;
  assert.ok(existsSync(join(upper, 'bin', 'busybox')));
});

function skopeo(args: string[]): Buffer {
  const r = spawnSync('skopeo', ['--insecure-policy', ...args], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr?.toString()}`);
  return r.stdout;
}
