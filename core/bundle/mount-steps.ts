import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import type { BundleContext, HostConfig } from './container-options.js';
import { DEFAULT_SHM_SIZE, defaultMounts } from './defaults.js';
import type { SpecMount } from './oci-types.js';
import { parseSecurityOpts } from './security-opts.js';
import type { SpecStep } from './spec-step.js';
import { tmpfsMountOptions } from './tmpfs-options.js';

/** Mounts that stay writable on a read-only rootfs. */
const WRITABLE_ON_READONLY_ROOT = ['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev'];

export const withRoot: SpecStep = (spec, { hostConfig, ctx }) => {
  spec.root = { path: ctx.rootfs, readonly: hostConfig.ReadonlyRootfs ?? false };
};

/**
 * Docker's `WithMounts`: the default mounts, less those a container mount
 * replaces (all of /dev's when /dev is replaced), /dev/shm sized by ShmSize
 * (absent with IpcMode none); then the container's own mounts by depth; then
 * read-only root, privileged and writable-cgroups adjustments.
 */
export const withMounts: SpecStep = (spec, { hostConfig, ctx }) => {
  const own = containerMounts(hostConfig, ctx);
  const ownDestinations = new Set(own.map((m) => m.destination));
  const defaults = defaultMounts().flatMap((m) => keepDefault(m, ownDestinations, hostConfig));
  if (hostConfig.ReadonlyRootfs) {
    for (const m of defaults) {
      if (!WRITABLE_ON_READONLY_ROOT.includes(m.destination) && !m.options?.includes('ro')) m.options?.push('ro');
    }
  }
  const writableCgroups = hostConfig.Privileged || parseSecurityOpts(hostConfig.SecurityOpt).writableCgroups;
  for (const m of defaults) {
    if ((hostConfig.Privileged && m.destination === '/sys') || (writableCgroups && m.type === 'cgroup')) {
      m.options = m.options?.filter((o) => o !== 'ro');
    }
  }
  spec.mounts = [...defaults, ...own];
};

function keepDefault(m: SpecMount, own: Set<string>, hostConfig: HostConfig): SpecMount[] {
  if (own.has(m.destination)) return [];
  if (own.has('/dev') && m.destination.startsWith('/dev/')) return [];
  if (m.destination === '/dev/shm') {
    if (hostConfig.IpcMode === 'none') return [];
    m.options?.push(`size=${shmSize(hostConfig)}`);
  }
  return [m];
}

function shmSize(hostConfig: HostConfig): number {
  const size = hostConfig.ShmSize ?? 0;
  if (size < 0) throw errorOf('invalid-argument', 'SHM size can not be less than 0');
  return size === 0 ? DEFAULT_SHM_SIZE : size;
}

/** The engine's files, the host's /dev/shm for IpcMode host, tmpfs mounts and the container's volumes and binds, shallowest first. */
function containerMounts(hostConfig: HostConfig, ctx: BundleContext): SpecMount[] {
  const user = ctx.mounts ?? [];
  const userDestinations = new Set(user.map((m) => posix.normalize(m.destination)));
  // A user's mount of /etc/hosts, /etc/hostname or /etc/resolv.conf replaces the engine's file.
  const files = networkFileMounts(hostConfig, ctx).filter((m) => !userDestinations.has(m.destination));
  const mounts = [...files, ...tmpfsMounts(hostConfig), ...user];
  if (hostConfig.IpcMode === 'host') mounts.push(bindMount('/dev/shm', '/dev/shm', true));
  return mounts
    .map((m, i) => ({ m, i, depth: posix.normalize(m.destination).split('/').length }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .map(({ m }) => m);
}

function networkFileMounts(hostConfig: HostConfig, ctx: BundleContext): SpecMount[] {
  const writable = !hostConfig.ReadonlyRootfs;
  const files: [string | undefined, string][] = [
    [ctx.resolvConfPath, '/etc/resolv.conf'],
    [ctx.hostnamePath, '/etc/hostname'],
    [ctx.hostsPath, '/etc/hosts'],
  ];
  return files.flatMap(([source, destination]) => (source ? [bindMount(source, destination, writable)] : []));
}

function bindMount(source: string, destination: string, writable: boolean): SpecMount {
  const options = writable ? ['rbind', 'rprivate'] : ['rbind', 'ro', 'rprivate'];
  return { destination, type: 'bind', source, options };
}

function tmpfsMounts(hostConfig: HostConfig): SpecMount[] {
  return Object.entries(hostConfig.Tmpfs ?? {}).map(([destination, data]) => {
    if (!destination.startsWith('/') || posix.normalize(destination) === '/') {
      throw errorOf('invalid-argument', `invalid mount config for type "tmpfs": invalid mount path: '${destination}'`);
    }
    return { destination: posix.normalize(destination), type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(data) };
  });
}
