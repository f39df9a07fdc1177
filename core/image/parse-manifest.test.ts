import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaTypes } from './oci.js';
import { parseIndex, parseManifest, parseManifestOrIndex } from './parse-manifest.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const config = { mediaType: mediaTypes.dockerConfig, digest: d(1), size: 100 };
const layer = { mediaType: mediaTypes.dockerLayerGzip, digest: d(2), size: 200 };
const dockerManifest = { schemaVersion: 2, mediaType: mediaTypes.dockerManifest, config, layers: [layer] };
const json = (value: unknown) => JSON.stringify(value);
const invalid = (message: string | RegExp) => ({ kind: 'invalid-argument', message });

describe('parseManifest', () => {
  it('reads a Docker schema 2 manifest and an OCI manifest without mediaType', () => {
    assert.deepEqual(parseManifest(json(dockerManifest)), dockerManifest);
    const oci = { schemaVersion: 2, config: { ...config, mediaType: mediaTypes.ociConfig }, layers: [], annotations: { a: 'b' } };
    assert.deepEqual(parseManifest(Buffer.from(json(oci)), mediaTypes.ociManifest), oci);
  });

  it('keeps only known fields, with urls and platform checked', () => {
    const foreign = { ...layer, mediaType: mediaTypes.dockerForeignLayerGzip, urls: ['https://x/y'], extra: 1 };
    const parsed = parseManifest(json({ ...dockerManifest, layers: [foreign], junk: true }));
    assert.deepEqual(parsed.layers[0], { mediaType: mediaTypes.dockerForeignLayerGzip, digest: d(2), size: 200, urls: ['https://x/y'] });
    assert.equal('junk' in parsed, false);
  });

  it('refuses schema 1 and other schema versions', () => {
    assert.throws(() => parseManifest(json({ ...dockerManifest, schemaVersion: 1 })), invalid('invalid manifest: schemaVersion: schema 1 manifests are not supported'));
    assert.throws(() => parseManifest(json({ ...dockerManifest, schemaVersion: '2' })), invalid('invalid manifest: schemaVersion: expected 2, got "2"'));
  });

  it('refuses a mediaType that disagrees with the document or the fetched type', () => {
    assert.throws(() => parseManifest(json(dockerManifest), mediaTypes.ociManifest), invalid(/does not match the type it was fetched as/));
    assert.throws(() => parseManifest(json({ ...dockerManifest, mediaType: mediaTypes.ociIndex })), invalid(/is not a manifest media type/));
    assert.throws(() => parseManifest(json({ ...dockerManifest, manifests: [] })), invalid(/is this an index/));
    const { mediaType: _, ...untyped } = dockerManifest;
    assert.throws(() => parseManifest(json(untyped), mediaTypes.dockerManifest), invalid(/must say/));
  });

  it('refuses malformed descriptors naming the field', () => {
    const bad = (l: object) => json({ ...dockerManifest, layers: [l] });
    assert.throws(() => parseManifest(bad({ ...layer, digest: 'sha256:abc' })), invalid('invalid manifest: layers[0].digest: "sha256:abc" is not a sha256 digest'));
    assert.throws(() => parseManifest(bad({ ...layer, digest: `sha512:${'a'.repeat(128)}` })), invalid(/unsupported digest algorithm/));
    assert.throws(() => parseManifest(bad({ ...layer, size: -1 })), invalid('invalid manifest: layers[0].size: expected a non-negative integer size, got -1'));
    assert.throws(() => parseManifest(bad({ ...layer, size: 1.5 })), invalid(/non-negative integer/));
    assert.throws(() => parseManifest(bad({ ...layer, size: '5' })), invalid(/non-negative integer/));
    assert.throws(() => parseManifest(bad({ ...layer, mediaType: 'not a type' })), invalid(/is not a media type/));
    assert.throws(() => parseManifest(bad({ ...layer, annotations: { a: 1 } })), invalid('invalid manifest: layers[0].annotations.a: expected a string, got a number'));
    assert.throws(() => parseManifest(json({ ...dockerManifest, config: null })), invalid(/config: expected an object, got null/));
    assert.throws(() => parseManifest(json({ ...dockerManifest, layers: {} })), invalid(/layers: expected an array/));
  });

  it('refuses what is not JSON', () => {
    assert.throws(() => parseManifest('{'), invalid(/invalid manifest: not valid JSON/));
    assert.throws(() => parseManifest('[]'), invalid(/expected an object, got an array/));
  });
});

describe('parseIndex', () => {
  const list = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifestList,
    manifests: [{ mediaType: mediaTypes.dockerManifest, digest: d(3), size: 500, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } }],
  };

  it('reads a manifest list with platforms', () => {
    assert.deepEqual(parseIndex(json(list)), list);
  });

  it('refuses a platform without os or architecture, and an index with layers', () => {
    const noOs = { ...list, manifests: [{ ...list.manifests[0], platform: { architecture: 'arm' } }] };
    assert.throws(() => parseIndex(json(noOs)), invalid('invalid index: manifests[0].platform.os: expected a string, got nothing'));
    assert.throws(() => parseIndex(json({ ...list, layers: [] })), invalid(/is this a manifest/));
  });
});

describe('parseManifestOrIndex', () => {
  it('tells the kind by media type, or by shape when there is none', () => {
    assert.equal(parseManifestOrIndex(json(dockerManifest)).kind, 'manifest');
    assert.equal(parseManifestOrIndex(json({ schemaVersion: 2, manifests: [] })).kind, 'index');
    assert.equal(parseManifestOrIndex(json({ schemaVersion: 2, manifests: [] }), mediaTypes.ociIndex).kind, 'index');
  });
});
