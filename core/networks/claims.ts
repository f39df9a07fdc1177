/**
 * Host-wide claims, so that several engines on one host (tests run many) never pick the same
 * subnet or host port: a claim is a file created with O_EXCL in a host-wide directory
 * (default `/run/moby-ipam/`), holding its owner (the claiming engine's `networks.db`) and
 * what it is for. A claim whose owner database is gone (an engine whose root was deleted
 * without releasing) is stale and taken over.
 *
 * Subnet claims are named after the subnet (`172.18.0.0_16`); before claiming, every
 * existing subnet claim is read so that overlapping prefixes of different sizes collide
 * too. Port claims are `port-<proto>-<port>`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { formatPrefix, mustPrefix, overlaps, type Prefix } from './ipam.js';

interface ClaimBody {
  owner: string;
  what: string;
}

export class HostClaims {
  constructor(
    readonly dir: string,
    /** The claiming engine's identity: the path of its `networks.db`. */
    readonly owner: string,
    /** For a claim of ours (same owner): is `what` still ours? Stale otherwise. */
    private readonly stillOurs: (what: string) => boolean = () => true,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  /** Subnets claimed by other live engines (stale claims are removed on the way). */
  foreignSubnets(): Prefix[] {
    const out: Prefix[] = [];
    for (const name of this.names()) {
      if (name.startsWith('port-')) continue;
      const body = this.read(name);
      if (!body || this.isStale(name, body)) continue;
      if (body.owner === this.owner) continue;
      try {
        out.push(mustPrefix(name.replace('_', '/')));
      } catch {
        /* not a claim of ours */
      }
    }
    return out;
  }

  /**
   * Claims `subnet` for `what` (a network id): false when another engine holds it or an
   * overlapping subnet. Claiming again what we hold for the same `what` is fine.
   */
  claimSubnet(subnet: Prefix, what: string): boolean {
    if (this.foreignSubnets().some((p) => overlaps(p, subnet))) return false;
    return this.claim(subnetFile(subnet), what);
  }

  releaseSubnet(subnet: Prefix, what: string): void {
    this.release(subnetFile(subnet), what);
  }

  claimPort(proto: string, port: number, what: string): boolean {
    return this.claim(`port-${proto}-${port}`, what);
  }

  releasePort(proto: string, port: number, what: string): void {
    this.release(`port-${proto}-${port}`, what);
  }

  /** Drops every claim this owner holds (an engine whose data root is being deleted; tests). */
  releaseAll(): void {
    for (const name of this.names()) {
      const body = this.read(name);
      if (body && body.owner === this.owner) {
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          /* gone */
        }
      }
    }
  }

  private claim(name: string, what: string): boolean {
    const path = join(this.dir, name);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
        try {
          writeSync(fd, JSON.stringify({ owner: this.owner, what } satisfies ClaimBody));
        } finally {
          closeSync(fd);
        }
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const body = this.read(name);
      if (body && body.owner === this.owner && body.what === what) return true;
      if (body && !this.isStale(name, body)) return false;
      // stale or unreadable (being written: give it one more look)
      if (!body) continue;
    }
    return false;
  }

  private release(name: string, what: string): void {
    const body = this.read(name);
    if (body && body.owner === this.owner && body.what === what) {
      try {
        unlinkSync(join(this.dir, name));
      } catch {
        /* already gone */
      }
    }
  }

  private isStale(name: string, body: ClaimBody): boolean {
    const stale = body.owner === this.owner ? !this.stillOurs(body.what) : !existsSync(body.owner);
    if (stale) {
      try {
        unlinkSync(join(this.dir, name));
      } catch {
        /* someone else cleaned it */
      }
    }
    return stale;
  }

  private read(name: string): ClaimBody | undefined {
    try {
      const body = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as ClaimBody;
      return typeof body.owner === 'string' && typeof body.what === 'string' ? body : undefined;
    } catch {
      return undefined;
    }
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}

function subnetFile(p: Prefix): string {
  return formatPrefix(p).replace('/', '_');
}
