import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isKind } from '../../lib/errdefs/index.js';
import type { ContentWriter, Digest } from '../content/index.js';
import type { LayerStore } from '../layers/layer-store.js';
import { ingestPrefix } from './lease-book.js';

/** Writes in flight at once through a (possibly remote) content writer. */
const window = 8;

/**
 * Stores a blob under `lease`, which records it before it becomes visible, so a garbage
 * collection running meanwhile cannot take it. With `expected` the lease is taken first
 * and a blob already there is not read again; without, the digest is recorded in the
 * lease once written, before the commit. The ingest is named `image-store-…` (a restart
 * aborts those a crash left); a failed write leaves none.
 */
export async function putLeased(
  layers: LayerStore, lease: string, source: Uint8Array | AsyncIterable<Uint8Array> | Readable, expected?: Digest, size?: number,
): Promise<{ digest: Digest; size: number }> {
  if (expected !== undefined) await layers.addToLease(lease, { kind: 'content', id: expected });
  const ref = `${ingestPrefix}${randomUUID()}`;
  let writer: ContentWriter;
  try {
    writer = await layers.content.writer(ref, { expected, size });
  } catch (err) {
    if (expected === undefined || !isKind(err, 'already-exists')) throw err;
    return { digest: expected, size: (await layers.content.info(expected)).size };
  }
  try {
    const written = await writeAll(writer, source instanceof Uint8Array ? [source] : (source as AsyncIterable<Uint8Array>));
    const digest = await writer.digest();
    if (expected === undefined) await layers.addToLease(lease, { kind: 'content', id: digest });
    await writer.commit(size, expected).catch((err: unknown) => {
      if (!isKind(err, 'already-exists')) throw err;
    });
    return { digest, size: written };
  } catch (err) {
    await writer.close().catch(() => undefined);
    await layers.content.abort(ref).catch(() => undefined);
    throw err;
  }
}

async function writeAll(writer: ContentWriter, source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number> {
  let written = 0;
  const inFlight: Promise<void>[] = [];
  for await (const chunk of source) {
    const pending = writer.write(chunk);
    pending.catch(() => undefined); // observed below
    inFlight.push(pending);
    written += chunk.length;
    if (inFlight.length >= window) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return written;
}
