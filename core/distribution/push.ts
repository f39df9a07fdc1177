import { errorOf } from '../../lib/errdefs/index.js';
import { digestOf, type Digest } from '../content/index.js';
import { parseImageConfig } from '../image/image-config.js';
import type { Descriptor, ImageManifest } from '../image/oci.js';
import { parseManifest, parseManifestOrIndex } from '../image/parse-manifest.js';
import { parseNormalizedNamed, referenceName, withDefaultTag, type Reference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import { recordSource } from './image-labels.js';
import { layerStatus, plainStatus, shortId, type ProgressSink } from './progress.js';
import { pushBlob, type PushBlobContext } from './push-blob.js';
import type { RegistryAuth } from './registry-auth.js';
import { RegistryClient } from './registry-client.js';
import type { RegistryTransportOptions } from './registry-transport.js';
import { runLimited } from './run-limited.js';

export interface PushOptions extends Omit<RegistryTransportOptions, 'registry' | 'auth'> {
  layers: LayerStore;
  /** The exact bytes of the manifest or index to push; everything it names must be in `layers.content`. */
  manifest: Uint8Array;
  /** Its media type; default the document's own `mediaType`. */
  mediaType?: string;
  /** The config's bytes, for the layer IDs progress shows (diff IDs); read from the store when absent. */
  config?: Uint8Array;
  auth?: RegistryAuth;
  onProgress?: ProgressSink;
  /** Blobs uploaded at once; default 5, as Docker. */
  concurrency?: number;
  /** Blobs up to this size are uploaded in one `PUT`; default 8 MiB. */
  monolithicLimit?: number;
  /** The `PATCH` chunk size for larger blobs; default 8 MiB. */
  chunkSize?: number;
}

export interface PushResult {
  tag?: string;
  digest: Digest;
  size: number;
}

const MiB = 1024 * 1024;

/**
 * `docker push <ref>` as a library: uploads the blobs the manifest names
 * (skipping those the repository has, mounting those another repository of
 * the registry has), then puts the manifest under the tag (default `latest`)
 * or digest. An index is pushed with each of its manifests first (by digest).
 * Progress is Docker's: `The push refers to repository [<name>]`, per layer
 * `Preparing`, `Waiting`, `Pushing`, `Pushed` / `Layer already exists` /
 * `Mounted from <repo>`, then `<tag>: digest: sha256:… size: N` and the
 * `aux` message `{Tag, Digest, Size}`. Errors are the registry client's.
 */
export async function push(ref: string | Reference, opts: PushOptions): Promise<PushResult> {
  const named = withDefaultTag(typeof ref === 'string' ? parseNormalizedNamed(ref) : ref);
  const sink = opts.onProgress ?? (() => undefined);
  sink(plainStatus(`The push refers to repository [${referenceName(named)}]`));
  const { layers, auth, onProgress, concurrency, monolithicLimit, chunkSize, manifest, mediaType, config, ...transport } = opts;
  const client = new RegistryClient({ ...transport, registry: named.domain, auth, push: true });
  try {
    await client.ping();
    const ctx: PushBlobContext = { client, repo: named.path, content: layers.content, monolithicLimit: monolithicLimit ?? 8 * MiB, chunkSize: chunkSize ?? 8 * MiB };
    const bytes = Buffer.from(manifest);
    const doc = parseManifestOrIndex(bytes, mediaType);
    const type = mediaType ?? (doc.kind === 'index' ? doc.index.mediaType : doc.manifest.mediaType) ?? '';
    if (type === '') throw errorOf('invalid-argument', 'push: the manifest has no mediaType; pass one');
    if (doc.kind === 'index') {
      for (const child of doc.index.manifests) await pushChild(ctx, child, sink, concurrency ?? 5);
    } else {
      await pushImageBlobs(ctx, doc.manifest, config ?? (await layers.content.readAll(doc.manifest.config.digest)), sink, concurrency ?? 5);
    }
    const reference = named.tag ?? named.digest!;
    const digest = await client.putManifest(ctx.repo, reference, bytes, type);
    if (named.digest !== undefined && named.digest !== digest) throw errorOf('invalid-argument', `push ${named.digest}: the manifest's digest is ${digest}`);
    await recordSource(layers.content, digest, client.registry, ctx.repo).catch(() => undefined);
    sink(plainStatus(`${reference}: digest: ${digest} size: ${bytes.length}`));
    sink({ progressDetail: {}, aux: { Tag: named.tag ?? '', Digest: digest, Size: bytes.length } });
    return { ...(named.tag !== undefined ? { tag: named.tag } : {}), digest, size: bytes.length };
  } finally {
    await client.close();
  }
}

/** A manifest of an index: its blobs, then itself by digest. */
async function pushChild(ctx: PushBlobContext, child: Descriptor, sink: ProgressSink, concurrency: number): Promise<void> {
  const bytes = await ctx.content.readAll(child.digest);
  if (digestOf(bytes) !== child.digest) throw errorOf('data-loss', `manifest ${child.digest}: stored content does not match`);
  const manifest = parseManifest(bytes, child.mediaType);
  await pushImageBlobs(ctx, manifest, await ctx.content.readAll(manifest.config.digest), sink, concurrency);
  if ((await ctx.client.headManifest(ctx.repo, child.digest)) === undefined) {
    await ctx.client.putManifest(ctx.repo, child.digest, bytes, child.mediaType);
  }
  await recordSource(ctx.content, child.digest, ctx.client.registry, ctx.repo);
}

/** Layers bottom first, `concurrency` at a time, with progress under their diff IDs; then the config, silently. */
async function pushImageBlobs(ctx: PushBlobContext, manifest: ImageManifest, config: Uint8Array, sink: ProgressSink, concurrency: number) {
  const diffIds = diffIdsOf(config, manifest);
  const layers = [...new Map(manifest.layers.map((l, i) => [l.digest, { desc: l, id: shortId(diffIds[i] ?? l.digest) }])).values()];
  for (const { id } of layers) sink(layerStatus('Preparing', id));
  layers.slice(concurrency).forEach(({ id }) => sink(layerStatus('Waiting', id)));
  await runLimited(layers, concurrency, async ({ desc, id }) => {
    await pushBlob(ctx, desc, { sink, id });
  });
  await pushBlob(ctx, manifest.config);
}

function diffIdsOf(config: Uint8Array, manifest: ImageManifest): string[] {
  try {
    const ids = parseImageConfig(config).rootfs.diff_ids;
    return ids.length === manifest.layers.length ? ids : [];
  } catch {
    return [];
  }
}
