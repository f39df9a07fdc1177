import { isKind } from '../../lib/errdefs/index.js';
import type { ContentInfo, ContentSource, ContentStore, ContentWriter, PutOptions } from './content-store.js';
import type { Digest } from './digest.js';

/**
 * `ContentStore.put` for any store: one fresh ingest, streamed and committed,
 * with `already-exists` turned into success. On any other failure the ingest
 * is aborted so a failed put leaves nothing behind.
 */
export async function putContent(
  store: ContentStore,
  ref: string,
  source: ContentSource,
  options: PutOptions,
): Promise<ContentInfo> {
  const { expected, size, labels } = options;
  let writer: ContentWriter;
  try {
    writer = await store.writer(ref, { expected, size });
  } catch (err) {
    if (expected !== undefined && isKind(err, 'already-exists')) return existing(store, expected, labels);
    throw err;
  }
  let digest: Digest | undefined;
  try {
    for await (const chunk of chunksOf(source)) await writer.write(chunk);
    digest = await writer.digest();
    await writer.commit(size, expected, { labels });
  } catch (err) {
    if (digest !== undefined && isKind(err, 'already-exists')) return store.info(digest);
    await writer.close().catch(() => undefined);
    await store.abort(ref).catch(() => undefined);
    throw err;
  }
  return store.info(digest);
}

async function existing(store: ContentStore, digest: string, labels?: Record<string, string>): Promise<ContentInfo> {
  if (labels && Object.keys(labels).length > 0) return store.updateLabels(digest, labels);
  return store.info(digest);
}

async function* chunksOf(source: ContentSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
