import { errorOf } from '../../lib/errdefs/index.js';
import { matchKvList } from '../image-store/image-filters.js';
import { CONTAINER_STATUSES, isZeroTime, type ContainerRecord, type ContainerStatus } from './container-record.js';
import { splitProtoPort } from './create-request.js';

/**
 * `GET /containers/json`: Docker's `all`, `limit` and `filters` over a set of
 * records, newest first, with its validation messages and its quirks (the
 * checks run in dockerd's order, so `since`/`before` only see containers the
 * earlier checks let through).
 */

/** Filter name → values, as `parseFilters` of the engine API yields them. */
export type ListFilters = Record<string, string[]>;

export const ACCEPTED_LIST_FILTERS: readonly string[] = [
  'ancestor', 'before', 'exited', 'id', 'isolation', 'label', 'name', 'status', 'health', 'since', 'volume', 'network',
  'is-task', 'publish', 'expose',
];

const HEALTH_VALUES = ['starting', 'healthy', 'unhealthy', 'none'];

export interface ListOptions {
  /** `all=1`: stopped containers too. Implied by `limit` > 0 and by a `status` filter. */
  all?: boolean;
  /** `limit=N` (N > 0): the N newest, of any state. */
  limit?: number;
  filters?: ListFilters;
  /**
   * Whether a record's image matches an `ancestor` value (an image reference or ID,
   * the image itself or one it was built on). Absent: the value equals `config.Image`,
   * or is the image ID or a prefix of it.
   */
  ancestorMatches?: (record: ContainerRecord, ref: string) => boolean;
  /** A record's health (`starting`, `healthy`, `unhealthy`; `none` without a healthcheck). Absent: `none`. */
  healthOf?: (record: ContainerRecord) => string;
}

function invalidFilter(key: string, value?: string) {
  return errorOf('invalid-argument', `invalid filter '${key}${value === undefined ? '' : `=${value}`}'`);
}

/** moby `filters.Match`: absent key or an exact value matches; otherwise each value as an unanchored regexp. */
function match(values: readonly string[] | undefined, source: string): boolean {
  if (values === undefined || values.length === 0) return true;
  if (values.includes(source)) return true;
  return values.some((pattern) => {
    try {
      return new RegExp(pattern).test(source);
    } catch {
      return false;
    }
  });
}

