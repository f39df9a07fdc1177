import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import { push, type PushResult as PushedTag } from '../distribution/index.js';
import { plainStatus } from '../distribution/progress.js';
import {
  familiarName, familiarString, parseNormalizedNamed, referenceName, referenceString, type Reference,
} from '../image/reference.js';
import { imageEvent, labelsOfName } from './image-events.js';
import type { ImageRecords } from './image-records.js';
import type { JsonMessage, ProgressEvent, PushOptions, PushResult } from './image-store.js';
import { progressOf } from './progress-of.js';
import type { RegistryContext } from './pull-into-store.js';
import { pushableManifest } from './push-manifest.js';
import { isTagged, repositoryOf, storedName } from './resolve-image.js';

/**
 * `docker push` from the store, as moby's pusher: `The push refers to repository [...]`
 * first, then the local checks (`An image does not exist locally with the tag: …`,
 * `tag does not exist: …`, `no tags to push for …`), then each tag in turn through the
 * distribution library, under one lease that holds any layers gzipped on the way. The
 * pushed digest becomes a repo digest of the image (unless the name already has one),
 * and the `push` event follows, as moby's `LogImageEvent(ref, name, push)`.
 */
export function pushFromStore(ctx: RegistryContext, ref: string, opts: PushOptions = {}): AsyncIterable<ProgressEvent<PushResult>> {
  return progressOf(async (sink, signal) => {
    const named = parseNormalizedNamed(ref);
    sink(plainStatus(`The push refers to repository [${referenceName(named)}]`));
    const tags = tagsToPush(ctx.records, named);
    const pushed: PushedTag[] = [];
    const lease = await ctx.leases.create();
    try {
      for (const { name, id } of tags) {
        signal.throwIfAborted(); // between tags: the library takes no signal, a tag's transfers run to their end
        pushed.push(await pushTag(ctx, name, id, lease, opts, sink));
      }
    } finally {
      await ctx.leases.release(lease);
    }
    const labels = labelsOfName(ctx.records, named);
    ctx.publish(imageEvent('push', familiarString(named), familiarName(named), labels));
    return { pushed: pushed.map((p) => ({ tag: p.tag ?? '', digest: p.digest, size: p.size })) };
  }, opts.signal);
}

async function pushTag(ctx: RegistryContext, name: Reference, id: Digest, lease: string, opts: PushOptions, sink: (m: JsonMessage) => void): Promise<PushedTag> {
  const record = ctx.records.get(id);
  if (!record) throw errorOf('not-found', `tag does not exist: ${familiarString(name)}`);
  for (const blob of [record.manifest, record.config, ...record.layers]) await ctx.layers.addToLease(lease, { kind: 'content', id: blob.digest });
  const manifest = await pushableManifest(ctx.layers, record, lease);
  const result = await push(name, {
    ...ctx.registry, layers: ctx.layers, manifest: manifest.bytes, mediaType: manifest.mediaType, auth: opts.auth,
    onProgress: (m) => {
      if (!m.status?.startsWith('The push refers to repository')) sink(m); // said once, before the checks
    },
  });
  const digestName = `${referenceName(name)}@${result.digest}`;
  await ctx.commits.exclusive(async () => {
    const current = ctx.records.get(id);
    if (current && ctx.records.idOfName(digestName) === undefined) ctx.records.add([{ record: current, names: [digestName] }]);
  });
  return result;
}

/** The tags a push sends, with their images: the one named, or every tag of the repository. */
function tagsToPush(records: ImageRecords, named: Reference): { name: Reference; id: Digest }[] {
  const repo = referenceName(named);
  const inRepo = [...records.names()].filter(([name]) => repositoryOf(name) === repo);
  if (inRepo.length === 0) throw errorOf('not-found', `An image does not exist locally with the tag: ${familiarName(named)}`);
  if (named.tag !== undefined) {
    const id = records.idOfName(referenceString(named));
    if (id === undefined) throw errorOf('not-found', `tag does not exist: ${familiarString(named)}`);
    return [{ name: named, id }];
  }
  if (named.digest !== undefined) throw errorOf('invalid-argument', 'cannot push a digest reference');
  const tagged = inRepo.filter(([name]) => isTagged(name)).map(([name, id]) => ({ name: storedName(name), id }));
  if (tagged.length === 0) throw errorOf('not-found', `no tags to push for ${familiarName(named)}`);
  return tagged;
}
