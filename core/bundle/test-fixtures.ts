import { KNOWN_CAPABILITIES } from './capabilities.js';
import type { BundleContext, ContainerOptions } from './container-options.js';
import type { HostInfo } from './host-info.js';
import type { ImageConfig } from './oci-types.js';
import type { SpecInput } from './spec-step.js';
import { mergeConfig } from './merge-config.js';

/** For tests: a fixed host (x86-64, cgroup v1, every capability but CAP_SYS_RESOURCE). */
export function fakeHost(overrides: Partial<HostInfo> = {}): HostInfo {
  return {
    kernelVersion: [6, 1, 0],
    arch: 'x64',
    cgroupVersion: 1,
    swapLimit: true,
    cpuCount: 2,
    seccomp: true,
    capabilities: KNOWN_CAPABILITIES.filter((cap) => cap !== 'CAP_SYS_RESOURCE'),
    rlimits: { nofile: { soft: 20000, hard: 20000 }, nproc: { soft: 1000, hard: 1000 } },
    sysctls: ['net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'],
    ...overrides,
  };
}

export const FAKE_ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

export function fakeContext(overrides: Partial<BundleContext> = {}): BundleContext {
  return { id: FAKE_ID, rootfs: '/var/lib/moby/rootfs', host: fakeHost(), ...overrides };
}

export const SH_IMAGE: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
};

/** A step's input, for testing one step alone. */
export function stepInput(
  opts: ContainerOptions = {},
  ctx: Partial<BundleContext> = {},
  image: ImageConfig = SH_IMAGE,
): SpecInput {
  const context = fakeContext(ctx);
  return { config: mergeConfig(image.config, opts, context.id), hostConfig: opts.HostConfig ?? {}, ctx: context };
}
