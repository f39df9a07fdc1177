import { isIP } from 'node:net';
import { errorOf, type MobyError } from '../../lib/errdefs/index.js';
import { defaultMaskedPaths, defaultReadonlyPaths, DEFAULT_SHM_SIZE } from '../bundle/defaults.js';
import { completeContainerConfig, type ContainerConfig, type HealthConfig } from '../image/container-config.js';
import type { Platform } from '../image/oci.js';
import { parsePlatform } from '../image/platform.js';
import type { EndpointSettings, HostConfigBody, MountSpec, PortMap, RestartPolicy } from './container-record.js';
import { emptyEndpoint } from './container-record.js';
import { validateContainerName } from './names.js';
import { restartPolicyError } from './restart-policy.js';
import { parseSignal } from './signals.js';

/**
 * `POST /containers/create`: Docker's checks and normalisation of the body
 * (the container `Config`, with `HostConfig` and `NetworkingConfig` inside)
 * and of the `name` and `platform` query, for API 1.24–1.47. Error messages
 * are Docker's where clients or users see them. Nothing here looks up images,
 * networks or other containers: that is the caller's, once this has passed.
 */

export const MIN_API_VERSION = '1.24';
export const MAX_API_VERSION = '1.47';

/** Docker's smallest memory limit and reservation: 6 MiB. */
export const MIN_MEMORY = 6 * 1024 * 1024;

export interface CreateHostDefaults {
  /** CPUs on the host, for the `NanoCpus` range check. */
  ncpu?: number;
  /** 1 or 2; picks the default `CgroupnsMode` (`host` on v1, `private` on v2). Default 2. */
  cgroupVersion?: 1 | 2;
  /** The daemon's `default-ipc-mode`. Default `private`. */
  defaultIpcMode?: 'private' | 'shareable';
  defaultRuntime?: string;
  defaultLogDriver?: string;
  defaultShmSize?: number;
}

export interface CreateRequestInput {
  /** The parsed JSON body. */
  body: unknown;
  /** The `name` query parameter, as sent. */
  name?: string | null;
  /** The `platform` query parameter (honoured from 1.41). */
  platform?: string | null;
  /** The request's API version, `1.24`…`1.47` (later versions are treated as 1.47). */
  apiVersion: string;
  host?: CreateHostDefaults;
}

export interface EndpointConfig extends Partial<EndpointSettings> {
  [extra: string]: unknown;
}

export interface NormalizedCreateRequest {
  /** With its '/', or undefined: the caller generates one. */
  name?: string;
  platform?: Platform;
  /** The container `Config` (without `HostConfig`/`NetworkingConfig`), every field present; `Image` as typed. */
  config: ContainerConfig;
  /** Docker's HostConfig with the daemon's defaults filled in (`NetworkMode` `default`, `ShmSize` 64 MiB, …). */
  hostConfig: HostConfigBody;
  /** Network name → endpoint config, as asked. */
  endpointsConfig: Record<string, EndpointConfig>;
  /** Docker's create warnings (`Warnings` in the 201 body). */
  warnings: string[];
}

/** Compares dotted API versions: negative when a < b. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const invalid = (message: string): MobyError => errorOf('invalid-argument', message);

// ---- JSON shape checks, worded as Go's decoder -----------------------------------------

type GoType = 'string' | 'bool' | 'int' | '[]string' | 'map[string]string' | 'struct' | '[]struct' | 'map[string]struct' | 'nat.PortMap';

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function typeError(value: unknown, field: string, goType: string): MobyError {
  return invalid(`json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${field} of type ${goType}`);
}

function check(obj: Record<string, unknown>, key: string, goType: GoType, struct: string): void {
  const value = obj[key];
  if (value === undefined || value === null) return;
  const field = `${struct}.${key}`;
  const ok = (() => {
    switch (goType) {
      case 'string': return typeof value === 'string';
      case 'bool': return typeof value === 'boolean';
      case 'int': return typeof value === 'number' && Number.isInteger(value);
      case '[]string': return Array.isArray(value) && value.every((v) => typeof v === 'string');
      case 'map[string]string':
        return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
      case 'struct': return isPlainObject(value);
      case '[]struct': return Array.isArray(value) && value.every((v) => v === null || isPlainObject(v));
      case 'map[string]struct': return isPlainObject(value) && Object.values(value).every((v) => v === null || isPlainObject(v));
      case 'nat.PortMap':
        return isPlainObject(value) && Object.values(value).every((v) => v === null || (Array.isArray(v) && v.every((b) => b === null || isPlainObject(b))));
    }
  })();
  if (!ok) throw typeError(value, field, goType);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Docker's `StrSlice`: a JSON string is a one-element list. */
