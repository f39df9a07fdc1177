import { Transform, type Readable } from 'node:stream';
import { isKind } from '../../lib/errdefs/index.js';
import type { ContentStore } from '../content/index.js';
import type { Descriptor } from '../image/oci.js';
import { recordSource, sourceRepos } from './image-labels.js';
import { ByteProgress, layerStatus, type ProgressSink } from './progress.js';
import type { RegistryClient } from './registry-client.js';

export interface PushBlobContext {
  client: RegistryClient;
  repo: string;
  content: ContentStore;
  /** Blobs up to this size go in one `PUT`; larger ones in `PATCH` chunks of `chunkSize`. */
  monolithicLimit: number;
  chunkSize: number;
}

/** Where progress for a layer goes; config and manifests are pushed silently. */
export interface BlobProgress {
  sink: ProgressSink;
  id: string;
}

export type PushOutcome = 'exists' | 'mounted' | 'pushed';

/**
 * Makes one blob present in the repository, cheapest way first: `HEAD`
 * (already there: `Layer already exists`); a cross-repository mount from a
 * repository of the same registry the blob's distribution-source label names
 * (`Mounted from <repo>`); else an upload (`Pushing` with byte progress, then
 * `Pushed`), monolithic for small blobs and chunked for large ones. The blob
 * is then labelled as coming from this repository too.
 */
export async function pushBlob(ctx: PushBlobContext, desc: Descriptor, progress?: BlobProgress): Promise<PushOutcome> {
  const { client, repo } = ctx;
  let outcome: PushOutcome;
  if ((await client.headBlob(repo, desc.digest)) !== undefined) {
    outcome = 'exists';
    progress?.sink(layerStatus('Layer already exists', progress.id));
  } else {
    const mount = await tryMount(ctx, desc);
    if (mount.from !== undefined) {
      outcome = 'mounted';
      progress?.sink(layerStatus(`Mounted from ${mount.from}`, progress.id));
    } else {
      outcome = 'pushed';
      await upload(ctx, desc, mount.location ?? (await client.startUpload(repo)), progress);
      progress?.sink(layerStatus('Pushed', progress.id));
    }
  }
  await recordSource(ctx.content, desc.digest, client.registry, repo);
  return outcome;
}

/**
 * Tries the repositories the blob's label names. A refused mount (no access
 * to the source) moves on to the next; a mount the registry turns into an
 * ordinary upload (202) ends the search, and its upload is used.
 */
async function tryMount(ctx: PushBlobContext, desc: Descriptor): Promise<{ from?: string; location?: string }> {
  const { labels } = await ctx.content.info(desc.digest);
  for (const from of sourceRepos(labels, ctx.client.registry).filter((r) => r !== ctx.repo)) {
    let result: Awaited<ReturnType<RegistryClient['mountBlob']>>;
    try {
      result = await ctx.client.mountBlob(ctx.repo, desc.digest, from);
    } catch (err) {
      if (isKind(err, 'permission-denied') || isKind(err, 'unauthenticated') || isKind(err, 'not-found')) continue;
      throw err;
    }
    return result.mounted ? { from } : { location: result.location };
  }
  return {};
}

async function upload(ctx: PushBlobContext, desc: Descriptor, location: string, progress?: BlobProgress): Promise<void> {
  const bar = progress && new ByteProgress(progress.sink, 'Pushing', progress.id, desc.size);
  if (desc.size <= ctx.monolithicLimit) {
    const bytes = await ctx.content.readAll(desc.digest);
    await ctx.client.finishUpload(ctx.repo, location, desc.digest, bytes);
    bar?.advance(bytes.length);
    bar?.finish();
    return;
  }
  let next = location;
  for (let start = 0; start < desc.size; start += ctx.chunkSize) {
    const length = Math.min(ctx.chunkSize, desc.size - start);
    next = await ctx.client.patchChunk(ctx.repo, next, async () => {
      let sent = start;
      return counting(await ctx.content.reader(desc.digest, { offset: start, length }), (n) => bar?.moveTo((sent += n)));
    }, start, length);
  }
  bar?.finish();
  await ctx.client.finishUpload(ctx.repo, next, desc.digest);
}

function counting(source: Readable, onBytes: (n: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  source.on('error', (err) => counter.destroy(err));
  return source.pipe(counter);
}
