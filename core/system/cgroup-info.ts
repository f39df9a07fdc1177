import { access, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** `statfs` f_type of a cgroup2 filesystem (CGROUP2_SUPER_MAGIC). */
export const cgroup2SuperMagic = 0x63677270;

/** "2" only when the cgroup root itself is cgroup2 (unified); hybrid hosts are "1", as Docker reports. */
export type CgroupVersion = '1' | '2';

/** What the resource controllers let a container limit; the booleans of Docker's `/info`. */
export interface CgroupFeatures {
  memoryLimit: boolean;
  swapLimit: boolean;
  oomKillDisable: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
}

export function cgroupVersionOf(fsType: number): CgroupVersion {
  return fsType === cgroup2SuperMagic ? '2' : '1';
}

/** The version of the hierarchy mounted at `cgroupRoot` (normally /sys/fs/cgroup); "1" if unreadable. */
export async function detectCgroupVersion(cgroupRoot: string): Promise<CgroupVersion> {
  try {
    return cgroupVersionOf((await statfs(cgroupRoot)).type);
  } catch {
    return '1';
  }
}

/** Probes the controllers under `cgroupRoot` the way moby's `sysinfo` does, for either version. */
export async function detectCgroupFeatures(cgroupRoot: string, version: CgroupVersion): Promise<CgroupFeatures> {
  return version === '2' ? featuresV2(cgroupRoot) : featuresV1(cgroupRoot);
}

async function featuresV1(root: string): Promise<CgroupFeatures> {
  const has = (path: string) => exists(join(root, path));
  const [memoryLimit, swapLimit, oomKillDisable, cpuCfsPeriod, cpuCfsQuota, cpuShares, cpuSet, pidsLimit] =
    await Promise.all([
      has('memory/memory.limit_in_bytes'),
      has('memory/memory.memsw.limit_in_bytes'),
      has('memory/memory.oom_control'),
      has('cpu/cpu.cfs_period_us'),
      has('cpu/cpu.cfs_quota_us'),
      has('cpu/cpu.shares'),
      has('cpuset/cpuset.cpus'),
      has('pids'),
    ]);
  return { memoryLimit, swapLimit, oomKillDisable, cpuCfsPeriod, cpuCfsQuota, cpuShares, cpuSet, pidsLimit };
}

async function featuresV2(root: string): Promise<CgroupFeatures> {
  let controllers = new Set<string>();
  try {
    controllers = new Set((await readFile(join(root, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/));
  } catch {
    // no controllers readable: every feature reads false
  }
  const memory = controllers.has('memory');
  const cpu = controllers.has('cpu');
  return {
    memoryLimit: memory,
    swapLimit: memory,
    oomKillDisable: false,
    cpuCfsPeriod: cpu,
    cpuCfsQuota: cpu,
    cpuShares: cpu,
    cpuSet: controllers.has('cpuset'),
    pidsLimit: controllers.has('pids'),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
