/**
 * The measured reason for netavark: median setup+teardown of one container endpoint (a veth
 * on a bridge, an address, NAT, one published port) with podman's netavark 1.4 against the
 * CNI reference plugins (`bridge` + `host-local` + `portmap`, /usr/lib/cni), in one run,
 * interleaved, printed as a ratio netavark / CNI. Also printed: netavark with aardvark-dns
 * (names on user-defined networks; CNI's bridge has no DNS), the cost of our `127.0.0.11`
 * resolver rules (one `iptables-restore` in the container's namespace, as
 * `LocalNetworkService` does), and `LocalNetworkService.connect`+`disconnect` end to end.
 *
 * Each wiring keeps one anchor endpoint on its bridge for the whole run, so the figures are
 * of an endpoint, not of creating and deleting a bridge (netavark deletes its bridge with
 * the last endpoint; CNI's bridge plugin never does).
 *
 * Run: npx tsc -p . && node dist/bench/network-wiring.js [--n 20]
 * Needs root, /usr/lib/podman/netavark, /usr/lib/cni, iptables, util-linux. The subnets are
 * claimed in the host-wide claims dir (as engines do), so it runs beside other engines.
 * Everything is removed at the end (including on failure), except the shared chains both
 * tools leave by design (NETAVARK-HOSTPORT-*, NETAVARK_FORWARD, CNI-HOSTPORT-*).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { HostClaims } from '../core/networks/claims.js';
import { run } from '../core/networks/exec.js';
import { chooseSubnet, formatIPv4, formatPrefix, hostRoutes, overlaps, type Prefix } from '../core/networks/ipam.js';
import { Netavark, type NetavarkInput } from '../core/networks/netavark.js';
import { createNetns, ensureNetnsDir, releaseNetnsDirIfEmpty, removeNetnsFile } from '../core/networks/netns.js';
import { LocalNetworkService } from '../core/networks/local-network-service.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20' } } });
const N = Number(values.n);
const CNI_PATH = '/usr/lib/cni';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const hex = (n: number) => randomBytes(n).toString('hex');

const base = mkdtempSync(join(tmpdir(), 'bench-net-'));
const ownerDb = join(base, 'owner.db');
writeFileSync(ownerDb, '');
const claims = new HostClaims('/run/moby-ipam', ownerDb);
const nsDir = join(base, 'netns');
const tag = hex(2);
const devices = [`bnv${tag}`, `bnvd${tag}`, `bcni${tag}`];
const namespaces: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

function claimSubnet(what: string): Prefix {
  const taken = hostRoutes().map((r) => r.prefix);
  for (let i = 0; i < 10; i++) {
    const p = chooseSubnet((c) => !taken.some((t) => overlaps(t, c)) && !claims.foreignSubnets().some((t) => overlaps(t, c)));
    if (!p) break;
    if (claims.claimSubnet(p, what)) return p;
    taken.push(p);
  }
  throw new Error('no free subnet');
}

async function netns(name: string): Promise<string> {
  ensureNetnsDir(nsDir);
  const p = join(nsDir, name);
  await createNetns(p);
  namespaces.push(p);
  return p;
}

// ---------------------------------------------------------------- netavark
function netavarkInput(subnet: Prefix, device: string, dns: boolean, cid: string, ip: number, port: number | undefined): NetavarkInput {
  const netName = `bench-${device}`;
  return {
    container_id: cid,
    container_name: `c${cid.slice(0, 6)}`,
    networks: { [netName]: { interface_name: 'eth0', static_ips: [formatIPv4(ip)], aliases: [] } },
    network_info: {
      [netName]: {
        name: netName,
        id: hex(32),
        driver: 'bridge',
        network_interface: device,
        subnets: [{ subnet: formatPrefix(subnet), gateway: formatIPv4(subnet.base + 1) }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: dns,
        ipam_options: { driver: 'host-local' },
      },
    },
    port_mappings: port ? [{ host_ip: '127.0.0.1', container_port: 80, host_port: port, range: 1, protocol: 'tcp' }] : [],
  };
}

// ---------------------------------------------------------------- CNI
function cniConf(subnet: Prefix, device: string, dataDir: string) {
  return {
    bridge: {
      cniVersion: '1.0.0',
      name: `bench-${device}`,
      type: 'bridge',
      bridge: device,
      isGateway: true,
      ipMasq: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: formatPrefix(subnet), gateway: formatIPv4(subnet.base + 1) }]], dataDir },
    },
    portmap: { cniVersion: '1.0.0', name: `bench-${device}`, type: 'portmap', capabilities: { portMappings: true } },
  };
}

async function cni(cmd: 'ADD' | 'DEL', plugin: string, conf: object, cid: string, ns: string): Promise<unknown> {
  const env = { ...process.env, CNI_COMMAND: cmd, CNI_CONTAINERID: cid, CNI_NETNS: ns, CNI_IFNAME: 'eth0', CNI_PATH };
  const { stdout } = await run(join(CNI_PATH, plugin), [], { input: JSON.stringify(conf), env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

async function cniUp(conf: ReturnType<typeof cniConf>, cid: string, ns: string, port: number | undefined): Promise<unknown> {
  const res = await cni('ADD', 'bridge', conf.bridge, cid, ns);
  if (port === undefined) return res;
  const pm = { ...conf.portmap, runtimeConfig: { portMappings: [{ hostPort: port, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }] }, prevResult: res };
  return cni('ADD', 'portmap', pm, cid, ns);
}

async function cniDown(conf: ReturnType<typeof cniConf>, cid: string, ns: string, port: number | undefined, prev: unknown): Promise<void> {
  if (port !== undefined) {
    const pm = { ...conf.portmap, runtimeConfig: { portMappings: [{ hostPort: port, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }] }, prevResult: prev };
    await cni('DEL', 'portmap', pm, cid, ns);
  }
  await cni('DEL', 'bridge', { ...conf.bridge, prevResult: prev }, cid, ns);
}

async function main(): Promise<void> {
  const snv = claimSubnet('bench-netavark');
  const snvd = claimSubnet('bench-netavark-dns');
  const scni = claimSubnet('bench-cni');
  cleanups.push(() => claims.releaseAll());
  const nv = new Netavark(join(base, 'netavark'));
  const port = 40000 + Math.floor(Math.random() * 10000);

  // Anchors: one endpoint each, kept for the run.
  const anchors = { nv: await netns('anchor-nv'), nvd: await netns('anchor-nvd'), cni: await netns('anchor-cni') };
  const aNv = netavarkInput(snv, devices[0]!, false, hex(32), snv.base + 2, undefined);
  const aNvd = netavarkInput(snvd, devices[1]!, true, hex(32), snvd.base + 2, undefined);
  await nv.setup(anchors.nv, aNv);
  cleanups.push(() => nv.teardown(anchors.nv, aNv));
  await nv.setup(anchors.nvd, aNvd);
  cleanups.push(() => nv.teardown(anchors.nvd, aNvd));
  const conf = cniConf(scni, devices[2]!, join(base, 'cni-ipam'));
  const aCid = hex(32);
  const aPrev = await cniUp(conf, aCid, anchors.cni, undefined);
  cleanups.push(() => cniDown(conf, aCid, anchors.cni, undefined, aPrev));

  const t: Record<'nv' | 'nvd' | 'cni' | 'cniBridge' | 'resolver', number[]> = { nv: [], nvd: [], cni: [], cniBridge: [], resolver: [] };
  const ns = await netns('subject');
  for (let i = 0; i < N + 1; i++) {
    // netavark, no DNS
    const inNv = netavarkInput(snv, devices[0]!, false, hex(32), snv.base + 3, port);
    let s = performance.now();
    await nv.setup(ns, inNv);
    await nv.teardown(ns, inNv);
    if (i > 0) t.nv.push(performance.now() - s);
    // netavark with aardvark-dns, plus the resolver rules on their own
    const inNvd = netavarkInput(snvd, devices[1]!, true, hex(32), snvd.base + 3, port);
    s = performance.now();
    await nv.setup(ns, inNvd);
    const r = performance.now();
    const gw = formatIPv4(snvd.base + 1);
    const table = [
      '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      `-A OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination ${gw}:53`,
      `-A OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination ${gw}:53`,
      `-A POSTROUTING -s 127.0.0.0/8 -d ${gw}/32 -j SNAT --to-source ${formatIPv4(snvd.base + 3)}`, 'COMMIT', '',
    ].join('\n');
    await run('nsenter', [`--net=${ns}`, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec iptables-restore -w'], { input: table });
    const r2 = performance.now();
    await nv.teardown(ns, inNvd);
    if (i > 0) {
      t.nvd.push(performance.now() - s - (r2 - r));
      t.resolver.push(r2 - r);
    }
    // CNI bridge + portmap
    const cid = hex(32);
    s = performance.now();
    const prev = await cniUp(conf, cid, ns, port);
    await cniDown(conf, cid, ns, port, prev);
    if (i > 0) t.cni.push(performance.now() - s);
    // CNI bridge alone (no published port)
    const cid2 = hex(32);
    s = performance.now();
    const prev2 = await cniUp(conf, cid2, ns, undefined);
    await cniDown(conf, cid2, ns, undefined, prev2);
    if (i > 0) t.cniBridge.push(performance.now() - s);
  }

  // LocalNetworkService end to end (our IPAM, records, netavark, resolver rules).
  const svcTimes: number[] = [];
  const svc = LocalNetworkService.open({ root: join(base, 'svc-root'), execRoot: join(base, 'svc-exec'), bridgeName: `bsv${tag}` });
  devices.push(`bsv${tag}`);
  cleanups.push(async () => {
    svc.releaseHostClaims();
    await svc.close();
  });
  const net = await svc.create({ Name: 'bench' });
  devices.push(`br-${net.Id.slice(0, 12)}`);
  const anchorId = hex(32);
  const sbA = await svc.createSandbox(anchorId);
  await svc.connect({ containerId: anchorId, containerName: 'anchor', hostname: 'anchor', netnsPath: sbA.netnsPath }, { network: 'bench' });
  const subjId = hex(32);
  const sb = await svc.createSandbox(subjId);
  cleanups.push(async () => {
    await svc.removeSandbox(subjId);
    await svc.removeSandbox(anchorId);
    await svc.remove('bench');
  });
  for (let i = 0; i < N + 1; i++) {
    const s = performance.now();
    await svc.connect(
      { containerId: subjId, containerName: 'subject', hostname: 'subject', netnsPath: sb.netnsPath },
      { network: 'bench' },
      { bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, publishAll: false, exposed: [] },
    );
    await svc.disconnect(subjId, 'bench');
    if (i > 0) svcTimes.push(performance.now() - s);
  }

  const f = (x: number) => `${x.toFixed(1)} ms`;
  const mNv = median(t.nv);
  const mNvd = median(t.nvd);
  const mCni = median(t.cni);
  console.log(`network wiring: median of ${N} setup+teardown of one endpoint (veth, address, NAT, one published port), after 1 warm-up`);
  console.log(`  netavark 1.4 (no DNS)                 ${f(mNv)}`);
  console.log(`  CNI bridge + host-local + portmap      ${f(mCni)}`);
  console.log(`  ratio netavark / CNI                   ${(mNv / mCni).toFixed(2)}`);
  console.log(`  CNI bridge + host-local, no port       ${f(median(t.cniBridge))}`);
  console.log(`  netavark 1.4 + aardvark-dns           ${f(mNvd)}   (ratio to CNI, which has no DNS: ${(mNvd / mCni).toFixed(2)})`);
  console.log(`  127.0.0.11 resolver rules (netns)     ${f(median(t.resolver))}   (one nsenter + iptables-restore)`);
  console.log(`  LocalNetworkService connect+disconnect ${f(median(svcTimes))}   (user network: IPAM, records, netavark + DNS, resolver rules, one ephemeral port)`);
}

try {
  await main();
} finally {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (err) {
      console.error(`clean-up: ${(err as Error).message}`);
    }
  }
  for (const p of namespaces) removeNetnsFile(p);
  releaseNetnsDirIfEmpty(nsDir);
  for (const d of devices) {
    try {
      execFileSync('ip', ['link', 'del', d], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
  }
  rmSync(base, { recursive: true, force: true });
}
