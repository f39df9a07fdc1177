import type { HostInfo } from './host-info.js';
import type { SpecDevice, SpecMount, SpecUser } from './oci-types.js';

/**
 * What a user asks of a container: the subset of Docker's create request
 * (container Config at the top level, `HostConfig` nested) that the bundle
 * honours now. Names and meanings are Docker's API; `null` means "not set".
 */
export interface ContainerOptions {
  Cmd?: string[] | null;
  /** `null`/missing: the image's; `[]`: none, keep the image's Cmd; `[""]`: none, drop the image's Cmd. */
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Domainname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  HostConfig?: HostConfig;
}

export interface HostConfig {
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  /** Bytes. */
  Memory?: number;
  MemoryReservation?: number;
  /** Bytes of memory plus swap; -1 unlimited; 0/missing: twice `Memory`. */
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  /** CPUs in units of 1e-9. */
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  /** 0 or negative: unlimited. */
  PidsLimit?: number | null;
  /** `no-new-privileges[=bool]`, `seccomp=unconfined|builtin|<profile JSON>`, `apparmor=…`, `label=…`, `writable-cgroups[=bool]`. */
  SecurityOpt?: string[] | null;
  /** Bytes; 0/missing: 64 MiB. */
  ShmSize?: number;
  /** Destination → tmpfs options (`size=64m,mode=1777`). */
  Tmpfs?: Record<string, string> | null;
  Sysctls?: Record<string, string> | null;
  /** Not supported yet: `true` is refused. */
  Init?: boolean | null;
  /** `none`, `host`, a network name or `bridge`/`default` (own namespace, joined through `BundleContext.netnsPath`). */
  NetworkMode?: string;
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  OomScoreAdj?: number;
  Ulimits?: Ulimit[] | null;
  CgroupParent?: string;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** What the engine knows that the user does not say: where things are on the host. */
export interface BundleContext {
  /** The container's full id; the default hostname is its first 12 characters. */
  id: string;
  /** The container's root filesystem on the host. */
  rootfs: string;
  hostsPath?: string;
  resolvConfPath?: string;
  hostnamePath?: string;
  /** Default cgroup parent (cgroupfs driver); `HostConfig.CgroupParent` overrides it. Default `/moby`. */
  cgroupParent?: string;
  /** The container's volumes and binds as OCI mounts (core/mounts `specMounts`), placed among the others by depth. */
  mounts?: SpecMount[];
  /** A network namespace to join (e.g. `/run/netns/<id>`), unless `NetworkMode` is `host`. */
  netnsPath?: string;
  /** The user resolved against the rootfs (`resolveUser`); needed when `User` names a user or group. */
  user?: SpecUser;
  /** The host's device nodes, given to privileged containers (`listHostDevices`). */
  hostDevices?: SpecDevice[];
  /** Facts about the host (`probeHost`). */
  host: HostInfo;
}
