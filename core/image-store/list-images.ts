import type { Digest } from '../content/index.js';
import {
  checkFilters, danglingFilter, has, matchKvList, referenceMatches, timestampFilter, valuesOf,
} from './image-filters.js';
import type { ImageRecord, ImageRecords } from './image-records.js';
import type { Json, ListOptions } from './image-store.js';
import { createdMs, imageSummary, newestFirst } from './image-views.js';
import { resolveImage } from './resolve-image.js';

const accepted = ['dangling', 'label', 'before', 'since', 'reference', 'until'] as const;

/**
 * `GET /images/json` as moby's classic image service answers it: filters `dangling`,
 * `reference` (globs on familiar names; only matching names are shown), `label`,
 * `before`/`since` (an image, compared by creation time) and `until`; newest first.
 * `all` changes nothing: images here have no local parents to hide.
 */
export function listImages(records: ImageRecords, opts: ListOptions, now: Date): Json[] {
  const filters = opts.filters ?? {};
  checkFilters(filters, accepted);
  const dangling = danglingFilter(filters);
  const bounds = timeBounds(records, opts, now);
  const names = namesById(records);
  const all = records.all();
  const shared = opts.sharedSize ? sharedSizes(all) : undefined;
  const out: Json[] = [];
  for (const record of [...all].sort(newestFirst)) {
    if (!bounds(createdMs(record))) continue;
    if (has(filters, 'label') && !matchKvList(valuesOf(filters, 'label'), record.labels)) continue;
    const own = names.get(record.id) ?? [];
    const shown = has(filters, 'reference') ? own.filter((n) => referenceMatches(valuesOf(filters, 'reference'), n)) : own;
    if (own.length === 0) {
      if (dangling === false || has(filters, 'reference')) continue;
    } else if (dangling === true || shown.length === 0) continue;
    out.push(imageSummary(record, { names: shown, sharedSize: shared?.(record) }));
  }
  return out;
}

function namesById(records: ImageRecords): Map<Digest, string[]> {
  const out = new Map<Digest, string[]>();
  for (const [name, id] of records.names()) out.set(id, [...(out.get(id) ?? []), name]);
  return out;
}

/** `before`, `since` and `until` as one test on an image's creation time (milliseconds). */
function timeBounds(records: ImageRecords, opts: ListOptions, now: Date): (created: number) => boolean {
  const filters = opts.filters ?? {};
  const createdOf = (ref: string) => createdMs(records.get(resolveImage(records, ref)));
  // moby walks every value and keeps the last one.
  const before = valuesOf(filters, 'before').map(createdOf).at(-1);
  const since = valuesOf(filters, 'since').map(createdOf).at(-1);
  const until = valuesOf(filters, 'until').map((v) => timestampFilter(v, now));
  return (created) =>
    (before === undefined || created < before) &&
    (since === undefined || created > since) &&
    until.every((u) => created <= u);
}

/** `SharedSize`: the size of an image's layers that other images use too. */
export function sharedSizes(all: readonly ImageRecord[]): (record: ImageRecord) => number {
  const users = new Map<string, number>();
  for (const r of all) for (const chain of new Set(r.chainIds)) users.set(chain, (users.get(chain) ?? 0) + 1);
  return (record) => record.chainIds.reduce((sum, chain, i) => sum + ((users.get(chain) ?? 0) > 1 ? record.layerSizes[i]! : 0), 0);
}
