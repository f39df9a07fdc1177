import { encodeContainerConfig } from '../image/container-config.js';
import { compareBytes, sortedKeys } from '../image/go-json.js';
import type {
  ContainerRecord, ContainerState, EndpointSettings, HostConfigBody, MountPoint, PortMap,
} from './container-record.js';
import { isZeroTime, timeMs } from './container-record.js';
import { compareApiVersions, splitProtoPort } from './create-request.js';

/**
 * Docker's container JSON: `GET /containers/{id}/json` and one entry of
 * `GET /containers/json`, with keys in Go's struct order and Go's nil/empty
 * rules, so `goJson(view)` is what dockerd would send.
 *
 * Version differences applied (`apiVersion`, default 1.47):
 * - < 1.42: `HostConfig.KernelMemory`/`KernelMemoryTCP` are present (0); from 1.42 they are gone.
 * - < 1.45: endpoints have no `DNSNames`; < 1.48: no `GwPriority`.
 * - < 1.52: the deprecated top-level `NetworkSettings` fields (`Bridge`, `HairpinMode`,
 *   `IPAddress`, …, from the `bridge` endpoint when there is one) and `Config.MacAddress`
 *   are present; from 1.52 `NetworkSettings` is `SandboxID, SandboxKey, Ports, Networks`.
 */

export interface ViewOptions {
  apiVersion?: string;
  /** The clock for `Status` in list entries. */
  now?: Date;
  /** `size=1`: include `SizeRw`/`SizeRootFs` (from the record). */
  size?: boolean;
  /** `GraphDriver.Data` (the overlay directories); null when unknown. */
  graphDriverData?: Record<string, string> | null;
  /**
   * List only: whether `config.Image` (what the user typed) still names the
   * container's image. When it does not, Docker shows the image ID instead.
   * Absent: assume it does.
   */
  imageRefMatches?: (ref: string, imageId: string) => boolean;
}

const DEFAULT_VERSION = '1.47';

function versionAtLeast(opts: ViewOptions, v: string): boolean {
  return compareApiVersions(opts.apiVersion ?? DEFAULT_VERSION, v) >= 0;
}

// ---- human duration and status -----------------------------------------------------------

/** go-units `HumanDuration`: seconds and minutes truncate, hours round. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** Docker's `State.String()`: the `Status` column of `docker ps`. */
export function statusText(state: ContainerState, now: Date = new Date()): string {
  const since = (time: string) => humanDuration(now.getTime() - (timeMs(time) || 0));
  if (state.running) {
    if (state.paused) return `Up ${since(state.startedAt)} (Paused)`;
    if (state.restarting) return `Restarting (${state.exitCode}) ${since(state.finishedAt)} ago`;
    return `Up ${since(state.startedAt)}`;
  }
  if (state.removalInProgress) return 'Removal In Progress';
  if (state.dead) return 'Dead';
  if (isZeroTime(state.startedAt)) return 'Created';
  if (isZeroTime(state.finishedAt)) return '';
  return `Exited (${state.exitCode}) ${since(state.finishedAt)} ago`;
}

/** The daemon's `Command` of a list entry: path, then args, an arg with a space in single quotes. */
export function commandText(path: string, args: readonly string[]): string {
  if (args.length === 0) return path;
  return `${path} ${args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg)).join(' ')}`;
}

// ---- pieces ------------------------------------------------------------------------------

function stateView(state: ContainerState): Record<string, unknown> {
  return {
    Status: state.status,
    Running: state.running,
    Paused: state.paused,
    Restarting: state.restarting,
    OOMKilled: state.oomKilled,
    Dead: state.dead,
    Pid: state.pid,
    ExitCode: state.exitCode,
    Error: state.error,
    StartedAt: state.startedAt,
    FinishedAt: state.finishedAt,
  };
}

const nil = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function mapOrNull<T>(value: Record<string, T> | null | undefined): Record<string, T> | null {
  return value ? sortedKeys(value) : null;
}

