import { access, readFile } from 'node:fs/promises';
import { availableParallelism, release } from 'node:os';
import { detectCgroupVersion } from '../system/cgroup-info.js';
import { capabilitiesFromMask, KNOWN_CAPABILITIES } from './capabilities.js';

/** A resource limit of the engine's own process; `null` is unlimited. */
export interface HostRlimit {
  soft: number | null;
  hard: number | null;
}

/**
 * The facts about the host that shape a spec. Gathered once by `probeHost`;
 * tests build their own so `buildSpec` stays a pure function.
 */
export interface HostInfo {
  /** `[major, minor, patch]`. */
  kernelVersion: readonly number[];
  /** Node's `process.arch` (`x64`, `arm64`, …). */
  arch: string;
  /** 2 on a unified hierarchy, 1 on v1 or hybrid. */
  cgroupVersion: 1 | 2;
  /** The memory cgroup can limit swap. */
  swapLimit: boolean;
  cpuCount: number;
  seccomp: boolean;
  /** Capabilities the engine holds (`CAP_…`): all a container can be given. */
  capabilities: readonly string[];
  /** The engine's own limits by lower-case name (`nofile`, `nproc`, …). */
  rlimits: Readonly<Record<string, HostRlimit>>;
  /** Sysctls that exist on this kernel, among those the defaults set. */
  sysctls: readonly string[];
}

const PROBED_SYSCTLS = ['net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];

/** `/proc/self/limits` row titles → rlimit names. */
const LIMIT_TITLES: Record<string, string> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

export async function probeHost(): Promise<HostInfo> {
  const status = await readFile('/proc/self/status', 'utf8');
  const lastCap = Number((await readFile('/proc/sys/kernel/cap_last_cap', 'utf8')).trim());
  // One answer for the whole engine: the same probe /info reports (statfs of the cgroup root).
  const cgroupVersion = Number(await detectCgroupVersion('/sys/fs/cgroup')) as 1 | 2;
  return {
    kernelVersion: parseKernelVersion(release()),
    arch: process.arch,
    cgroupVersion,
    swapLimit: cgroupVersion === 2 || (await exists('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')),
    cpuCount: availableParallelism(),
    seccomp: /^Seccomp:/m.test(status),
    capabilities: capabilitiesFromMask(statusField(status, 'CapEff'), KNOWN_CAPABILITIES.slice(0, lastCap + 1)),
    rlimits: parseLimits(await readFile('/proc/self/limits', 'utf8')),
    sysctls: await existingSysctls(PROBED_SYSCTLS),
  };
}

export function parseKernelVersion(text: string): number[] {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return [0, 0, 0];
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Parses `/proc/<pid>/limits`. */
export function parseLimits(text: string): Record<string, HostRlimit> {
  const limits: Record<string, HostRlimit> = {};
  for (const line of text.split('\n')) {
    const title = Object.keys(LIMIT_TITLES).find((t) => line.startsWith(t + ' '));
    if (title === undefined) continue;
    const [soft, hard] = line.slice(title.length).trim().split(/\s+/);
    limits[LIMIT_TITLES[title]!] = { soft: limitValue(soft), hard: limitValue(hard) };
  }
  return limits;
}

function limitValue(text: string | undefined): number | null {
  return text === undefined || text === 'unlimited' ? null : Number(text);
}

function statusField(status: string, name: string): bigint {
  const match = new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(status);
  return match ? BigInt('0x' + match[1]) : 0n;
}

async function existingSysctls(names: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    if (await exists('/proc/sys/' + name.replaceAll('.', '/'))) found.push(name);
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
