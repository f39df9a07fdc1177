/**
 * `GET /containers/{id}/stats` for Linux: one Docker stats object read from the container's
 * cgroup (v1 controllers or the v2 unified hierarchy), /proc/stat and the container's
 * /proc/<pid>/net/dev, shaped exactly as dockerd (API ≤ 1.47) encodes its `StatsJSON`:
 * Go's key order, `omitempty` fields left out when zero, `null` lists where Docker has nil
 * slices, map keys sorted. What Docker takes from containerd's cgroup metrics we read from the
 * same files containerd reads.
 *
 * Numbers are JavaScript numbers: values above 2^53 (v1's `hierarchical_memory_limit` when
 * unlimited, a long-running host's `system_cpu_usage`) lose their last digits.
 */
import { readFile, readlink } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { detectCgroupVersion, type CgroupVersion } from '../system/cgroup-info.js';
import type { Json } from './container-engine.js';

/** Linux's USER_HZ: the unit of cpuacct.stat and /proc/stat. */
const CLOCK_TICKS_PER_SECOND = 100n;
const NS_PER_SECOND = 1_000_000_000n;
/** Go's zero `time.Time`, which Docker writes for a missing `preread`. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Where and how to read; tests point these at a fake tree. Every field has a host default. */
export interface StatsHost {
  /** Default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /** Default /proc. */
  procRoot?: string;
  /** Detected from `cgroupRoot` when absent: "2" only when it is itself a cgroup2 mount. */
  cgroupVersion?: CgroupVersion;
  /** Docker's `machineMemory`, the limit reported for an unlimited container; default os.totalmem(). */
  memTotal?: number;
  /** Default: the CPUs this process may run on (sched_getaffinity, as dockerd counts them). */
  onlineCpus?: number;
  /** The sample's time, RFC 3339 with nanoseconds; default now. */
  now?: () => string;
}

export interface StatsTarget {
  /** The container's full id. */
  id: string;
  /** Its name, with or without the leading `/`. */
  name: string;
  /** The cgroupsPath of its spec, e.g. `/moby/<id>`. */
  cgroupPath: string;
  /**
   * Its init process on the host: network counters come from /proc/<pid>/net/dev (none when
   * the process shares this process's network namespace, as with `--network host`), and a dead
   * pid means the container is gone. 0 or absent: no network stats, no liveness check.
   */
  pid?: number;
  /** The previous sample (what this function returned last): its `read` and `cpu_stats` become `preread` and `precpu_stats`. */
  previous?: Json;
  host?: StatsHost;
}

export interface StatsStreamOptions {
  /** One sample per interval until aborted or gone (default true, as Docker's `stream`). */
  stream?: boolean;
  /** With `stream: false`: answer at once, without the pre-sample (`precpu_stats` zero). */
  oneShot?: boolean;
  signal?: AbortSignal;
  /** Between samples, and between the pre-sample and the sample of `stream: false`; default 1000. */
  intervalMs?: number;
}

type JsonObject = { [key: string]: Json };

/**
 * One stats sample. Throws `not-found` when the container is gone (its cgroup removed or its
 * init process dead); `statsStream` turns that into Docker's empty answer.
 */
