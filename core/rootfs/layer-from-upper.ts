import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { tarTree } from './tree-tar.js';

export interface UpperLayerSource {
  /** The container's overlay upper directory. */
  upperDir: string;
  /**
   * The image layers below it, top-most first (overlay's `lowerdir` order).
   * Not read today: the upper directory alone is the layer, as Docker's
   * overlay2 driver diffs it (no `redirect_dir` or `metacopy` upper dirs).
   */
  lowerDirs?: readonly string[];
}

export interface UpperLayer {
  /** The uncompressed layer tar. */
  stream: Readable;
  /**
   * `sha256:<hex>` of every byte the stream produced: the layer's diff ID.
   * Settles when the stream has been read to its end; rejects if it fails
   * or is destroyed first.
   */
  diffId: Promise<string>;
  /** Bytes produced, final once `diffId` settles. */
  size(): number;
}

/**
 * `docker commit`'s layer: the container's changes (its overlay upper
 * directory) as an OCI / Docker image layer. Overlay whiteouts (0/0
 * character devices) become `.wh.<name>` entries, opaque directories
 * (`trusted.overlay.opaque=y`) are followed by `<dir>/.wh..wh..opq`; overlay's
 * own xattrs are left out. Entries are sorted byte-wise per directory and
 * times are whole seconds, so the same upper directory gives the same bytes
 * (and diff ID) every time.
 */
export function layerFromUpper(source: UpperLayerSource): UpperLayer {
  const hash = createHash('sha256');
  let bytes = 0;
  let settle!: { resolve: (v: string) => void; reject: (e: unknown) => void };
  const diffId = new Promise<string>((resolve, reject) => { settle = { resolve, reject }; });
  diffId.catch(() => undefined); // a caller that only reads the stream is told by the stream
  async function* hashed(): AsyncGenerator<Buffer> {
    let finished = false;
    try {
      for await (const chunk of tarTree({ root: source.upperDir, path: source.upperDir, name: '' }, { whiteouts: 'overlay' })) {
        hash.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
      finished = true;
      settle.resolve(`sha256:${hash.digest('hex')}`);
    } catch (err) {
      settle.reject(err);
      throw err;
    } finally {
      if (!finished) settle.reject(new Error('layer stream closed before its end'));
    }
  }
  return { stream: Readable.from(hashed(), { objectMode: false }), diffId, size: () => bytes };
}

/** sha256 of a whole stream (for a diff ID of a tar made elsewhere). */
export async function diffIdOf(stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}
