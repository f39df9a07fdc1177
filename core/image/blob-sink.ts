import type { Readable } from 'node:stream';
import type { Digest } from '../content/index.js';

/** What an archive blob is to the image it belongs to. */
export type BlobKind = 'config' | 'layer' | 'manifest' | 'index';

export interface BlobInfo {
  kind: BlobKind;
  /** Size in bytes, as the archive entry says. */
  size: number;
  /** The media type, where the archive states one (OCI layouts). */
  mediaType?: string;
  /** The file's path inside the archive, for messages. */
  path: string;
}

/**
 * Where an archive reader puts the blobs it accepts: in the engine, the
 * content store (`(expected, data) => store.put(data, { expected })`).
 *
 * `putBlob` must store `data` whole and answer the digest and size of what it
 * stored. When `expected` is given it must refuse content with another
 * digest; it may then skip reading `data` if it already holds that blob.
 */
export interface BlobSink {
  putBlob(expected: Digest | undefined, data: Readable, info: BlobInfo): Promise<{ digest: Digest; size: number }>;
}

/**
 * Where an archive writer reads images from. Configs are wanted as their
 * exact bytes; layers as the uncompressed tar whose sha256 is the diff ID,
 * with its exact size (a tar header states the size before the data).
 */
export interface ArchiveSource {
  config(id: Digest): Promise<Uint8Array>;
  layer(diffId: Digest): Promise<{ size: number; stream: AsyncIterable<Uint8Array> }>;
}
