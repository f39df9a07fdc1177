import { errorOf } from '../../lib/errdefs/index.js';
import type { Digest } from '../content/index.js';
import { shortId } from '../image/image-id.js';
import { parseNormalizedNamed, referenceString, withDefaultTag } from '../image/reference.js';
import { imageEvent } from './image-events.js';
import type { ImageRecord } from './image-records.js';
import type { Json } from './image-store.js';
import { familiarOf, isIdPrefix, isTagged, repositoryOf, resolveImage } from './resolve-image.js';
import { holderOf, type StoreContext } from './store-image.js';

export interface Removal {
  /** ImageDeleteResponseItems, in Docker's order. */
  items: Json[];
  /** Bytes the collection freed of the deleted image's blobs and snapshots. */
  reclaimed: number;
}

/**
 * `docker rmi`, by moby's rules (`ImageDelete`). By name: the name goes; the image goes
 * too when it was its last name (digest names of the same repository go with the last
 * tag of it). By ID: every name goes with the image, which needs `force` when the names
 * span more than one repository or more than one tag. A deleted image stops holding its
 * blobs and snapshots in the layer store, and a collection removes what nothing else
 * holds; the snapshots removed are reported as `Deleted` layers, top first. Publishes
 * moby's `untag` and `delete` events.
 */
export async function removeImage(ctx: StoreContext, ref: string, force = false): Promise<Removal> {
  const step = await ctx.commits.exclusive(() => untagOrDelete(ctx, ref, force));
  if (!step.deleted) return { items: step.items, reclaimed: 0 };
  const summary = await ctx.layers.collectGarbage();
  const gone = new Set(summary.snapshots);
  const record = step.deleted;
  const layers = [...record.chainIds].reverse().filter((chain) => gone.has(chain));
  return { items: [...step.items, ...layers.map((chain) => ({ Deleted: chain }))], reclaimed: reclaimedBy(record, summary.content, gone) };
}

async function untagOrDelete(ctx: StoreContext, ref: string, force: boolean): Promise<{ items: Json[]; deleted?: ImageRecord }> {
  const { records } = ctx;
  const id = resolveImage(records, ref);
  const record = records.get(id)!;
  let names = records.namesOf(id);
  const items: Json[] = [];
  // moby logs an `untag` per name it removes, except the digests that go with the last tag.
  const untag = (gone: string[], logged: boolean) => {
    records.untag(gone);
    items.push(...gone.map((name) => ({ Untagged: familiarOf(name) })));
    names = names.filter((name) => !gone.includes(name));
    if (logged) gone.forEach(() => ctx.publish(imageEvent('untag', id, id, record.labels)));
  };
  if (!isIdPrefix(id, ref)) {
    const named = referenceString(withDefaultTag(parseNormalizedNamed(ref)));
    untag([named], true);
    const repo = repositoryOf(named);
    if (isTagged(named) && !names.some((n) => isTagged(n) && repositoryOf(n) === repo)) {
      untag(names.filter((n) => !isTagged(n) && repositoryOf(n) === repo), false);
    }
    if (names.length > 0) return { items };
  } else if (names.length > 0) {
    if (!force && !isSingleReference(names)) throw conflict(id, 'image is referenced in multiple repositories');
    untag(names, true);
  }
  records.delete(id);
  await ctx.layers.deleteHolder(holderOf(id));
  ctx.publish(imageEvent('delete', id, id));
  items.push({ Deleted: id });
  return { items, deleted: record };
}

/** moby's `isSingleReference`: at most one tag, and every name in one repository. */
function isSingleReference(names: string[]): boolean {
  if (names.length <= 1) return names.length === 1;
  let single: string | undefined;
  const repos = new Set<string>();
  for (const name of names) {
    if (!isTagged(name)) repos.add(repositoryOf(name));
    else if (single === undefined) {
      repos.add(repositoryOf(name));
      single = name;
    } else return false;
  }
  return repos.size === 1 && repos.has(repositoryOf(single ?? names[0]!));
}

function conflict(id: Digest, why: string) {
  return errorOf('conflict', `conflict: unable to delete ${shortId(id)} (must be forced) - ${why}`);
}

/** The sizes of what a collection removed that the record knows: its blobs and its layers' snapshots. */
function reclaimedBy(record: ImageRecord, content: readonly string[], snapshots: ReadonlySet<string>): number {
  const removed = new Set(content);
  const blobs = new Map<string, number>([record.manifest, record.config, ...record.layers].map((b) => [b.digest, b.size]));
  let total = 0;
  for (const [digest, size] of blobs) if (removed.has(digest)) total += size;
  record.chainIds.forEach((chain, i) => {
    if (snapshots.has(chain)) total += record.layerSizes[i]!;
  });
  return total;
}
