import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readTar } from '../archive/index.js';
import { digestOf, type Digest } from '../content/index.js';
import type { ArchiveSource } from './blob-sink.js';
import { mediaTypes } from './oci.js';
import { busyboxLayer, collect, configFor, importedImage, memorySource, readInMemory, textLayer } from './test-fixtures.js';
import { writeImageArchive, type ImageToSave } from './write-image-archive.js';

const hex = (d: Digest) => d.slice(7);
async function* once(chunk: Buffer) { yield chunk; }

async function filesOf(archive: Buffer): Promise<Map<string, { type: string; data: Buffer; linkname: string }>> {
  const files = new Map();
  for await (const entry of readTar((async function* () { yield archive; })())) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    files.set(entry.header.name, { type: entry.header.type, data: Buffer.concat(chunks), linkname: entry.header.linkname });
  }
  return files;
}

/** Two images sharing a bottom layer, plus a third unrelated one. */
let blobs: Map<Digest, Buffer>;
let base: Digest;
let child: Digest;
let other: Digest;
let busyboxDiff: Digest;
before(async () => {
  const busybox = await busyboxLayer();
  const extra = await textLayer('etc/extra', 'extra');
  const imported = importedImage(busybox);
  const childConfig = configFor([digestOf(busybox), digestOf(extra)], { created: '2026-01-01T00:00:00Z' });
  const third = importedImage(await textLayer('x', 'third'));
  blobs = new Map([...imported.blobs, ...third.blobs, [digestOf(childConfig), childConfig], [digestOf(extra), extra]]);
  [base, child, other, busyboxDiff] = [imported.id, digestOf(childConfig), third.id, imported.diffId];
});

const save = (images: ImageToSave[], source: ArchiveSource = memorySource(blobs)) => collect((out) => writeImageArchive(images, source, out));

describe('writeImageArchive', () => {
  it('writes both the docker-save layout and an OCI layout over the same blobs', async () => {
    const files = await filesOf(await save([{ id: base, repoTags: ['busybox:tagged', 'docker.io/library/busybox:tagged', 'localhost:5000/bb'] }]));
    const manifest = JSON.parse(files.get('manifest.json')!.data.toString());
    assert.deepEqual(manifest, [{ Config: `blobs/sha256/${hex(base)}`, RepoTags: ['busybox:tagged', 'localhost:5000/bb:latest'], Layers: [`blobs/sha256/${hex(busyboxDiff)}`] }]);
    assert.ok(files.get(`${hex(base)}.json`)!.data.equals(blobs.get(base)!));
    const index = JSON.parse(files.get('index.json')!.data.toString());
    assert.deepEqual(index.manifests.map((m: { annotations: object }) => m.annotations), [
      { 'io.containerd.image.name': 'docker.io/library/busybox:tagged', 'org.opencontainers.image.ref.name': 'tagged' },
      { 'io.containerd.image.name': 'localhost:5000/bb:latest', 'org.opencontainers.image.ref.name': 'latest' },
    ]);
    const ociManifest = JSON.parse(files.get(`blobs/sha256/${hex(index.manifests[0].digest)}`)!.data.toString());
    assert.equal(ociManifest.layers[0].mediaType, mediaTypes.ociLayer);
    assert.equal(files.get('oci-layout')!.data.toString(), '{"imageLayoutVersion": "1.0.0"}');
    const legacy = [...files.keys()].filter((name) => name.endsWith('/layer.tar'));
    assert.equal(legacy.length, 1);
    assert.equal(files.get(legacy[0]!)!.linkname, `../${manifest[0].Layers[0]}`);
    assert.deepEqual(JSON.parse(files.get('repositories')!.data.toString()), { busybox: { tagged: legacy[0]!.split('/')[0] }, 'localhost:5000/bb': { latest: legacy[0]!.split('/')[0] } });
  });

  it('writes a shared layer once and Parent only when the parent is saved too', async () => {
    const files = await filesOf(await save([{ id: child, repoTags: ['c:1'], parent: base }, { id: base }]));
    const layerBlobs = [...files.keys()].filter((n) => n.startsWith('blobs/sha256/') && files.get(n)!.data.length > 100_000);
    assert.equal(layerBlobs.length, 1);
    const manifest = JSON.parse(files.get('manifest.json')!.data.toString());
    assert.deepEqual(manifest.map((m: { Parent?: string }) => m.Parent), base < child ? [undefined, base] : [base, undefined]);
    const alone = JSON.parse((await filesOf(await save([{ id: child, parent: base }]))).get('manifest.json')!.data.toString());
    assert.equal(alone[0].Parent, undefined);
    assert.equal(alone[0].RepoTags, null);
  });

  it('is deterministic: same images, same bytes, whatever the order given', async () => {
    const one = await save([{ id: base, repoTags: ['a:1'] }, { id: other, repoTags: ['b:1'] }]);
    const two = await save([{ id: other, repoTags: ['b:1'] }, { id: base, repoTags: ['a:1'] }]);
    assert.ok(one.equals(two));
  });

  it('round-trips: save, read back, save again gives the same bytes', async (t) => {
    const first = await save([{ id: child, repoTags: ['c:1', 'c:2'], parent: base }, { id: base, repoTags: ['busybox:tagged'] }, { id: other }]);
    const { contents, sink } = await readInMemory(t, first);
    assert.deepEqual(contents.images.map((i) => i.config.digest).sort(), [base, child, other].sort());
    const second = await collect((out) => writeImageArchive(
      contents.images.map((i) => ({ id: i.config.digest, repoTags: i.repoTags, parent: i.parent })), memorySource(sink.blobs), out));
    assert.ok(first.equals(second));
  });

  it('leaves out digest references, as docker save does', async () => {
    const files = await filesOf(await save([{ id: base, repoTags: [`busybox@sha256:${'1'.repeat(64)}`] }]));
    assert.equal(JSON.parse(files.get('manifest.json')!.data.toString())[0].RepoTags, null);
    assert.equal(files.has('repositories'), false);
  });

  it('fails before writing anything when a config is missing or corrupt', async () => {
    const corrupt: ArchiveSource = { ...memorySource(blobs), config: async () => Buffer.from('{}') };
    let written = 0;
    await assert.rejects(collect(async (out) => {
      out.on('data', (c: Buffer) => { written += c.length; });
      await writeImageArchive([{ id: base }], corrupt, out);
    }), { kind: 'data-loss' });
    assert.equal(written, 0);
    await assert.rejects(save([{ id: `sha256:${'9'.repeat(64)}` }]), { kind: 'not-found' });
  });

  it('fails with data-loss when a layer is not its diff ID or not its size', async () => {
    const wrongBytes: ArchiveSource = { ...memorySource(blobs), layer: async (d) => ({ size: blobs.get(d)!.length, stream: once(Buffer.alloc(blobs.get(d)!.length)) }) };
    await assert.rejects(save([{ id: other }], wrongBytes), { kind: 'data-loss', message: /the source gave a tar with digest/ });
    const wrongSize: ArchiveSource = { ...memorySource(blobs), layer: async (d) => ({ size: 1, stream: once(blobs.get(d)!) }) };
    await assert.rejects(save([{ id: other }], wrongSize), { kind: 'data-loss' });
  });

  it('refuses an image without layers as Docker does', async () => {
    const empty = configFor([]);
    const source = memorySource(new Map([[digestOf(empty), empty]]));
    await assert.rejects(save([{ id: digestOf(empty) }], source), { kind: 'not-implemented', message: /empty export - not implemented/ });
  });
});
