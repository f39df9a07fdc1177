/**
 * The network contract: Docker's `/networks/*` endpoints and what the container engine needs
 * to wire a container into its networks. Two services of the manifest are facets of it:
 * `network-store` (networks and IPAM: create, inspect, list, remove, prune) and
 * `network-runtime` (a container's network namespace, its endpoints, published ports).
 *
 * Networks: the predefined `bridge` (Docker's default bridge, on a device and subnet of its
 * own, created at first start), `host` and `none`, and user-defined `bridge` networks. The
 * wiring (bridge, veth, addresses, NAT, port forwarding, DNS for names and aliases on
 * user-defined networks) is done by podman's `netavark` with `aardvark-dns`; IPAM is ours.
 *
 * Results are Docker-shaped (`network.Inspect`, `network.EndpointSettings`). `ref` is what
 * Docker accepts in `{id}`: a full ID, a unique ID prefix, or a name.
 *
 * Errors are `MobyError`s: `not-found` (`network x not found`), `conflict` (`network with name
 * x already exists`; a container already on the network), `permission-denied` (403 as
 * Docker's Forbidden: removing a predefined network, `bridge is a pre-defined network and
 * cannot be removed`; creating one; removing a network with active endpoints, `error while
 * removing network: network x id <id> has active endpoints`), `invalid-argument` (a bad
 * CIDR, a gateway outside its subnet, an overlapping pool, a static IP on the default bridge
 * or outside the subnet, an address in use), `unavailable` (a host port already allocated,
 * no free subnet or address), `not-implemented` (other drivers, IPv6).
 */
import type { EndpointSettings, PortMap } from '../containers/container-record.js';

export type { EndpointSettings, PortMap };

export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkCreateRequest {
  Name: string;
  /** Default `bridge`; only `bridge` can be created. */
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: IpamConfig[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network: string } | null;
}

/** Docker's `network.Inspect` (`GET /networks/{id}`, items of `GET /networks`). */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  /** Container ID → its endpoint; filled by inspect (empty `{}` in list, as Docker). */
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** The container a namespace is for. */
export interface SandboxInfo {
  containerId: string;
  /** Without the leading `/`: the DNS name on user-defined networks. */
  containerName: string;
  hostname: string;
  /** From `createSandbox`. */
  netnsPath: string;
  /** The container's `--dns`: on user-defined networks, where the resolver forwards names it does not serve. */
  dnsServers?: string[];
}

export interface EndpointRequest {
  /** A network name, ID or ID prefix; `default` is `bridge`. */
  network: string;
  /** DNS aliases on user-defined networks (the container's name and short ID are added). */
  aliases?: string[] | null;
  /** A static address (`--ip`): user-defined networks only. */
  ipv4Address?: string;
  macAddress?: string;
}

/** What a container publishes: `HostConfig.PortBindings`, `-P` and the exposed ports. */
export interface PortRequest {
  bindings: PortMap;
  publishAll: boolean;
  /** `"80/tcp"`, … from `Config.ExposedPorts`: published on ephemeral ports with `publishAll`. */
  exposed: string[];
}

export interface ConnectResult {
  endpoint: EndpointSettings;
  /** Host ports actually bound (ephemeral ones chosen), Docker's `NetworkSettings.Ports` shape. */
  ports: PortMap;
  /** The resolver a container on this network uses (aardvark's address on user-defined networks); absent: the host's. */
  dns?: { nameservers: string[]; search: string[]; options: string[] };
}

export interface NetworkService {
  // ---- network-store
  create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }>;
  inspect(ref: string, opts?: { verbose?: boolean; scope?: string }): Promise<NetworkResource>;
  /** Filters: `name`, `id`, `driver`, `label`, `type` (`builtin`/`custom`), `scope`, `dangling`. */
  list(filters?: Record<string, string[]>): Promise<NetworkResource[]>;
  remove(ref: string): Promise<void>;
  /** Removes unused user-defined networks; filters `until`, `label`. */
  prune(filters?: Record<string, string[]>): Promise<{ NetworksDeleted: string[] | null }>;
  // ---- network-runtime
  /** A network namespace of the container's own, with loopback up; returns its path. Idempotent. */
  createSandbox(containerId: string): Promise<{ netnsPath: string }>;
  /** Disconnects what is left, removes the namespace. Idempotent. */
  removeSandbox(containerId: string): Promise<void>;
  /** Joins the sandbox to one network: an address, an interface (`eth0`, `eth1`, …), DNS names; with `ports`, publishes them. */
  connect(sandbox: SandboxInfo, endpoint: EndpointRequest, ports?: PortRequest): Promise<ConnectResult>;
  /** Leaves one network; frees its address and ports. Idempotent. */
  disconnect(containerId: string, network: string): Promise<void>;
  close(): Promise<void>;
}
