import type { Descriptor } from '../image/oci.js';
import { recordSource } from './image-labels.js';
import { fetchInto, isPresent, type PullContext } from './pull-context.js';
import { ByteProgress, layerStatus, shortId } from './progress.js';
import { runLimited } from './run-limited.js';

/**
 * Downloads an image's layers, `ctx.concurrency` at a time, with Docker's
 * per-layer messages: `Already exists` for a blob the store has; otherwise
 * `Pulling fs layer`, `Waiting` (queued), `Downloading` with byte progress
 * (from the resumed offset), `Verifying Checksum`, `Download complete`. The
 * first failure cancels the other downloads (their ingests stay, for a
 * resumed pull) and is thrown. Returns the digests downloaded now.
 */
export async function fetchLayers(ctx: PullContext, layers: readonly Descriptor[]): Promise<Set<string>> {
  const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
  const missing: Descriptor[] = [];
  for (const layer of unique) {
    await ctx.layers.addToLease(ctx.lease, { kind: 'content', id: layer.digest }); // before the check: GC may run meanwhile
    if (!(await isPresent(ctx, layer.digest))) {
      missing.push(layer);
      ctx.sink(layerStatus('Pulling fs layer', shortId(layer.digest)));
      continue;
    }
    await recordSource(ctx.layers.content, layer.digest, ctx.client.registry, ctx.repo);
    ctx.sink(layerStatus('Already exists', shortId(layer.digest)));
  }
  missing.slice(ctx.concurrency).forEach((layer) => ctx.sink(layerStatus('Waiting', shortId(layer.digest))));
  const downloaded = new Set<string>();
  const controller = new AbortController();
  ctx.signal?.addEventListener('abort', () => controller.abort(ctx.signal?.reason), { once: true });
  await runLimited(missing, ctx.concurrency, async (layer, _i, signal) => {
    if (await fetchLayer(ctx, layer, signal)) downloaded.add(layer.digest);
  }, controller);
  return downloaded;
}

async function fetchLayer(ctx: PullContext, layer: Descriptor, signal: AbortSignal): Promise<boolean> {
  const id = shortId(layer.digest);
  let progress: ByteProgress | undefined;
  let received = 0;
  const arrived = () => {
    if (received !== layer.size) return;
    progress?.finish();
    ctx.sink(layerStatus('Verifying Checksum', id));
  };
  const fetched = await fetchInto(ctx, 'layer', layer, {
    onStart: (offset) => {
      received = offset;
      progress = new ByteProgress(ctx.sink, 'Downloading', id, layer.size, offset);
      arrived();
    },
    onData: (bytes) => {
      received += bytes;
      progress?.advance(bytes);
      arrived();
    },
  }, signal);
  ctx.sink(layerStatus('Download complete', id));
  return fetched;
}
