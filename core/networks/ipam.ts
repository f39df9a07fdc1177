/**
 * IPv4 address management: parsing, Docker's validation of a network's IPAM config, subnet
 * choice from Docker's default pools away from the host's routes and from other networks,
 * and the lowest free address of a subnet. Pure functions; the host-wide claims are in
 * `claims.ts`.
 */
import { readFileSync } from 'node:fs';
import { errorOf } from '../../lib/errdefs/index.js';
import type { IpamConfig } from './network-service.js';

/** An IPv4 prefix: `base` is the masked network address as an unsigned 32-bit number. */
export interface Prefix {
  base: number;
  bits: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.0.0.1` → number, undefined when not a dotted-quad IPv4 address (Go's netip rules: no leading zeros). */
export function parseIPv4(s: string): number | undefined {
  const m = IPV4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `a.b.c.d/n` → the address (unmasked) and bits; undefined when malformed. */
export function parseCIDR(s: string): { addr: number; bits: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIPv4(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (addr === undefined || !/^\d{1,2}$/.test(bitsText) || (bitsText.length > 1 && bitsText.startsWith('0'))) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  return { addr, bits };
}

export function prefixOf(addr: number, bits: number): Prefix {
  return { base: (addr & maskOf(bits)) >>> 0, bits };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv4(p.base)}/${p.bits}`;
}

/** The masked prefix of a CIDR string; throws `invalid-argument` when malformed. */
export function mustPrefix(s: string): Prefix {
  const c = parseCIDR(s);
  if (!c) throw errorOf('invalid-argument', `invalid CIDR address: ${s}`);
  return prefixOf(c.addr, c.bits);
}

export function size(p: Prefix): number {
  return 2 ** (32 - p.bits);
}

export function last(p: Prefix): number {
  return p.base + size(p) - 1;
}

export function contains(p: Prefix, addr: number): boolean {
  return addr >= p.base && addr <= last(p);
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.base <= last(b) && b.base <= last(a);
}

/**
 * Docker's `ValidateIPAM` (api/types/network/ipam.go) for IPv4 configs, with its wording:
 * `invalid network config:\n* invalid subnet x: invalid CIDR block notation`, … IPv6 entries
 * are refused as not implemented. Returns nothing; throws `invalid-argument`.
 */
export function validateIpamConfigs(configs: IpamConfig[]): void {
  const errs: string[] = [];
  for (const cfg of configs) {
    const subnetText = cfg.Subnet ?? '';
    if (subnetText.includes(':')) throw errorOf('not-implemented', `invalid subnet ${subnetText}: IPv6 is not supported`);
    const c = parseCIDR(subnetText);
    if (!c) {
      errs.push(`invalid subnet ${subnetText}: invalid CIDR block notation`);
      continue;
    }
    const subnet = prefixOf(c.addr, c.bits);
    if (subnet.base !== c.addr) errs.push(`invalid subnet ${subnetText}: it should be ${formatPrefix(subnet)}`);
    if (cfg.IPRange) {
      const r = parseCIDR(cfg.IPRange);
      if (!r) errs.push(`invalid ip-range ${cfg.IPRange}: invalid CIDR block notation`);
      else {
        const range = prefixOf(r.addr, r.bits);
        if (r.bits < subnet.bits) errs.push(`invalid ip-range ${cfg.IPRange}: CIDR block is bigger than its parent subnet ${subnetText}`);
        if (range.base !== r.addr) errs.push(`invalid ip-range ${cfg.IPRange}: it should be ${formatPrefix(range)}`);
        if (!overlaps(subnet, range)) errs.push(`invalid ip-range ${cfg.IPRange}: parent subnet ${subnetText} doesn't contain ip-range`);
      }
    }
    const addrErr = (a: string): string | undefined => {
      const n = parseIPv4(a);
      if (n === undefined) return a.includes(':') ? 'parent subnet is an IPv4 block' : 'invalid address';
      if (!contains(subnet, n)) return `parent subnet ${subnetText} doesn't contain this address`;
      return undefined;
    };
    if (cfg.Gateway) {
      const e = addrErr(cfg.Gateway);
      if (e) errs.push(`invalid gateway ${cfg.Gateway}: ${e}`);
    }
    for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const e = addrErr(aux);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length > 0) throw errorOf('invalid-argument', `invalid network config:\n* ${errs.join('\n* ')}`);
  if (configs.length > 1) {
    const ps = configs.map((c) => mustPrefix(c.Subnet!));
    for (let i = 0; i < ps.length; i++)
      for (let j = i + 1; j < ps.length; j++)
        if (overlaps(ps[i]!, ps[j]!)) throw errorOf('invalid-argument', 'Pool overlaps with other one on this address space');
    throw errorOf('not-implemented', 'more than one IPv4 subnet per network is not supported');
  }
}

