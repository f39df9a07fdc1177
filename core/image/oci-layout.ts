import { errorOf, wrap } from '../../lib/errdefs/index.js';
import type { ArchiveCollector, Want } from './archive-collector.js';
import { checkDiffId, type ArchiveImage, type ArchiveLayer } from './archive-image.js';
import { blobPath } from './archive-path.js';
import type { BlobKind } from './blob-sink.js';
import { parseImageConfig } from './image-config.js';
import { objectAt, parseJson } from './json-fields.js';
import { annotations, isConfigType, isIndexType, isManifestType, layerMediaType, type Descriptor } from './oci.js';
import { parseIndex, parseManifest } from './parse-manifest.js';
import { defaultPlatform, selectManifest } from './platform.js';
import type { Platform } from './oci.js';
import { parseNormalizedNamed, referenceString, withDefaultTag } from './reference.js';

/**
 * An OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`), as
 * skopeo, umoci, BuildKit and Docker 25+ write it. Every blob an image uses
 * must be present and hash to its name and descriptor; sizes must match.
 * A nested index (multi-platform image) contributes the manifest for the
 * chosen platform only. Entries that are not images (artifacts) are skipped.
 */
export class OciLayoutFormat {
  constructor(
    private readonly files: ArchiveCollector,
    private readonly platform: Platform = defaultPlatform,
  ) {}

  /** Learns blob roles early from `index.json`; malformed input is reported by `resolve`, not here. */
  onMetadata(path: string, data: Buffer): void {
    if (path !== 'index.json') return;
    this.quietly(() => parseIndex(data).manifests.forEach((d) => this.wantDescriptor(d)));
  }

  /** Learns the children of a manifest or index as its bytes arrive. */
  onDocument(_path: string, want: Want, data: Buffer): void {
    this.quietly(() => {
      if (want.kind === 'manifest') {
        const manifest = parseManifest(data, want.mediaType);
        this.wantDescriptor(manifest.config, 'config');
        manifest.layers.forEach((d) => this.wantDescriptor(d, 'layer'));
      } else if (want.kind === 'index') {
        this.wantDescriptor(selectManifest(parseIndex(data, want.mediaType), this.platform));
      }
    });
  }

  async resolve(metadata: Map<string, Buffer>): Promise<ArchiveImage[]> {
    checkLayoutFile(metadata.get('oci-layout'));
    const indexBytes = metadata.get('index.json');
    if (!indexBytes) throw errorOf('invalid-argument', 'OCI layout has no index.json');
    const index = parseIndex(indexBytes);
    const byManifest = new Map<string, ArchiveImage>();
    for (const entry of index.manifests) {
      let manifest = entry;
      if (isIndexType(entry.mediaType)) manifest = selectManifest(parseIndex(await this.document(entry, 'index', false), entry.mediaType), this.platform);
      if (!isManifestType(manifest.mediaType)) continue;
      let image = byManifest.get(manifest.digest);
      if (!image) {
        const found = await this.image(manifest);
        if (!found) continue;
        byManifest.set(manifest.digest, (image = found));
      }
      addNames(image, entry.annotations ?? {});
    }
    return [...byManifest.values()];
  }

  private async image(desc: Descriptor): Promise<ArchiveImage | undefined> {
    const manifest = parseManifest(await this.document(desc, 'manifest', true), desc.mediaType);
    if (!isConfigType(manifest.config.mediaType)) return undefined;
    const config = parseImageConfig(await this.document(manifest.config, 'config', true));
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw errorOf('invalid-argument', `image manifest ${desc.digest} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff IDs`);
    }
    const layers: ArchiveLayer[] = [];
    for (const [i, d] of manifest.layers.entries()) {
      const type = layerMediaType(d.mediaType);
      if (!type) throw errorOf('invalid-argument', `image manifest ${desc.digest}: layer ${d.digest} has unsupported media type ${JSON.stringify(d.mediaType)}`);
      const file = this.blob(d);
      await this.files.store(file, { kind: 'layer', expected: d.digest, mediaType: d.mediaType });
      const layer = { digest: d.digest, size: d.size, mediaType: d.mediaType, diffId: diffIds[i]! };
      checkDiffId(layer, type.compression, file.path);
      layers.push(layer);
    }
    // Annotations name the image per index entry; the names are returned apart.
    const { annotations: _, ...plain } = desc;
    return { config: manifest.config, layers, repoTags: [], manifest: plain, refNames: [] };
  }

  /** A document blob's bytes, checked against its descriptor and (if `store`) handed to the sink. */
  private async document(desc: Descriptor, kind: BlobKind, store: boolean): Promise<Buffer> {
    const file = this.blob(desc);
    const want = { kind, expected: desc.digest, mediaType: desc.mediaType };
    this.files.verify(file, want);
    const bytes = await this.files.bytes(file);
    if (store) await this.files.store(file, want);
    return bytes;
  }

  private blob(desc: Descriptor) {
    const path = blobPath(desc.digest);
    const file = this.files.lookup(path);
    if (!file) throw errorOf('invalid-argument', `OCI layout is missing the blob ${path} (${desc.mediaType})`);
    if (file.size !== desc.size) {
      throw errorOf('invalid-argument', `OCI layout blob ${path} is ${file.size} bytes, but its descriptor says ${desc.size}`);
    }
    return file;
  }

  private wantDescriptor(d: Descriptor, kind?: BlobKind): void {
    const k = kind ?? (isIndexType(d.mediaType) ? 'index' : isManifestType(d.mediaType) ? 'manifest' : undefined);
    if (k) this.files.want(blobPath(d.digest), { kind: k, expected: d.digest, mediaType: d.mediaType });
  }

  private quietly(fn: () => void): void {
    try {
      fn();
    } catch {
      // Only a hint for streaming: `resolve` parses again and reports the error.
    }
  }
}

function checkLayoutFile(data: Buffer | undefined): void {
  if (!data) throw errorOf('invalid-argument', 'OCI layout has no oci-layout file');
  const version = objectAt(parseJson(data, 'oci-layout'), 'oci-layout', '').imageLayoutVersion;
  if (version !== '1.0.0') throw errorOf('invalid-argument', `unsupported OCI layout version ${JSON.stringify(version ?? null)}`);
}

/** Names from an index entry's annotations: full references become tags; bare ref names are kept apart. */
function addNames(image: ArchiveImage, notes: Record<string, string>): void {
  const add = (list: string[], value: string) => { if (!list.includes(value)) list.push(value); };
  const full = notes[annotations.imageName];
  const refName = notes[annotations.refName];
  try {
    if (full !== undefined) add(image.repoTags, tagged(full));
    else if (refName !== undefined && /[/:]/.test(refName)) add(image.repoTags, tagged(refName));
  } catch (err) {
    throw wrap(err, `OCI layout image name ${JSON.stringify(full ?? refName)}`);
  }
  if (refName !== undefined && full === undefined && !/[/:]/.test(refName)) add(image.refNames, refName);
}

function tagged(name: string): string {
  const ref = withDefaultTag(parseNormalizedNamed(name));
  if (ref.tag === undefined) throw errorOf('invalid-argument', 'a digest reference cannot name a loaded image');
  return referenceString({ domain: ref.domain, path: ref.path, tag: ref.tag });
}
