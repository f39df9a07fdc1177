import type { Writable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';
import { digestOf, type Digest } from '../content/index.js';
import { blobPath } from './archive-path.js';
import type { ArchiveSource } from './blob-sink.js';
import { goJson, goJsonLine, sortedKeys } from './go-json.js';
import { HashTap } from './hash-tap.js';
import { parseImageConfig, type ImageConfig } from './image-config.js';
import { legacyLayers, type LegacyLayer } from './legacy-v1.js';
import { annotations, mediaTypes, type Descriptor } from './oci.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, withDefaultTag, type Reference } from './reference.js';
import { TarWriter } from './tar-writer.js';

export interface ImageToSave {
  /** The image ID: the sha256 of its config. */
  id: Digest;
  /**
   * Names to record (`busybox:tagged`, `docker.io/library/busybox:tagged`).
   * A name without a tag gets `latest`; names with a digest are left out, as
   * `docker save` leaves them out.
   */
  repoTags?: string[];
  /** The image this one was built on (a locally built image's parent), written when it is saved too. */
  parent?: Digest;
}

interface Prepared {
  id: Digest;
  parent?: Digest;
  bytes: Uint8Array;
  config: ImageConfig;
  tags: Reference[];
  legacy: LegacyLayer[];
}

const OCI_LAYOUT = '{"imageLayoutVersion": "1.0.0"}';

/**
 * Writes a `docker save` archive that is also an OCI image layout, as Docker
 * 25+ does: `manifest.json` (pointing at `blobs/sha256/…`), `repositories`,
 * the blobs (configs, uncompressed layers whose digest is their diff ID, OCI
 * manifests), `index.json` naming each tag with `io.containerd.image.name`
 * and `org.opencontainers.image.ref.name`, and `oci-layout`. Like Docker
 * before 25 it also writes the legacy `<config-hex>.json` and
 * `<v1-id>/{VERSION,json,layer.tar}` (layer.tar a symlink to the blob) for
 * pre-1.10 tools.
 *
 * The output is a function of the images alone (sorted by ID, fixed times
 * and owners), so saving the same images twice gives the same bytes. Metadata
 * comes first, so a streaming reader knows every file's role as it arrives.
 * Configs are loaded and checked before anything is written: a missing or
 * corrupt one fails cleanly. A layer that does not match its size or diff ID
 * is `data-loss` mid-stream, and the partial output must be discarded.
 */
export async function writeImageArchive(images: ImageToSave[], source: ArchiveSource, out: Writable): Promise<void> {
  const prepared = await prepare(images, source);
  const tar = new TarWriter(out);
  const ids = new Set(prepared.map((p) => p.id));
  await tar.file('manifest.json', Buffer.from(goJsonLine(prepared.map((p) => manifestItem(p, ids)))));
  const repositories = repositoriesOf(prepared);
  if (Object.keys(repositories).length > 0) await tar.file('repositories', Buffer.from(goJsonLine(repositories)));
  await tar.directory('blobs');
  await tar.directory('blobs/sha256');
  for (const image of prepared) await tar.file(blobPath(image.id), image.bytes);
  for (const image of prepared) await tar.file(`${hex(image.id)}.json`, image.bytes);
  const sizes = await writeLayers(tar, prepared, source);
  await writeOciIndex(tar, prepared, sizes);
  await tar.finish();
}

/** Each layer once as a blob, each v1 directory once beside it; returns the layers' sizes. */
async function writeLayers(tar: TarWriter, prepared: Prepared[], source: ArchiveSource): Promise<Map<Digest, number>> {
  const sizes = new Map<Digest, number>();
  const legacyWritten = new Set<string>();
  for (const image of prepared) {
    for (const layer of image.legacy) {
      if (!sizes.has(layer.diffId)) sizes.set(layer.diffId, await writeLayer(tar, source, layer.diffId));
      if (legacyWritten.has(layer.id)) continue;
      legacyWritten.add(layer.id);
      await tar.directory(layer.id);
      await tar.file(`${layer.id}/VERSION`, Buffer.from('1.0'));
      await tar.file(`${layer.id}/json`, layer.json);
      await tar.symlink(`${layer.id}/layer.tar`, `../${blobPath(layer.diffId)}`);
    }
  }
  return sizes;
}

/** The OCI side: a manifest blob per image, `index.json` naming each tag, `oci-layout`. */
async function writeOciIndex(tar: TarWriter, prepared: Prepared[], sizes: Map<Digest, number>): Promise<void> {
  const index: Record<string, unknown>[] = [];
  const manifestsWritten = new Set<string>();
  for (const image of prepared) {
    const bytes = Buffer.from(goJson(ociManifest(image, sizes)));
    const desc: Descriptor = { mediaType: mediaTypes.ociManifest, digest: digestOf(bytes), size: bytes.length };
    if (!manifestsWritten.has(desc.digest)) await tar.file(blobPath(desc.digest), bytes);
    manifestsWritten.add(desc.digest);
    index.push(...indexEntries(image, desc));
  }
  await tar.file('index.json', Buffer.from(goJson({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: index })));
  await tar.file('oci-layout', Buffer.from(OCI_LAYOUT));
}

async function prepare(images: ImageToSave[], source: ArchiveSource): Promise<Prepared[]> {
  const byId = new Map<Digest, string[]>();
  const parents = new Map<Digest, Digest>();
  for (const image of images) {
    const tags = byId.get(image.id) ?? [];
    for (const tag of image.repoTags ?? []) if (!tags.includes(tag)) tags.push(tag);
    byId.set(image.id, tags);
    if (image.parent !== undefined && image.parent !== image.id) parents.set(image.id, image.parent);
  }
  const out: Prepared[] = [];
  for (const id of [...byId.keys()].sort()) {
    const bytes = await source.config(id);
    if (digestOf(bytes) !== id) throw errorOf('data-loss', `image ${id}: the config read back has digest ${digestOf(bytes)}`);
    const config = parseImageConfig(bytes);
    if (config.rootfs.diff_ids.length === 0) throw errorOf('not-implemented', `image ${id}: empty export - not implemented`);
    const tags: Reference[] = [];
    for (const name of byId.get(id)!) {
      const ref = withDefaultTag(parseNormalizedNamed(name));
      if (ref.digest === undefined && !tags.some((t) => referenceString(t) === referenceString(ref))) tags.push(ref);
    }
    out.push({ id, parent: parents.get(id), bytes, config, tags, legacy: legacyLayers(config) });
  }
  return out;
}

async function writeLayer(tar: TarWriter, source: ArchiveSource, diffId: Digest): Promise<number> {
  const { size, stream } = await source.layer(diffId);
  const tap = new HashTap();
  await tar.fileFrom(blobPath(diffId), size, tap.wrap(stream));
  if (tap.digest() !== diffId) throw errorOf('data-loss', `layer ${diffId}: the source gave a tar with digest ${tap.digest()}`);
  return size;
}

/** A `manifest.json` entry; `Parent` only names an image saved alongside, as Docker writes it. */
function manifestItem(image: Prepared, saved: Set<Digest>): Record<string, unknown> {
  const item: Record<string, unknown> = {
    Config: blobPath(image.id),
    RepoTags: image.tags.length > 0 ? image.tags.map(familiarString) : null,
    Layers: image.config.rootfs.diff_ids.map(blobPath),
  };
  if (image.parent !== undefined && saved.has(image.parent)) item.Parent = image.parent;
  return item;
}

/** `{"busybox": {"tagged": "<top v1 id>"}}`: the pre-1.10 tag file. */
function repositoriesOf(images: Prepared[]): Record<string, Record<string, string>> {
  const repos: Record<string, Record<string, string>> = {};
  for (const image of images) {
    for (const tag of image.tags) (repos[familiarName(tag)] ??= {})[tag.tag!] = image.legacy[image.legacy.length - 1]!.id;
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [name, tags] of Object.entries(sortedKeys(repos))) out[name] = sortedKeys(tags);
  return out;
}

function ociManifest(image: Prepared, sizes: Map<Digest, number>): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: image.id, size: image.bytes.length },
    layers: image.config.rootfs.diff_ids.map((d) => ({ mediaType: mediaTypes.ociLayer, digest: d, size: sizes.get(d)! })),
  };
}

function indexEntries(image: Prepared, desc: Descriptor): Record<string, unknown>[] {
  const platform: Record<string, string> = { architecture: image.config.architecture ?? '', os: image.config.os ?? '' };
  if (image.config.variant) platform.variant = image.config.variant;
  const entry = (notes?: Record<string, string>) => ({ ...desc, ...(notes ? { annotations: notes } : {}), platform });
  if (image.tags.length === 0) return [entry()];
  return image.tags.map((tag) => entry({ [annotations.imageName]: referenceString(tag), [annotations.refName]: tag.tag! }));
}

function hex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}
