import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { digestOf, type Digest } from '../content/index.js';
import { mediaTypes } from './oci.js';
import { parsePlatform } from './platform.js';
import { configFor, readInMemory, tarOf, textLayer, type FixtureEntry } from './test-fixtures.js';

const hex = (d: Digest) => d.slice(7);
const desc = (mediaType: string, blob: Buffer, extra: object = {}) => ({ mediaType, digest: digestOf(blob), size: blob.length, ...extra });
const blobEntry = (blob: Buffer): FixtureEntry => ({ name: `blobs/sha256/${hex(digestOf(blob))}`, content: blob });

/** One image's blobs: a gzip layer, its config and its manifest. */
async function imageBlobs(text: string, arch = 'amd64') {
  const tar = await textLayer('f', text);
  const layer = gzipSync(tar);
  const config = configFor([digestOf(tar)], { architecture: arch });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: desc(mediaTypes.ociConfig, config), layers: [desc(mediaTypes.ociLayerGzip, layer)],
  }));
  return { tar, layer, config, manifest, blobs: [layer, config, manifest] };
}

function layoutOf(manifests: object[], blobs: Buffer[], indexFirst = false): Promise<Buffer> {
  const meta: FixtureEntry[] = [
    { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests }) },
  ];
  const files = [{ name: 'blobs/' }, { name: 'blobs/sha256/' }, ...blobs.map(blobEntry)];
  return tarOf(indexFirst ? [...meta, ...files] : [...files, ...meta]);
}

describe('readImageArchive: OCI image layout', () => {
  it('reads an image, its names from the annotations, and hands every blob to the sink', async (t) => {
    const img = await imageBlobs('one');
    const archive = await layoutOf([
      desc(mediaTypes.ociManifest, img.manifest, { annotations: { 'io.containerd.image.name': 'docker.io/library/one:1', 'org.opencontainers.image.ref.name': '1' } }),
      desc(mediaTypes.ociManifest, img.manifest, { annotations: { 'org.opencontainers.image.ref.name': 'latest' } }),
      desc(mediaTypes.ociManifest, img.manifest, { annotations: { 'org.opencontainers.image.ref.name': 'example.com/x:y' } }),
    ], img.blobs);
    const { contents, sink } = await readInMemory(t, archive);
    assert.equal(contents.format, 'oci');
    assert.deepEqual(contents.images, [{
      config: desc(mediaTypes.ociConfig, img.config),
      layers: [{ digest: digestOf(img.layer), size: img.layer.length, mediaType: mediaTypes.ociLayerGzip, diffId: digestOf(img.tar) }],
      repoTags: ['docker.io/library/one:1', 'example.com/x:y'],
      manifest: desc(mediaTypes.ociManifest, img.manifest),
      refNames: ['latest'],
    }]);
    assert.deepEqual([...sink.blobs.keys()].sort(), img.blobs.map((b) => digestOf(b)).sort());
    assert.deepEqual(sink.puts.map((p) => p.kind).sort(), ['config', 'layer', 'manifest']);
  });

  it('streams layers to the sink as they arrive when index.json comes first', async (t) => {
    const img = await imageBlobs('two');
    const archive = await layoutOf([desc(mediaTypes.ociManifest, img.manifest)], [img.manifest, img.config, img.layer], true);
    const { sink } = await readInMemory(t, archive);
    assert.deepEqual(sink.puts.map((p) => p.kind), ['layer', 'manifest', 'config']);
  });

  it('takes the wanted platform from a multi-platform index and nothing else', async (t) => {
    const amd = await imageBlobs('amd');
    const arm = await imageBlobs('arm', 'arm64');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [
      desc(mediaTypes.ociManifest, arm.manifest, { platform: { os: 'linux', architecture: 'arm64' } }),
      desc(mediaTypes.ociManifest, amd.manifest, { platform: { os: 'linux', architecture: 'amd64' } }),
    ] }));
    const archive = await layoutOf([desc(mediaTypes.ociIndex, index, { annotations: { 'io.containerd.image.name': 'multi:1' } })], [index, ...amd.blobs, ...arm.blobs]);
    const { contents, sink } = await readInMemory(t, archive);
    assert.equal(contents.images.length, 1);
    assert.equal(contents.images[0]!.config.digest, digestOf(amd.config));
    assert.deepEqual(contents.images[0]!.repoTags, ['docker.io/library/multi:1']);
    assert.equal(sink.blobs.has(digestOf(arm.layer)), false);
    const onArm = await readInMemory(t, archive, { platform: parsePlatform('linux/arm64') });
    assert.equal(onArm.contents.images[0]!.config.digest, digestOf(arm.config));
  });

  it('skips artifacts whose config is not an image config', async (t) => {
    const blob = Buffer.from('{}');
    const artifact = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: desc('application/vnd.example+json', blob), layers: [] }));
    const { contents } = await readInMemory(t, await layoutOf([desc(mediaTypes.ociManifest, artifact)], [artifact, blob]));
    assert.deepEqual(contents.images, []);
  });

  it('refuses a name annotation that is not a valid reference', async (t) => {
    const img = await imageBlobs('bad');
    const archive = await layoutOf([desc(mediaTypes.ociManifest, img.manifest, { annotations: { 'io.containerd.image.name': 'Bad Name' } })], img.blobs);
    await assert.rejects(readInMemory(t, archive), { kind: 'invalid-argument', message: /OCI layout image name "Bad Name": invalid reference format/ });
  });
});