/** HostConfig as inspect shows it: every field, Go order, defaults where the record has none. */
export function hostConfigView(hc: HostConfigBody, opts: ViewOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Binds: nil(hc.Binds),
    ContainerIDFile: hc.ContainerIDFile ?? '',
    LogConfig: { Type: hc.LogConfig?.Type ?? '', Config: sortedKeys(hc.LogConfig?.Config ?? {}) },
    NetworkMode: hc.NetworkMode ?? '',
    PortBindings: portMapView(hc.PortBindings),
    RestartPolicy: { Name: hc.RestartPolicy?.Name || 'no', MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 },
    AutoRemove: hc.AutoRemove ?? false,
    VolumeDriver: hc.VolumeDriver ?? '',
    VolumesFrom: nil(hc.VolumesFrom),
    ConsoleSize: hc.ConsoleSize ?? [0, 0],
  };
  if (hc.Annotations && Object.keys(hc.Annotations).length > 0) out.Annotations = sortedKeys(hc.Annotations);
  Object.assign(out, {
    CapAdd: nil(hc.CapAdd),
    CapDrop: nil(hc.CapDrop),
    CgroupnsMode: hc.CgroupnsMode ?? '',
    Dns: nil(hc.Dns),
    DnsOptions: nil(hc.DnsOptions),
    DnsSearch: nil(hc.DnsSearch),
    ExtraHosts: nil(hc.ExtraHosts),
    GroupAdd: nil(hc.GroupAdd),
    IpcMode: hc.IpcMode ?? '',
    Cgroup: hc.Cgroup ?? '',
    Links: nil(hc.Links),
    OomScoreAdj: hc.OomScoreAdj ?? 0,
    PidMode: hc.PidMode ?? '',
    Privileged: hc.Privileged ?? false,
    PublishAllPorts: hc.PublishAllPorts ?? false,
    ReadonlyRootfs: hc.ReadonlyRootfs ?? false,
    SecurityOpt: nil(hc.SecurityOpt),
  });
  if (hc.StorageOpt && Object.keys(hc.StorageOpt).length > 0) out.StorageOpt = sortedKeys(hc.StorageOpt);
  if (hc.Tmpfs && Object.keys(hc.Tmpfs).length > 0) out.Tmpfs = sortedKeys(hc.Tmpfs);
  Object.assign(out, { UTSMode: hc.UTSMode ?? '', UsernsMode: hc.UsernsMode ?? '', ShmSize: hc.ShmSize ?? 0 });
  if (hc.Sysctls && Object.keys(hc.Sysctls).length > 0) out.Sysctls = sortedKeys(hc.Sysctls);
  if (hc.Runtime) out.Runtime = hc.Runtime;
  Object.assign(out, {
    Isolation: hc.Isolation ?? '',
    CpuShares: hc.CpuShares ?? 0,
    Memory: hc.Memory ?? 0,
    NanoCpus: hc.NanoCpus ?? 0,
    CgroupParent: hc.CgroupParent ?? '',
    BlkioWeight: hc.BlkioWeight ?? 0,
    BlkioWeightDevice: nil(hc.BlkioWeightDevice),
    BlkioDeviceReadBps: nil(hc.BlkioDeviceReadBps),
    BlkioDeviceWriteBps: nil(hc.BlkioDeviceWriteBps),
    BlkioDeviceReadIOps: nil(hc.BlkioDeviceReadIOps),
    BlkioDeviceWriteIOps: nil(hc.BlkioDeviceWriteIOps),
    CpuPeriod: hc.CpuPeriod ?? 0,
    CpuQuota: hc.CpuQuota ?? 0,
    CpuRealtimePeriod: hc.CpuRealtimePeriod ?? 0,
    CpuRealtimeRuntime: hc.CpuRealtimeRuntime ?? 0,
    CpusetCpus: hc.CpusetCpus ?? '',
    CpusetMems: hc.CpusetMems ?? '',
    Devices: nil(hc.Devices),
    DeviceCgroupRules: nil(hc.DeviceCgroupRules),
    DeviceRequests: nil(hc.DeviceRequests),
  });
  if (!versionAtLeast(opts, '1.42')) {
    out.KernelMemory = hc.KernelMemory ?? 0;
    out.KernelMemoryTCP = hc.KernelMemoryTCP ?? 0;
  }
  Object.assign(out, {
    MemoryReservation: hc.MemoryReservation ?? 0,
    MemorySwap: hc.MemorySwap ?? 0,
    MemorySwappiness: nil(hc.MemorySwappiness),
    OomKillDisable: nil(hc.OomKillDisable),
    PidsLimit: nil(hc.PidsLimit),
    Ulimits: nil(hc.Ulimits),
    CpuCount: hc.CpuCount ?? 0,
    CpuPercent: hc.CpuPercent ?? 0,
    IOMaximumIOps: hc.IOMaximumIOps ?? 0,
    IOMaximumBandwidth: hc.IOMaximumBandwidth ?? 0,
  });
  if (hc.Mounts && hc.Mounts.length > 0) out.Mounts = hc.Mounts;
  out.MaskedPaths = nil(hc.MaskedPaths);
  out.ReadonlyPaths = nil(hc.ReadonlyPaths);
  if (hc.Init !== undefined && hc.Init !== null) out.Init = hc.Init;
  return out;
}

