/** The body of `GET /info` (OpenAPI `SystemInfo`): every field, real values where we have them. */
import type { HostFacts } from '../../core/system/host-facts.js';
import type { EngineCounts } from './engine-api-deps.js';

export interface SystemInfoInput {
  /** The engine ID from `<dataRoot>/engine-id`. */
  id: string;
  version: string;
  dataRoot: string;
  /** Filesystem of the data root, e.g. "extfs". */
  backingFilesystem: string;
  host: HostFacts;
  /** Undefined when they could not be counted; a warning says so. */
  counts: EngineCounts | undefined;
  countsError?: string;
  now: Date;
  /** The engine's environment, for HTTP(S)_PROXY / NO_PROXY. */
  env: Record<string, string | undefined>;
}

export function systemInfo(input: SystemInfoInput): Record<string, unknown> {
  const { host } = input;
  const counts = input.counts ?? { containers: 0, running: 0, paused: 0, stopped: 0, images: 0 };
  const runtimeCommit = host.runtime?.commit ?? '';
  return {
    ID: input.id,
    Containers: counts.containers,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: counts.images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', input.backingFilesystem]],
    DockerRootDir: input.dataRoot,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: host.cgroup.memoryLimit,
    SwapLimit: host.cgroup.swapLimit,
    CpuCfsPeriod: host.cgroup.cpuCfsPeriod,
    CpuCfsQuota: host.cgroup.cpuCfsQuota,
    CPUShares: host.cgroup.cpuShares,
    CPUSet: host.cgroup.cpuSet,
    PidsLimit: host.cgroup.pidsLimit,
    OomKillDisable: host.cgroup.oomKillDisable,
    IPv4Forwarding: host.ipv4Forwarding,
    Debug: false,
    NFd: host.openFds,
    NGoroutines: process.getActiveResourcesInfo().length,
    SystemTime: rfc3339Nano(input.now),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: host.cgroupVersion,
    NEventsListener: 0,
    KernelVersion: host.kernelVersion,
    OperatingSystem: host.operatingSystem,
    OSVersion: host.osVersion,
    OSType: host.osType,
    Architecture: host.architecture,
    NCPU: host.ncpu,
    MemTotal: host.memTotal,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      InsecureRegistryCIDRs: ['127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: [],
    },
    GenericResources: null,
    HttpProxy: proxyFromEnv(input.env, 'HTTP_PROXY'),
    HttpsProxy: proxyFromEnv(input.env, 'HTTPS_PROXY'),
    NoProxy: input.env.NO_PROXY ?? input.env.no_proxy ?? '',
    Name: host.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: input.version,
    Runtimes: { runc: { path: 'runc' } },
    DefaultRuntime: 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: commit(''),
    RuncCommit: commit(runtimeCommit),
    InitCommit: commit(''),
    SecurityOptions: securityOptions(host),
    ProductLicense: '',
    DefaultAddressPools: [],
    FirewallBackend: null,
    DiscoveredDevices: [],
    NRI: null,
    CDISpecDirs: [],
    Containerd: null,
    Warnings: warnings(host, input.countsError),
  };
}

/** Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros, none if zero. */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** `Expected` mirrors `ID` so clients before API 1.49 see no mismatch; Go omits it when empty. */
function commit(id: string): { ID: string; Expected?: string } {
  return id === '' ? { ID: '' } : { ID: id, Expected: id };
}

function securityOptions(host: HostFacts): string[] {
  const options = host.seccomp ? ['name=seccomp,profile=builtin'] : [];
  if (host.cgroupVersion === '2') options.push('name=cgroupns');
  return options;
}

/** Docker's wording for missing kernel support; null (Go's nil) when there is nothing to say. */
function warnings(host: HostFacts, countsError: string | undefined): string[] | null {
  const checks: Array<[boolean, string]> = [
    [host.cgroup.memoryLimit, 'WARNING: No memory limit support'],
    [host.cgroup.swapLimit, 'WARNING: No swap limit support'],
    [host.cgroup.oomKillDisable || host.cgroupVersion === '2', 'WARNING: No oom kill disable support'],
    [host.cgroup.cpuCfsQuota, 'WARNING: No cpu cfs quota support'],
    [host.cgroup.cpuCfsPeriod, 'WARNING: No cpu cfs period support'],
    [host.cgroup.cpuShares, 'WARNING: No cpu shares support'],
    [host.cgroup.cpuSet, 'WARNING: No cpuset support'],
    [host.ipv4Forwarding, 'WARNING: IPv4 forwarding is disabled'],
  ];
  const found = checks.filter(([ok]) => !ok).map(([, text]) => text);
  if (countsError !== undefined) found.push(`WARNING: could not count containers and images: ${countsError}`);
  return found.length === 0 ? null : found;
}

/** A proxy setting from the environment with its credentials masked, as Docker reports it. */
function proxyFromEnv(env: Record<string, string | undefined>, name: string): string {
  const value = env[name] ?? env[name.toLowerCase()] ?? '';
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    url.username = 'xxxxx';
    url.password = 'xxxxx';
    const masked = url.toString();
    return masked.endsWith('/') && !value.endsWith('/') ? masked.slice(0, -1) : masked;
  } catch {
    return value;
  }
}
