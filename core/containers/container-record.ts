import { randomBytes } from 'node:crypto';
import type { ContainerConfig } from '../image/container-config.js';

/**
 * A container as the engine keeps it: Docker's `container.Container` minus
 * everything live (locks, streams, the restart manager). Records are plain
 * JSON, stored whole; the state helpers below return new records and never
 * mutate their input.
 */

/** Go's zero `time.Time` as Docker marshals it: a never-started container's `StartedAt`. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export const CONTAINER_STATUSES: readonly ContainerStatus[] = [
  'created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead',
];

export interface ContainerState {
  /** Derived from the flags below by `statusOf`; kept in step by every helper. */
  status: ContainerStatus;
  /** True also while paused or restarting, as in Docker. */
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  /** Removal has begun (Docker's `RemovalInProgress`): status `removing`. */
  removalInProgress: boolean;
  dead: boolean;
  pid: number;
  exitCode: number;
  error: string;
  /** RFC 3339 with nanoseconds; `ZERO_TIME` until the first start. */
  startedAt: string;
  finishedAt: string;
}

/** Docker's `RestartPolicy`. `Name` '' is accepted from old clients and read as `no`. */
export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export type PortMap = Record<string, PortBinding[] | null>;

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** Docker's `mount.Mount` (the `Mounts` of a HostConfig), loosely typed below its top fields. */
export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: Record<string, unknown> | null;
  VolumeOptions?: Record<string, unknown> | null;
  TmpfsOptions?: Record<string, unknown> | null;
  ImageOptions?: Record<string, unknown> | null;
  ClusterOptions?: Record<string, unknown> | null;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/**
 * Docker's `container.HostConfig` (with its embedded `Resources`), as sent at
 * create and normalised by `normalizeCreateRequest`. `null` is Go's nil.
 * Unknown fields from newer clients are kept as they came.
 */
export interface HostConfigBody {
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: LogConfig;
  NetworkMode?: string;
  PortBindings?: PortMap | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  ConsoleSize?: [number, number] | null;
  Annotations?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  UsernsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: string;
  // Resources
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: Array<{ Path: string; Weight: number }> | null;
  BlkioDeviceReadBps?: Array<{ Path: string; Rate: number }> | null;
  BlkioDeviceWriteBps?: Array<{ Path: string; Rate: number }> | null;
  BlkioDeviceReadIOps?: Array<{ Path: string; Rate: number }> | null;
  BlkioDeviceWriteIOps?: Array<{ Path: string; Rate: number }> | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: Array<Record<string, unknown>> | null;
  KernelMemory?: number;
  KernelMemoryTCP?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
  // after Resources
  Mounts?: MountSpec[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
  [extra: string]: unknown;
}

/** Docker's `network.EndpointSettings`: a container's endpoint on one network. */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
  /** Ours, not shown: the MAC address the user asked for, kept while `MacAddress` holds the one in use. */
  DesiredMacAddress?: string;
}

/** Docker's `container.MountPoint` as reported by inspect and list. */
export interface MountPoint {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** What the engine learns about a container's networking; empty until it is wired up. */
export interface NetworkSettingsRecord {
  sandboxId: string;
  sandboxKey: string;
  /** Published/exposed ports while running (`"80/tcp": [{HostIp, HostPort}]`, null for exposed only). */
  ports: PortMap;
  /** Network name → endpoint. */
  networks: Record<string, EndpointSettings>;
}

export interface ContainerRecord {
  /** 64 lowercase hex characters. */
  id: string;
  /** With the leading '/': `/sleeper`. */
  name: string;
  /** RFC 3339 with nanoseconds, UTC. */
  created: string;
  /** The resolved command: the first word of Entrypoint+Cmd, and the rest. */
  path: string;
  args: string[];
  /** The image ID, `sha256:…`; `config.Image` keeps what the user typed. */
  image: string;
  config: ContainerConfig;
  hostConfig: HostConfigBody;
  state: ContainerState;
  restartCount: number;
  runtime: string;
  logPath: string;
  resolvConfPath: string;
  hostnamePath: string;
  hostsPath: string;
  driver: string;
  platform: string;
  mountLabel: string;
  processLabel: string;
  appArmorProfile: string;
  execIds: string[];
  hasBeenStartedBefore: boolean;
  hasBeenManuallyStopped: boolean;
  networkSettings: NetworkSettingsRecord;
  mounts: MountPoint[];
  /** Bytes in the writable layer, when measured. */
  sizeRw?: number;
  /** Bytes of the whole root filesystem, when measured. */
  sizeRootFs?: number;
}

/** 32 random bytes as hex; redrawn while the first 12 characters are all digits (the default hostname), as Docker does. */
export function newContainerId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(32).toString('hex');
    if (!/^\d{12}/.test(id)) return id;
  }
}

