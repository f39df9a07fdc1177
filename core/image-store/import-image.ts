import { gunzip } from '../archive/decompress.js';
import { detectCompression } from '../archive/index.js';
import { goTime } from '../image/go-json.js';
import { newImportConfig } from '../image/image-config.js';
import { mediaTypes, type Platform } from '../image/oci.js';
import { parsePlatform } from '../image/platform.js';
import { referenceString, repoTagReference } from '../image/reference.js';
import type { ImportOptions, ImportResult, ProgressEvent } from './image-store.js';
import { imageEvent } from './image-events.js';
import { putLeased } from './put-leased.js';
import { familiarOf } from './resolve-image.js';
import { commitImages, prepareImage, withLease, type StoreContext } from './store-image.js';

export interface ImportContext extends StoreContext {
  /** The platform an import is for when the caller names none. */
  platform: Platform;
  /** Written as the config's `docker_version`. */
  dockerVersion?: string;
}

/** Stands in for the layer's diff ID while the options are checked, before the body is read. */
const placeholderDiffId = `sha256:${'0'.repeat(64)}` as const;

/**
 * `docker import`, as moby's `ImportImage`: the options are checked before the body is
 * read; the rootfs tar (plain or gzip) is stored uncompressed as the one layer (its
 * digest is its diff ID), the config comes from `newImportConfig` with the changes, and
 * an OCI manifest is made for it. The name given moves from any image that
 * had it. Publishes `tag` (when named) and `import`, as moby does. Yields `{"status":"sha256:…"}`, then the result.
 */
export async function* importImage(
  ctx: ImportContext, source: AsyncIterable<Uint8Array>, opts: ImportOptions = {},
): AsyncGenerator<ProgressEvent<ImportResult>> {
  const name = opts.repo ? referenceString(repoTagReference(opts.repo, opts.tag)) : undefined;
  const base = {
    changes: opts.changes ?? [],
    platform: opts.platform ? parsePlatform(opts.platform) : ctx.platform,
    comment: opts.message,
    dockerVersion: ctx.dockerVersion,
  };
  newImportConfig({ ...base, diffId: placeholderDiffId, created: ctx.clock() });
  const id = await withLease(ctx, async (lease) => {
    const layer = await putLeased(ctx.layers, lease, await uncompressed(source));
    const created = newImportConfig({ ...base, diffId: layer.digest, created: ctx.clock() });
    await putLeased(ctx.layers, lease, created.bytes, created.id);
    const config = { mediaType: mediaTypes.dockerConfig, digest: created.id, size: created.bytes.length };
    const layers = [{ mediaType: mediaTypes.dockerLayer, digest: layer.digest, size: layer.size }];
    const record = await prepareImage(ctx.layers, { config, parsed: created.config, layers }, lease);
    await commitImages(ctx, [{ record, names: name === undefined ? [] : [name] }], goTime(ctx.clock()));
    return created.id;
  });
  const labels = ctx.records.get(id)?.labels;
  if (name !== undefined) ctx.publish(imageEvent('tag', id, familiarOf(name), labels));
  ctx.publish(imageEvent('import', id, id, labels));
  yield { message: { status: id } };
  yield { result: { id } };
}

/** The tar itself, gunzipped when it starts with gzip's magic; other compressions are refused. */
async function uncompressed(source: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < 6) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  const replay = async function* () {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(); // releases the source when reading stops early
    }
  };
  return detectCompression(Buffer.concat(head)) === 'gzip' ? gunzip(replay()) : replay();
}
