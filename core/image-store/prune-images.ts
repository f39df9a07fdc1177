import { errorOf } from '../../lib/errdefs/index.js';
import { pruneEvent } from './image-events.js';
import { boolFilter, checkFilters, has, matchKvList, timestampFilter, valuesOf } from './image-filters.js';
import type { ImageRecord, ImageRecords } from './image-records.js';
import type { Filters, Json, PruneResult } from './image-store.js';
import { imageSummary, newestFirst } from './image-views.js';
import { sharedSizes } from './list-images.js';
import { removeImage } from './remove-image.js';
import type { StoreContext } from './store-image.js';

const accepted = ['dangling', 'label', 'label!', 'until'] as const;

/**
 * `POST /images/prune`, as moby's `ImagesPrune`: untagged images by default; with
 * `dangling=false` (`docker image prune -a`) every image, through each of its names.
 * `until`, `label` and `label!` narrow the set. An image that cannot go is skipped.
 * `SpaceReclaimed` counts the blobs and snapshots the collections removed.
 * Every image counts as unused: containers are not known here. Ends with moby's `prune`
 * event (`reclaimed` bytes), after the `untag` and `delete` events of what went.
 */
export async function pruneImages(ctx: StoreContext, filters: Filters = {}): Promise<PruneResult> {
  checkFilters(filters, accepted);
  const danglingOnly = boolFilter(filters, 'dangling', true);
  const until = untilOf(filters, ctx.clock());
  const deleted: Json[] = [];
  let space = 0;
  for (const record of ctx.records.all()) {
    if (!selected(record, filters, until)) continue;
    const names = ctx.records.namesOf(record.id);
    if (names.length > 0 && danglingOnly) continue;
    for (const ref of names.length > 0 ? names : [record.id.slice('sha256:'.length)]) {
      const removal = await removeImage(ctx, ref).catch(() => undefined);
      if (!removal) continue;
      deleted.push(...removal.items);
      space += removal.reclaimed;
    }
  }
  ctx.publish(pruneEvent(space));
  return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: space };
}

function untilOf(filters: Filters, now: Date): number | undefined {
  const values = valuesOf(filters, 'until');
  if (values.length > 1) throw errorOf('invalid-argument', 'more than one until filter specified');
  return values.length === 0 ? undefined : timestampFilter(values[0]!, now);
}

function selected(record: ImageRecord, filters: Filters, until: number | undefined): boolean {
  if (until !== undefined) {
    const created = record.created === undefined ? Number.NaN : Date.parse(record.created);
    if (Number.isNaN(created) || created > until) return false;
  }
  if (!matchKvList(valuesOf(filters, 'label'), record.labels)) return false;
  return !(has(filters, 'label!') && matchKvList(valuesOf(filters, 'label!'), record.labels));
}

/** The images part of `GET /system/df`, with `SharedSize`, and the size of every layer once. */
export function imageDiskUsage(records: ImageRecords): { LayersSize: number; Images: Json[] } {
  const all = records.all();
  const names = records.names();
  const shared = sharedSizes(all);
  const layers = new Map<string, number>();
  for (const r of all) r.chainIds.forEach((chain, i) => layers.set(chain, r.layerSizes[i]!));
  const images = [...all]
    .sort(newestFirst)
    .map((r) => imageSummary(r, { names: [...names].filter(([, id]) => id === r.id).map(([n]) => n), sharedSize: shared(r) }));
  return { LayersSize: [...layers.values()].reduce((a, b) => a + b, 0), Images: images };
}
