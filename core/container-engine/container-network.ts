/**
 * A container's networks over the `NetworkService`: which networks its record names (at
 * create), wiring them into a namespace of its own at each start, and unwiring them at its
 * exit. The record keeps, per network name, Docker's `EndpointSettings`: what the user asked
 * (IPAMConfig, Aliases, MacAddress) always, and what the network gave (addresses, endpoint ID)
 * while it runs.
 */
import { randomBytes } from 'node:crypto';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { emptyEndpoint, type ContainerRecord, type EndpointSettings, type NetworkSettingsRecord, type PortMap } from '../containers/container-record.js';
import { networkModeKind, type EndpointConfig } from '../containers/create-request.js';
import type { ConnectResult, NetworkService, PortRequest } from '../networks/network-service.js';

/** The network the default mode joins. */
export const DEFAULT_NETWORK = 'bridge';

/** Whether a container in this mode gets a namespace of its own wired by the network service. */
export function ownsSandbox(mode: string | undefined): boolean {
  const kind = networkModeKind(mode);
  return kind === 'default' || kind === 'bridge' || kind === 'network';
}

/** The endpoint a user asked for: what Docker keeps of an `EndpointsConfig` entry. */
export function requestedEndpoint(config: EndpointConfig | undefined, networkId = ''): EndpointSettings {
  const ep = emptyEndpoint();
  if (!config) return { ...ep, NetworkID: networkId };
  const ipam = config.IPAMConfig && (config.IPAMConfig.IPv4Address || config.IPAMConfig.IPv6Address || config.IPAMConfig.LinkLocalIPs?.length) ? config.IPAMConfig : null;
  return {
    ...ep,
    IPAMConfig: ipam ? structuredClone(ipam) : null,
    Aliases: config.Aliases?.length ? [...config.Aliases] : null,
    MacAddress: config.MacAddress ?? '',
    ...(config.MacAddress ? { DesiredMacAddress: config.MacAddress } : {}),
    DriverOpts: config.DriverOpts && Object.keys(config.DriverOpts).length ? { ...config.DriverOpts } : null,
    GwPriority: config.GwPriority ?? 0,
    NetworkID: networkId,
  };
}

/**
 * At create: the networks a container joins, by network name. Names are checked against the
 * network store (`network x not found`), and Docker's refusals of the default bridge applied.
 */
export async function planNetworks(
  networks: NetworkService | undefined,
  mode: string,
  endpoints: Record<string, EndpointConfig>,
): Promise<Record<string, EndpointSettings> | undefined> {
  if (!networks || !ownsSandbox(mode)) return undefined;
  const primary = networkModeKind(mode) === 'network' ? mode : DEFAULT_NETWORK;
  const out: Record<string, EndpointSettings> = {};
  const names = [primary, ...Object.keys(endpoints).filter((n) => n !== primary && !(primary === DEFAULT_NETWORK && n === 'default'))];
  for (const name of names) {
    const asked = endpoints[name] ?? (name === DEFAULT_NETWORK ? endpoints.default : undefined);
    const network = await networks.inspect(name);
    if (network.Driver !== 'bridge') throw errorOf('invalid-argument', `container cannot be connected to network ${network.Name} of driver ${network.Driver}`);
    if (network.Name === DEFAULT_NETWORK && asked) refuseOnDefaultBridge(asked);
    out[network.Name] = requestedEndpoint(asked, network.Id);
  }
  return out;
}

/** Docker's checks of what only user-defined networks offer. */
export function refuseOnDefaultBridge(asked: EndpointConfig): void {
  if (asked.IPAMConfig?.IPv4Address || asked.IPAMConfig?.IPv6Address) {
    throw errorOf('invalid-argument', 'user specified IP address is supported on user defined networks only');
  }
  if (asked.Aliases?.length) throw errorOf('invalid-argument', 'network-scoped alias is supported only for containers in user defined networks');
}