function strSlice(obj: Record<string, unknown>, key: string, struct: string): string[] | null | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'string') return [value];
  check(obj, key, '[]string', struct);
  return [...(value as string[])];
}

const CONFIG_FIELDS: Array<[string, GoType]> = [
  ['Hostname', 'string'], ['Domainname', 'string'], ['User', 'string'], ['AttachStdin', 'bool'],
  ['AttachStdout', 'bool'], ['AttachStderr', 'bool'], ['ExposedPorts', 'map[string]struct'], ['Tty', 'bool'],
  ['OpenStdin', 'bool'], ['StdinOnce', 'bool'], ['Env', '[]string'], ['Healthcheck', 'struct'], ['ArgsEscaped', 'bool'],
  ['Image', 'string'], ['Volumes', 'map[string]struct'], ['WorkingDir', 'string'], ['NetworkDisabled', 'bool'],
  ['MacAddress', 'string'], ['OnBuild', '[]string'], ['Labels', 'map[string]string'], ['StopSignal', 'string'],
  ['StopTimeout', 'int'], ['Shell', '[]string'],
];

const HOST_FIELDS: Array<[string, GoType]> = [
  ['Binds', '[]string'], ['ContainerIDFile', 'string'], ['LogConfig', 'struct'], ['NetworkMode', 'string'],
  ['PortBindings', 'nat.PortMap'], ['RestartPolicy', 'struct'], ['AutoRemove', 'bool'], ['VolumeDriver', 'string'],
  ['VolumesFrom', '[]string'], ['Annotations', 'map[string]string'], ['CapAdd', '[]string'], ['CapDrop', '[]string'],
  ['CgroupnsMode', 'string'], ['Dns', '[]string'], ['DnsOptions', '[]string'], ['DnsSearch', '[]string'],
  ['ExtraHosts', '[]string'], ['GroupAdd', '[]string'], ['IpcMode', 'string'], ['Cgroup', 'string'], ['Links', '[]string'],
  ['OomScoreAdj', 'int'], ['PidMode', 'string'], ['Privileged', 'bool'], ['PublishAllPorts', 'bool'],
  ['ReadonlyRootfs', 'bool'], ['SecurityOpt', '[]string'], ['StorageOpt', 'map[string]string'],
  ['Tmpfs', 'map[string]string'], ['UTSMode', 'string'], ['UsernsMode', 'string'], ['ShmSize', 'int'],
  ['Sysctls', 'map[string]string'], ['Runtime', 'string'], ['Isolation', 'string'], ['CpuShares', 'int'], ['Memory', 'int'],
  ['NanoCpus', 'int'], ['CgroupParent', 'string'], ['BlkioWeight', 'int'], ['BlkioWeightDevice', '[]struct'],
  ['BlkioDeviceReadBps', '[]struct'], ['BlkioDeviceWriteBps', '[]struct'], ['BlkioDeviceReadIOps', '[]struct'],
  ['BlkioDeviceWriteIOps', '[]struct'], ['CpuPeriod', 'int'], ['CpuQuota', 'int'], ['CpuRealtimePeriod', 'int'],
  ['CpuRealtimeRuntime', 'int'], ['CpusetCpus', 'string'], ['CpusetMems', 'string'], ['Devices', '[]struct'],
  ['DeviceCgroupRules', '[]string'], ['DeviceRequests', '[]struct'], ['KernelMemory', 'int'], ['KernelMemoryTCP', 'int'],
  ['MemoryReservation', 'int'], ['MemorySwap', 'int'], ['MemorySwappiness', 'int'], ['OomKillDisable', 'bool'],
  ['PidsLimit', 'int'], ['Ulimits', '[]struct'], ['CpuCount', 'int'], ['CpuPercent', 'int'], ['IOMaximumIOps', 'int'],
  ['IOMaximumBandwidth', 'int'], ['Mounts', '[]struct'], ['MaskedPaths', '[]string'], ['ReadonlyPaths', '[]string'],
  ['Init', 'bool'],
];

