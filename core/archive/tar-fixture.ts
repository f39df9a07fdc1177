import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** One entry of a tar built for tests; `content` makes a regular file. */
export interface FixtureEntry extends Partial<Omit<tar.Header, 'name' | 'size'>> {
  name: string;
  content?: string | Buffer;
}

/**
 * Builds a tar in memory with tar-stream's packer, for tests: including the
 * hostile ones a careful writer would never produce.
 */
export async function tarOf(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { content, ...header } of entries) {
    const body = content === undefined ? undefined : Buffer.from(content);
    const full = { mode: 0o644, mtime: new Date(1_600_000_000_000), type: body ? 'file' as const : 'directory' as const, ...header, size: body?.length ?? 0 };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) pack.entry(full, body, done);
      else pack.entry(full, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export async function tgzOf(entries: FixtureEntry[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

/** Yields `buf` in chunks of `size`, to exercise boundaries in readers. */
export async function* chunked(buf: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
