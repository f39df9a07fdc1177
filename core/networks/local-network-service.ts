/**
 * `LocalNetworkService`: the `NetworkService` contract over SQLite records (`<root>/networks.db`),
 * our IPAM (`ipam.ts`, host-wide claims in `claims.ts`), persistent network namespaces
 * (`netns.ts`) and podman's netavark for the wiring (`netavark.ts`).
 *
 * Concurrency: every allocation (subnet, address, port claim) and the record that holds it
 * are made in one synchronous stretch (better-sqlite3 is synchronous), so two calls of one
 * process never pick the same; other engines on the host are kept apart by the claims.
 * netavark runs outside of that, concurrently.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { errorOf } from '../../lib/errdefs/index.js';
import { migrate } from '../metadata/migrations.js';
import { HostClaims } from './claims.js';
import { waitForAnswer } from './dns-probe.js';
import {
  chooseSubnet,
  checkStaticAddress,
  formatIPv4,
  formatPrefix,
  hostRoutes,
  mustPrefix,
  nextFreeAddress,
  overlaps,
  parseIPv4,
  poolOf,
  validateIpamConfigs,
  type Prefix,
} from './ipam.js';
import { run } from './exec.js';
import { Netavark, NETAVARK, AARDVARK, type NetavarkInput, type NetavarkNetwork, type NetavarkPortMapping } from './netavark.js';
import { createNetns, ensureNetnsDir, releaseNetnsDirIfEmpty, removeNetnsFile } from './netns.js';
import { addBinding, EPHEMERAL_FIRST, EPHEMERAL_LAST, portIsFree, wantedPorts, type WantedPort } from './ports.js';
import type {
  ConnectResult,
  EndpointRequest,
  EndpointSettings,
  IpamConfig,
  NetworkCreateRequest,
  NetworkResource,
  NetworkService,
  PortMap,
  PortRequest,
  SandboxInfo,
} from './network-service.js';

export const NETWORKS_DB = 'networks.db';
export const DEFAULT_CLAIMS_DIR = '/run/moby-ipam';
export const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';
/** The resolver address a container on a user-defined network is given (Docker's embedded DNS). */
export const LOCAL_RESOLVER = '127.0.0.11';

export const networkMigrations: readonly string[] = [
  `
  CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    device TEXT NOT NULL,
    subnet TEXT NOT NULL,
    predefined INTEGER NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record))
  ) STRICT;

  CREATE TABLE sandboxes (
    container_id TEXT PRIMARY KEY,
    netns TEXT NOT NULL,
    resolver TEXT NOT NULL DEFAULT ''
  ) STRICT;

  CREATE TABLE endpoints (
    network_id TEXT NOT NULL REFERENCES networks (id),
    container_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL UNIQUE,
    container_name TEXT NOT NULL,
    netns TEXT NOT NULL,
    iface TEXT NOT NULL,
    ip TEXT NOT NULL,
    static_ip INTEGER NOT NULL,
    mac TEXT NOT NULL,
    aliases TEXT NOT NULL,
    ports TEXT NOT NULL,
    mappings TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active')),
    created TEXT NOT NULL,
    PRIMARY KEY (network_id, container_id)
  ) STRICT;
  CREATE INDEX endpoints_by_container ON endpoints (container_id);
  `,
];

export interface LocalNetworkServiceOptions {
  /** Where `networks.db` lives (the engine's data root). */
  root: string;
  /** Runtime state: `<execRoot>/netns/<id12>` namespaces, `<execRoot>/netavark` (netavark's and aardvark-dns's config). */
  execRoot: string;
  /** The default bridge's device (Docker's `docker0`); default `moby0`. */
  bridgeName?: string;
  /** The default bridge's preferred subnet (dockerd's `--bip` network); default 172.17.0.0/16, else the next free pool. */
  bridgeSubnet?: string;
  /** The host-wide claims directory shared by every engine of the host; default `/run/moby-ipam`. */
  claimsDir?: string;
  /** Make `127.0.0.11` the resolver on user-defined networks (a DNAT inside the container's namespace); default true. */
  localResolver?: boolean;
  netavarkBinary?: string;
  aardvarkBinary?: string;
  /** Where host routes are read (tests); default `/proc/net/route`. */
  procNetRoute?: string;
  /** Failures of best-effort clean-up (a teardown of an endpoint whose namespace is gone…). */
  onWarning?: (message: string) => void;
}

interface NetworkRow {
  id: string;
  name: string;
  created: string;
  device: string;
  subnet: string;
  predefined: number;
  record: string;
}

interface EndpointRow {
  network_id: string;
  container_id: string;
  endpoint_id: string;
  container_name: string;
  netns: string;
  iface: string;
  ip: string;
  static_ip: number;
  mac: string;
  aliases: string;
  ports: string;
  mappings: string;
  state: string;
  created: string;
}

/** A network as stored: Docker's shape without `Containers`, plus what the wiring needs. */
interface Net {
  res: Omit<NetworkResource, 'Containers'>;
  device: string;
  predefined: boolean;
  subnet?: Prefix;
}

const PREDEFINED = ['bridge', 'host', 'none'] as const;
const BRIDGE_OPT = 'com.docker.network.bridge.';
const SUPPORTED_BUILTIN_DRIVERS = new Set(['macvlan', 'ipvlan', 'overlay', 'transparent', 'l2bridge', 'nat']);

