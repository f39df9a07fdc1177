import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { digestOf, type Digest } from '../content/index.js';
import type { BlobInfo } from './blob-sink.js';
import { mediaTypes } from './oci.js';
import { readImageArchive } from './read-image-archive.js';
import {
  busyboxLayer, chunked, collect, configFor, importedImage, memorySource, MemorySink, readInMemory, tarOf, tempDir, textLayer,
} from './test-fixtures.js';
import { writeImageArchive } from './write-image-archive.js';

const hex = (d: Digest) => d.slice(7);
let busybox: Buffer;
before(async () => { busybox = await busyboxLayer(); });

/** A docker-save archive as Docker before 25 wrote it: layers first, a shared layer as a symlink, manifest.json last. */
async function legacyArchive() {
  const small = await textLayer('etc/motd', 'hi');
  const a = configFor([digestOf(busybox)], { comment: 'a' });
  const b = configFor([digestOf(busybox), digestOf(small)], { comment: 'b' });
  const [v1a, v1b, v1c] = ['a', 'b', 'c'].map((c) => c.repeat(64));
  const manifest = [
    { Config: `${hex(digestOf(a))}.json`, RepoTags: ['a:1'], Layers: [`${v1a}/layer.tar`] },
    { Config: `${hex(digestOf(b))}.json`, RepoTags: ['localhost:5000/b:2', 'b:3'], Layers: [`${v1b}/layer.tar`, `${v1c}/layer.tar`], Parent: digestOf(a) },
  ];
  const archive = await tarOf([
    { name: `${v1a}/` }, { name: `${v1a}/VERSION`, content: '1.0' }, { name: `${v1a}/layer.tar`, content: busybox },
    { name: `${v1b}/` }, { name: `${v1b}/layer.tar`, type: 'symlink', linkname: `../${v1a}/layer.tar` },
    { name: `${v1c}/` }, { name: `${v1c}/layer.tar`, content: small },
    { name: `${hex(digestOf(a))}.json`, content: a }, { name: `${hex(digestOf(b))}.json`, content: b },
    { name: 'manifest.json', content: JSON.stringify(manifest) }, { name: 'repositories', content: '{}' },
  ]);
  return { archive, a, b, small };
}

describe('readImageArchive: docker save layout', () => {
  it('reads a pre-25 archive, spooling layers that come before manifest.json', async (t) => {
    const { archive, a, b, small } = await legacyArchive();
    const { contents, sink } = await readInMemory(t, archive);
    assert.equal(contents.format, 'docker');
    const [imageA, imageB] = contents.images;
    assert.deepEqual(imageA, {
      config: { mediaType: mediaTypes.dockerConfig, digest: digestOf(a), size: a.length },
      layers: [{ digest: digestOf(busybox), size: busybox.length, mediaType: mediaTypes.dockerLayer, diffId: digestOf(busybox) }],
      repoTags: ['docker.io/library/a:1'],
      refNames: [],
    });
    assert.deepEqual(imageB!.repoTags, ['localhost:5000/b:2', 'docker.io/library/b:3']);
    assert.deepEqual(imageB!.layers.map((l) => l.digest), [digestOf(busybox), digestOf(small)]);
    assert.equal(imageB!.parent, digestOf(a));
    assert.deepEqual([...sink.blobs.keys()].sort(), [digestOf(a), digestOf(b), digestOf(busybox), digestOf(small)].sort());
    assert.equal(sink.puts.length, 4, 'the shared layer is stored once');
  });

  it('streams layers straight to the sink when manifest.json comes first', async (t) => {
    const image = importedImage(busybox);
    const archive = await collect((out) => writeImageArchive([{ id: image.id, repoTags: ['bb:1'] }], memorySource(image.blobs), out));
    const scratchDir = await tempDir(t);
    const seen: string[][] = [];
    const sink = new (class extends MemorySink {
      override async putBlob(expected: Digest | undefined, data: Readable, info: BlobInfo) {
        if (info.kind === 'layer') {
          const [spool] = await readdir(scratchDir);
          seen.push(await readdir(join(scratchDir, spool!)));
        }
        return super.putBlob(expected, data, info);
      }
    })();
    const contents = await readImageArchive(chunked(archive, 1000), sink, { scratchDir });
    assert.deepEqual(seen, [[]], 'nothing was spooled before the layer reached the sink');
    assert.deepEqual(sink.puts.map((p) => p.kind), ['layer', 'config']);
    assert.equal(contents.images[0]!.config.digest, image.id);
    assert.deepEqual(contents.images[0]!.repoTags, ['docker.io/library/bb:1']);
  });

  it('reads a gzip-compressed archive and a gzip-compressed layer', async (t) => {
    const layer = await textLayer('f', 'data');
    const gz = gzipSync(layer);
    const config = configFor([digestOf(layer)]);
    const archive = await tarOf([
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: ['l.tar.gz'] }]) },
      { name: 'config.json', content: config }, { name: 'l.tar.gz', content: gz },
    ]);
    const { contents } = await readInMemory(t, gzipSync(archive), { chunk: 7 });
    assert.deepEqual(contents.images[0]!.layers, [{ digest: digestOf(gz), size: gz.length, mediaType: mediaTypes.dockerLayerGzip, diffId: digestOf(layer) }]);
    assert.deepEqual(contents.images[0]!.repoTags, []);
  });

  it('accepts a sink that already holds a blob and does not read it', async (t) => {
    const image = importedImage(await textLayer('x', 'y'));
    const archive = await collect((out) => writeImageArchive([{ id: image.id }], memorySource(image.blobs), out));
    const sink = new (class extends MemorySink {
      override async putBlob(expected: Digest | undefined, data: Readable, info: BlobInfo) {
        if (expected && this.blobs.has(expected)) return { digest: expected, size: this.blobs.get(expected)!.length };
        return super.putBlob(expected, data, info);
      }
    })();
    for (const [digest, blob] of image.blobs) sink.blobs.set(digest, blob);
    const contents = await readImageArchive(chunked(archive), sink, { scratchDir: await tempDir(t) });
    assert.equal(contents.images[0]!.layers[0]!.digest, image.diffId);
    assert.equal(sink.puts.length, 0);
  });

  it('reads names written with ./ in front, as `tar -C dir .` writes them', async (t) => {
    const layer = await textLayer('f', 'x');
    const config = configFor([digestOf(layer)]);
    const archive = await tarOf([
      { name: './' }, { name: './layer.tar', content: layer }, { name: `./${hex(digestOf(config))}.json`, content: config },
      { name: './manifest.json', content: JSON.stringify([{ Config: `./${hex(digestOf(config))}.json`, RepoTags: ['x:y'], Layers: ['layer.tar'] }]) },
    ]);
    const { contents } = await readInMemory(t, archive);
    assert.equal(contents.images[0]!.config.digest, digestOf(config));
  });

  it('returns no images for an empty manifest.json', async (t) => {
    const { contents } = await readInMemory(t, await tarOf([{ name: 'manifest.json', content: '[]' }]));
    assert.deepEqual(contents, { format: 'docker', images: [] });
  });
});