/**
 * Docker's default address pools (`ipamutils`): 172.17–172.31 as /16s, then 192.168.0.0/16
 * as /20s, in order.
 */
export function* defaultPools(): Generator<Prefix> {
  for (let b = 17; b <= 31; b++) yield { base: ((172 << 24) | (b << 16)) >>> 0, bits: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, bits: 20 };
}

/** The first default pool (after `preferred`, when given and free) for which `isFree` holds. */
export function chooseSubnet(isFree: (p: Prefix) => boolean, preferred?: Prefix): Prefix | undefined {
  if (preferred && isFree(preferred)) return preferred;
  for (const p of defaultPools()) if (isFree(p)) return p;
  return undefined;
}

/**
 * The host's IPv4 routes that are not default routes (`/proc/net/route`, every table the
 * main view shows), as prefixes: a new network's subnet must overlap none (Docker's
 * `CheckRouteOverlaps`).
 */
export function hostRoutes(procNetRoute = '/proc/net/route'): { prefix: Prefix; dev: string }[] {
  let text: string;
  try {
    text = readFileSync(procNetRoute, 'utf8');
  } catch {
    return [];
  }
  const out: { prefix: Prefix; dev: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dst = leHex(f[1]!);
    const mask = leHex(f[7]!);
    if (mask === 0) continue; // default route
    let bits = 0;
    for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) bits++;
    out.push({ prefix: prefixOf(dst, bits), dev: f[0]! });
  }
  return out;
}

function leHex(h: string): number {
  const n = parseInt(h, 16) >>> 0;
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}

/** The address range a network hands out: its IPRange (or subnet) without network, broadcast, gateway, aux addresses. */
export interface Pool {
  subnet: Prefix;
  range: Prefix;
  gateway: number;
  reserved: Set<number>;
}

export function poolOf(cfg: IpamConfig): Pool {
  const subnet = mustPrefix(cfg.Subnet!);
  const range = cfg.IPRange ? mustPrefix(cfg.IPRange) : subnet;
  const gateway = cfg.Gateway ? parseIPv4(cfg.Gateway)! : firstHost(subnet);
  const reserved = new Set<number>([subnet.base, last(subnet), gateway]);
  for (const aux of Object.values(cfg.AuxiliaryAddresses ?? {})) {
    const n = parseIPv4(aux);
    if (n !== undefined) reserved.add(n);
  }
  return { subnet, range, gateway, reserved };
}

/** The default gateway of a subnet: its first host address (`.1`). */
export function firstHost(p: Prefix): number {
  return p.bits >= 31 ? p.base : p.base + 1;
}

/** The lowest address of the pool's range that is neither reserved nor in `used`. */
export function nextFreeAddress(pool: Pool, used: Set<number>): number | undefined {
  const end = Math.min(last(pool.range), last(pool.subnet));
  for (let a = Math.max(pool.range.base, pool.subnet.base); a <= end; a++) {
    if (!pool.reserved.has(a) && !used.has(a)) return a;
  }
  return undefined;
}

/**
 * Checks a static address (`--ip`) against a pool, with Docker's wording: outside the
 * subnet/range → `no configured subnet or ip-range contain the IP address x`; taken →
 * `Address already in use`.
 */
export function checkStaticAddress(pool: Pool, ip: string, used: Set<number>): number {
  const n = parseIPv4(ip);
  if (n === undefined) throw errorOf('invalid-argument', `invalid IPv4 address: ${ip}`);
  if (!contains(pool.subnet, n) || !contains(pool.range, n)) {
    throw errorOf('invalid-argument', `no configured subnet or ip-range contain the IP address ${ip}`);
  }
  if (used.has(n) || pool.reserved.has(n)) throw errorOf('invalid-argument', 'Address already in use');
  return n;
}
