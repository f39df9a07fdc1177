import type { Platform } from '../image/oci.js';
import { defaultPlatform, parsePlatform } from '../image/platform.js';
import { familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import { pullImage, type PulledImage } from './pull-image.js';
import type { PullContext } from './pull-context.js';
import { plainStatus, type ProgressSink } from './progress.js';
import type { RegistryAuth } from './registry-auth.js';
import { RegistryClient } from './registry-client.js';
import type { RegistryTransportOptions } from './registry-transport.js';

export interface PullOptions extends Omit<RegistryTransportOptions, 'registry' | 'auth'> {
  layers: LayerStore;
  /** `os[/arch[/variant]]` or a parsed platform; default linux/amd64. */
  platform?: Platform | string;
  auth?: RegistryAuth;
  /** Docker's JSON progress messages, in order. */
  onProgress?: ProgressSink;
  /** Layers downloaded at once; default 3, as Docker. */
  concurrency?: number;
  /**
   * A lease to hold everything pulled. Without one, the pull creates one
   * (expiring after a day) and returns it: the caller records the image
   * (a holder) and then deletes the lease.
   */
  lease?: string;
  /** Further attempts of a blob transfer that fails midway, each resuming; default 3. */
  retries?: number;
  /** Pause before retry n is n times this; default 1000 ms. */
  retryDelayMs?: number;
  /**
   * The image ID the reference names locally now, if any: the last message
   * is `Image is up to date` when the pull resolves to it. Without it, when
   * nothing had to be downloaded.
   */
  localImageId?: string;
  signal?: AbortSignal;
}

export interface PullResult extends PulledImage {
  /** The lease holding the pulled content (the caller's, or the one created). */
  lease: string;
}

const leaseMs = 24 * 60 * 60 * 1000;

/**
 * `docker pull <ref>` as a library: pulls the image `ref` names (a tag,
 * default `latest`, or a digest) from its registry into `opts.layers`, for
 * the platform asked for, and reports progress as the daemon does, ending
 * with `Status: Downloaded newer image for <ref>` or `Status: Image is up to
 * date for <ref>`.
 *
 * Errors: a missing manifest or repository is `not-found` with Docker's
 * wording (`manifest for 127.0.0.1:5055/bb:latest not found: manifest
 * unknown: manifest unknown`); 401 is `unauthenticated`; a blob that does not
 * match its digest is `data-loss` and is not stored; an unreachable registry
 * is `unavailable`. Blobs fetched before a failure stay (under the lease), and
 * an interrupted blob resumes on the next pull.
 */
export async function pull(ref: string | Reference, opts: PullOptions): Promise<PullResult> {
  const named = withDefaultTag(typeof ref === 'string' ? parseNormalizedNamed(ref) : ref);
  return withContext(named, opts, async (ctx) => {
    const image = await pullImage(ctx, named);
    writeStatus(ctx, familiarString(named), opts.localImageId !== undefined ? opts.localImageId !== image.configDigest : image.downloaded);
    return { ...image, lease: ctx.lease };
  });
}

/**
 * `docker pull --all-tags <name>`: every tag `GET /v2/<name>/tags/list`
 * lists, one after another, under one lease, with one `Status:` line for the
 * name at the end. `localImageId` does not apply.
 */
export async function pullAllTags(name: string | Reference, opts: PullOptions): Promise<{ images: PulledImage[]; lease: string }> {
  const parsed = typeof name === 'string' ? parseNormalizedNamed(name) : name;
  const repo: Reference = { domain: parsed.domain, path: parsed.path };
  return withContext(repo, opts, async (ctx) => {
    const images: PulledImage[] = [];
    for (const tag of await ctx.client.listTags(ctx.repo)) images.push(await pullImage(ctx, { ...repo, tag }));
    writeStatus(ctx, familiarString(repo), images.some((i) => i.downloaded));
    return { images, lease: ctx.lease };
  });
}

async function withContext<T>(ref: Reference, opts: PullOptions, body: (ctx: PullContext) => Promise<T>): Promise<T> {
  const { layers, platform, auth, onProgress, concurrency, lease, retries, retryDelayMs, signal, ...transport } = opts;
  const client = new RegistryClient({ ...transport, registry: ref.domain, auth });
  const ownLease = lease === undefined ? await layers.createLease({ expiresInMs: leaseMs }) : undefined;
  try {
    return await body({
      client, repo: ref.path, layers, sink: onProgress ?? (() => undefined), lease: lease ?? ownLease!,
      platform: typeof platform === 'string' ? parsePlatform(platform) : platform ?? defaultPlatform,
      platformGiven: platform !== undefined, concurrency: concurrency ?? 3, retries: retries ?? 3, retryDelayMs: retryDelayMs ?? 1000, signal,
    });
  } finally {
    await client.close();
  }
}

function writeStatus(ctx: PullContext, requested: string, downloaded: boolean): void {
  ctx.sink(plainStatus(downloaded ? `Status: Downloaded newer image for ${requested}` : `Status: Image is up to date for ${requested}`));
}
