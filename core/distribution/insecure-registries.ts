import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { errorOf } from '../../lib/errdefs/index.js';

/** Docker's default: loopback registries may be reached without TLS verification. */
export const defaultInsecureRegistries: readonly string[] = ['127.0.0.0/8'];

export type HostResolver = (host: string) => Promise<string[]>;

const resolveHost: HostResolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * The `insecure-registries` setting as Docker reads it: each entry is a CIDR
 * (`127.0.0.0/8`, `::1/128`) or a registry host with optional port
 * (`myregistry:5000`, `myregistry`). A registry is insecure when its
 * `host[:port]` or host is listed, or when its host (an IP, or a name
 * resolved through `resolve`) falls in a listed CIDR. Only an insecure
 * registry is tried over plain HTTP (after HTTPS without verification, as
 * Docker does); others get HTTPS verified against the host's CA store.
 * A malformed CIDR is `invalid-argument`.
 */
export class InsecureRegistries {
  private readonly cidrs = new BlockList();
  private readonly names = new Set<string>();
  private hasCidrs = false;

  constructor(entries: readonly string[] = defaultInsecureRegistries, private readonly resolve: HostResolver = resolveHost) {
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      if (slash < 0) {
        this.names.add(entry.toLowerCase());
        continue;
      }
      const [address, bits] = [entry.slice(0, slash), Number(entry.slice(slash + 1))];
      const family = isIP(address);
      if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw errorOf('invalid-argument', `insecure registry ${JSON.stringify(entry)}: not a valid CIDR`);
      }
      this.cidrs.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
      this.hasCidrs = true;
    }
  }

  /** Whether `registry` (`host[:port]` as in a reference, IPv6 in brackets) is insecure. */
  async isInsecure(registry: string): Promise<boolean> {
    const lower = registry.toLowerCase();
    const host = hostOf(lower);
    if (this.names.has(lower) || this.names.has(host)) return true;
    if (!this.hasCidrs) return false;
    const addresses = isIP(host) !== 0 ? [host] : await this.resolve(host).catch(() => []);
    return addresses.some((a) => this.cidrs.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4'));
  }
}

/** `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`. */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon < 0 ? registry : registry.slice(0, colon);
}