export interface Wired {
  netnsPath: string;
  settings: NetworkSettingsRecord;
  /** The container's addresses, for its /etc/hosts. */
  addresses: string[];
  /** The resolver of its first user-defined network, if any. */
  dns?: ConnectResult['dns'];
}

/** What publishing asks of the network: the record's port bindings, `-P` and exposed ports. */
export function portRequest(record: ContainerRecord): PortRequest {
  return {
    bindings: structuredClone(record.hostConfig.PortBindings ?? {}) as PortMap,
    publishAll: record.hostConfig.PublishAllPorts ?? false,
    exposed: Object.keys(record.config.ExposedPorts ?? {}),
  };
}

/**
 * At start: the container's own namespace (from `createSandbox`) joined to each of its networks
 * in order (the first one publishes the ports). On failure the namespace is removed with what
 * was wired, and the error thrown.
 */
export async function wireNetworks(networks: NetworkService, record: ContainerRecord, netnsPath: string): Promise<Wired> {
  const sandbox = {
    containerId: record.id,
    containerName: record.name.replace(/^\//, ''),
    hostname: record.config.Hostname || record.id.slice(0, 12),
    netnsPath,
    ...(record.hostConfig.Dns?.length ? { dnsServers: [...record.hostConfig.Dns] } : {}),
  };
  const settings: NetworkSettingsRecord = {
    ...record.networkSettings,
    sandboxId: record.networkSettings.sandboxId || randomBytes(32).toString('hex'),
    sandboxKey: netnsPath,
    ports: {},
    networks: {},
  };
  const addresses: string[] = [];
  let dns: ConnectResult['dns'];
  try {
    let first = true;
    for (const [name, asked] of Object.entries(record.networkSettings.networks)) {
      const result = await networks.connect(sandbox, {
        network: asked.NetworkID || name,
        aliases: asked.Aliases,
        ...(asked.IPAMConfig?.IPv4Address ? { ipv4Address: asked.IPAMConfig.IPv4Address } : {}),
        ...(asked.DesiredMacAddress ? { macAddress: asked.DesiredMacAddress } : {}),
      }, first ? portRequest(record) : undefined);
      settings.networks[name] = {
        ...result.endpoint,
        IPAMConfig: asked.IPAMConfig,
        Aliases: asked.Aliases ?? result.endpoint.Aliases,
        ...(asked.DesiredMacAddress ? { DesiredMacAddress: asked.DesiredMacAddress } : {}),
      };
      if (first) settings.ports = result.ports;
      if (result.endpoint.IPAddress) addresses.push(result.endpoint.IPAddress);
      dns ??= result.dns;
      first = false;
    }
  } catch (err) {
    await networks.removeSandbox(record.id).catch(() => undefined);
    throw err;
  }
  return { netnsPath, settings, addresses, ...(dns ? { dns } : {}) };
}

/** At exit or removal: every endpoint left, the namespace gone; the record keeps what the user asked. */
export async function unwireNetworks(networks: NetworkService, record: ContainerRecord): Promise<NetworkSettingsRecord> {
  await networks.removeSandbox(record.id).catch((err: unknown) => {
    if (!isKind(err, 'not-found')) throw err;
  });
  return clearedSettings(record.networkSettings);
}

/** Docker's settings of a stopped container: the requested endpoint of each network, no addresses, no ports, no sandbox. */
export function clearedSettings(settings: NetworkSettingsRecord): NetworkSettingsRecord {
  const networks: Record<string, EndpointSettings> = {};
  for (const [name, ep] of Object.entries(settings.networks)) {
    networks[name] = {
      ...emptyEndpoint(), IPAMConfig: ep.IPAMConfig, Aliases: ep.Aliases, DriverOpts: ep.DriverOpts, NetworkID: ep.NetworkID,
      ...(ep.DesiredMacAddress ? { MacAddress: ep.DesiredMacAddress, DesiredMacAddress: ep.DesiredMacAddress } : {}),
    };
  }
  return { sandboxId: settings.sandboxId, sandboxKey: '', ports: {}, networks };
}
