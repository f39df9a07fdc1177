import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import type { Descriptor, LayerCompression } from './oci.js';

/** A layer of an image read from an archive, as handed to the sink. */
export interface ArchiveLayer {
  /** The blob's digest as stored (compressed or not). */
  digest: Digest;
  size: number;
  mediaType: string;
  /** From the config's `rootfs.diff_ids`: the sha256 of the uncompressed tar. */
  diffId: Digest;
}

/** One image found in an archive; every blob it names is already in the sink. */
export interface ArchiveImage {
  /** The config blob; its digest is the image ID. */
  config: Descriptor;
  layers: ArchiveLayer[];
  /**
   * Tagged names to give the image, normalised (`docker.io/library/busybox:tagged`):
   * `RepoTags` of a docker-save archive, `io.containerd.image.name` (or a full
   * `org.opencontainers.image.ref.name`) of an OCI layout.
   */
  repoTags: string[];
  /** OCI layouts: the image manifest as stored in the archive (and in the sink). */
  manifest?: Descriptor;
  /**
   * OCI layouts: `org.opencontainers.image.ref.name` values that are bare tags
   * (`latest`), which name no repository; a caller may combine them with one.
   */
  refNames: string[];
  /**
   * docker-save archives: the image this one was built on, when the archive
   * holds it too (moby's `validatedParentLinks`); the store may record it so
   * history names the parent.
   */
  parent?: Digest;
}

export interface ImageArchiveContents {
  /** `docker`: read through `manifest.json`; `oci`: through `index.json`. */
  format: 'docker' | 'oci';
  images: ArchiveImage[];
}

/**
 * The compression a blob starts with. Docker also reads xz and bzip2 layers
 * from old archives; those have no media type and are refused as
 * `not-implemented` naming the file.
 */
export function compressionOf(head: Buffer, path: string): LayerCompression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) throw unsupported(path, 'xz');
  if (head.subarray(0, 3).equals(Buffer.from('BZh'))) throw unsupported(path, 'bzip2');
  return 'none';
}

function unsupported(path: string, kind: string) {
  return errorOf('not-implemented', `layer ${JSON.stringify(path)} is ${kind}-compressed, which is not supported`);
}

/** An uncompressed layer's digest is its diff ID; anything else is a corrupt or hostile archive. */
export function checkDiffId(layer: { digest: Digest; diffId: Digest }, compression: LayerCompression, path: string): void {
  if (compression === 'none' && layer.digest !== layer.diffId) {
    throw errorOf('invalid-argument', `layer ${JSON.stringify(path)} has digest ${layer.digest}, which is not its diff ID ${layer.diffId} from the image config`);
  }
}