/** Created time as nanoseconds since the epoch, for ordering. */
function createdNanos(created: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(created);
  if (!m) return BigInt(Date.parse(created) || 0) * 1_000_000n;
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  return BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** Newest first (Docker orders `ps` by creation time). */
export function sortNewestFirst(records: readonly ContainerRecord[]): ContainerRecord[] {
  return [...records].sort((a, b) => {
    const d = createdNanos(b.created) - createdNanos(a.created);
    return d > 0n ? 1 : d < 0n ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** Docker's `GetContainer` over a list: full id, name, then unique id prefix. */
export function findContainer(records: readonly ContainerRecord[], ref: string): ContainerRecord {
  const exact = records.find((r) => r.id === ref) ?? records.find((r) => r.name === (ref.startsWith('/') ? ref : `/${ref}`));
  if (exact) return exact;
  const byPrefix = ref === '' ? [] : records.filter((r) => r.id.startsWith(ref));
  if (byPrefix.length > 1) throw errorOf('invalid-argument', `multiple IDs found with provided prefix: ${ref}`);
  if (byPrefix.length === 0) throw errorOf('not-found', `No such container: ${ref}`);
  return byPrefix[0]!;
}

/** Docker's `portOp`: `80`, `80/udp`, `8000-8010/tcp` into a set of `port/proto`. */
function portSet(key: string, values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const value of values) {
    if (value.includes(':')) throw errorOf('invalid-argument', `filter for '${key}' should not contain ':': ${value}`);
    const [proto, port] = splitProtoPort(value);
    const range = /^(\d+)(?:-(\d+))?$/.exec(port);
    const start = range ? Number(range[1]) : Number.NaN;
    const end = range?.[2] !== undefined ? Number(range[2]) : start;
    if (!range || start > 65535 || end > 65535 || end < start) {
      throw errorOf('invalid-argument', `error while looking up for ${key} ${value}: invalid port range: ${port}`);
    }
    for (let p = start; p <= end; p++) out.add(`${p}/${proto || 'tcp'}`);
  }
  return out;
}

function portKey(key: string): string {
  const [proto, port] = splitProtoPort(key);
  return `${port}/${proto}`;
}

interface Plan {
  filters: ListFilters;
  all: boolean;
  limit: number;
  exited: number[];
  isTask?: boolean;
  publish?: Set<string>;
  expose?: Set<string>;
}

/** Checks the filters as dockerd's `foldFilter` does; throws its errors. */
export function validateListFilters(filters: ListFilters = {}): void {
  planOf({ filters });
}

function planOf(opts: ListOptions): Plan {
  const filters = opts.filters ?? {};
  const unknown = Object.keys(filters).find((key) => !ACCEPTED_LIST_FILTERS.includes(key));
  if (unknown !== undefined) throw invalidFilter(unknown);
  const limit = opts.limit !== undefined && opts.limit > 0 ? Math.trunc(opts.limit) : 0;
  let all = opts.all ?? false;
  const exited = (filters.exited ?? []).map((value) => {
    if (!/^[+-]?\d+$/.test(value)) throw errorOf('invalid-argument', `strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
    return Number.parseInt(value, 10);
  });
  for (const value of filters.status ?? []) {
    if (!CONTAINER_STATUSES.includes(value as ContainerStatus)) throw invalidFilter('status', value);
    all = true;
  }
  let isTask: boolean | undefined;
  if (filters['is-task'] !== undefined) {
    const values = filters['is-task'];
    if (values.length === 0 || values.includes('true')) isTask = true;
    else if (values.includes('false')) isTask = false;
    else throw invalidFilter('is-task', `[${values.join(' ')}]`);
  }
  for (const value of filters.health ?? []) {
    if (!HEALTH_VALUES.includes(value)) throw errorOf('invalid-argument', `Unrecognised filter value for health: ${value}`);
  }
  const publish = filters.publish ? portSet('publish', filters.publish) : undefined;
  const expose = filters.expose ? portSet('expose', filters.expose) : undefined;
  return { filters, all, limit, exited, isTask, publish, expose };
}

function defaultAncestorMatch(record: ContainerRecord, ref: string): boolean {
  if (record.config.Image === ref) return true;
  const id = record.image.replace(/^sha256:/, '');
  const bare = ref.replace(/^sha256:/, '');
  return /^[0-9a-f]+$/.test(bare) && bare.length > 0 && id.startsWith(bare);
}

/**
 * The containers `GET /containers/json` returns, newest first. `before`/`since`
 * name containers by id, name or prefix among `records` (missing: `not-found`).
 */
export function filterContainers(records: readonly ContainerRecord[], opts: ListOptions = {}): ContainerRecord[] {
  const plan = planOf(opts);
  const f = plan.filters;
  const sorted = sortNewestFirst(records);
  let before = f.before?.length ? findContainer(records, f.before[f.before.length - 1]!) : undefined;
  const since = f.since?.length ? findContainer(records, f.since[f.since.length - 1]!) : undefined;
  const ancestorMatches = opts.ancestorMatches ?? defaultAncestorMatch;
  const out: ContainerRecord[] = [];

  for (const record of sorted) {
    if (plan.limit > 0 && out.length === plan.limit) break;
    const state = record.state;
    if (!state.running && !plan.all && plan.limit <= 0) continue;
    if (!match(f.name, record.name) && !match(f.name, record.name.replace(/^\//, ''))) continue;
    if (!match(f.id, record.id)) continue;
    if (plan.isTask !== undefined && plan.isTask !== isTask(record)) continue;
    if (f.label && !matchKvList(f.label, record.config.Labels)) continue;
    const isolation = (record.hostConfig.Isolation || 'default').toLowerCase();
    if (!match(f.isolation, isolation)) continue;
    if (since && record.id === since.id) break;
    if (before) {
      if (record.id === before.id) before = undefined;
      continue;
    }
    if (plan.exited.length > 0) {
      const exitedWith = !state.running && !isZeroTime(state.startedAt) && plan.exited.includes(state.exitCode);
      if (!exitedWith) continue;
    }
    if (!match(f.status, state.status)) continue;
    if (f.health && !f.health.includes(opts.healthOf?.(record) ?? 'none')) continue;
    if (f.ancestor?.length && !f.ancestor.some((ref) => ancestorMatches(record, ref))) continue;
    if (plan.publish && !publishedPorts(record).some((p) => plan.publish!.has(p))) continue;
    if (plan.expose && !Object.keys(record.config.ExposedPorts ?? {}).map(portKey).some((p) => plan.expose!.has(p))) continue;
    if (f.volume?.length && !usesVolume(record, f.volume)) continue;
    if (f.network?.length && !onNetwork(record, f.network)) continue;
    out.push(record);
  }
  return out;
}

/** Swarm tasks carry this label; we run none, but honour the filter. */
function isTask(record: ContainerRecord): boolean {
  return Object.hasOwn(record.config.Labels ?? {}, 'com.docker.swarm.task.id');
}

function publishedPorts(record: ContainerRecord): string[] {
  const keys = new Set<string>();
  for (const [key, bindings] of Object.entries(record.hostConfig.PortBindings ?? {})) if (bindings?.length) keys.add(portKey(key));
  for (const [key, bindings] of Object.entries(record.networkSettings.ports)) if (bindings?.length) keys.add(portKey(key));
  return [...keys];
}

function usesVolume(record: ContainerRecord, values: readonly string[]): boolean {
  return record.mounts.some((m) => values.includes(m.Destination) || values.includes(m.Name ? m.Name : m.Source));
}

function onNetwork(record: ContainerRecord, values: readonly string[]): boolean {
  const networks = record.networkSettings.networks;
  return values.some(
    (value) => Object.hasOwn(networks, value) || Object.values(networks).some((ep) => ep.NetworkID !== '' && ep.NetworkID.startsWith(value)),
  );
}