export async function readContainerStats(target: StatsTarget): Promise<Json> {
  const host = target.host ?? {};
  const cgroupRoot = host.cgroupRoot ?? '/sys/fs/cgroup';
  const procRoot = host.procRoot ?? '/proc';
  const version = host.cgroupVersion ?? (await detectCgroupVersion(cgroupRoot));
  const memTotal = host.memTotal ?? os.totalmem();
  const onlineCpus = host.onlineCpus ?? os.availableParallelism();

  if (target.pid && !(await processAlive(procRoot, target.pid))) throw gone(target);
  const cgroup = version === '2' ? await readV2(cgroupRoot, target) : await readV1(cgroupRoot, target);
  const read = (host.now ?? nowRfc3339Nano)();
  // Sampled right after the cgroup, as Docker does, to keep the pair close.
  const systemUsage = await systemCpuUsage(procRoot);
  const networks = target.pid ? await readNetworks(procRoot, target.pid) : undefined;

  const cpuStats: JsonObject = { cpu_usage: cgroup.cpuUsage };
  if (systemUsage) cpuStats.system_cpu_usage = systemUsage;
  if (onlineCpus) cpuStats.online_cpus = onlineCpus;
  cpuStats.throttling_data = cgroup.throttling;

  const memory = cgroup.memory;
  if (memory && typeof memory.limit === 'number' && memory.limit > memTotal && memTotal > 0) memory.limit = memTotal;

  const previous = isObject(target.previous) ? target.previous : undefined;
  const stats: JsonObject = {
    read,
    preread: typeof previous?.read === 'string' ? previous.read : ZERO_TIME,
    pids_stats: cgroup.pids,
    blkio_stats: cgroup.blkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats,
    precpu_stats: isObject(previous?.cpu_stats) ? previous.cpu_stats : zeroCpuStats(),
    memory_stats: memory ? omitZero(memory) : {},
    name: displayName(target.name),
    id: target.id,
  };
  if (networks && Object.keys(networks).length > 0) stats.networks = networks;
  return stats;
}

/** What Docker answers for a container that is not running: only its name and id, every sample field zero. */
export function emptyStats(id: string, name: string): Json {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: blkioNulls(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpuStats(),
    precpu_stats: zeroCpuStats(),
    memory_stats: {},
    name: displayName(name),
    id,
  };
}

/**
 * Docker's stats endpoint as a generator. `stream: false` yields one sample whose
 * `precpu_stats` comes from a pre-sample taken `intervalMs` earlier (none with `oneShot`);
 * otherwise a sample every `intervalMs`, the first with zero `precpu_stats`, until the signal
 * aborts or the container is gone. A container already gone yields Docker's empty answer once.
 */
export async function* statsStream(target: Omit<StatsTarget, 'previous'>, options: StatsStreamOptions = {}): AsyncGenerator<Json> {
  const stream = options.stream ?? true;
  const intervalMs = options.intervalMs ?? 1000;
  const signal = options.signal;
  if (stream && options.oneShot) throw errorOf('invalid-argument', 'cannot have stream=true and one-shot=true');

  const sample = async (previous?: Json): Promise<Json | undefined> => {
    try {
      return await readContainerStats({ ...target, previous });
    } catch (err) {
      if (isKind(err, 'not-found')) return undefined;
      throw err;
    }
  };

  if (!stream) {
    let previous: Json | undefined;
    if (!options.oneShot) {
      previous = await sample();
      if (previous === undefined) {
        yield emptyStats(target.id, target.name);
        return;
      }
      if (!(await pause(intervalMs, signal))) return;
    }
    yield (await sample(previous)) ?? emptyStats(target.id, target.name);
    return;
  }

  let previous: Json | undefined;
  for (let first = true; !signal?.aborted; first = false) {
    const current = await sample(previous);
    if (current === undefined) {
      if (first) yield emptyStats(target.id, target.name);
      return;
    }
    yield current;
    previous = current;
    if (!(await pause(intervalMs, signal))) return;
  }
}

// ---------------------------------------------------------------- cgroup v1

interface CgroupSample {
  cpuUsage: JsonObject;
  throttling: JsonObject;
  pids: JsonObject;
  blkio: JsonObject;
  memory: JsonObject | undefined;
}

/** The memory.stat keys Docker copies on cgroup v1, in its JSON (sorted) order. */
const V1_MEMORY_KEYS = [
  'active_anon', 'active_file', 'cache', 'dirty', 'hierarchical_memory_limit', 'hierarchical_memsw_limit',
  'inactive_anon', 'inactive_file', 'mapped_file', 'pgfault', 'pgmajfault', 'pgpgin', 'pgpgout', 'rss', 'rss_huge',
  'total_active_anon', 'total_active_file', 'total_cache', 'total_dirty', 'total_inactive_anon', 'total_inactive_file',
  'total_mapped_file', 'total_pgfault', 'total_pgmajfault', 'total_pgpgin', 'total_pgpgout', 'total_rss',
  'total_rss_huge', 'total_unevictable', 'total_writeback', 'unevictable', 'writeback',
];