function newId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The network's name as netavark knows it: unique to the network, not its Docker name. netavark
 * names its firewall chains after it (`NETAVARK-<sha512(name)>`), so two engines on one host
 * each with a network called `bridge` would otherwise share, and tear down, each other's chains.
 */
function netavarkName(net: { res: { Id: string } }): string {
  return `moby-${net.res.Id.slice(0, 16)}`;
}

function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function isTrue(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (['1', 't', 'true'].includes(l)) return true;
  if (['0', 'f', 'false'].includes(l)) return false;
  return undefined;
}

export class LocalNetworkService implements NetworkService {
  private readonly stmts;
  private readonly claims: HostClaims;
  private readonly netavark: Netavark;
  private readonly netnsDir: string;
  /** Ids (endpoint ids) whose host-port claims are being made and have no record yet. */
  private readonly pending = new Set<string>();
  /** Serializes the namespace directory's set-up and release with namespace creation. */
  private netnsLock: Promise<unknown> = Promise.resolve();
  /** Per container: serializes its connects, disconnects and resolver rules. */
  private readonly containerLocks = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly opts: Required<Omit<LocalNetworkServiceOptions, 'onWarning'>> & Pick<LocalNetworkServiceOptions, 'onWarning'>,
    dbPath: string,
  ) {
    this.stmts = {
      netById: db.prepare<[string], NetworkRow>('SELECT * FROM networks WHERE id = ?'),
      netByName: db.prepare<[string], NetworkRow>('SELECT * FROM networks WHERE name = ?'),
      netByPrefix: db.prepare<[string, string], NetworkRow>('SELECT * FROM networks WHERE id >= ? AND id < ? ORDER BY id LIMIT 2'),
      netAll: db.prepare<[], NetworkRow>('SELECT * FROM networks ORDER BY created, rowid'),
      netInsert: db.prepare<[string, string, string, string, string, number, string]>(
        'INSERT INTO networks (id, name, created, device, subnet, predefined, record) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      netDelete: db.prepare<[string]>('DELETE FROM networks WHERE id = ?'),
      epOf: db.prepare<[string, string], EndpointRow>('SELECT * FROM endpoints WHERE network_id = ? AND container_id = ?'),
      epByNetwork: db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE network_id = ? ORDER BY created'),
      epByContainer: db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE container_id = ? ORDER BY iface'),
      epById: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM endpoints WHERE endpoint_id = ?'),
      epCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM endpoints WHERE network_id = ?'),
      epAllMappings: db.prepare<[], { mappings: string }>("SELECT mappings FROM endpoints WHERE mappings != '[]'"),
      epInsert: db.prepare<[string, string, string, string, string, string, string, number, string, string, string, string]>(
        `INSERT INTO endpoints (network_id, container_id, endpoint_id, container_name, netns, iface, ip, static_ip, mac, aliases, ports, mappings, state, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, 'pending', ?)`,
      ),
      epActivate: db.prepare<[string, string]>("UPDATE endpoints SET state = 'active', mac = ? WHERE endpoint_id = ?"),
      epDelete: db.prepare<[string]>('DELETE FROM endpoints WHERE endpoint_id = ?'),
      sbGet: db.prepare<[string], { container_id: string; netns: string; resolver: string }>('SELECT * FROM sandboxes WHERE container_id = ?'),
      sbInsert: db.prepare<[string, string]>('INSERT OR IGNORE INTO sandboxes (container_id, netns) VALUES (?, ?)'),
      sbResolver: db.prepare<[string, string]>('UPDATE sandboxes SET resolver = ? WHERE container_id = ?'),
      sbDelete: db.prepare<[string]>('DELETE FROM sandboxes WHERE container_id = ?'),
    };
    this.claims = new HostClaims(opts.claimsDir, dbPath, (what) => this.stillOurs(what));
    this.netavark = new Netavark(join(opts.execRoot, 'netavark'), opts.netavarkBinary, opts.aardvarkBinary);
    this.netnsDir = join(opts.execRoot, 'netns');
  }

  /** Opens or creates `<root>/networks.db`, creating the predefined networks on first open. */
  static open(options: LocalNetworkServiceOptions): LocalNetworkService {
    mkdirSync(options.root, { recursive: true, mode: 0o700 });
    mkdirSync(options.execRoot, { recursive: true, mode: 0o700 });
    const dbPath = resolve(options.root, NETWORKS_DB);
    const db = new Database(dbPath, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, networkMigrations);
      const svc = new LocalNetworkService(
        db,
        {
          root: options.root,
          execRoot: options.execRoot,
          bridgeName: options.bridgeName ?? 'moby0',
          bridgeSubnet: options.bridgeSubnet ?? DEFAULT_BRIDGE_SUBNET,
          claimsDir: options.claimsDir ?? DEFAULT_CLAIMS_DIR,
          localResolver: options.localResolver ?? true,
          netavarkBinary: options.netavarkBinary ?? NETAVARK,
          aardvarkBinary: options.aardvarkBinary ?? AARDVARK,
          procNetRoute: options.procNetRoute ?? '/proc/net/route',
          onWarning: options.onWarning,
        },
        dbPath,
      );
      svc.ensurePredefined();
      return svc;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  // ------------------------------------------------------------------ records

  private stillOurs(what: string): boolean {
    if (this.pending.has(what)) return true;
    if (this.stmts.netById.get(what)) return true;
    return this.stmts.epById.get(what)!.n > 0;
  }

  private toNet(row: NetworkRow): Net {
    return {
      res: JSON.parse(row.record) as Net['res'],
      device: row.device,
      predefined: row.predefined === 1,
      subnet: row.subnet ? mustPrefix(row.subnet) : undefined,
    };
  }

  private allNets(): Net[] {
    return this.stmts.netAll.all().map((r) => this.toNet(r));
  }

  private ensurePredefined(): void {
    for (const name of PREDEFINED) {
      const row = this.stmts.netByName.get(name);
      if (row) {
        const net = this.toNet(row);
        if (net.subnet && !this.claims.claimSubnet(net.subnet, net.res.Id)) {
          this.warn(`network ${name}: subnet ${formatPrefix(net.subnet)} is claimed by another engine on this host`);
        }
        continue;
      }
      const id = newId();
      const created = nowRfc3339();
      const base = {
        Name: name,
        Id: id,
        Created: created,
        Scope: 'local',
        EnableIPv4: true,
        EnableIPv6: false,
        Internal: false,
        Attachable: false,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Labels: {},
      };
      if (name === 'bridge') {
        const device = this.opts.bridgeName;
        if (device.length > 15) throw errorOf('invalid-argument', `bridge name ${device} is longer than 15 characters`);
        const preferred = mustPrefix(this.opts.bridgeSubnet);
        const subnet = this.pickSubnet(id, preferred);
        const gateway = formatIPv4(subnet.base + 1);
        const res: Net['res'] = {
          ...base,
          Driver: 'bridge',
          IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: formatPrefix(subnet), Gateway: gateway }] },
          Options: {
            'com.docker.network.bridge.default_bridge': 'true',
            'com.docker.network.bridge.enable_icc': 'true',
            'com.docker.network.bridge.enable_ip_masquerade': 'true',
            'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
            'com.docker.network.bridge.name': device,
            'com.docker.network.driver.mtu': '1500',
          },
        };
        this.stmts.netInsert.run(id, name, created, device, formatPrefix(subnet), 1, JSON.stringify(res));
      } else {
        const res: Net['res'] = {
          ...base,
          Driver: name === 'host' ? 'host' : 'null',
          IPAM: { Driver: 'default', Options: null, Config: null },
          Options: {},
        };
        this.stmts.netInsert.run(id, name, created, '', '', 1, JSON.stringify(res));
      }
    }
  }

  /**
   * A free subnet from the default pools (preferring `preferred`), away from the host's
   * routes, our networks and other engines' claims; claimed for `id`. Synchronous.
   */
  private pickSubnet(id: string, preferred?: Prefix): Prefix {
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = [
        ...this.allNets().flatMap((n) => (n.subnet ? [n.subnet] : [])),
        ...hostRoutes(this.opts.procNetRoute).map((r) => r.prefix),
        ...this.claims.foreignSubnets(),
      ];
      const subnet = chooseSubnet((p) => !taken.some((t) => overlaps(t, p)), preferred);
      if (!subnet) throw errorOf('unavailable', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
      if (this.claims.claimSubnet(subnet, id)) return subnet;
    }
    throw errorOf('unavailable', 'could not claim a subnet: other engines on this host keep taking them');
  }

  /** Docker's `FindNetwork`: full ID, then name, then unique ID prefix. */
  private find(ref: string): Net {
    const net = this.lookup(ref);
    if (!net) throw errorOf('not-found', `network ${ref} not found`);
    return net;
  }

  private lookup(ref: string): Net | undefined {
    if (ref === '') return undefined;
    const byId = this.stmts.netById.get(ref);
    if (byId) return this.toNet(byId);
    const byName = this.stmts.netByName.get(ref);
    if (byName) return this.toNet(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const rows = this.stmts.netByPrefix.all(ref, `${ref}\u007f`).filter((r) => r.id.startsWith(ref));
    if (rows.length > 1) throw errorOf('invalid-argument', `network ${ref} is ambiguous (${rows.length} matches found based on ID prefix)`);
    return rows[0] ? this.toNet(rows[0]) : undefined;
  }

  private view(net: Net, withContainers: boolean): NetworkResource {
    const containers: NetworkResource['Containers'] = {};
    if (withContainers) {
      const prefixLen = net.subnet?.bits;
      for (const ep of this.stmts.epByNetwork.all(net.res.Id)) {
        containers[ep.container_id] = {
          Name: ep.container_name,
          EndpointID: ep.endpoint_id,
          MacAddress: ep.mac,
          IPv4Address: ep.ip && prefixLen !== undefined ? `${ep.ip}/${prefixLen}` : '',
          IPv6Address: '',
        };
      }
    }
    return { ...structuredClone(net.res), Containers: containers };
  }

  private warn(message: string): void {
    this.opts.onWarning?.(message);
  }

  private assertOpen(): void {
    if (this.closed) throw errorOf('unavailable', 'network service is closed');
  }

  // ------------------------------------------------------------------ network-store

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    this.assertOpen();
    const name = req.Name ?? '';
    if (name === '') throw errorOf('invalid-argument', 'network name must not be empty');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
      throw errorOf('invalid-argument', `invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    if ((PREDEFINED as readonly string[]).includes(name)) {
      throw errorOf('permission-denied', `operation is not permitted on predefined ${name} network `);
    }
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw errorOf('permission-denied', `only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') {
      if (SUPPORTED_BUILTIN_DRIVERS.has(driver)) throw errorOf('not-implemented', `network driver "${driver}" is not supported`);
      throw errorOf('not-found', `plugin "${driver}" not found`);
    }
    if (req.Scope && req.Scope !== 'local') throw errorOf('invalid-argument', `bridge driver does not support ${req.Scope} scope`);
    if (req.ConfigOnly || req.ConfigFrom?.Network) throw errorOf('not-implemented', 'config-only networks are not supported');
    if (req.Ingress) throw errorOf('not-implemented', 'ingress networks are not supported');
    if (req.EnableIPv6) throw errorOf('not-implemented', 'IPv6 networks are not supported');
    if (req.EnableIPv4 === false) throw errorOf('invalid-argument', 'IPv4 cannot be disabled on a bridge network');
    const ipamDriver = req.IPAM?.Driver || 'default';
    if (ipamDriver !== 'default') throw errorOf('not-found', `plugin "${ipamDriver}" not found`);
    const configs = (req.IPAM?.Config ?? []).filter((c) => !c.Subnet?.includes(':'));
    for (const c of configs) {
      if (!c.Subnet) {
        if (c.IPRange || c.Gateway) throw errorOf('invalid-argument', 'invalid network config:\n* a subnet is required with an ip-range or a gateway');
      }
    }
    const withSubnet = configs.filter((c) => c.Subnet);
    validateIpamConfigs(withSubnet);

    const options = { ...(req.Options ?? {}) };
    for (const key of ['enable_icc', 'enable_ip_masquerade']) {
      const v = options[BRIDGE_OPT + key];
      if (v !== undefined && isTrue(v) === undefined) throw errorOf('invalid-argument', `invalid value for ${BRIDGE_OPT + key}: ${v}`);
    }
    const mtu = options['com.docker.network.driver.mtu'];
    if (mtu !== undefined && (!/^\d+$/.test(mtu) || Number(mtu) < 68 || Number(mtu) > 65535)) {
      throw errorOf('invalid-argument', `invalid MTU ${mtu}`);
    }
    let warning = '';
    if (options[BRIDGE_OPT + 'enable_icc'] !== undefined && isTrue(options[BRIDGE_OPT + 'enable_icc']!) === false) {
      warning = 'enable_icc=false is recorded but not enforced by this engine';
    }
    if (options[BRIDGE_OPT + 'enable_ip_masquerade'] !== undefined && isTrue(options[BRIDGE_OPT + 'enable_ip_masquerade']!) === false) {
      warning = [warning, 'enable_ip_masquerade=false is recorded but not enforced by this engine'].filter(Boolean).join('; ');
    }

    // Synchronous from here: the name, the device, the subnet claim and the record.
    if (this.stmts.netByName.get(name)) throw errorOf('conflict', `network with name ${name} already exists`);
    const id = newId();
    const device = options[BRIDGE_OPT + 'name'] || `br-${id.slice(0, 12)}`;
    if (device.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(device)) throw errorOf('invalid-argument', `invalid bridge name ${device}`);
    if (this.allNets().some((n) => n.device === device)) {
      throw errorOf('conflict', `bridge name ${device} is already used by another network`);
    }
    let subnet: Prefix;
    let cfg: IpamConfig;
    if (withSubnet[0]) {
      const u = withSubnet[0];
      subnet = mustPrefix(u.Subnet!);
      if (this.allNets().some((n) => n.subnet && overlaps(n.subnet, subnet)) || !this.claims.claimSubnet(subnet, id)) {
        throw errorOf('invalid-argument', 'Pool overlaps with other one on this address space');
      }
      cfg = { Subnet: u.Subnet, Gateway: u.Gateway || formatIPv4(subnet.base + 1) };
      if (u.IPRange) cfg.IPRange = u.IPRange;
      if (u.AuxiliaryAddresses && Object.keys(u.AuxiliaryAddresses).length > 0) cfg.AuxiliaryAddresses = { ...u.AuxiliaryAddresses };
    } else {
      subnet = this.pickSubnet(id);
      cfg = { Subnet: formatPrefix(subnet), Gateway: formatIPv4(subnet.base + 1) };
    }
    const created = nowRfc3339();
    const res: Net['res'] = {
      Name: name,
      Id: id,
      Created: created,
      Scope: 'local',
      Driver: 'bridge',
      EnableIPv4: true,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: req.IPAM?.Options ?? {}, Config: [cfg] },
      Internal: req.Internal ?? false,
      Attachable: req.Attachable ?? false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: options,
      Labels: { ...(req.Labels ?? {}) },
    };
    try {
      this.stmts.netInsert.run(id, name, created, device, formatPrefix(subnet), 0, JSON.stringify(res));
    } catch (err) {
      this.claims.releaseSubnet(subnet, id);
      throw err;
    }
    return { Id: id, Warning: warning };
  }

  async inspect(ref: string, opts?: { verbose?: boolean; scope?: string }): Promise<NetworkResource> {
    this.assertOpen();
    const net = this.find(ref);
    if (opts?.scope && opts.scope !== net.res.Scope) throw errorOf('not-found', `network ${ref} not found`);
    return this.view(net, true);
  }

  async list(filters: Record<string, string[]> = {}): Promise<NetworkResource[]> {
    this.assertOpen();
    const match = this.filterOf(filters, ['name', 'id', 'driver', 'label', 'type', 'scope', 'dangling']);
    return this.allNets()
      .filter(match)
      .map((n) => this.view(n, false));
  }

  private filterOf(filters: Record<string, string[]>, allowed: string[]): (n: Net) => boolean {
    for (const key of Object.keys(filters)) {
      if (!allowed.includes(key)) throw errorOf('invalid-argument', `invalid filter '${key}'`);
    }
    const vals = (k: string) => filters[k] ?? [];
    for (const t of vals('type')) {
      if (t !== 'builtin' && t !== 'custom') throw errorOf('invalid-argument', `invalid filter: 'type'='${t}'`);
    }
    const dangling = vals('dangling').map((d) => {
      const b = isTrue(d);
      if (b === undefined) throw errorOf('invalid-argument', `invalid filter 'dangling=${d}'`);
      return b;
    });
    let until: number | undefined;
    for (const u of vals('until')) until = parseUntil(u);
    const labelMatch = (labels: Record<string, string>, spec: string) => {
      const eq = spec.indexOf('=');
      if (eq < 0) return spec in labels;
      return labels[spec.slice(0, eq)] === spec.slice(eq + 1);
    };
    return (n) => {
      const r = n.res;
      if (vals('name').length && !vals('name').some((v) => r.Name.includes(v))) return false;
      if (vals('id').length && !vals('id').some((v) => r.Id.startsWith(v))) return false;
      if (vals('driver').length && !vals('driver').includes(r.Driver)) return false;
      if (vals('scope').length && !vals('scope').includes(r.Scope)) return false;
      if (vals('type').length && !vals('type').includes(n.predefined ? 'builtin' : 'custom')) return false;
      if (!vals('label').every((l) => labelMatch(r.Labels, l))) return false;
      if (vals('label!').some((l) => labelMatch(r.Labels, l))) return false;
      if (dangling.length) {
        const unused = !n.predefined && this.stmts.epCount.get(r.Id)!.n === 0;
        if (!dangling.includes(unused)) return false;
      }
      if (until !== undefined && Date.parse(r.Created) >= until) return false;
      return true;
    };
  }

  async remove(ref: string): Promise<void> {
    this.assertOpen();
    const net = this.find(ref);
    this.removeNet(net);
  }

  private removeNet(net: Net): void {
    if (net.predefined) throw errorOf('permission-denied', `${net.res.Name} is a pre-defined network and cannot be removed`);
    if (this.stmts.epCount.get(net.res.Id)!.n > 0) {
      throw errorOf('permission-denied', `error while removing network: network ${net.res.Name} id ${net.res.Id} has active endpoints`);
    }
    this.stmts.netDelete.run(net.res.Id);
    if (net.subnet) this.claims.releaseSubnet(net.subnet, net.res.Id);
  }

  async prune(filters: Record<string, string[]> = {}): Promise<{ NetworksDeleted: string[] | null }> {
    this.assertOpen();
    const match = this.filterOf(filters, ['until', 'label', 'label!']);
    const deleted: string[] = [];
    for (const net of this.allNets()) {
      if (net.predefined || !match(net)) continue;
      if (this.stmts.epCount.get(net.res.Id)!.n > 0) continue;
      this.removeNet(net);
      deleted.push(net.res.Name);
    }
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  }

  // ------------------------------------------------------------------ network-runtime

  private netnsPathOf(containerId: string): string {
    return join(this.netnsDir, containerId.slice(0, 12));
  }

  private withNetnsLock<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.netnsLock.then(fn, fn);
    this.netnsLock = next.catch(() => undefined);
    return next;
  }

  private withContainerLock<T>(containerId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.containerLocks.get(containerId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.containerLocks.set(containerId, tail);
    void tail.then(() => {
      if (this.containerLocks.get(containerId) === tail) this.containerLocks.delete(containerId);
    });
    return next;
  }

  async createSandbox(containerId: string): Promise<{ netnsPath: string }> {
    this.assertOpen();
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) throw errorOf('invalid-argument', `invalid container id ${JSON.stringify(containerId)}`);
    const existing = this.stmts.sbGet.get(containerId);
    const netnsPath = existing?.netns ?? this.netnsPathOf(containerId);
    await this.withNetnsLock(async () => {
      ensureNetnsDir(this.netnsDir);
      this.stmts.sbInsert.run(containerId, netnsPath);
      await createNetns(netnsPath);
    });
    return { netnsPath };
  }

  async removeSandbox(containerId: string): Promise<void> {
    this.assertOpen();
    const sb = this.stmts.sbGet.get(containerId);
    const endpoints = this.stmts.epByContainer.all(containerId);
    const errors: string[] = [];
    for (const ep of endpoints) {
      try {
        await this.disconnectEndpoint(ep.container_id, ep.network_id);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    const netnsPath = sb?.netns ?? this.netnsPathOf(containerId);
    await this.withNetnsLock(() => {
      removeNetnsFile(netnsPath);
      this.stmts.sbDelete.run(containerId);
      releaseNetnsDirIfEmpty(this.netnsDir);
    });
    if (errors.length > 0) this.warn(`remove sandbox ${containerId.slice(0, 12)}: ${errors.join('; ')}`);
  }

  async connect(sandbox: SandboxInfo, endpoint: EndpointRequest, ports?: PortRequest): Promise<ConnectResult> {
    this.assertOpen();
    const net = this.find(endpoint.network === 'default' || endpoint.network === '' ? 'bridge' : endpoint.network);
    return this.withContainerLock(sandbox.containerId, () => this.connectLocked(sandbox, net, endpoint, ports));
  }

  private async connectLocked(sandbox: SandboxInfo, net: Net, req: EndpointRequest, portReq?: PortRequest): Promise<ConnectResult> {
    const cid = sandbox.containerId;
    const name = sandbox.containerName.replace(/^\//, '');
    if (this.stmts.epOf.get(net.res.Id, cid)) {
      throw errorOf('conflict', `endpoint with name ${name} already exists in network ${net.res.Name}`);
    }
    const userDefined = !net.predefined;
    const aliases = [...new Set((req.aliases ?? []).filter((a) => a !== ''))];
    if (!userDefined && aliases.length > 0) {
      throw errorOf('invalid-argument', 'network-scoped alias is supported only for containers in user defined networks');
    }
    if (req.ipv4Address && !userDefined) {
      throw errorOf('invalid-argument', 'user specified IP address is supported on user defined networks only');
    }
    const endpointId = newId();
    const created = nowRfc3339();

    if (net.res.Driver !== 'bridge') {
      // host / none: nothing to wire; the record makes `Containers` and `remove` right.
      this.stmts.epInsert.run(net.res.Id, cid, endpointId, name, sandbox.netnsPath, '', '', 0, JSON.stringify({ user: [], dns: [], mac: '' }), '{}', '[]', created);
      this.stmts.epActivate.run('', endpointId);
      return { endpoint: this.endpointSettings(net, endpointId, '', '', aliases, name, cid, undefined), ports: {} };
    }

    // Host ports (async binding checks), claimed host-wide before the record exists.
    this.pending.add(endpointId);
    const claimed: NetavarkPortMapping[] = [];
    let inserted = false;
    try {
      const portMap: PortMap = {};
      for (const want of wantedPorts(portReq)) {
        const hostPort = await this.claimHostPort(want, endpointId, name);
        claimed.push({ host_ip: want.hostIp, container_port: want.containerPort, host_port: hostPort, range: 1, protocol: want.proto });
        addBinding(portMap, want.key, want.hostIp, hostPort);
      }

      // Address and record: synchronous.
      const cfg = net.res.IPAM.Config![0]!;
      const pool = poolOf(cfg);
      const used = new Set(this.stmts.epByNetwork.all(net.res.Id).map((e) => parseIPv4(e.ip)!).filter((n) => n !== undefined));
      let addr: number;
      if (req.ipv4Address) addr = checkStaticAddress(pool, req.ipv4Address, used);
      else {
        const free = nextFreeAddress(pool, used);
        if (free === undefined) throw errorOf('unavailable', `no available IPv4 addresses on this network's address pools: ${net.res.Name} (${net.res.Id})`);
        addr = free;
      }
      const ip = formatIPv4(addr);
      const taken = new Set(this.stmts.epByContainer.all(cid).map((e) => e.iface));
      let n = 0;
      while (taken.has(`eth${n}`)) n++;
      const iface = `eth${n}`;
      const dnsAliases = userDefined ? [...new Set([cid.slice(0, 12), ...aliases])].filter((a) => a !== name) : [];
      this.stmts.epInsert.run(
        net.res.Id, cid, endpointId, name, sandbox.netnsPath, iface, ip, req.ipv4Address ? 1 : 0,
        JSON.stringify({ user: aliases, dns: dnsAliases, mac: req.macAddress ?? '', servers: userDefined ? (sandbox.dnsServers ?? []) : [] }), JSON.stringify(portMap), JSON.stringify(claimed), created,
      );
      inserted = true;
      this.pending.delete(endpointId);

      const input = this.netavarkInput(net, cid, name, iface, ip, dnsAliases, req.macAddress, claimed, userDefined ? sandbox.dnsServers : undefined);
      const status = await this.netavark.setup(sandbox.netnsPath, input);
      const mac = status[netavarkName(net)]?.interfaces[iface]?.mac_address ?? '';
      this.stmts.epActivate.run(mac, endpointId);

      let dns: ConnectResult['dns'];
      if (userDefined) {
        const gw = formatIPv4(pool.gateway);
        // aardvark-dns reloads after netavark returns: the container's process must not ask it before.
        const known = waitForAnswer(gw, cid.slice(0, 12), ip).then((ok) => {
          if (!ok) this.warn(`aardvark-dns on ${gw} did not learn ${cid.slice(0, 12)} within 2 s`);
        });
        if (this.opts.localResolver) {
          try {
            await this.applyResolver(cid);
            dns = { nameservers: [LOCAL_RESOLVER], search: [], options: ['ndots:0'] };
          } catch (err) {
            this.warn(`resolver rules for ${cid.slice(0, 12)}: ${(err as Error).message}`);
            dns = { nameservers: [gw], search: [], options: [] };
          }
        } else dns = { nameservers: [gw], search: [], options: [] };
        await known;
      }
      const settings = this.endpointSettings(net, endpointId, ip, mac, aliases, name, cid, req.ipv4Address);
      return dns ? { endpoint: settings, ports: portMap, dns } : { endpoint: settings, ports: portMap };
    } catch (err) {
      if (inserted) {
        // netavark failed half-way: undo what it may have done, then the record.
        const ep = this.stmts.epOf.get(net.res.Id, cid);
        if (ep) {
          try {
            await this.netavark.teardown(ep.netns, this.inputOfRow(net, ep));
          } catch {
            /* nothing was set up */
          }
          this.stmts.epDelete.run(endpointId);
        }
      }
      for (const m of claimed) this.claims.releasePort(m.protocol, m.host_port, endpointId);
      throw err;
    } finally {
      this.pending.delete(endpointId);
    }
  }

  /** A host port for `want`, free (by binding) and claimed host-wide for `endpointId`. */
  private async claimHostPort(want: WantedPort, endpointId: string, name: string): Promise<number> {
    const ours = new Set<string>();
    for (const row of this.stmts.epAllMappings.all()) {
      for (const m of JSON.parse(row.mappings) as NetavarkPortMapping[]) ours.add(`${m.protocol}/${m.host_port}`);
    }
    const tryPort = async (port: number): Promise<boolean> => {
      if (ours.has(`${want.proto}/${port}`)) return false;
      if (!this.claims.claimPort(want.proto, port, endpointId)) return false;
      if (await portIsFree(want.proto, want.hostIp, port)) return true;
      this.claims.releasePort(want.proto, port, endpointId);
      return false;
    };
    if (want.hostPorts) {
      const [from, to] = want.hostPorts;
      for (let p = from; p <= to; p++) if (await tryPort(p)) return p;
      const shown = from === to ? `${from}` : `${from}-${to}`;
      throw errorOf(
        'unavailable',
        `driver failed programming external connectivity on endpoint ${name} (${endpointId}): Bind for ${want.hostIp || '0.0.0.0'}:${shown} failed: port is already allocated`,
      );
    }
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = EPHEMERAL_FIRST + ((start + i) % span);
      if (await tryPort(p)) return p;
    }
    throw errorOf('unavailable', `no free host port in ${EPHEMERAL_FIRST}-${EPHEMERAL_LAST} for ${want.key}`);
  }

  private netavarkNetwork(net: Net): NetavarkNetwork {
    const cfg = net.res.IPAM.Config![0]!;
    const userDefined = !net.predefined;
    const options: Record<string, string> = {};
    const mtu = net.res.Options['com.docker.network.driver.mtu'];
    if (mtu && mtu !== '1500') options.mtu = mtu;
    const n: NetavarkNetwork = {
      name: netavarkName(net),
      id: net.res.Id,
      driver: 'bridge',
      network_interface: net.device,
      subnets: [{ subnet: cfg.Subnet!, gateway: cfg.Gateway! }],
      ipv6_enabled: false,
      internal: net.res.Internal,
      dns_enabled: userDefined,
      ipam_options: { driver: 'host-local' },
    };
    if (Object.keys(options).length > 0) n.options = options;
    return n;
  }

  private netavarkInput(
    net: Net,
    cid: string,
    name: string,
    iface: string,
    ip: string,
    dnsAliases: string[],
    mac: string | undefined,
    mappings: NetavarkPortMapping[],
    dnsServers?: string[],
  ): NetavarkInput {
    const perNet: NetavarkInput['networks'][string] = { interface_name: iface, static_ips: [ip], aliases: dnsAliases };
    if (mac) perNet.static_mac = mac;
    return {
      container_id: cid,
      container_name: name,
      networks: { [netavarkName(net)]: perNet },
      network_info: { [netavarkName(net)]: this.netavarkNetwork(net) },
      port_mappings: mappings,
      // The container's `--dns`: what aardvark asks for names it does not know (Docker's external servers).
      ...(dnsServers?.length ? { dns_servers: dnsServers } : {}),
    };
  }

  private inputOfRow(net: Net, ep: EndpointRow): NetavarkInput {
    const a = JSON.parse(ep.aliases) as { dns: string[]; mac: string; servers?: string[] };
    return this.netavarkInput(net, ep.container_id, ep.container_name, ep.iface, ep.ip, a.dns, a.mac || undefined, JSON.parse(ep.mappings) as NetavarkPortMapping[], a.servers);
  }

  private endpointSettings(
    net: Net,
    endpointId: string,
    ip: string,
    mac: string,
    aliases: string[],
    name: string,
    cid: string,
    staticIp: string | undefined,
  ): EndpointSettings {
    const userDefined = !net.predefined;
    const bridged = net.res.Driver === 'bridge';
    const cfg = bridged ? net.res.IPAM.Config![0]! : undefined;
    return {
      IPAMConfig: staticIp ? { IPv4Address: staticIp } : null,
      Links: null,
      Aliases: userDefined && aliases.length > 0 ? aliases : null,
      MacAddress: mac,
      DriverOpts: null,
      GwPriority: 0,
      NetworkID: net.res.Id,
      EndpointID: endpointId,
      Gateway: cfg?.Gateway ?? '',
      IPAddress: ip,
      IPPrefixLen: bridged && net.subnet ? net.subnet.bits : 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: userDefined ? [...new Set([name, cid.slice(0, 12), ...aliases])] : null,
    };
  }

  /**
   * Points `127.0.0.11:53` (udp, tcp) inside the container's namespace at aardvark-dns on the
   * gateway of its first DNS-enabled network (by interface order), or removes the rules when
   * none is left. One `iptables-restore` replacing the namespace's own `nat` table.
   */
  private async applyResolver(cid: string): Promise<void> {
    const sb = this.stmts.sbGet.get(cid);
    const eps = this.stmts.epByContainer.all(cid).filter((e) => e.ip !== '');
    let target: { gw: string; ip: string; netns: string } | undefined;
    for (const ep of eps) {
      const row = this.stmts.netById.get(ep.network_id);
      if (!row || row.predefined === 1) continue;
      const net = this.toNet(row);
      target = { gw: net.res.IPAM.Config![0]!.Gateway!, ip: ep.ip, netns: ep.netns };
      break;
    }
    const current = sb?.resolver ?? '';
    const wanted = target ? `${target.gw}>${target.ip}` : '';
    if (current === wanted) return;
    const netns = target?.netns ?? sb?.netns ?? eps[0]?.netns;
    if (!netns) return;
    const rules = target
      ? [
          `-A OUTPUT -d ${LOCAL_RESOLVER}/32 -p udp -m udp --dport 53 -j DNAT --to-destination ${target.gw}:53`,
          `-A OUTPUT -d ${LOCAL_RESOLVER}/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination ${target.gw}:53`,
          `-A POSTROUTING -s 127.0.0.0/8 -d ${target.gw}/32 -j SNAT --to-source ${target.ip}`,
        ]
      : [];
    // Only the resolver's flows need connection tracking (to undo the DNAT on replies): the
    // rest of the container's traffic is left untracked, so the NAT rules cost it nothing.
    const raw = target
      ? [
          `-A PREROUTING -s ${target.gw}/32 -p udp -m udp --sport 53 -j ACCEPT`,
          `-A PREROUTING -s ${target.gw}/32 -p tcp -m tcp --sport 53 -j ACCEPT`,
          '-A PREROUTING -j CT --notrack',
          `-A OUTPUT -d ${LOCAL_RESOLVER}/32 -j ACCEPT`,
          '-A OUTPUT -j CT --notrack',
        ]
      : [];
    const table = [
      '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...raw, 'COMMIT',
      '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...rules, 'COMMIT', '',
    ].join('\n');
    await run('nsenter', [`--net=${netns}`, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec iptables-restore -w'], { input: table });
    if (sb) this.stmts.sbResolver.run(wanted, cid);
  }

  async disconnect(containerId: string, network: string): Promise<void> {
    this.assertOpen();
    const net = this.find(network === 'default' ? 'bridge' : network);
    await this.disconnectEndpoint(containerId, net.res.Id);
  }

  private disconnectEndpoint(cid: string, networkId: string): Promise<void> {
    return this.withContainerLock(cid, async () => {
      const row = this.stmts.netById.get(networkId);
      if (!row) return;
      const net = this.toNet(row);
      const ep = this.stmts.epOf.get(networkId, cid);
      if (!ep) return;
      let failure: unknown;
      if (net.res.Driver === 'bridge') {
        try {
          await this.netavark.teardown(ep.netns, this.inputOfRow(net, ep));
        } catch (err) {
          failure = err;
        }
      }
      this.stmts.epDelete.run(ep.endpoint_id);
      for (const m of JSON.parse(ep.mappings) as NetavarkPortMapping[]) this.claims.releasePort(m.protocol, m.host_port, ep.endpoint_id);
      if (!net.predefined && this.opts.localResolver) {
        try {
          await this.applyResolver(cid);
        } catch {
          /* the namespace may be gone already */
        }
      }
      if (failure) {
        this.warn(`teardown of ${cid.slice(0, 12)} on ${net.res.Name}: ${(failure as Error).message}`);
      }
    });
  }

  /**
   * Lets go of every host-wide claim of this engine (its subnets, including the default
   * bridge's, and ports): for an engine whose data root is about to be deleted, and tests.
   * Not part of `NetworkService`.
   */
  releaseHostClaims(): void {
    this.claims.releaseAll();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.containerLocks.values(), this.netnsLock]);
    this.db.close();
  }
}

/** Docker's `until` filter: RFC 3339 / date, unix seconds (with fraction), or a Go duration before now. */
export function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  if (dur) {
    const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[dur[2] as 'ns'];
    return Date.now() - Number(dur[1]) * unit;
  }
  const combo = /^((\d+h)?(\d+m)?(\d+s)?)$/.exec(v);
  if (combo && v !== '') {
    let ms = 0;
    for (const m of v.matchAll(/(\d+)([hms])/g)) ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'h'];
    return Date.now() - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw errorOf('invalid-argument', `invalid filter 'until=${v}'`);
  return t;
}

