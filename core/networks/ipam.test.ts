import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkStaticAddress,
  chooseSubnet,
  defaultPools,
  formatIPv4,
  formatPrefix,
  hostRoutes,
  mustPrefix,
  nextFreeAddress,
  overlaps,
  parseCIDR,
  parseIPv4,
  poolOf,
  validateIpamConfigs,
} from './ipam.js';
import { HostClaims } from './claims.js';
import { wantedPorts } from './ports.js';
import { parseUntil } from './local-network-service.js';

const dir = mkdtempSync(join(tmpdir(), 'ipam-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ipam: addresses and prefixes', () => {
  it('parses and formats IPv4 addresses and CIDRs like Go netip', () => {
    assert.equal(parseIPv4('10.0.0.1'), 0x0a000001);
    assert.equal(formatIPv4(0xac110001), '172.17.0.1');
    assert.equal(parseIPv4('256.0.0.1'), undefined);
    assert.equal(parseIPv4('01.0.0.1'), undefined);
    assert.equal(parseIPv4('1.2.3'), undefined);
    assert.deepEqual(parseCIDR('10.1.2.3/8'), { addr: 0x0a010203, bits: 8 });
    assert.equal(parseCIDR('10.0.0.0/33'), undefined);
    assert.equal(parseCIDR('10.0.0.0'), undefined);
    assert.equal(formatPrefix(mustPrefix('10.1.2.3/16')), '10.1.0.0/16');
    assert.ok(overlaps(mustPrefix('172.18.0.0/16'), mustPrefix('172.18.5.0/24')));
    assert.ok(!overlaps(mustPrefix('172.18.0.0/16'), mustPrefix('172.19.0.0/16')));
  });

  it("walks Docker's default pools: 172.17-31 /16, then 192.168 /20", () => {
    const pools = [...defaultPools()].map(formatPrefix);
    assert.equal(pools[0], '172.17.0.0/16');
    assert.equal(pools[14], '172.31.0.0/16');
    assert.equal(pools[15], '192.168.0.0/20');
    assert.equal(pools[16], '192.168.16.0/20');
    assert.equal(pools.length, 15 + 16);
  });

  it('chooses the preferred pool when free, else the first free one', () => {
    const taken = [mustPrefix('172.17.0.0/16'), mustPrefix('172.18.3.0/24')];
    const free = (p: ReturnType<typeof mustPrefix>) => !taken.some((t) => overlaps(t, p));
    assert.equal(formatPrefix(chooseSubnet(free, mustPrefix('172.17.0.0/16'))!), '172.19.0.0/16');
    assert.equal(formatPrefix(chooseSubnet(() => true, mustPrefix('172.17.0.0/16'))!), '172.17.0.0/16');
    const all172 = (p: ReturnType<typeof mustPrefix>) => !overlaps(mustPrefix('172.16.0.0/12'), p);
    assert.equal(formatPrefix(chooseSubnet(all172)!), '192.168.0.0/20');
    assert.equal(chooseSubnet(() => false), undefined);
  });

  it('reads host routes from /proc/net/route, skipping default routes', () => {
    const f = join(dir, 'route');
    writeFileSync(
      f,
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
        'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
        'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' +
        'docker0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n',
    );
    assert.deepEqual(
      hostRoutes(f).map((r) => `${r.dev} ${formatPrefix(r.prefix)}`),
      ['eth0 192.0.2.0/24', 'docker0 172.18.0.0/16'],
    );
    assert.deepEqual(hostRoutes(join(dir, 'missing')), []);
  });
});

describe('ipam: validation with Docker wording', () => {
  const msg = (cfg: Parameters<typeof validateIpamConfigs>[0]) => {
    try {
      validateIpamConfigs(cfg);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };
  it('refuses a bad CIDR, a host-bits subnet, a gateway or range outside', () => {
    assert.equal(msg([{ Subnet: 'foo' }]), 'invalid network config:\n* invalid subnet foo: invalid CIDR block notation');
    assert.equal(msg([{ Subnet: '10.1.2.3/16' }]), 'invalid network config:\n* invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16');
    assert.equal(
      msg([{ Subnet: '10.1.0.0/16', Gateway: '10.2.0.1' }]),
      "invalid network config:\n* invalid gateway 10.2.0.1: parent subnet 10.1.0.0/16 doesn't contain this address",
    );
    assert.equal(msg([{ Subnet: '10.1.0.0/16', Gateway: 'x' }]), 'invalid network config:\n* invalid gateway x: invalid address');
    assert.equal(
      msg([{ Subnet: '10.1.0.0/24', IPRange: '10.1.0.0/16' }]),
      'invalid network config:\n* invalid ip-range 10.1.0.0/16: CIDR block is bigger than its parent subnet 10.1.0.0/24',
    );
    assert.equal(
      msg([{ Subnet: '10.1.0.0/24', IPRange: '10.2.0.0/28' }]),
      "invalid network config:\n* invalid ip-range 10.2.0.0/28: parent subnet 10.1.0.0/24 doesn't contain ip-range",
    );
    assert.equal(msg([{ Subnet: '10.1.0.0/16', IPRange: '10.1.4.0/24', Gateway: '10.1.0.254' }]), 'ok');
    assert.equal(msg([{ Subnet: '10.1.0.0/16' }, { Subnet: '10.1.4.0/24' }]), 'Pool overlaps with other one on this address space');
  });
});

describe('ipam: addresses of a network', () => {
  it('hands out the lowest free address after the gateway, inside the range', () => {
    const pool = poolOf({ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' });
    assert.equal(formatIPv4(nextFreeAddress(pool, new Set())!), '10.9.0.2');
    assert.equal(formatIPv4(nextFreeAddress(pool, new Set([parseIPv4('10.9.0.2')!]))!), '10.9.0.3');
    const ranged = poolOf({ Subnet: '10.9.0.0/24', IPRange: '10.9.0.128/30', Gateway: '10.9.0.1' });
    const used = new Set<number>();
    const got: string[] = [];
    for (let a = nextFreeAddress(ranged, used); a !== undefined; a = nextFreeAddress(ranged, used)) {
      used.add(a);
      got.push(formatIPv4(a));
    }
    assert.deepEqual(got, ['10.9.0.128', '10.9.0.129', '10.9.0.130', '10.9.0.131']);
    const tiny = poolOf({ Subnet: '10.9.0.0/30' });
    assert.equal(formatIPv4(nextFreeAddress(tiny, new Set())!), '10.9.0.2');
    assert.equal(nextFreeAddress(tiny, new Set([parseIPv4('10.9.0.2')!])), undefined);
  });

  it('checks static addresses: inside the subnet and range, not taken', () => {
    const pool = poolOf({ Subnet: '10.9.0.0/24', IPRange: '10.9.0.128/25' });
    assert.equal(formatIPv4(checkStaticAddress(pool, '10.9.0.200', new Set())), '10.9.0.200');
    assert.throws(() => checkStaticAddress(pool, '10.9.0.20', new Set()), /no configured subnet or ip-range contain the IP address 10.9.0.20/);
    assert.throws(() => checkStaticAddress(pool, '10.8.0.200', new Set()), /no configured subnet or ip-range contain the IP address 10.8.0.200/);
    assert.throws(() => checkStaticAddress(pool, '10.9.0.200', new Set([parseIPv4('10.9.0.200')!])), /Address already in use/);
  });
});

describe('host-wide claims', () => {
  it('lets one engine claim a subnet and refuses it, or an overlapping one, to another', () => {
    const cdir = join(dir, 'claims1');
    const ownerA = join(dir, 'a.db');
    const ownerB = join(dir, 'b.db');
    writeFileSync(ownerA, '');
    writeFileSync(ownerB, '');
    const a = new HostClaims(cdir, ownerA);
    const b = new HostClaims(cdir, ownerB);
    assert.ok(a.claimSubnet(mustPrefix('172.20.0.0/16'), 'n1'));
    assert.ok(a.claimSubnet(mustPrefix('172.20.0.0/16'), 'n1'), 'claiming again what one holds');
    assert.ok(!b.claimSubnet(mustPrefix('172.20.0.0/16'), 'n2'));
    assert.ok(!b.claimSubnet(mustPrefix('172.20.7.0/24'), 'n2'));
    assert.deepEqual(b.foreignSubnets().map(formatPrefix), ['172.20.0.0/16']);
    assert.ok(a.claimPort('tcp', 40000, 'e1'));
    assert.ok(!b.claimPort('tcp', 40000, 'e2'));
    b.releasePort('tcp', 40000, 'e2'); // not b's: stays
    assert.ok(!b.claimPort('tcp', 40000, 'e2'));
    a.releasePort('tcp', 40000, 'e1');
    assert.ok(b.claimPort('tcp', 40000, 'e2'));
    a.releaseSubnet(mustPrefix('172.20.0.0/16'), 'n1');
    assert.ok(b.claimSubnet(mustPrefix('172.20.7.0/24'), 'n2'));
    b.releaseAll();
    assert.deepEqual(readdirSync(cdir), []);
  });

  it("takes over claims whose owner database is gone, or that its owner no longer knows", () => {
    const cdir = join(dir, 'claims2');
    const gone = new HostClaims(cdir, join(dir, 'never-created.db'));
    assert.ok(gone.claimSubnet(mustPrefix('172.21.0.0/16'), 'n1'));
    const live = join(dir, 'live.db');
    writeFileSync(live, '');
    const c = new HostClaims(cdir, live);
    assert.ok(c.claimSubnet(mustPrefix('172.21.0.0/16'), 'n2'));
    const forgetful = new HostClaims(cdir, live, () => false);
    assert.ok(forgetful.claimSubnet(mustPrefix('172.21.0.0/16'), 'n3'), 'its own claim for a network it no longer has');
  });
});

describe('published ports', () => {
  it('expands bindings, ranges and -P over exposed ports', () => {
    const w = wantedPorts({
      bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '8000-8010' }], '90/tcp': [{ HostIp: '::', HostPort: '' }] },
      publishAll: true,
      exposed: ['80/tcp', '443/tcp'],
    });
    assert.deepEqual(
      w.map((x) => `${x.key} ${x.hostIp || '*'} ${x.hostPorts ? x.hostPorts.join('-') : 'eph'}`),
      ['53/udp * 8000-8010', '80/tcp 127.0.0.1 8080-8080', '90/tcp * eph', '443/tcp * eph'],
    );
    assert.throws(() => wantedPorts({ bindings: { 'x/tcp': [] }, publishAll: false, exposed: [] }), /invalid port specification/);
  });

  it("parses prune's until like Docker", () => {
    const now = Date.now();
    assert.ok(Math.abs(parseUntil('1h') - (now - 3_600_000)) < 1000);
    assert.ok(Math.abs(parseUntil('1h30m') - (now - 5_400_000)) < 1000);
    assert.equal(parseUntil('1700000000'), 1_700_000_000_000);
    assert.equal(parseUntil('2024-01-02T03:04:05Z'), Date.parse('2024-01-02T03:04:05Z'));
    assert.throws(() => parseUntil('soon'), /invalid filter/);
  });
});