/** The eight blkio lists, in Docker's order. */
const BLKIO_LISTS = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
] as const;

/** The CFQ-era files behind each list (containerd's names; present on old kernels only). */
const V1_CFQ_FILES: Record<(typeof BLKIO_LISTS)[number], string> = {
  io_service_bytes_recursive: 'blkio.io_service_bytes_recursive',
  io_serviced_recursive: 'blkio.io_serviced_recursive',
  io_queue_recursive: 'blkio.io_queued_recursive',
  io_service_time_recursive: 'blkio.io_service_time_recursive',
  io_wait_time_recursive: 'blkio.io_wait_time_recursive',
  io_merged_recursive: 'blkio.io_merged_recursive',
  io_time_recursive: 'blkio.time_recursive',
  sectors_recursive: 'blkio.sectors_recursive',
};

async function readV1(root: string, target: StatsTarget): Promise<CgroupSample> {
  const dir = (controller: string) => join(root, controller, target.cgroupPath);
  const file = (controller: string, name: string) => readText(join(dir(controller), name));
  const [cpuacctUsage, percpu, cpuacctStat, cpuStat, memoryStat] = await Promise.all([
    file('cpuacct', 'cpuacct.usage'),
    file('cpuacct', 'cpuacct.usage_percpu'),
    file('cpuacct', 'cpuacct.stat'),
    file('cpu', 'cpu.stat'),
    file('memory', 'memory.stat'),
  ]);
  if (cpuacctUsage === undefined && memoryStat === undefined) throw gone(target);

  const ticks = parseKeyValues(cpuacctStat ?? '');
  const cpuUsage: JsonObject = { total_usage: toNumber(cpuacctUsage) };
  const perCpu = (percpu ?? '').split(/\s+/).filter(Boolean).map(Number);
  if (perCpu.length > 0) cpuUsage.percpu_usage = perCpu;
  cpuUsage.usage_in_kernelmode = ticksToNs(ticks.get('system'));
  cpuUsage.usage_in_usermode = ticksToNs(ticks.get('user'));
  const throttle = parseKeyValues(cpuStat ?? '');
  const throttling = {
    periods: num(throttle.get('nr_periods')),
    throttled_periods: num(throttle.get('nr_throttled')),
    throttled_time: num(throttle.get('throttled_time')),
  };

  let memory: JsonObject | undefined;
  if (memoryStat !== undefined) {
    const raw = parseKeyValues(memoryStat);
    const [usage, maxUsage, failcnt, limit] = await Promise.all(
      ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.failcnt', 'memory.limit_in_bytes'].map((f) => file('memory', f)),
    );
    const stats: JsonObject = {};
    for (const key of V1_MEMORY_KEYS) stats[key] = num(raw.get(key));
    memory = { usage: toNumber(usage), max_usage: toNumber(maxUsage), stats, failcnt: toNumber(failcnt), limit: toNumber(limit) };
  }

  const pidsCurrent = await file('pids', 'pids.current');
  const pids = pidsCurrent === undefined ? {} : pidsStats(pidsCurrent, await file('pids', 'pids.max'));
  const blkio = await readBlkioV1(dir('blkio'));
  return { cpuUsage, throttling, pids, blkio, memory };
}

