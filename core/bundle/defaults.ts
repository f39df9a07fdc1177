import type { SpecDeviceCgroup, SpecMount } from './oci-types.js';

/**
 * Docker's defaults for a Linux container, as data (moby `oci/defaults.go`,
 * `daemon/oci_linux.go`). Functions return fresh copies: steps mutate them.
 */

export const OCI_VERSION = '1.0.2';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export const DEFAULT_CGROUP_PARENT = '/moby';

/** Open files: what Docker containers usually see, never above the host's hard limit. */
export const DEFAULT_NOFILE = 1048576;

export function defaultMounts(): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['rw', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['rw', 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['rw', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['rw', 'nosuid', 'noexec', 'nodev', 'mode=1777'] },
  ];
}

export function defaultMaskedPaths(): string[] {
  return [
    '/proc/asound',
    '/proc/acpi',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/sys/firmware',
    '/sys/devices/virtual/powercap',
  ];
}

export function defaultReadonlyPaths(): string[] {
  return ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
}

/** Deny all, then allow null, zero, urandom, random, tty, console; deny tun. runc adds its own defaults. */
export function defaultDeviceRules(): SpecDeviceCgroup[] {
  const allowChar = (major: number, minor: number): SpecDeviceCgroup => ({
    allow: true,
    type: 'c',
    major,
    minor,
    access: 'rwm',
  });
  return [
    { allow: false, access: 'rwm' },
    allowChar(1, 5),
    allowChar(1, 3),
    allowChar(1, 9),
    allowChar(1, 8),
    allowChar(5, 0),
    allowChar(5, 1),
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
  ];
}

/** Sysctls Docker sets in a container's own network namespace. */
export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ping_group_range': '0 2147483647',
  'net.ipv4.ip_unprivileged_port_start': '0',
};
