/**
 * Test support: images built by hand in a layer store (layers, a Docker
 * config, a schema 2 manifest, and indexes over them), and the busybox
 * rootfs layer the distribution tests push and pull.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarOf, type FixtureEntry } from '../archive/tar-fixture.js';
import { digestOf, type Digest } from '../content/index.js';
import { mediaTypes, type Platform } from '../image/oci.js';
import type { LayerStore } from '../layers/layer-store.js';
import { LocalLayerStore } from '../layers/local-layer-store.js';

export interface BuiltImage {
  manifest: Buffer;
  manifestDigest: Digest;
  config: Buffer;
  configDigest: Digest;
  layers: { digest: Digest; size: number; mediaType: string; diffId: Digest }[];
}

/** A busybox root: /bin/busybox, a few applet links, /etc/passwd. */
export async function busyboxTar(extra: FixtureEntry[] = []): Promise<Buffer> {
  const busybox = await readFile('/bin/busybox');
  return tarOf([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', content: busybox, mode: 0o755 },
    ...['sh', 'ls', 'echo', 'cat'].map((a): FixtureEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777 })),
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    ...extra,
  ]);
}

/** A layer of one file of `size` random (incompressible) bytes. */
export async function randomLayer(name: string, size: number): Promise<Buffer> {
  return tarOf([{ name, content: randomBytes(size) }]);
}

/**
 * Stores `tars` as the layers of an image (gzipped unless `gzip: false`),
 * with a Docker config for `platform` and a schema 2 manifest, in `store`.
 */
export async function buildImage(store: LayerStore, tars: Buffer[], opts: { gzip?: boolean; platform?: Platform } = {}): Promise<BuiltImage> {
  const gzip = opts.gzip ?? true;
  const layers: BuiltImage['layers'] = [];
  for (const tar of tars) {
    const blob = gzip ? gzipSync(tar) : tar;
    const info = await store.content.put(blob, { expected: digestOf(blob) });
    layers.push({ digest: info.digest, size: blob.length, mediaType: gzip ? mediaTypes.dockerLayerGzip : mediaTypes.dockerLayer, diffId: digestOf(tar) });
  }
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = Buffer.from(JSON.stringify({
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
    created: '2026-01-02T03:04:05Z', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2026-01-02T03:04:05Z', created_by: 'test' })),
  }));
  const configDigest = (await store.content.put(config, { expected: digestOf(config) })).digest;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: config.length, digest: configDigest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  }, null, 3));
  const manifestDigest = (await store.content.put(manifest, { expected: digestOf(manifest) })).digest;
  return { manifest, manifestDigest, config, configDigest, layers };
}

/** A Docker manifest list over `images`, each entry with its platform; stored in `store`. */
export async function buildIndex(store: LayerStore, images: { image: BuiltImage; platform: Platform }[]): Promise<{ bytes: Buffer; digest: Digest }> {
  const bytes = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: mediaTypes.dockerManifestList,
    manifests: images.map(({ image, platform }) => ({ mediaType: mediaTypes.dockerManifest, size: image.manifest.length, digest: image.manifestDigest, platform })),
  }));
  const digest = (await store.content.put(bytes, { expected: digestOf(bytes) })).digest;
  return { bytes, digest };
}

/** A fresh `LocalLayerStore` in a temp dir, closed and removed when the test ends. */
export async function tempLayerStore(t: TestContext): Promise<LocalLayerStore> {
  const root = await mkdtemp(join(tmpdir(), 'moby-dist-'));
  let store: LocalLayerStore | undefined;
  t.after(async () => {
    await store?.close();
    await rm(root, { recursive: true, force: true });
  });
  store = await LocalLayerStore.open(root);
  return store;
}
