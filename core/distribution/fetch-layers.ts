import type { Descriptor } from '../image/oci.js';
import { recordSource } from './image-labels.js';
import { fetchInto, isPresent, type PullContext } from './pull-context.js';
import { ByteProgress, layerStatus, shortId } from './progress.js';
import { runLimited } from './run-limited.js';

/** Downloads under way: each layer's blob can be waited for alone, so unpacking starts before the last download ends. */
export interface LayerFetches {
  /**
   * Settles once the blob `digest` is in the store: true when it was downloaded now, false
   * when it was already there. Rejects when the downloads failed before it arrived.
   */
  ready(digest: string): Promise<boolean>;
  /** Every download: the digests downloaded now; rejects with the first failure (after the others settle). */
  readonly done: Promise<Set<string>>;
  /** Stops the downloads still running or queued (their ingests stay, for a resumed pull). */
  cancel(reason?: unknown): void;
}

/**
 * Starts downloading an image's layers, `ctx.concurrency` at a time, with Docker's
 * per-layer messages: `Already exists` for a blob the store has; otherwise
 * `Pulling fs layer`, `Waiting` (queued), `Downloading` with byte progress
 * (from the resumed offset), `Verifying Checksum`, `Download complete`. The
 * first failure cancels the other downloads (their ingests stay, for a
 * resumed pull) and rejects `done` and every `ready` still pending.
 */
export async function startLayerFetches(ctx: PullContext, layers: readonly Descriptor[]): Promise<LayerFetches> {
  const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
  const missing: Descriptor[] = [];
  const present = new Set<string>();
  for (const layer of unique) {
    await ctx.layers.addToLease(ctx.lease, { kind: 'content', id: layer.digest }); // before the check: GC may run meanwhile
    if (!(await isPresent(ctx, layer.digest))) {
      missing.push(layer);
      ctx.sink(layerStatus('Pulling fs layer', shortId(layer.digest)));
      continue;
    }
    present.add(layer.digest);
    await recordSource(ctx.layers.content, layer.digest, ctx.client.registry, ctx.repo);
    ctx.sink(layerStatus('Already exists', shortId(layer.digest)));
  }
  missing.slice(ctx.concurrency).forEach((layer) => ctx.sink(layerStatus('Waiting', shortId(layer.digest))));
  const arrivals = new Map<string, ReturnType<typeof deferred>>(missing.map((l) => [l.digest, deferred()]));
  const downloaded = new Set<string>();
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal?.reason);
  if (ctx.signal?.aborted) onAbort();
  else ctx.signal?.addEventListener('abort', onAbort, { once: true });
  const done = runLimited(missing, ctx.concurrency, async (layer, _i, signal) => {
    const fetched = await fetchLayer(ctx, layer, signal);
    if (fetched) downloaded.add(layer.digest);
    arrivals.get(layer.digest)!.resolve(fetched);
  }, controller).then(() => downloaded).finally(() => ctx.signal?.removeEventListener('abort', onAbort));
  done.catch((err) => arrivals.forEach((a) => a.reject(err)));
  return {
    ready: (digest) => (present.has(digest) ? Promise.resolve(false) : arrivals.get(digest)?.promise ?? Promise.reject(new Error(`layer ${digest}: not in this pull`))),
    done,
    cancel: (reason) => controller.abort(reason),
  };
}

function deferred(): { promise: Promise<boolean>; resolve: (v: boolean) => void; reject: (e: unknown) => void } {
  let resolve!: (v: boolean) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<boolean>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined); // a layer nobody waits for must not be an unhandled rejection
  return { promise, resolve, reject };
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