/** containerd's v1 blkio: the CFQ files when the kernel has them and they hold entries, else the throttle counters. */
async function readBlkioV1(dir: string): Promise<JsonObject> {
  if ((await readText(join(dir, 'cgroup.procs'))) === undefined) return blkioNulls();
  const lists: Record<string, Json[]> = Object.fromEntries(BLKIO_LISTS.map((name) => [name, []]));
  if ((await readText(join(dir, 'blkio.io_serviced_recursive'))) !== undefined) {
    let size = 0;
    for (const name of BLKIO_LISTS) {
      lists[name] = parseBlkioV1((await readText(join(dir, V1_CFQ_FILES[name]))) ?? '');
      size += lists[name]!.length;
    }
    if (size > 0) return lists;
  }
  const throttle = async (name: string) =>
    parseBlkioV1((await readText(join(dir, `blkio.throttle.${name}_recursive`))) ?? (await readText(join(dir, `blkio.throttle.${name}`))) ?? '');
  lists.io_serviced_recursive = await throttle('io_serviced');
  lists.io_service_bytes_recursive = await throttle('io_service_bytes');
  return lists;
}

/** `8:0 Read 4096` lines (or `8:0 4096` without an op); the `Total` line is skipped. */
export function parseBlkioV1(text: string): Json[] {
  const entries: Json[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(/[ :]+/).filter(Boolean);
    if (fields.length < 3) continue;
    const [major, minor] = [Number(fields[0]), Number(fields[1])];
    if (!Number.isInteger(major) || !Number.isInteger(minor)) continue;
    const [op, value] = fields.length === 4 ? [fields[2]!, fields[3]!] : ['', fields[2]!];
    entries.push({ major, minor, op, value: Number(value) });
  }
  return entries;
}

// ---------------------------------------------------------------- cgroup v2

/** The memory.stat keys Docker copies on cgroup v2, in its JSON (sorted) order. */
const V2_MEMORY_KEYS = [
  'active_anon', 'active_file', 'anon', 'anon_thp', 'file', 'file_dirty', 'file_mapped', 'file_writeback',
  'inactive_anon', 'inactive_file', 'kernel_stack', 'pgactivate', 'pgdeactivate', 'pgfault', 'pglazyfree',
  'pglazyfreed', 'pgmajfault', 'pgrefill', 'pgscan', 'pgsteal', 'shmem', 'slab', 'slab_reclaimable',
  'slab_unreclaimable', 'sock', 'thp_collapse_alloc', 'thp_fault_alloc', 'unevictable', 'workingset_activate',
  'workingset_nodereclaim', 'workingset_refault',
];

async function readV2(root: string, target: StatsTarget): Promise<CgroupSample> {
  const dir = join(root, target.cgroupPath);
  const file = (name: string) => readText(join(dir, name));
  const [controllers, cpuStat, memoryStat, current, max, events, pidsCurrent, pidsMax, ioStat] = await Promise.all(
    ['cgroup.controllers', 'cpu.stat', 'memory.stat', 'memory.current', 'memory.max', 'memory.events', 'pids.current', 'pids.max', 'io.stat'].map(file),
  );
  if (controllers === undefined) throw gone(target);

  const cpu = parseKeyValues(cpuStat ?? '');
  const usec = (key: string) => num(cpu.get(key)) * 1000;
  const cpuUsage = { total_usage: usec('usage_usec'), usage_in_kernelmode: usec('system_usec'), usage_in_usermode: usec('user_usec') };
  const throttling = { periods: num(cpu.get('nr_periods')), throttled_periods: num(cpu.get('nr_throttled')), throttled_time: usec('throttled_usec') };

  const raw = parseKeyValues(memoryStat ?? '');
  const stats: JsonObject = {};
  for (const key of V2_MEMORY_KEYS) stats[key] = num(raw.get(key));
  // containerd reads "max" as the largest uint64, which Docker then replaces by the host's memory.
  const limit = max?.trim() === 'max' ? 2 ** 64 - 1 : toNumber(max);
  const failcnt = events === undefined ? 0 : num(parseKeyValues(events).get('oom'));
  const memory: JsonObject = { usage: toNumber(current), stats, failcnt, limit };

  const ioServiceBytes: Json[] = [];
  for (const line of (ioStat ?? '').split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const match = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!match) continue;
    const values = new Map(pairs.map((pair) => pair.split('=') as [string, string]));
    const [major, minor] = [Number(match[1]), Number(match[2])];
    ioServiceBytes.push({ major, minor, op: 'read', value: num(values.get('rbytes')) });
    ioServiceBytes.push({ major, minor, op: 'write', value: num(values.get('wbytes')) });
  }
  const blkio = blkioNulls();
  if (ioServiceBytes.length > 0) blkio.io_service_bytes_recursive = ioServiceBytes;

  return { cpuUsage, throttling, pids: pidsStats(pidsCurrent ?? '', pidsMax), blkio, memory };
}

