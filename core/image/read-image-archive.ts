import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { errorOf } from '../../lib/errdefs/index.js';
import { readTar } from '../archive/index.js';
import { ArchiveCollector } from './archive-collector.js';
import type { ImageArchiveContents } from './archive-image.js';
import type { BlobSink } from './blob-sink.js';
import { DockerArchiveFormat } from './docker-archive.js';
import type { Platform } from './oci.js';
import { OciLayoutFormat } from './oci-layout.js';

export interface ReadImageArchiveOptions {
  /** A directory for files spooled while reading; a private subdirectory is made in it and removed. */
  scratchDir: string;
  /** The platform to take from a multi-platform OCI index (default linux/amd64). */
  platform?: Platform;
}

/**
 * Reads an image archive for `docker load`: a `docker save` tarball (the
 * pre-25 layout, or Docker 25+'s, which is also an OCI layout) or an OCI
 * image layout tarball; plain or gzip-compressed. The archive is read once,
 * as a stream. Each config and layer the images use (and, for OCI layouts,
 * each manifest) is handed to `sink`; files nothing uses are dropped.
 * `manifest.json` wins when both it and `index.json` are present, as in
 * Docker's own loader.
 *
 * A file's role is often only known at the end (Docker writes
 * `manifest.json` last), so files are held until then: small ones in memory,
 * others spooled under `scratchDir`. A layer whose role is known when it
 * arrives goes straight to the sink.
 *
 * Refused with `invalid-argument`: absolute or `..` paths, links that leave
 * the archive, duplicate entries, files the index names but the archive lacks,
 * blobs whose digest or size is not the one named, uncompressed layers whose
 * digest is not their diff ID, malformed JSON. On failure, blobs already in
 * the sink stay there (the caller's lease or garbage collection removes
 * them).
 */
export async function readImageArchive(source: AsyncIterable<Uint8Array>, sink: BlobSink, opts: ReadImageArchiveOptions): Promise<ImageArchiveContents> {
  const spoolDir = await mkdtemp(join(opts.scratchDir, 'image-archive-'));
  try {
    const files = new ArchiveCollector(sink, spoolDir);
    const docker = new DockerArchiveFormat(files);
    const oci = new OciLayoutFormat(files, opts.platform);
    files.onMetadata = (path, data) => {
      docker.onMetadata(path, data);
      oci.onMetadata(path, data);
    };
    files.onDocument = (path, want, data) => oci.onDocument(path, want, data);
    const input = await decompressed(source);
    try {
      for await (const entry of readTar(input)) await files.add(entry);
    } finally {
      await input.return(undefined); // releases the source (a file's descriptor) when reading stopped early
    }
    if (files.metadata.has('manifest.json')) return { format: 'docker', images: await docker.resolve() };
    if (files.metadata.has('index.json') || files.metadata.has('oci-layout')) return { format: 'oci', images: await oci.resolve(files.metadata) };
    if (files.metadata.has('repositories')) {
      throw errorOf('invalid-argument', 'image archive has no manifest.json: archives from Docker before 1.10 are not supported');
    }
    throw errorOf('invalid-argument', 'not an image archive: it has neither manifest.json (docker save) nor index.json (OCI layout)');
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/** The source itself, or gunzipped when it starts with gzip's magic bytes. */
async function decompressed(source: AsyncIterable<Uint8Array>): Promise<AsyncGenerator<Uint8Array>> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(); // releases the source when reading stops early
    }
  }
  const first = Buffer.concat(head);
  if (first[0] !== 0x1f || first[1] !== 0x8b) return replay();
  const gunzip = createGunzip();
  const input = Readable.from(replay());
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  return gunzipped(gunzip, input);
}

async function* gunzipped(gunzip: Gunzip, input: Readable): AsyncGenerator<Uint8Array> {
  try {
    yield* gunzip;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw errorOf('invalid-argument', `image archive: gzip: ${(err as Error).message}`, err);
    throw err;
  } finally {
    gunzip.destroy();
    if (!input.closed) {
      const closed = new Promise((resolve) => input.once('close', resolve));
      input.destroy();
      await closed; // the source's own cleanup has run once the stream closes
    }
  }
}
