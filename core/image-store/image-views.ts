import { completeContainerConfig } from '../image/container-config.js';
import { historyOf } from '../image/history.js';
import type { ImageConfig } from '../image/image-config.js';
import type { Json } from './image-store.js';
import type { ImageRecord } from './image-records.js';
import { familiarOf, isTagged } from './resolve-image.js';

/** Go's zero `time.Time`, which Docker prints for a `LastTagTime` never set. */
const zeroTime = '0001-01-01T00:00:00Z';

export function imageSize(record: ImageRecord): number {
  return record.layerSizes.reduce((a, b) => a + b, 0);
}

/** `RepoTags` and `RepoDigests` in familiar form, from the image's stored names. */
export function repoNames(names: readonly string[]): { tags: string[]; digests: string[] } {
  const tags: string[] = [];
  const digests: string[] = [];
  for (const name of names) (isTagged(name) ? tags : digests).push(familiarOf(name));
  return { tags, digests };
}

/** Unix seconds of an RFC 3339 time; 0 when absent or unreadable. */
export function unixSeconds(time: string | undefined): number {
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** When the config says the image was created, in milliseconds; 0 when it does not say. */
export function createdMs(record: ImageRecord | undefined): number {
  const ms = record?.created === undefined ? Number.NaN : Date.parse(record.created);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Newest first, then by ID: the order of Docker's image lists. */
export function newestFirst(a: ImageRecord, b: ImageRecord): number {
  return createdMs(b) - createdMs(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface SummaryOptions {
  /** The names to show (a `reference` filter shows only the matching ones). */
  names: readonly string[];
  /** `SharedSize`, or -1 when not asked for. */
  sharedSize?: number;
}

/**
 * An `ImageSummary` as API 1.44+ writes it (no `VirtualSize`; `RepoTags` and `RepoDigests`
 * empty rather than `<none>` for an untagged image). `Containers` is -1 (not counted here).
 */
export function imageSummary(record: ImageRecord, opts: SummaryOptions): Json {
  const { tags, digests } = repoNames(opts.names);
  return {
    Containers: -1,
    Created: unixSeconds(record.created),
    Id: record.id,
    Labels: record.labels,
    ParentId: '',
    RepoDigests: digests,
    RepoTags: tags,
    SharedSize: opts.sharedSize ?? -1,
    Size: imageSize(record),
  };
}

/**
 * `ImageInspect`: the fields Docker's classic store fills, in its order. `Parent` and
 * `DockerVersion` are kept (older API versions show them); `Container` and
 * `ContainerConfig` (gone in API 1.45) are left to the engine API to add for old clients.
 */
export function imageInspect(record: ImageRecord, config: ImageConfig, names: readonly string[]): Json {
  const { tags, digests } = repoNames(names);
  const out: Record<string, Json> = { Id: record.id, RepoTags: tags, RepoDigests: digests, Parent: '', Comment: config.comment ?? '' };
  if (config.created !== undefined) out.Created = rfc3339Nano(config.created);
  out.DockerVersion = config.docker_version ?? '';
  out.Author = config.author ?? '';
  out.Config = config.config === undefined || config.config === null ? null : (completeContainerConfig(config.config) as unknown as Json);
  out.Architecture = config.architecture ?? '';
  if (config.variant) out.Variant = config.variant;
  out.Os = config.os ?? '';
  if (config['os.version']) out.OsVersion = config['os.version'];
  out.Size = imageSize(record);
  out.GraphDriver = { Data: record.graphDriver, Name: 'overlay2' };
  out.RootFS = record.diffIds.length > 0 ? { Type: 'layers', Layers: record.diffIds } : { Type: 'layers' };
  out.Metadata = { LastTagTime: record.lastTagTime ?? zeroTime };
  return out;
}

/** `GET /images/{name}/history`: the config's history, newest first, sized by layer. */
export function imageHistory(record: ImageRecord, config: ImageConfig, names: readonly string[]): Json[] {
  const tags = repoNames(names).tags;
  return historyOf(config, { image: { id: record.id, tags }, layerSizes: record.layerSizes }) as unknown as Json[];
}

/** A time as Go's RFC3339Nano prints it: trailing zeros of the fraction dropped. */
export function rfc3339Nano(time: string): string {
  return time.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_, digits: string) => (digits === '' ? '' : `.${digits}`));
}