export function isFullId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** The first 12 characters of an id (Docker's `TruncateID`), dropping any `algo:` prefix. */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
}

/** A time as Docker's `time.Time` JSON: RFC 3339, UTC, with up to 9 fractional digits (trailing zeros trimmed). */
export function rfc3339Nano(date: Date, extraNanos = 0): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const ms = date.getUTCMilliseconds();
  const frac = `${String(ms).padStart(3, '0')}${String(Math.max(0, Math.min(999_999, Math.trunc(extraNanos)))).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Milliseconds since the epoch of an RFC 3339 time; NaN for `ZERO_TIME`-like or bad input. */
export function timeMs(value: string): number {
  if (isZeroTime(value)) return Number.NaN;
  return Date.parse(value);
}

export function isZeroTime(value: string | undefined | null): boolean {
  return !value || value.startsWith('0001-01-01T00:00:00');
}

/** Docker's `State.StateString`. */
export function statusOf(state: Omit<ContainerState, 'status'>): ContainerStatus {
  if (state.running) {
    if (state.paused) return 'paused';
    if (state.restarting) return 'restarting';
    return 'running';
  }
  if (state.removalInProgress) return 'removing';
  if (state.dead) return 'dead';
  if (isZeroTime(state.startedAt)) return 'created';
  return 'exited';
}

export function initialState(): ContainerState {
  return {
    status: 'created', running: false, paused: false, restarting: false, oomKilled: false, removalInProgress: false,
    dead: false, pid: 0, exitCode: 0, error: '', startedAt: ZERO_TIME, finishedAt: ZERO_TIME,
  };
}

export interface NewRecordInput {
  id: string;
  name: string;
  image: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfigBody;
  /** The container's own directory (`<root>/containers/<id>`): log, hosts, hostname and resolv.conf live there. */
  containerDir?: string;
  created?: Date;
  runtime?: string;
  driver?: string;
  platform?: string;
  mounts?: MountPoint[];
}

/** A fresh record in state `created`, with Docker's defaults and paths. */
export function newContainerRecord(input: NewRecordInput): ContainerRecord {
  const dir = input.containerDir;
  const at = (file: string) => (dir === undefined ? '' : `${dir.replace(/\/+$/, '')}/${file}`);
  const name = input.name.startsWith('/') ? input.name : `/${input.name}`;
  return {
    id: input.id,
    name,
    created: rfc3339Nano(input.created ?? new Date()),
    path: input.path,
    args: [...input.args],
    image: input.image,
    config: structuredClone(input.config),
    hostConfig: structuredClone(input.hostConfig),
    state: initialState(),
    restartCount: 0,
    runtime: input.runtime ?? input.hostConfig.Runtime ?? 'runc',
    logPath: at(`${input.id}-json.log`),
    resolvConfPath: at('resolv.conf'),
    hostnamePath: at('hostname'),
    hostsPath: at('hosts'),
    driver: input.driver ?? 'overlay2',
    platform: input.platform ?? 'linux',
    mountLabel: '',
    processLabel: '',
    appArmorProfile: '',
    execIds: [],
    hasBeenStartedBefore: false,
    hasBeenManuallyStopped: false,
    networkSettings: initialNetworkSettings(input.hostConfig.NetworkMode ?? 'default'),
    mounts: structuredClone(input.mounts ?? []),
  };
}

/** An endpoint with every operational field empty. */
export function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
    EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}

/**
 * The network settings a network mode implies before any network driver runs:
 * `host` and `none` are attached to the network of that name, as Docker shows
 * them; other modes start with no networks and are filled in by the caller.
 */
export function initialNetworkSettings(networkMode: string): NetworkSettingsRecord {
  const networks: Record<string, EndpointSettings> = {};
  if (networkMode === 'host' || networkMode === 'none') networks[networkMode] = emptyEndpoint();
  return { sandboxId: '', sandboxKey: '', ports: {}, networks };
}

function withState(record: ContainerRecord, patch: Partial<ContainerState>, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  const next = { ...record.state, ...patch };
  next.status = statusOf(next);
  return { ...record, ...extra, state: next };
}

/** Docker's `SetRunning`: the process started (or was restored, `initial` false: StartedAt kept). */
export function setRunning(record: ContainerRecord, pid: number, now: Date = new Date(), initial = true): ContainerRecord {
  return withState(
    record,
    {
      running: true, paused: false, restarting: false, dead: false, removalInProgress: false, exitCode: 0, pid,
      oomKilled: false, error: '', ...(initial ? { startedAt: rfc3339Nano(now) } : {}),
    },
    { hasBeenStartedBefore: true },
  );
}

export interface ExitStatus {
  exitCode: number;
  oomKilled?: boolean;
  /** When the process exited; now when absent. */
  exitedAt?: Date;
  /** Docker's `State.Error` (a start failure); unchanged when absent. */
  error?: string;
}

/** Docker's `SetStopped`: the process is gone. */
export function setStopped(record: ContainerRecord, exit: ExitStatus, now: Date = new Date()): ContainerRecord {
  return withState(record, {
    running: false, paused: false, restarting: false, pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled ?? false,
    finishedAt: rfc3339Nano(exit.exitedAt ?? now), ...(exit.error !== undefined ? { error: exit.error } : {}),
  });
}

/** Docker's `SetRestarting`: exited, and a restart is scheduled; `Running` stays true. */
export function setRestarting(record: ContainerRecord, exit: ExitStatus, now: Date = new Date()): ContainerRecord {
  return withState(
    record,
    {
      running: true, restarting: true, paused: false, pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled ?? false,
      finishedAt: rfc3339Nano(exit.exitedAt ?? now),
    },
    { restartCount: record.restartCount + 1 },
  );
}

export function setPaused(record: ContainerRecord): ContainerRecord {
  return withState(record, { paused: true });
}

export function setUnpaused(record: ContainerRecord): ContainerRecord {
  return withState(record, { paused: false });
}

/** A start failed before the process ran: Docker records the error and an exit code (126/127/128); times are unchanged. */
export function setStartFailed(record: ContainerRecord, error: string, exitCode: number): ContainerRecord {
  return withState(record, { error, exitCode: exitCode === 0 ? 128 : exitCode });
}

/** Removal began. Refused by the caller when already in progress (`removal of container X is already in progress`). */
export function setRemoving(record: ContainerRecord): ContainerRecord {
  return withState(record, { removalInProgress: true });
}

/** Removal failed part-way, or was abandoned: back to what the flags say. */
export function clearRemoving(record: ContainerRecord): ContainerRecord {
  return withState(record, { removalInProgress: false });
}

export function setDead(record: ContainerRecord): ContainerRecord {
  return withState(record, { dead: true, removalInProgress: false });
}

/** Marks a user stop/kill (`unless-stopped` and the restart policy then leave it alone). */
export function setManuallyStopped(record: ContainerRecord, stopped: boolean): ContainerRecord {
  return { ...record, hasBeenManuallyStopped: stopped };
}

/** What a manual `start` resets: the restart count and the manual-stop mark (Docker's `ResetRestartManager(true)`). */
export function resetForManualStart(record: ContainerRecord): ContainerRecord {
  return { ...record, restartCount: 0, hasBeenManuallyStopped: false };
}