// ---------------------------------------------------------------- host and process

/** Docker's `system_cpu_usage`: the first seven fields of /proc/stat's `cpu` line, in nanoseconds. */
export function parseSystemCpuUsage(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/) ?? [];
  if (fields.length < 8) return 0;
  let ticks = 0n;
  for (const field of fields.slice(1, 8)) ticks += BigInt(field);
  return Number((ticks * NS_PER_SECOND) / CLOCK_TICKS_PER_SECOND);
}

async function systemCpuUsage(procRoot: string): Promise<number> {
  return parseSystemCpuUsage((await readText(join(procRoot, 'stat'))) ?? '');
}

/** /proc/<pid>/net/dev as Docker's `networks`: every interface but `lo`, sorted by name. */
export function parseNetDev(text: string): Record<string, JsonObject> {
  const found: [string, JsonObject][] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || f.length < 16) continue;
    found.push([
      name,
      {
        rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
        tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
      },
    ]);
  }
  found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(found);
}

async function readNetworks(procRoot: string, pid: number): Promise<Record<string, JsonObject> | undefined> {
  const [theirs, ours] = await Promise.all([
    readlink(join(procRoot, String(pid), 'ns/net')).catch(() => undefined),
    readlink(join(procRoot, 'self/ns/net')).catch(() => undefined),
  ]);
  // The host's namespace (`--network host`): Docker reports no interfaces of its own.
  if (theirs !== undefined && theirs === ours) return undefined;
  const text = await readText(join(procRoot, String(pid), 'net/dev'));
  return text === undefined ? undefined : parseNetDev(text);
}

async function processAlive(procRoot: string, pid: number): Promise<boolean> {
  const stat = await readText(join(procRoot, String(pid), 'stat'));
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

// ---------------------------------------------------------------- helpers

const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Now as Go's RFC3339Nano: nanoseconds, trailing zeros dropped, `Z`. */
export function nowRfc3339Nano(): string {
  return formatRfc3339Nano(originNs + process.hrtime.bigint());
}

export function formatRfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const fraction = (epochNs % NS_PER_SECOND).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().slice(0, 19) + (fraction ? `.${fraction}` : '') + 'Z';
}

function zeroCpuStats(): JsonObject {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function blkioNulls(): JsonObject {
  return Object.fromEntries(BLKIO_LISTS.map((name) => [name, null]));
}

function pidsStats(current: string, max: string | undefined): JsonObject {
  const pids: JsonObject = {};
  const count = toNumber(current);
  if (count) pids.current = count;
  const limit = max === undefined || max.trim() === 'max' ? 0 : toNumber(max);
  if (limit) pids.limit = limit;
  return pids;
}

/** Go's `omitempty` on a struct of numbers: zero fields left out. */
function omitZero(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== 0));
}

function displayName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

function gone(target: StatsTarget): Error {
  return errorOf('not-found', `container ${target.id} is not running`);
}

function parseKeyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, value);
  }
  return map;
}

function ticksToNs(value: string | undefined): number {
  return value === undefined ? 0 : Number((BigInt(value) * NS_PER_SECOND) / CLOCK_TICKS_PER_SECOND);
}

function num(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function toNumber(text: string | undefined): number {
  return num(text?.trim());
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A file's text, undefined when it does not exist (or cannot be read). */
async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
