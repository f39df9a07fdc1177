import { PassThrough } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import { imageIdPrefix, matchIdPrefix } from '../image/image-id.js';
import { familiarName, parseAnyReference, referenceName, referenceString, type Reference } from '../image/reference.js';
import { writeImageArchive } from '../image/write-image-archive.js';
import { layerStoreSource } from './archive-source.js';
import { imageEvent } from './image-events.js';
import type { ImageRecord, ImageRecords } from './image-records.js';
import { isTagged, noSuchImage, repositoryOf } from './resolve-image.js';
import type { StoreContext } from './store-image.js';

/** An image to save and the tags it carries in the archive. */
interface SaveItem {
  record: ImageRecord;
  tags: string[];
}

/**
 * `docker save`, written by `writeImageArchive`: a `docker save` tarball (`manifest.json`
 * first, then blobs, with Docker's pre-1.10 directories) that is also an OCI image layout
 * with uncompressed layers, as Docker 25+ writes it. The output depends on the images
 * alone, so loading it and saving again gives the same bytes. Names are checked, and the
 * chosen images' blobs leased, before the first byte is produced; the lease keeps them
 * for the whole save whatever removals and collections run meanwhile. Each image saved is
 * a `save` event once the archive is complete.
 */
export async function* saveImages(ctx: StoreContext, refs: string[]): AsyncGenerator<Buffer> {
  const { layers } = ctx;
  const lease = await ctx.leases.create();
  try {
    // Under the commit lock the chosen images still hold their blobs.
    const items = await ctx.commits.exclusive(async () => {
      const chosen = selectImages(ctx.records, refs);
      for (const { record } of chosen) {
        for (const blob of [record.config, ...record.layers]) await layers.addToLease(lease, { kind: 'content', id: blob.digest });
      }
      return chosen;
    });
    const images = items.map(({ record, tags }) => ({ id: record.id, repoTags: tags }));
    const source = layerStoreSource(layers, items.map((i) => i.record));
    yield* streamOf((out) => writeImageArchive(images, source, out));
    for (const { record } of items) ctx.publish(imageEvent('save', record.id, record.id, record.labels));
  } finally {
    await ctx.leases.release(lease).catch(() => undefined);
  }
}

/** What `write` writes to a stream, as chunks; its failure fails the iteration, and leaving early stops it. */
async function* streamOf(write: (out: PassThrough) => Promise<void>): AsyncGenerator<Buffer> {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const writing = write(out).then(
    () => void out.end(),
    (err: unknown) => void out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  try {
    for await (const chunk of out) yield chunk as Buffer;
  } finally {
    out.destroy();
    await writing;
  }
}

/**
 * The images `names` ask for, in order, with the tags each carries, as moby's exporter
 * reads them: a tag names itself; a repository alone, all its tags; an ID, digest or ID
 * prefix, the image with no tag. Digest names never become tags.
 */
function selectImages(records: ImageRecords, names: string[]): SaveItem[] {
  if (names.length === 0) throw errorOf('invalid-argument', 'no image names given');
  const chosen = new Map<Digest, string[]>();
  const add = (id: Digest, tag?: string) => {
    const tags = chosen.get(id) ?? [];
    if (tag !== undefined && !tags.includes(tag)) tags.push(tag);
    chosen.set(id, tags);
  };
  for (const s of names) {
    const any = parseAnyReference(s);
    if (any.kind === 'digest') add(byId(records, any.digest as Digest));
    else if (familiarName(any.ref) === 'sha256') add(byPrefix(records, s));
    else if (any.ref.tag === undefined && any.ref.digest === undefined) addRepository(records, any.ref, s, add);
    else {
      const name = referenceString(any.ref);
      const id = records.idOfName(name);
      if (id === undefined) throw errorOf('not-found', 'reference does not exist');
      add(id, isTagged(name) ? name : undefined);
    }
  }
  return [...chosen].map(([id, tags]) => ({ record: records.get(id)!, tags }));
}

function addRepository(records: ImageRecords, ref: Reference, s: string, add: (id: Digest, tag?: string) => void): void {
  const repo = referenceName(ref);
  const named = [...records.names()].filter(([name]) => repositoryOf(name) === repo);
  if (named.length === 0) add(byPrefix(records, s));
  for (const [name, id] of named) add(id, isTagged(name) ? name : undefined);
}

function byId(records: ImageRecords, id: Digest): Digest {
  if (!records.get(id)) throw noSuchImage(id);
  return id;
}

function byPrefix(records: ImageRecords, s: string): Digest {
  const prefix = imageIdPrefix(s);
  const found = prefix === undefined ? [] : matchIdPrefix(prefix, records.all().map((r) => r.id));
  if (found.length !== 1) throw noSuchImage(s);
  return found[0]!;
}
