import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import tar from 'tar-stream';
import { errorOf } from '../../lib/errdefs/index.js';
import { digestOf, type Digest } from '../content/index.js';
import type { ArchiveSource, BlobInfo, BlobSink } from './blob-sink.js';
import { newImportConfig } from './image-config.js';
import type { Platform } from './oci.js';
import { readImageArchive } from './read-image-archive.js';
import { TarWriter } from './tar-writer.js';

/**
 * Helpers for the image package's tests: an in-memory sink and source, a
 * small busybox layer, temporary directories removed after each test.
 */

/** A `BlobSink` keeping blobs in memory, refusing a wrong `expected` as the content store does. */
export class MemorySink implements BlobSink {
  readonly blobs = new Map<Digest, Buffer>();
  readonly puts: BlobInfo[] = [];

  async putBlob(expected: Digest | undefined, data: Readable, info: BlobInfo): Promise<{ digest: Digest; size: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const digest = digestOf(bytes);
    if (expected !== undefined && digest !== expected) throw errorOf('failed-precondition', `unexpected digest ${digest}, expected ${expected}`);
    this.blobs.set(digest, bytes);
    this.puts.push(info);
    return { digest, size: bytes.length };
  }
}

/** An `ArchiveSource` over blobs in memory (configs by ID, layers by diff ID). */
export function memorySource(blobs: Map<Digest, Buffer>): ArchiveSource {
  const get = (digest: Digest) => {
    const blob = blobs.get(digest);
    if (!blob) throw errorOf('not-found', `blob ${digest}: not found`);
    return blob;
  };
  return {
    config: async (id) => get(id),
    layer: async (diffId) => ({ size: get(diffId).length, stream: (async function* () { yield get(diffId); })() }),
  };
}

/** Runs a writer into memory and returns what it wrote. */
export async function collect(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await write(out);
  out.end();
  return Buffer.concat(chunks);
}

/** Yields `buf` in chunks of `size`, to exercise readers at chunk boundaries. */
export async function* chunked(buf: Uint8Array, size = 65536): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
}

/** A layer tar of a busybox root: /bin/busybox and a few applet symlinks. */
export async function busyboxLayer(): Promise<Buffer> {
  const busybox = await readFile('/bin/busybox');
  return collect(async (out) => {
    const tar = new TarWriter(out);
    await tar.directory('bin');
    await tar.file('bin/busybox', busybox, { mode: 0o755 });
    for (const applet of ['sh', 'ls', 'echo', 'cat']) await tar.symlink(`bin/${applet}`, 'busybox');
    await tar.finish();
  });
}

/** A tiny layer holding one file, for tests that need several distinct layers. */
export async function textLayer(name: string, content: string): Promise<Buffer> {
  return collect(async (out) => {
    const tar = new TarWriter(out);
    await tar.file(name, Buffer.from(content));
    await tar.finish();
  });
}

/** A single-layer image in memory: the config and the layer by their digests. */
export function importedImage(layer: Buffer, changes: string[] = []): { id: Digest; diffId: Digest; blobs: Map<Digest, Buffer> } {
  const diffId = digestOf(layer);
  const { id, bytes } = newImportConfig({ diffId, created: '2026-01-02T03:04:05.123456789Z', changes });
  return { id, diffId, blobs: new Map([[id, bytes], [diffId, layer]]) };
}

/** A fresh directory under the system temp dir, removed when the test ends (pass or fail). */
export async function tempDir(t: TestContext, prefix = 'moby-image-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One entry of a hand-made tar: `content` makes a regular file; `type` and `linkname` make the rest. */
export interface FixtureEntry {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  linkname?: string;
}

/**
 * A tar built entry by entry with tar-stream (an independent writer), for
 * archives our own writer would never produce: hostile names, odd orders.
 */
export async function tarOf(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { content, type, ...rest } of entries) {
    const body = content === undefined ? undefined : Buffer.from(content);
    const header = { mode: 0o644, mtime: new Date(0), ...rest, type: type ?? (body ? 'file' : 'directory'), size: body?.length ?? 0 } as tar.Header;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A minimal valid image config over layers with these diff IDs. */
export function configFor(diffIds: Digest[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', ...extra, rootfs: { type: 'layers', diff_ids: diffIds } }));
}

/** Reads an archive held in memory into a `MemorySink`, checking that nothing is left in the scratch directory. */
export async function readInMemory(t: TestContext, archive: Buffer, opts: { platform?: Platform; chunk?: number } = {}) {
  const scratchDir = await tempDir(t);
  const sink = new MemorySink();
  try {
    const contents = await readImageArchive(chunked(archive, opts.chunk), sink, { scratchDir, platform: opts.platform });
    return { contents, sink };
  } finally {
    const left = await readdir(scratchDir);
    if (left.length > 0) throw new Error(`scratch directory not cleaned: ${left.join(', ')}`);
  }
}
