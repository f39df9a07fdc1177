/**
 * For tests: image archives built by hand, well-formed or hostile, as `docker save`
 * (any version) and OCI layouts lay them out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarOf, type FixtureEntry } from '../archive/tar-fixture.js';
import { digestOf, type Digest } from '../content/index.js';
import { mediaTypes } from '../image/oci.js';

export interface BlobFile {
  bytes: Buffer;
  digest: Digest;
}

export function blob(bytes: Buffer | string): BlobFile {
  const b = Buffer.from(bytes);
  return { bytes: b, digest: digestOf(b) };
}

/** A config naming `diffIds`, with a fixed creation time. */
export function configOf(diffIds: string[], extra: Record<string, unknown> = {}): BlobFile {
  return blob(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-03-04T05:06:07.123456789Z',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2024-03-04T05:06:07Z', created_by: 'by hand' })),
    ...extra,
  }));
}

export interface ArchiveItem {
  config: BlobFile;
  /** Layer files as stored in the archive (plain or gzipped tars). */
  layers: BlobFile[];
  repoTags?: string[];
}

/**
 * A pre-25 `docker save` layout: `<id>.json`, `<n>/layer.tar`, `manifest.json` last.
 * `extra` entries go first; `manifest` replaces the generated `manifest.json` text.
 */
export function dockerArchive(items: ArchiveItem[], opts: { extra?: FixtureEntry[]; manifest?: string } = {}): Promise<Buffer> {
  const entries: FixtureEntry[] = [...(opts.extra ?? [])];
  const manifest = items.map((item, i) => {
    const configPath = `${item.config.digest.slice(7)}.json`;
    entries.push({ name: configPath, content: item.config.bytes });
    const layers = item.layers.map((layer, j) => {
      entries.push({ name: `${i}-${j}/`, type: 'directory' }, { name: `${i}-${j}/layer.tar`, content: layer.bytes });
      return `${i}-${j}/layer.tar`;
    });
    return { Config: configPath, RepoTags: item.repoTags ?? null, Layers: layers };
  });
  entries.push({ name: 'manifest.json', content: opts.manifest ?? JSON.stringify(manifest) });
  return tarOf(entries);
}

export interface OciImage {
  config: BlobFile;
  /** Gzipped layer blobs. */
  layers: BlobFile[];
  /** Index annotations naming the image. */
  annotations?: Record<string, string>;
}

/** The files of an OCI image layout: path → bytes. */
export function ociLayoutFiles(images: OciImage[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>([['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')]]);
  const put = (b: BlobFile) => files.set(`blobs/sha256/${b.digest.slice(7)}`, b.bytes);
  const manifests = images.map((image) => {
    put(image.config);
    image.layers.forEach(put);
    const manifest = blob(JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: image.config.digest, size: image.config.bytes.length },
      layers: image.layers.map((l) => ({ mediaType: mediaTypes.ociLayerGzip, digest: l.digest, size: l.bytes.length })),
      annotations: { 'org.example.made': 'by hand' },
    }));
    put(manifest);
    return { mediaType: mediaTypes.ociManifest, digest: manifest.digest, size: manifest.bytes.length, annotations: image.annotations };
  });
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests })));
  return files;
}

export function ociLayoutTar(images: OciImage[]): Promise<Buffer> {
  return tarOf([...ociLayoutFiles(images)].map(([name, content]) => ({ name, content })));
}

export async function writeOciLayout(dir: string, images: OciImage[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [name, content] of ociLayoutFiles(images)) await writeFile(join(dir, name), content);
}

/** A gzipped layer blob and its diff ID. */
export function gzLayer(tar: Buffer): { layer: BlobFile; diffId: Digest } {
  return { layer: blob(gzipSync(tar)), diffId: digestOf(tar) };
}
