import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import { parseImageConfig, type ImageConfig } from '../image/image-config.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../image/oci.js';
import { parseManifest, parseManifestOrIndex } from '../image/parse-manifest.js';
import { formatPlatform, normalizePlatform, platformRank, selectManifest } from '../image/platform.js';
import { familiarName, familiarString, referenceName, referenceString, type Reference } from '../image/reference.js';
import type { LayerDescriptor } from '../layers/layer-store.js';
import { startLayerFetches, type LayerFetches } from './fetch-layers.js';
import { indexLabels, manifestLabels, recordSource, snapshotLabel } from './image-labels.js';
import { fetchInto, type PullContext } from './pull-context.js';
import { layerProgress, layerStatus, plainStatus, shortId } from './progress.js';
import type { FetchedManifest } from './registry-client.js';
import { RegistryResponseError } from './registry-errors.js';

/** What a pull leaves for the image store to record. */
export interface PulledImage {
  /** The reference pulled, normalised: `127.0.0.1:5055/bb:1`. */
  reference: string;
  /** `127.0.0.1:5055/bb@sha256:…`: the digest the tag resolved to (the index's, for a multi-platform image). */
  repoDigest: string;
  /** The index the tag named, when it named one. */
  indexDigest?: Digest;
  manifestDigest: Digest;
  manifestMediaType: string;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  /** The config's digest: the image ID. */
  configDigest: Digest;
  /** The config's exact bytes. */
  config: Buffer;
  layers: LayerDescriptor[];
  diffIds: string[];
  chainIds: string[];
  /** Whether any layer or config bytes were downloaded. */
  downloaded: boolean;
}

/**
 * Pulls one reference into the layer store (Docker's `pullTag`): resolves
 * the tag or digest to a manifest, choosing the platform's entry from an
 * index; fetches the config and the missing layers; stores the manifest
 * (and index) with labels that keep the image together; unpacks the layers
 * against the config's diff IDs. Progress goes to `ctx.sink` from `Pulling
 * from <repo>` to `Digest: sha256:…` (the caller writes the `Status:` line).
 */
export async function pullImage(ctx: PullContext, ref: Reference): Promise<PulledImage> {
  const top = await fetchTop(ctx, ref);
  ctx.sink(plainStatus(`Pulling from ${ctx.repo}`, ref.digest ?? ref.tag));
  const { index, manifest, fetched } = await resolvePlatform(ctx, top);
  const configFetched = await fetchInto(ctx, 'config', manifest.config);
  const config = await ctx.layers.content.readAll(manifest.config.digest);
  const parsed = checkConfig(ctx, ref, manifest, parseImageConfig(config), index !== undefined);
  const layers = manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
  const { downloaded, unpacked: { chainIds, diffIds } } = await fetchAndUnpack(ctx, manifest.layers, parsed.rootfs.diff_ids, async () => {
    await storeDocuments(ctx, top, index, fetched, manifest);
  });
  if (chainIds.length > 0) await ctx.layers.content.updateLabels(manifest.config.digest, { [snapshotLabel]: chainIds.at(-1)! });
  ctx.sink(plainStatus(`Digest: ${top.digest}`));
  return {
    reference: referenceString(ref), repoDigest: `${referenceName(ref)}@${top.digest}`,
    ...(index !== undefined ? { indexDigest: top.digest } : {}),
    manifestDigest: fetched.digest, manifestMediaType: fetched.mediaType, manifest, manifestBytes: fetched.bytes,
    configDigest: manifest.config.digest, config, layers, diffIds, chainIds,
    downloaded: configFetched || downloaded.size > 0,
  };
}

/** The manifest or index the reference names, with Docker's wording when it is missing. */
async function fetchTop(ctx: PullContext, ref: Reference): Promise<FetchedManifest> {
  try {
    return await ctx.client.getManifest(ctx.repo, ref.digest ?? ref.tag ?? 'latest', ctx.signal);
  } catch (err) {
    if (!(err instanceof RegistryResponseError)) throw err;
    const wording = err.hasCode('MANIFEST_UNKNOWN') ? `manifest for ${familiarString(ref)} not found`
      : err.hasCode('NAME_UNKNOWN') ? `repository ${familiarName(ref)} not found`
        : err.hasCode('DENIED') ? `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login'`
          : undefined;
    if (wording === undefined) throw err;
    throw errorOf('not-found', `${wording}: ${err.detail}`, err);
  }
}

