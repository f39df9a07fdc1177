import { isKind } from '../../lib/errdefs/index.js';
import type { Descriptor, Platform } from '../image/oci.js';
import type { LayerStore } from '../layers/layer-store.js';
import { fetchBlob } from './fetch-blob.js';
import { recordSource } from './image-labels.js';
import type { ProgressSink } from './progress.js';
import type { RegistryClient } from './registry-client.js';

/** What one pull works with; built by `pull`/`pullAllTags`, shared by the images they pull. */
export interface PullContext {
  client: RegistryClient;
  /** The repository path in the registry: `library/busybox`. */
  repo: string;
  layers: LayerStore;
  sink: ProgressSink;
  /** Every blob is added to it before it is written. */
  lease: string;
  platform: Platform;
  /** Whether the caller chose the platform (a single-platform image must then match it). */
  platformGiven: boolean;
  concurrency: number;
  retries: number;
  retryDelayMs: number;
  signal?: AbortSignal;
}

/** containerd's ingest refs (`remotes.MakeRefKey`): stable per blob, so a retried pull resumes. */
export function ingestRef(kind: 'manifest' | 'index' | 'config' | 'layer', digest: string): string {
  return `${kind}-${digest}`;
}

export async function isPresent(ctx: PullContext, digest: string): Promise<boolean> {
  try {
    await ctx.layers.content.info(digest);
    return true;
  } catch (err) {
    if (isKind(err, 'not-found')) return false;
    throw err;
  }
}

export interface BlobHooks {
  onStart?: (offset: number) => void;
  onData?: (bytes: number) => void;
}

/**
 * Fetches one blob under the lease (a no-op when present) and records where
 * it came from; true when bytes were downloaded.
 */
export async function fetchInto(
  ctx: PullContext, kind: 'config' | 'layer', desc: Descriptor, hooks: BlobHooks = {}, signal = ctx.signal,
): Promise<boolean> {
  await ctx.layers.addToLease(ctx.lease, { kind: 'content', id: desc.digest });
  const fetched = await fetchBlob({
    client: ctx.client, repo: ctx.repo, content: ctx.layers.content, digest: desc.digest, size: desc.size,
    ref: ingestRef(kind, desc.digest), retries: ctx.retries, retryDelayMs: ctx.retryDelayMs, signal, ...hooks,
  });
  await recordSource(ctx.layers.content, desc.digest, ctx.client.registry, ctx.repo);
  return fetched;
}
