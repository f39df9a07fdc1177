import { errorOf, wrap } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import type { ArchiveCollector, ArchiveFile } from './archive-collector.js';
import { checkDiffId, compressionOf, type ArchiveImage, type ArchiveLayer } from './archive-image.js';
import { archivePath, digestInName } from './archive-path.js';
import { parseImageConfig } from './image-config.js';
import { arrayAt, objectAt, optionalString, parseJson, stringAt, stringArrayAt } from './json-fields.js';
import { dockerLayerType, mediaTypes } from './oci.js';
import { parseNormalizedNamed, referenceString } from './reference.js';

/** One entry of a docker-save `manifest.json`. */
export interface ManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
  Parent?: string;
}

/**
 * Parses `manifest.json` as `docker load` reads it. Paths it names are
 * normalised, and refused when absolute or with `..`.
 */
export function parseManifestJson(data: Uint8Array): ManifestItem[] {
  const doc = 'manifest.json';
  const root = parseJson(data, doc);
  if (root === null) throw errorOf('invalid-argument', 'invalid manifest, manifest cannot be null (but can be [])');
  return arrayAt(root, doc, '').map((value, i) => {
    const item = objectAt(value, doc, `[${i}]`);
    const path = (p: string, what: string) => archivePath(p, `${doc} ${what}`);
    const out: ManifestItem = {
      Config: path(stringAt(item.Config, doc, `[${i}].Config`), 'Config'),
      RepoTags: item.RepoTags === null || item.RepoTags === undefined ? [] : stringArrayAt(item.RepoTags, doc, `[${i}].RepoTags`),
      Layers: item.Layers === null || item.Layers === undefined ? [] : stringArrayAt(item.Layers, doc, `[${i}].Layers`).map((p) => path(p, 'layer')),
    };
    const parent = optionalString(item.Parent, doc, `[${i}].Parent`);
    if (parent) out.Parent = parent;
    return out;
  });
}

/**
 * The `docker save` layout: `manifest.json` lists each image's config file,
 * layer files (in `rootfs.diff_ids` order) and tags. Files may be anywhere
 * (`<id>.json` and `<id>/layer.tar` before Docker 25, `blobs/sha256/…`
 * since), and may be links to other files of the archive.
 */
export class DockerArchiveFormat {
  private items: ManifestItem[] | undefined;

  constructor(private readonly files: ArchiveCollector) {}

  /** Learns which files are configs and layers as soon as `manifest.json` arrives. */
  onMetadata(path: string, data: Buffer): void {
    if (path !== 'manifest.json') return;
    this.items = parseManifestJson(data);
    for (const item of this.items) {
      this.files.want(item.Config, { kind: 'config', expected: digestInName(item.Config, true), mediaType: mediaTypes.dockerConfig });
      for (const layer of item.Layers) this.files.want(layer, { kind: 'layer' });
    }
  }

  async resolve(): Promise<ArchiveImage[]> {
    const images: ArchiveImage[] = [];
    for (const item of this.items ?? []) images.push(await this.image(item));
    const ids = new Set<string>(images.map((image) => image.config.digest));
    for (const [i, item] of (this.items ?? []).entries()) {
      const parent = item.Parent;
      if (parent !== undefined && parent !== images[i]!.config.digest && ids.has(parent)) images[i]!.parent = parent as Digest;
    }
    return images;
  }

  private async image(item: ManifestItem): Promise<ArchiveImage> {
    const configFile = this.require(item.Config, 'config');
    const expected = digestInName(item.Config, true);
    if (expected !== undefined && configFile.digest !== expected) {
      throw errorOf('invalid-argument', `image config ${JSON.stringify(item.Config)} has digest ${configFile.digest}, which is not its name`);
    }
    let config;
    try {
      config = parseImageConfig(await this.files.bytes(configFile));
    } catch (err) {
      throw wrap(err, `archive file ${JSON.stringify(item.Config)}`);
    }
    const diffIds = config.rootfs.diff_ids;
    if (item.Layers.length !== diffIds.length) {
      throw errorOf('invalid-argument', `invalid manifest, layers length mismatch: expected ${item.Layers.length}, got ${diffIds.length}`);
    }
    await this.files.store(configFile, { kind: 'config', mediaType: mediaTypes.dockerConfig });
    const layers: ArchiveLayer[] = [];
    for (const [i, path] of item.Layers.entries()) {
      const file = this.require(path, 'layer');
      await this.files.store(file, { kind: 'layer' });
      const compression = compressionOf(file.head, path);
      const layer = { digest: file.digest, size: file.size, mediaType: dockerLayerType(compression), diffId: diffIds[i]! };
      checkDiffId(layer, compression, path);
      layers.push(layer);
    }
    return {
      config: { mediaType: mediaTypes.dockerConfig, digest: configFile.digest, size: configFile.size },
      layers,
      repoTags: item.RepoTags.map(tagOf),
      refNames: [],
    };
  }

  private require(path: string, what: string): ArchiveFile {
    const file = this.files.lookup(path);
    if (!file) throw errorOf('invalid-argument', `manifest.json names the ${what} ${JSON.stringify(path)}, which is not in the archive`);
    return file;
  }
}

/** A `RepoTags` entry as `docker load` accepts it: a name with a tag and no digest. */
function tagOf(repoTag: string): string {
  const ref = parseNormalizedNamed(repoTag);
  if (ref.tag === undefined || ref.digest !== undefined) throw errorOf('invalid-argument', `invalid tag ${JSON.stringify(repoTag)}`);
  return referenceString(ref);
}