async function resolvePlatform(ctx: PullContext, top: FetchedManifest) {
  const doc = parseManifestOrIndex(top.bytes, top.mediaType);
  if (doc.kind === 'manifest') return { manifest: doc.manifest, fetched: top };
  const index: ImageIndex = doc.index;
  const chosen = selectManifest(index, ctx.platform);
  const fetched = await ctx.client.getManifest(ctx.repo, chosen.digest, ctx.signal);
  if (fetched.digest !== chosen.digest) throw errorOf('data-loss', `manifest ${chosen.digest}: registry sent ${fetched.digest}`);
  return { index, manifest: parseManifest(fetched.bytes, fetched.mediaType), fetched };
}

/** The config must list one diff ID per layer, and suit the platform asked for. */
function checkConfig(ctx: PullContext, ref: Reference, manifest: ImageManifest, config: ImageConfig, fromIndex: boolean): ImageConfig {
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw errorOf('invalid-argument', `image ${familiarString(ref)}: config has ${config.rootfs.diff_ids.length} diff IDs for ${manifest.layers.length} layers`);
  }
  if (ctx.platformGiven && !fromIndex && config.os !== undefined && config.architecture !== undefined) {
    const actual = normalizePlatform({ os: config.os, architecture: config.architecture, variant: config.variant });
    if (platformRank(ctx.platform, actual) === undefined) {
      throw errorOf('not-found', `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(normalizePlatform(ctx.platform))}, actual: ${formatPlatform(actual)}`);
    }
  }
  return config;
}

/** The manifest (and index) go in last, once everything they name is stored and verified. */
async function storeDocuments(ctx: PullContext, top: FetchedManifest, index: ImageIndex | undefined, fetched: FetchedManifest, manifest: ImageManifest) {
  const docs = [{ doc: fetched, labels: manifestLabels(manifest) }];
  if (index !== undefined) docs.push({ doc: top, labels: indexLabels(index, (d) => d === fetched.digest) });
  for (const { doc, labels } of docs) {
    await ctx.layers.addToLease(ctx.lease, { kind: 'content', id: doc.digest });
    await ctx.layers.content.put(doc.bytes, { expected: doc.digest, size: doc.bytes.length, labels });
    await recordSource(ctx.layers.content, doc.digest, ctx.client.registry, ctx.repo);
  }
}

/**
 * Downloads the layers and unpacks them as they arrive, as Docker and containerd do:
 * layer i is applied as soon as its blob is stored (verified and committed) and layer
 * i-1 is applied, while later layers still download. `afterDownloads` runs once every
 * blob is stored. The first failure, of a download or an unpack, stops the rest; it is
 * thrown once nothing runs any more.
 */
async function fetchAndUnpack(ctx: PullContext, descriptors: readonly Descriptor[], diffIds: string[], afterDownloads: () => Promise<void>) {
  const fetches = await startLayerFetches(ctx, descriptors);
  const layers = descriptors.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    fetches.cancel(error);
    throw error;
  };
  const unpacking = unpackLayers(ctx, layers, diffIds, fetches).catch(fail);
  const downloading = fetches.done.then(async (downloaded) => {
    await afterDownloads();
    return downloaded;
  }).catch(fail);
  const [downloaded, unpacked] = await Promise.allSettled([downloading, unpacking]);
  if (failure !== undefined) throw failure.error;
  if (downloaded.status === 'rejected') throw downloaded.reason;
  if (unpacked.status === 'rejected') throw unpacked.reason;
  return { downloaded: downloaded.value, unpacked: unpacked.value };
}

/** Unpacks bottom up, one layer per call once its blob is stored (unpack skips what is done), reporting `Extracting` and `Pull complete` for downloaded layers. */
async function unpackLayers(ctx: PullContext, layers: LayerDescriptor[], diffIds: string[], fetches: LayerFetches) {
  let result = { chainIds: [] as string[], diffIds: [] as string[] };
  const reported = new Set<string>();
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const downloaded = await fetches.ready(layer.digest);
    result = await ctx.layers.unpack(layers.slice(0, i + 1), { expectedDiffIds: diffIds.slice(0, i + 1), lease: ctx.lease });
    if (!downloaded || reported.has(layer.digest)) continue;
    reported.add(layer.digest);
    ctx.sink(layerProgress('Extracting', shortId(layer.digest), layer.size, layer.size));
    ctx.sink(layerStatus('Pull complete', shortId(layer.digest)));
  }
  return result;
}