function comparePortKeys(a: string, b: string): number {
  const [pa, na] = splitProtoPort(a);
  const [pb, nb] = splitProtoPort(b);
  return Number(na) - Number(nb) || compareBytes(pa, pb);
}

function portMapView(ports: PortMap | null | undefined): Record<string, unknown> | null {
  if (!ports) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ports).sort(comparePortKeys)) {
    const list = ports[key];
    out[key] = list === null || list === undefined ? null : list.map((b) => ({ HostIp: b.HostIp ?? '', HostPort: b.HostPort ?? '' }));
  }
  return out;
}

export function endpointView(ep: EndpointSettings, opts: ViewOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    IPAMConfig: ep.IPAMConfig ?? null,
    Links: ep.Links ?? null,
    Aliases: ep.Aliases ?? null,
    MacAddress: ep.MacAddress ?? '',
    DriverOpts: mapOrNull(ep.DriverOpts),
  };
  if (versionAtLeast(opts, '1.48')) out.GwPriority = ep.GwPriority ?? 0;
  Object.assign(out, {
    NetworkID: ep.NetworkID ?? '',
    EndpointID: ep.EndpointID ?? '',
    Gateway: ep.Gateway ?? '',
    IPAddress: ep.IPAddress ?? '',
    IPPrefixLen: ep.IPPrefixLen ?? 0,
    IPv6Gateway: ep.IPv6Gateway ?? '',
    GlobalIPv6Address: ep.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: ep.GlobalIPv6PrefixLen ?? 0,
  });
  if (versionAtLeast(opts, '1.45')) out.DNSNames = ep.DNSNames ?? null;
  return out;
}

function networksView(networks: Record<string, EndpointSettings>, opts: ViewOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(networks).sort(compareBytes)) out[name] = endpointView(networks[name]!, opts);
  return out;
}

function networkSettingsView(record: ContainerRecord, opts: ViewOptions): Record<string, unknown> {
  const ns = record.networkSettings;
  if (versionAtLeast(opts, '1.52')) {
    return { SandboxID: ns.sandboxId, SandboxKey: ns.sandboxKey, Ports: portMapView(ns.ports) ?? {}, Networks: networksView(ns.networks, opts) };
  }
  const bridge: Partial<EndpointSettings> = ns.networks.bridge ?? {};
  return {
    Bridge: '',
    SandboxID: ns.sandboxId,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portMapView(ns.ports) ?? {},
    SandboxKey: ns.sandboxKey,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge.EndpointID ?? '',
    Gateway: bridge.Gateway ?? '',
    GlobalIPv6Address: bridge.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: bridge.GlobalIPv6PrefixLen ?? 0,
    IPAddress: bridge.IPAddress ?? '',
    IPPrefixLen: bridge.IPPrefixLen ?? 0,
    IPv6Gateway: bridge.IPv6Gateway ?? '',
    MacAddress: bridge.MacAddress ?? '',
    Networks: networksView(ns.networks, opts),
  };
}

