import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { DEFAULT_CGROUP_PARENT, DEFAULT_NETWORK_SYSCTLS } from './defaults.js';
import type { SpecCpu, SpecMemory } from './oci-types.js';
import type { SpecInput, SpecStep } from './spec-step.js';

const MIN_MEMORY = 6 * 1024 * 1024;
/** The kernel's default CFS period, used to turn NanoCpus into a quota. */
const CFS_PERIOD_US = 100_000;

/** `<parent>/<id>` for the cgroupfs driver; `HostConfig.CgroupParent` over the engine's default. */
export const withCgroupsPath: SpecStep = (spec, { hostConfig, ctx }) => {
  const parent = hostConfig.CgroupParent || ctx.cgroupParent || DEFAULT_CGROUP_PARENT;
  spec.linux.cgroupsPath = posix.join(parent.startsWith('/') ? parent : '/' + parent, ctx.id);
};

/** Memory, CPU and pids limits, validated with Docker's messages. */
export const withResources: SpecStep = (spec, input) => {
  spec.linux.resources ??= {};
  const memory = memoryResources(input);
  if (memory) spec.linux.resources.memory = memory;
  const cpu = cpuResources(input);
  if (cpu) spec.linux.resources.cpu = cpu;
  const pids = input.hostConfig.PidsLimit;
  if (pids !== undefined && pids !== null) spec.linux.resources.pids = { limit: pids > 0 ? pids : -1 };
};

/** Docker's `getMemoryResources`, with swap defaulting to twice the memory where the host can limit swap. */
export function memoryResources({ hostConfig: hc, ctx }: SpecInput): SpecMemory | undefined {
  const limit = hc.Memory ?? 0;
  let swap = hc.MemorySwap ?? 0;
  if (limit !== 0 && limit < MIN_MEMORY) throw errorOf('invalid-argument', 'Minimum memory limit allowed is 6MB');
  if (limit > 0 && swap > 0 && swap < limit) {
    throw errorOf('invalid-argument', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (limit === 0 && swap > 0) {
    throw errorOf('invalid-argument', 'You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (limit > 0 && swap === 0) swap = limit * 2;
  if (!ctx.host.swapLimit) swap = 0;
  const memory: SpecMemory = {};
  if (limit > 0) memory.limit = limit;
  if ((hc.MemoryReservation ?? 0) > 0) memory.reservation = hc.MemoryReservation!;
  if (swap > 0) memory.swap = swap;
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1) {
    if (swappiness < 0 || swappiness > 100) {
      throw errorOf('invalid-argument', `Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
    }
    memory.swappiness = swappiness;
  }
  return Object.keys(memory).length > 0 ? memory : undefined;
}

/** Docker's `getCPUResources`: NanoCpus becomes a quota over a 100 ms period. */
export function cpuResources({ hostConfig: hc, ctx }: SpecInput): SpecCpu | undefined {
  validateCpu(hc.NanoCpus ?? 0, hc.CpuPeriod ?? 0, hc.CpuQuota ?? 0, ctx.host.cpuCount);
  if ((hc.CpuShares ?? 0) < 0) {
    throw errorOf('invalid-argument', `invalid CPU shares (${hc.CpuShares}): value must be a positive integer`);
  }
  const cpu: SpecCpu = {};
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (hc.NanoCpus && hc.NanoCpus > 0) {
    cpu.period = CFS_PERIOD_US;
    cpu.quota = Number((BigInt(Math.trunc(hc.NanoCpus)) * BigInt(CFS_PERIOD_US)) / 1_000_000_000n);
  }
  if (hc.CpuPeriod) cpu.period = hc.CpuPeriod;
  if (hc.CpuQuota) cpu.quota = hc.CpuQuota;
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

function validateCpu(nanoCpus: number, period: number, quota: number, cpuCount: number): void {
  if (nanoCpus > 0 && period > 0) {
    throw errorOf('invalid-argument', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (nanoCpus > 0 && quota > 0) {
    throw errorOf('invalid-argument', 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (nanoCpus !== 0 && (nanoCpus < 0 || nanoCpus > cpuCount * 1e9)) {
    throw errorOf('invalid-argument', `range of CPUs is from 0.01 to ${cpuCount}.00, as there are only ${cpuCount} CPUs available`);
  }
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw errorOf('invalid-argument', 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota > 0 && quota < 1000) throw errorOf('invalid-argument', 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
}

/**
 * Docker's network sysctls when the container has a network namespace of its
 * own (and the kernel has them), then the user's, which win.
 */
export const withSysctls: SpecStep = (spec, { hostConfig, ctx }) => {
  const sysctl: Record<string, string> = {};
  const hostNetwork = hostConfig.NetworkMode === 'host';
  if (!hostNetwork) {
    for (const [name, value] of Object.entries(DEFAULT_NETWORK_SYSCTLS)) {
      if (ctx.host.sysctls.includes(name)) sysctl[name] = value;
    }
  }
  for (const [name, value] of Object.entries(hostConfig.Sysctls ?? {})) {
    if (hostNetwork && name.startsWith('net.')) {
      throw errorOf('invalid-argument', `sysctl '${name}' is not allowed in host network mode`);
    }
    sysctl[name] = value;
  }
  spec.linux.sysctl = sysctl;
};
