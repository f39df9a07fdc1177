import { parseImageConfig } from '../image/image-config.js';
import type { BlobSink } from '../image/blob-sink.js';
import { readImageArchive } from '../image/read-image-archive.js';
import type { ImageRecord, NameChange } from './image-records.js';
import type { LoadResult, ProgressEvent } from './image-store.js';
import { imageEvent } from './image-events.js';
import { putLeased } from './put-leased.js';
import { familiarOf } from './resolve-image.js';
import { asInvalidArchive, commitImages, prepareImage, withLease, type StoreContext } from './store-image.js';

export interface LoadContext extends StoreContext {
  /** Where files of an archive are spooled while it is read. */
  scratchDir: string;
}

/**
 * `docker load` of a `docker save` tarball (any Docker version's layout) or an OCI
 * layout tarball, plain or gzipped. The whole archive is read, checked and unpacked
 * under one lease before any image becomes visible, and all images of it are added in
 * one transaction: a hostile or inconsistent archive is `invalid-argument` and leaves no
 * image, blob or snapshot behind. A name that moves from another image leaves that image
 * untagged, with Docker's message; each image loaded is a `load` event. Yields Docker's
 * `stream` lines, then the result.
 */
export async function* loadImages(ctx: LoadContext, source: AsyncIterable<Uint8Array>): AsyncGenerator<ProgressEvent<LoadResult>> {
  const changes = await withLease(ctx, async (lease) => {
    const sink: BlobSink = { putBlob: (expected, data, info) => putLeased(ctx.layers, lease, data, expected, info.size) };
    const contents = await readImageArchive(source, sink, { scratchDir: ctx.scratchDir });
    const prepared: { record: ImageRecord; names: string[] }[] = [];
    for (const image of contents.images) {
      const parsed = parseImageConfig(await ctx.layers.content.readAll(image.config.digest));
      const incoming = { config: image.config, parsed, layers: image.layers, manifest: image.manifest };
      const record = await prepareImage(ctx.layers, incoming, lease).catch((err: unknown) => {
        throw asInvalidArchive(err);
      });
      prepared.push({ record, names: image.repoTags });
    }
    const named = await commitImages(ctx, prepared);
    let at = 0;
    return prepared.map((p) => ({ id: p.record.id, names: named.slice(at, (at += p.names.length)) }));
  });
  const loaded: string[] = [];
  for (const { id, names } of changes) {
    if (names.length === 0) {
      loaded.push(id);
      yield { message: { stream: `Loaded image ID: ${id}\n` } };
    }
    for (const change of names) {
      for (const stream of lines(change)) yield { message: { stream } };
      loaded.push(familiarOf(change.name));
    }
    ctx.publish(imageEvent('load', id, id, ctx.records.get(id)?.labels));
  }
  yield { result: { loaded } };
}

/** moby's `setLoadedTag` message when a name moves, then `Loaded image: …`. */
function lines(change: NameChange): string[] {
  const name = familiarOf(change.name);
  const moved = change.from === undefined ? [] : [`The image ${name} already exists, renaming the old one with ID ${change.from} to empty string\n`];
  return [...moved, `Loaded image: ${name}\n`];
}