export function mountPointView(m: MountPoint): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: m.Type };
  if (m.Name) out.Name = m.Name;
  Object.assign(out, { Source: m.Source, Destination: m.Destination });
  if (m.Driver) out.Driver = m.Driver;
  Object.assign(out, { Mode: m.Mode, RW: m.RW, Propagation: m.Propagation });
  return out;
}

function configView(record: ContainerRecord, opts: ViewOptions): Record<string, unknown> {
  const config = encodeContainerConfig(record.config);
  if (versionAtLeast(opts, '1.52')) delete config.MacAddress;
  return config;
}

// ---- the two views -----------------------------------------------------------------------

/** `GET /containers/{id}/json`. */
export function inspectView(record: ContainerRecord, opts: ViewOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: [...record.args],
    State: stateView(record.state),
    Image: record.image,
    ResolvConfPath: record.resolvConfPath,
    HostnamePath: record.hostnamePath,
    HostsPath: record.hostsPath,
    LogPath: record.logPath,
    Name: record.name,
    RestartCount: record.restartCount,
    Driver: record.driver,
    Platform: record.platform,
    MountLabel: record.mountLabel,
    ProcessLabel: record.processLabel,
    AppArmorProfile: record.appArmorProfile,
    ExecIDs: record.execIds.length > 0 ? [...record.execIds] : null,
    HostConfig: hostConfigView(record.hostConfig, opts),
    GraphDriver: { Data: opts.graphDriverData ?? null, Name: record.driver },
  };
  if (opts.size) {
    out.SizeRw = record.sizeRw ?? 0;
    out.SizeRootFs = record.sizeRootFs ?? 0;
  }
  out.Mounts = record.mounts.map(mountPointView);
  out.Config = configView(record, opts);
  out.NetworkSettings = networkSettingsView(record, opts);
  return out;
}

/** The `Ports` of a list entry, from the running container's port map, sorted. */
export function portsView(ports: PortMap): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const key of Object.keys(ports).sort(comparePortKeys)) {
    const [proto, port] = splitProtoPort(key);
    const privatePort = Number(port);
    const bindings = ports[key];
    if (!bindings || bindings.length === 0) {
      out.push({ PrivatePort: privatePort, Type: proto });
      continue;
    }
    for (const binding of bindings) {
      const entry: Record<string, unknown> = {};
      if (binding.HostIp) entry.IP = binding.HostIp;
      entry.PrivatePort = privatePort;
      const publicPort = Number.parseInt(binding.HostPort ?? '', 10);
      if (publicPort > 0) entry.PublicPort = publicPort;
      entry.Type = proto;
      out.push(entry);
    }
  }
  return out;
}

/** One entry of `GET /containers/json`. */
export function listView(record: ContainerRecord, opts: ViewOptions = {}): Record<string, unknown> {
  const ref = record.config.Image;
  const imageValid = ref !== '' && (opts.imageRefMatches?.(ref, record.image) ?? true);
  const out: Record<string, unknown> = {
    Id: record.id,
    Names: [record.name],
    Image: imageValid ? ref : record.image,
    ImageID: record.image,
    Command: commandText(record.path, record.args),
    Created: Math.floor(timeMs(record.created) / 1000),
    Ports: portsView(record.networkSettings.ports),
  };
  if (opts.size) {
    if (record.sizeRw) out.SizeRw = record.sizeRw;
    if (record.sizeRootFs) out.SizeRootFs = record.sizeRootFs;
  }
  const hostConfig: Record<string, unknown> = { NetworkMode: record.hostConfig.NetworkMode ?? 'default' };
  const annotations = record.hostConfig.Annotations;
  if (versionAtLeast(opts, '1.46') && annotations && Object.keys(annotations).length > 0) hostConfig.Annotations = sortedKeys(annotations);
  Object.assign(out, {
    Labels: record.config.Labels ? sortedKeys(record.config.Labels) : null,
    State: record.state.status,
    Status: statusText(record.state, opts.now),
    HostConfig: hostConfig,
    NetworkSettings: { Networks: networksView(record.networkSettings.networks, opts) },
    Mounts: record.mounts.map(mountPointView),
  });
  return out;
}
