/**
 * The subset of the OCI runtime spec (config.json) that Moby Core produces, and
 * the OCI image configuration it reads. Field names are the specs' own JSON
 * names, so a value of these types serialises straight to the file runc reads.
 * Hooks and user-namespace mappings are deliberately absent: we never emit them.
 */

export interface RuntimeSpec {
  ociVersion: string;
  process: SpecProcess;
  root: SpecRoot;
  hostname?: string;
  domainname?: string;
  mounts: SpecMount[];
  linux: SpecLinux;
}

export interface SpecProcess {
  terminal?: boolean;
  user: SpecUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: SpecCapabilities;
  rlimits?: SpecRlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
}

export interface SpecUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface SpecCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** `type` is `RLIMIT_<NAME>`; values are raw numbers (`RLIM_INFINITY` is 2^64-1, never emitted). */
export interface SpecRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface SpecRoot {
  path: string;
  readonly?: boolean;
}

export interface SpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface SpecNamespace {
  type: NamespaceType;
  path?: string;
}

export interface SpecLinux {
  namespaces: SpecNamespace[];
  devices?: SpecDevice[];
  resources?: SpecResources;
  cgroupsPath?: string;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SpecSeccomp;
  rootfsPropagation?: string;
}

/** A device node runc creates inside the container's /dev. */
export interface SpecDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface SpecResources {
  devices?: SpecDeviceCgroup[];
  memory?: SpecMemory;
  cpu?: SpecCpu;
  pids?: SpecPids;
}

/** A device-cgroup rule; a missing major or minor means "any" (`*`). */
export interface SpecDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface SpecMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

export interface SpecCpu {
  shares?: number;
  quota?: number;
  period?: number;
  cpus?: string;
  mems?: string;
}

/** `limit: -1` means unlimited. */
export interface SpecPids {
  limit: number;
}

export type SeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_NOTIFY';

export type SeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

export interface SpecSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: SpecSyscall[];
}

export interface SpecSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SpecSeccompArg[];
}

export interface SpecSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

/**
 * An OCI image configuration document (the image's config blob). Only `config`
 * matters to the bundle; the rest is typed so the image store can share it.
 */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  author?: string;
  config?: ImageExecConfig;
  rootfs?: { type: string; diff_ids: string[] };
}

/**
 * The image's defaults for running it. `null` and a missing field both mean
 * "not set", as in Docker; an empty list is a value.
 */
export interface ImageExecConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>> | null;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
}