// ---- the request ------------------------------------------------------------------------

/** Validates and normalises a create request; throws `invalid-argument` with Docker's wording. */
export function normalizeCreateRequest(input: CreateRequestInput): NormalizedCreateRequest {
  const version = compareApiVersions(input.apiVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : input.apiVersion;
  const atLeast = (v: string) => compareApiVersions(version, v) >= 0;
  const host = input.host ?? {};
  const warnings: string[] = [];

  const body = input.body;
  if (body === null || body === undefined) throw invalid('config cannot be empty in order to create a container');
  if (!isPlainObject(body)) throw typeError(body, 'ContainerConfigWrapper', 'container.CreateRequest');

  const name = input.name ? validateContainerName(input.name) : undefined;
  const platform = input.platform && atLeast('1.41') ? parsePlatform(input.platform) : undefined;

  const config = normalizeConfig(body, atLeast);
  const hostConfig = normalizeHostConfig(body.HostConfig, host, atLeast, warnings);
  const endpointsConfig = normalizeNetworking(body.NetworkingConfig, atLeast);
  handleMacAddress(config, hostConfig, endpointsConfig, atLeast, warnings);
  validateNetworkMode(config, hostConfig);
  return { name, platform, config, hostConfig, endpointsConfig, warnings };
}

function normalizeConfig(body: Record<string, unknown>, atLeast: (v: string) => boolean): ContainerConfig {
  for (const [key, type] of CONFIG_FIELDS) check(body, key, type, 'Config');
  const cmd = strSlice(body, 'Cmd', 'Config');
  const entrypoint = strSlice(body, 'Entrypoint', 'Config');
  const partial: Partial<ContainerConfig> = {};
  for (const [key] of CONFIG_FIELDS) {
    if (body[key] !== undefined) (partial as Record<string, unknown>)[key] = structuredClone(body[key]);
  }
  const config = completeContainerConfig({ ...partial, Cmd: cmd ?? null, Entrypoint: entrypoint ?? null });
  // Go's zero values for nulls sent where Docker has a non-pointer type.
  for (const key of ['Hostname', 'Domainname', 'User', 'Image', 'WorkingDir'] as const) config[key] ??= '';
  for (const key of ['AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce'] as const) config[key] ??= false;
  if (config.StopTimeout === null) delete config.StopTimeout;
  if (config.ExposedPorts === null) delete config.ExposedPorts;

  if (config.WorkingDir !== '' && !config.WorkingDir.startsWith('/')) {
    throw invalid(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  for (const env of config.Env ?? []) {
    if (env.startsWith('=') || env === '') throw invalid(`invalid environment variable: ${env}`);
  }
  if (config.StopSignal) parseSignal(config.StopSignal);
  for (const port of Object.keys(config.ExposedPorts ?? {})) checkContainerPort(port);
  if (config.Healthcheck) config.Healthcheck = normalizeHealthcheck(config.Healthcheck, atLeast);
  return config;
}

const MIN_HEALTH_DURATION = 1_000_000; // 1ms in ns

function normalizeHealthcheck(h: HealthConfig, atLeast: (v: string) => boolean): HealthConfig {
  const out = { ...h };
  if (!atLeast('1.44')) delete out.StartInterval;
  const durations: Array<keyof HealthConfig> = ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'];
  for (const key of durations) {
    const value = out[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(value, `HealthConfig.${key}`, 'time.Duration');
    if (value !== 0 && value < MIN_HEALTH_DURATION) throw invalid(`${key} in Healthcheck cannot be less than 1ms`);
  }
  if (out.Retries !== undefined && out.Retries !== null && out.Retries < 0) throw invalid('Retries in Healthcheck cannot be negative');
  return out;
}

function normalizeHostConfig(
  raw: unknown,
  host: CreateHostDefaults,
  atLeast: (v: string) => boolean,
  warnings: string[],
): HostConfigBody {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) throw typeError(raw, 'ContainerConfigWrapper.HostConfig', 'container.HostConfig');
  const hc: HostConfigBody = structuredClone((raw ?? {}) as HostConfigBody);
  for (const [key, type] of HOST_FIELDS) check(hc as Record<string, unknown>, key, type, 'HostConfig');
  if (hc.ConsoleSize !== undefined && hc.ConsoleSize !== null) {
    const size = hc.ConsoleSize as unknown;
    if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 0)) {
      throw typeError(size, 'HostConfig.ConsoleSize', '[2]uint');
    }
  }

  // Defaults the daemon fills in.
  if (!hc.NetworkMode) hc.NetworkMode = 'default';
  hc.RestartPolicy = normalizeRestartPolicy(hc.RestartPolicy);
  const logConfig = (hc.LogConfig ?? {}) as Partial<NonNullable<HostConfigBody['LogConfig']>>;
  hc.LogConfig = { Type: logConfig.Type || host.defaultLogDriver || 'json-file', Config: logConfig.Config ?? {} };
  if (!hc.IpcMode) hc.IpcMode = host.defaultIpcMode ?? 'private';
  if (!hc.CgroupnsMode) hc.CgroupnsMode = (host.cgroupVersion ?? 2) === 1 ? 'host' : 'private';
  if (!hc.Runtime) hc.Runtime = host.defaultRuntime ?? 'runc';
  if (!hc.ShmSize) hc.ShmSize = host.defaultShmSize ?? DEFAULT_SHM_SIZE;
  if (hc.Isolation === undefined) hc.Isolation = '';
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit <= 0) hc.PidsLimit = null;
  if (hc.MemorySwappiness === -1) hc.MemorySwappiness = null;
  if (!atLeast('1.42') || hc.ConsoleSize === undefined || hc.ConsoleSize === null) hc.ConsoleSize = [0, 0];
  if (atLeast('1.42')) {
    delete hc.KernelMemory;
    delete hc.KernelMemoryTCP;
  }
  if (!atLeast('1.43')) delete hc.Annotations;
  if (!hc.Privileged) {
    hc.MaskedPaths ??= defaultMaskedPaths();
    hc.ReadonlyPaths ??= defaultReadonlyPaths();
  }

  if (hc.AutoRemove && hc.RestartPolicy.Name !== 'no') throw invalid("can't create 'AutoRemove' container with restart policy");
  checkNamespaceModes(hc);
  checkPortBindings(hc.PortBindings);
  checkExtraHosts(hc.ExtraHosts);
  checkDns(hc.Dns);
  checkResources(hc, host, warnings);
  if (hc.Isolation !== '' && hc.Isolation !== 'default') throw invalid(`invalid isolation '${hc.Isolation}' on linux`);
  if (hc.OomScoreAdj !== undefined && (hc.OomScoreAdj < -1000 || hc.OomScoreAdj > 1000)) {
    throw invalid(`Invalid value ${hc.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  if (hc.ShmSize < 0) throw invalid('SHM size can not be less than 0');
  if (hc.Mounts) hc.Mounts = hc.Mounts.map((m) => normalizeMount(m, atLeast));
  return hc;
}

function normalizeRestartPolicy(raw: unknown): RestartPolicy {
  if (raw === undefined || raw === null) return { Name: 'no', MaximumRetryCount: 0 };
  const policy = raw as { Name?: unknown; MaximumRetryCount?: unknown };
  if (policy.Name !== undefined && typeof policy.Name !== 'string') throw typeError(policy.Name, 'RestartPolicy.Name', 'container.RestartPolicyMode');
  if (policy.MaximumRetryCount !== undefined && !Number.isInteger(policy.MaximumRetryCount)) {
    throw typeError(policy.MaximumRetryCount, 'RestartPolicy.MaximumRetryCount', 'int');
  }
  const error = restartPolicyError(policy);
  if (error) throw invalid(error);
  const name = (policy.Name || 'no') as RestartPolicy['Name'];
  return { Name: name, MaximumRetryCount: (policy.MaximumRetryCount as number | undefined) ?? 0 };
}

function checkNamespaceModes(hc: HostConfigBody): void {
  const containerRef = (mode: string) => mode.startsWith('container:') && mode.length > 'container:'.length;
  const ipc = hc.IpcMode ?? '';
  if (!['', 'none', 'private', 'shareable', 'host'].includes(ipc) && !containerRef(ipc)) throw invalid(`invalid IPC mode: ${ipc}`);
  const pid = hc.PidMode ?? '';
  if (!['', 'host'].includes(pid) && !containerRef(pid)) throw invalid(`invalid PID mode: ${pid}`);
  const uts = hc.UTSMode ?? '';
  if (!['', 'host'].includes(uts)) throw invalid(`invalid UTS mode: ${uts}`);
  const userns = hc.UsernsMode ?? '';
  if (!['', 'host'].includes(userns)) throw invalid(`invalid USER mode: ${userns}`);
  const cgroupns = hc.CgroupnsMode ?? '';
  if (!['', 'host', 'private'].includes(cgroupns)) throw invalid(`invalid cgroup namespace mode: ${cgroupns}`);
}

/** Docker's `nat.SplitProtoPort`: `80/udp` → [udp, 80]; `80` → [tcp, 80]. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

function isPortNumber(s: string): boolean {
  return /^\d+$/.test(s) && Number(s) <= 65535;
}

function checkContainerPort(key: string): void {
  const [, port] = splitProtoPort(key);
  if (port !== '' && !isPortNumber(port)) throw invalid(`invalid port specification: "${port}"`);
}

function checkHostPort(hostPort: string): void {
  const [, port] = splitProtoPort(hostPort);
  if (port === '') return;
  const range = /^(\d+)-(\d+)$/.exec(port);
  if (range) {
    if (!isPortNumber(range[1]!) || !isPortNumber(range[2]!)) throw invalid(`invalid port specification: "${hostPort}"`);
    if (Number(range[2]) < Number(range[1])) throw invalid(`invalid port specification: "${hostPort}"`);
    return;
  }
  if (!isPortNumber(port)) throw invalid(`invalid port specification: "${hostPort}"`);
}

function checkPortBindings(bindings: PortMap | null | undefined): void {
  for (const [key, list] of Object.entries(bindings ?? {})) {
    checkContainerPort(key);
    if (list !== null && !Array.isArray(list)) throw typeError(list, 'HostConfig.PortBindings', 'nat.PortMap');
    for (const binding of list ?? []) {
      if (binding === null) continue;
      if (binding.HostPort !== undefined && typeof binding.HostPort !== 'string') throw typeError(binding.HostPort, 'PortBinding.HostPort', 'string');
      checkHostPort(binding.HostPort ?? '');
      const ip = binding.HostIp ?? '';
      if (ip !== '' && isIP(ip.replace(/^\[(.*)\]$/, '$1')) === 0) throw invalid(`invalid host IP: ${ip}`);
    }
  }
}

/** Docker's `ValidateExtraHost`: `name:ip` or `name=ip`, ip an address or `host-gateway`. */
function checkExtraHosts(hosts: string[] | null | undefined): void {
  for (const entry of hosts ?? []) {
    const eq = entry.indexOf('=');
    const sep = eq >= 0 ? eq : entry.indexOf(':');
    if (sep <= 0) throw invalid(`bad format for add-host: "${entry}"`);
    const ip = entry.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
    if (ip === 'host-gateway') continue;
    if (isIP(ip) === 0) throw invalid(`invalid IP address in add-host: "${entry.slice(sep + 1)}"`);
  }
}

function checkDns(servers: string[] | null | undefined): void {
  for (const server of servers ?? []) {
    if (isIP(server) === 0) throw invalid(`${server} is not an ip address`);
  }
}

const CPUSET = /^(\d+(-\d+)?)(,\d+(-\d+)?)*$/;

function checkResources(hc: HostConfigBody, host: CreateHostDefaults, warnings: string[]): void {
  const memory = hc.Memory ?? 0;
  const swap = hc.MemorySwap ?? 0;
  const reservation = hc.MemoryReservation ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0) throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && (swappiness < 0 || swappiness > 100)) {
    throw invalid(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation !== 0 && reservation < MIN_MEMORY) throw invalid('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if ((hc.KernelMemory ?? 0) > 0) warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');

  const cpuShares = hc.CpuShares ?? 0;
  if (cpuShares < 0) throw invalid(`invalid CPU shares (${cpuShares}): value must not be negative`);
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0 && (hc.CpuPeriod ?? 0) > 0) throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (hc.CpuQuota ?? 0) > 0) throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const ncpu = host.ncpu;
  if (nano < 0 || (ncpu !== undefined && nano > ncpu * 1e9)) {
    const n = ncpu ?? 1;
    throw invalid(`Range of CPUs is from 0.01 to ${n}.00, as there are only ${n} CPUs available`);
  }
  const period = hc.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = hc.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  const rtPeriod = hc.CpuRealtimePeriod ?? 0;
  const rtRuntime = hc.CpuRealtimeRuntime ?? 0;
  if (rtPeriod > 0 && rtRuntime > rtPeriod) throw invalid('cpu-rt-runtime cannot be higher than cpu-rt-period');
  if ((hc.CpuPercent ?? 0) > 0) {
    warnings.push('linux does not support CPU percent. Percent discarded.');
    hc.CpuPercent = 0;
  }
  if ((hc.CpuCount ?? 0) > 0) {
    warnings.push('linux does not support CPU count. Count discarded.');
    hc.CpuCount = 0;
  }
  if (hc.CpusetCpus && !CPUSET.test(hc.CpusetCpus)) throw invalid(`Invalid value ${hc.CpusetCpus} for cpuset cpus`);
  if (hc.CpusetMems && !CPUSET.test(hc.CpusetMems)) throw invalid(`Invalid value ${hc.CpusetMems} for cpuset mems`);
  const weight = hc.BlkioWeight ?? 0;
  if (weight < 0) throw typeError(weight, 'HostConfig.BlkioWeight', 'uint16');
  if (weight > 0 && (weight < 10 || weight > 1000)) throw invalid('Range of blkio weight is from 10 to 1000');
  if ((hc.IOMaximumBandwidth ?? 0) !== 0 || (hc.IOMaximumIOps ?? 0) !== 0) {
    throw invalid('Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  }
}

const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'];

function normalizeMount(raw: MountSpec, atLeast: (v: string) => boolean): MountSpec {
  const m = { ...raw };
  if (typeof m.Type !== 'string' || !MOUNT_TYPES.includes(m.Type)) throw invalid(`mount type unknown: ${JSON.stringify(String(m.Type ?? ''))}`);
  if (typeof m.Target !== 'string' || m.Target === '') throw invalid('Target must not be empty');
  if (!atLeast('1.42')) {
    if (m.BindOptions) m.BindOptions = { ...m.BindOptions, CreateMountpoint: false };
  } else {
    if (m.VolumeOptions && m.Type !== 'volume') throw invalid(`VolumeOptions must not be specified on mount type "${m.Type}"`);
    if (m.BindOptions && m.Type !== 'bind') throw invalid(`BindOptions must not be specified on mount type "${m.Type}"`);
    if (m.TmpfsOptions && m.Type !== 'tmpfs') throw invalid(`TmpfsOptions must not be specified on mount type "${m.Type}"`);
  }
  if (!atLeast('1.44') && m.BindOptions) {
    if (m.BindOptions.ReadOnlyForceRecursive) throw invalid('BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer');
    m.BindOptions = { ...m.BindOptions, ReadOnlyNonRecursive: false };
  }
  if (!atLeast('1.45') && m.VolumeOptions?.Subpath) throw invalid('VolumeOptions.Subpath needs API v1.45 or newer');
  return m;
}

function normalizeNetworking(raw: unknown, atLeast: (v: string) => boolean): Record<string, EndpointConfig> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw typeError(raw, 'ContainerConfigWrapper.NetworkingConfig', 'network.NetworkingConfig');
  const endpoints = raw.EndpointsConfig;
  if (endpoints === undefined || endpoints === null) return {};
  if (!isPlainObject(endpoints)) throw typeError(endpoints, 'NetworkingConfig.EndpointsConfig', 'map[string]*network.EndpointSettings');
  const names = Object.keys(endpoints);
  if (!atLeast('1.44') && names.length > 1) {
    throw invalid(`Container cannot be connected to network endpoints: ${[...names].sort().join(', ')}`);
  }
  const out: Record<string, EndpointConfig> = {};
  for (const name of names) {
    const ep = endpoints[name];
    if (ep !== null && !isPlainObject(ep)) throw typeError(ep, 'NetworkingConfig.EndpointsConfig', 'network.EndpointSettings');
    out[name] = structuredClone((ep ?? {}) as EndpointConfig);
  }
  return out;
}

/** The container-wide `MacAddress` belongs to the main network's endpoint (moved there in 1.44). */
function handleMacAddress(
  config: ContainerConfig,
  hc: HostConfigBody,
  endpoints: Record<string, EndpointConfig>,
  atLeast: (v: string) => boolean,
  warnings: string[],
): void {
  const mac = config.MacAddress;
  if (!mac) return;
  const mode = hc.NetworkMode ?? 'default';
  if (mode === 'host' || mode.startsWith('container:')) throw invalid('conflicting options: mac-address and the network mode');
  if (mode === 'none') return;
  const ep = (endpoints[mode] ??= {});
  if (!atLeast('1.44')) {
    ep.MacAddress = mac;
    return;
  }
  if (ep.MacAddress && ep.MacAddress !== mac) {
    throw invalid('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
  }
  ep.MacAddress = mac;
  warnings.push('The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.');
}

/** Docker's checks for `container:<id>` and `host` network modes. Other names are networks, looked up by the caller. */
function validateNetworkMode(config: ContainerConfig, hc: HostConfigBody): void {
  const mode = hc.NetworkMode ?? 'default';
  const isContainer = mode.startsWith('container:');
  if (isContainer) {
    if (mode === 'container:') throw invalid('Invalid network mode: invalid container format container:<name|id>');
    if (config.Hostname !== '') throw invalid('conflicting options: hostname and the network mode');
    if ((hc.Links ?? []).length > 0) {
      throw invalid("conflicting options: container type network can't be used with links. This would result in undefined behavior");
    }
    if ((hc.Dns ?? []).length > 0) throw invalid('conflicting options: dns and the network mode');
    if ((hc.ExtraHosts ?? []).length > 0) throw invalid('conflicting options: custom host-to-IP mapping and the network mode');
    if (Object.keys(hc.PortBindings ?? {}).length > 0 || hc.PublishAllPorts) {
      throw invalid('conflicting options: port publishing and the container type network mode');
    }
    if (Object.keys(config.ExposedPorts ?? {}).length > 0) {
      throw invalid('conflicting options: port exposing and the container type network mode');
    }
  }
  if (mode === 'host' && (hc.Links ?? []).length > 0) {
    throw invalid("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
  }
}

/** How the caller should treat a `NetworkMode`. */
export type NetworkModeKind = 'default' | 'bridge' | 'host' | 'none' | 'container' | 'network';

export function networkModeKind(mode: string | undefined): NetworkModeKind {
  if (!mode || mode === 'default') return 'default';
  if (mode === 'bridge' || mode === 'host' || mode === 'none') return mode;
  if (mode.startsWith('container:')) return 'container';
  return 'network';
}

// ---- merging with the image -------------------------------------------------------------

/**
 * Docker's `merge` of the image's config into the container's, then its
 * check: the user's values win; Env entries whose keys the user did not set,
 * labels, exposed ports and volumes are added from the image; the image's Cmd
 * applies only when the user gave no Entrypoint (or `[]`) and no Cmd;
 * `Entrypoint: [""]` means none. No command at all: `No command specified`.
 * `Hostname` defaults to the first 12 characters of `id` (the host's name
 * with `hostHostname` for host networking).
 */
export function mergeImageConfig(
  image: Partial<ContainerConfig> | null | undefined,
  user: ContainerConfig,
  options: { id: string; networkMode?: string; hostHostname?: string },
): ContainerConfig {
  const img = image ?? {};
  const out = structuredClone(user);
  if (out.User === '') out.User = img.User ?? '';
  if (Object.keys(out.ExposedPorts ?? {}).length === 0) {
    if (img.ExposedPorts) out.ExposedPorts = structuredClone(img.ExposedPorts);
  } else {
    for (const port of Object.keys(img.ExposedPorts ?? {})) out.ExposedPorts![port] ??= {};
  }
  out.Env = mergeEnv(img.Env ?? null, out.Env);
  out.Labels = { ...(img.Labels ?? {}), ...(out.Labels ?? {}) };
  if ((out.Entrypoint ?? []).length === 0) {
    if ((out.Cmd ?? []).length === 0) {
      out.Cmd = img.Cmd ? [...img.Cmd] : null;
      if (img.ArgsEscaped) out.ArgsEscaped = true;
      else delete out.ArgsEscaped;
    }
    if (out.Entrypoint === null || out.Entrypoint === undefined) out.Entrypoint = img.Entrypoint ? [...img.Entrypoint] : null;
  }
  if (img.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = structuredClone(img.Healthcheck);
    else {
      const h = out.Healthcheck;
      if (!h.Test || h.Test.length === 0) h.Test = img.Healthcheck.Test;
      for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
        if (!h[key] && img.Healthcheck[key]) h[key] = img.Healthcheck[key];
      }
    }
  }
  if (out.WorkingDir === '') out.WorkingDir = img.WorkingDir ?? '';
  if (Object.keys(out.Volumes ?? {}).length === 0) out.Volumes = img.Volumes ? structuredClone(img.Volumes) : null;
  else Object.assign(out.Volumes!, img.Volumes ?? {});
  if (!out.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  if (out.Entrypoint && out.Entrypoint.length === 1 && out.Entrypoint[0] === '') out.Entrypoint = null;
  if ((out.Entrypoint ?? []).length === 0 && (out.Cmd ?? []).length === 0) throw invalid('No command specified');
  if (out.Hostname === '') {
    out.Hostname = options.networkMode === 'host' && options.hostHostname ? options.hostHostname : options.id.slice(0, 12);
  }
  return out;
}

/** User entries first (as given, `KEY` alone included), then the image's entries for keys the user did not set. */
export function mergeEnv(imageEnv: string[] | null, userEnv: string[] | null): string[] | null {
  if (!userEnv || userEnv.length === 0) return imageEnv ? [...imageEnv] : userEnv;
  const keys = new Set(userEnv.map(envKey));
  return [...userEnv, ...(imageEnv ?? []).filter((entry) => !keys.has(envKey(entry)))];
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * The process a container runs: Docker's Entrypoint/Cmd rules against the
 * image's config (see `mergeImageConfig`), then `getEntrypointAndArgs`: the
 * first word of Entrypoint (else Cmd) is the path; the rest, then Cmd, are
 * the args. Pass `null` as the image for an already merged config.
 */
export function resolveCommand(
  image: Pick<Partial<ContainerConfig>, 'Entrypoint' | 'Cmd'> | null | undefined,
  config: Pick<Partial<ContainerConfig>, 'Entrypoint' | 'Cmd'>,
): { path: string; args: string[] } {
  let entrypoint = config.Entrypoint ?? null;
  let cmd = config.Cmd ?? null;
  if ((entrypoint ?? []).length === 0) {
    if ((cmd ?? []).length === 0) cmd = image?.Cmd ?? null;
    if (entrypoint === null) entrypoint = image?.Entrypoint ?? null;
  }
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = null;
  if (entrypoint && entrypoint.length > 0) return { path: entrypoint[0]!, args: [...entrypoint.slice(1), ...(cmd ?? [])] };
  if (!cmd || cmd.length === 0) throw invalid('No command specified');
  return { path: cmd[0]!, args: cmd.slice(1) };
}
