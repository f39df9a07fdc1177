import { pull, pullAllTags, type PulledImage, type RegistryTransportOptions } from '../distribution/index.js';
import { parseImageConfig } from '../image/image-config.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, withDefaultTag, type Reference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import { imageEvent, labelsOfName } from './image-events.js';
import type { ImageRecord } from './image-records.js';
import type { JsonMessage, ProgressEvent, PullOptions, PullResult } from './image-store.js';
import { progressOf } from './progress-of.js';
import { commitImages, prepareImage, withLease, type StoreContext } from './store-image.js';

/** How the store reaches registries: Docker's insecure-registries, certs.d, user agent. */
export type RegistryOptions = Omit<RegistryTransportOptions, 'registry' | 'auth'>;

/** What pull and push share: the store, and how registries are reached. */
export interface RegistryContext extends StoreContext {
  registry: RegistryOptions;
}

/**
 * `docker pull` into the store: the distribution library fetches and unpacks under one of
 * the store's leases (so a crash or a failure leaves nothing: the lease ends and a
 * collection runs), then the image is recorded under its name and repo digest in one
 * commit. `localImageId` (what the name means here now) makes the last message say
 * `Image is up to date` exactly when the name already meant the pulled image. That
 * `Status:` message is held back until the commit, so a client that saw it can use the
 * image. The `pull` event follows, as moby's `LogImageEvent(ref, name, pull)`.
 */
export function pullIntoStore(ctx: RegistryContext, ref: string, opts: PullOptions = {}): AsyncIterable<ProgressEvent<PullResult>> {
  return progressOf(async (sink, signal) => {
    const named = pullReference(ref, opts.allTags ?? false);
    let status: JsonMessage | undefined;
    const hold = (message: JsonMessage) => (message.status?.startsWith('Status: ') ? (status = message) : sink(message));
    const result = await withLease(ctx, async (lease) => {
      const common = {
        ...ctx.registry, layers: ctx.layers, auth: opts.auth, onProgress: hold, lease, signal,
        ...(opts.platform ? { platform: opts.platform } : {}),
      };
      const pulled = opts.allTags
        ? (await pullAllTags(named, common)).images
        // A name that names nothing yet is "Downloaded newer image", even when every blob was here (moby's `tagUpdated`).
        : [await pull(named, { ...common, localImageId: ctx.records.idOfName(referenceString(named)) ?? '' })];
      const prepared: { record: ImageRecord; names: string[] }[] = [];
      for (const image of pulled) prepared.push({ record: await recordOf(ctx.layers, image, lease), names: [...new Set([image.reference, image.repoDigest])] });
      await commitImages(ctx, prepared);
      return { images: pulled.map((i) => ({ id: i.configDigest, reference: i.reference, repoDigest: i.repoDigest })) };
    });
    if (status) sink(status);
    const labels = labelsOfName(ctx.records, named);
    ctx.publish(imageEvent('pull', familiarString(named), familiarName(named), labels));
    return result;
  }, opts.signal);
}

/** The reference pulled: with `allTags` the repository alone, else with its tag (default `latest`) or digest. */
function pullReference(ref: string, allTags: boolean): Reference {
  const named = parseNormalizedNamed(ref);
  return allTags ? { domain: named.domain, path: named.path } : withDefaultTag(named);
}

/** The store's record of a pulled image, from what the library stored (already unpacked: the unpack finds every layer done). */
function recordOf(layers: LayerStore, image: PulledImage, lease: string): Promise<ImageRecord> {
  const config = { mediaType: image.manifest.config.mediaType, digest: image.configDigest, size: image.config.length };
  const manifest = { mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifestBytes.length };
  return prepareImage(layers, { config, parsed: parseImageConfig(image.config), layers: image.layers, manifest }, lease);
}
