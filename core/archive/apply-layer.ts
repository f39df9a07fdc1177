import { createHash, type Hash } from 'node:crypto';
import { errorOf, wrap } from '../../lib/errdefs/index.js';
import { detectCompression, gunzip, MAGIC_BYTES, type Compression } from './decompress.js';
import { LayerWriter } from './layer-writer.js';
import { readTar, type TarSummary } from './tar-reader.js';

export interface ApplyLayerOptions {
  /** `auto` (the default) looks at the magic bytes. */
  compression?: 'auto' | Compression;
  /**
   * Whether to hash the bytes as given (`digest` in the result); default true. A caller
   * reading a blob its content store verified as it was committed can skip this pass.
   */
  digest?: boolean;
}

export interface AppliedLayer {
  /** sha256 of the uncompressed tar: the layer's diff ID. */
  diffId: string;
  /** sha256 of the bytes as given: the blob digest in a manifest (absent with `digest: false`). */
  digest?: string;
  /** Bytes as given. */
  size: number;
  uncompressedSize: number;
  compression: Compression;
  /** What was skipped without failing (xattrs the kernel refused with EPERM). */
  warnings: string[];
}

/**
 * Applies an OCI / Docker layer tar (plain or gzip) to `dir`, an overlay
 * upper directory, converting whiteouts to overlayfs form. Keeps owners,
 * modes (setuid/setgid/sticky too), times with nanoseconds, symlinks, hard
 * links, devices, FIFOs and xattrs.
 *
 * Nothing is ever written outside `dir`: entries with `..` components, paths
 * or hard-link targets through a symlink, and hard links to missing files are
 * refused with `invalid-argument` naming the entry (a leading `/` is dropped,
 * as Docker does). On any error `dir` may hold part of the layer: the caller
 * discards it (for a snapshot, removes it). A truncated or corrupt stream is an
 * error, never a partial success.
 */
export async function applyLayer(dir: string, stream: AsyncIterable<Uint8Array>, opts: ApplyLayerOptions = {}): Promise<AppliedLayer> {
  const compressed = { hash: opts.digest === false ? undefined : createHash('sha256'), bytes: 0 };
  const plain = { hash: createHash('sha256'), bytes: 0 };
  const iterator = stream[Symbol.asyncIterator]();
  let head: Uint8Array[];
  let compression: Compression;
  try {
    head = await peek(iterator, MAGIC_BYTES);
    compression = opts.compression === undefined || opts.compression === 'auto'
      ? detectCompression(Buffer.concat(head))
      : opts.compression;
  } catch (err) {
    await iterator.return?.(); // releases the source (a file stream's descriptor)
    throw wrap(err, `apply layer to ${dir}`);
  }
  const raw = tap(replay(head, iterator), compressed);
  const tarStream = tap(compression === 'gzip' ? gunzip(raw) : raw, plain);
  const writer = new LayerWriter(dir);
  const summary: TarSummary = { bytes: 0 };
  try {
    for await (const entry of readTar(tarStream, summary)) await writer.write(entry);
    writer.finish();
  } catch (err) {
    throw wrap(err, `apply layer to ${dir}`);
  }
  if (plain.bytes !== summary.bytes) throw errorOf('internal', `apply layer to ${dir}: read ${summary.bytes} of ${plain.bytes} bytes`);
  return {
    diffId: `sha256:${plain.hash.digest('hex')}`,
    ...(compressed.hash ? { digest: `sha256:${compressed.hash.digest('hex')}` } : {}),
    size: compressed.bytes,
    uncompressedSize: plain.bytes,
    compression,
    warnings: writer.warnings,
  };
}

async function peek(iterator: AsyncIterator<Uint8Array>, n: number): Promise<Uint8Array[]> {
  const head: Uint8Array[] = [];
  let have = 0;
  while (have < n) {
    const r = await iterator.next();
    if (r.done) break;
    head.push(r.value);
    have += r.value.length;
  }
  return head;
}

async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* head;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}

async function* tap<T extends Uint8Array>(source: AsyncIterable<T>, into: { hash?: Hash; bytes: number }): AsyncGenerator<T> {
  for await (const chunk of source) {
    into.hash?.update(chunk);
    into.bytes += chunk.length;
    yield chunk;
  }
}
