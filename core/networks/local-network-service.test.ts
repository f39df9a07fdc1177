/**
 * LocalNetworkService on the real host: needs root, netavark/aardvark-dns
 * (/usr/lib/podman), iptables, util-linux (unshare, nsenter) and /bin/busybox. Devices and
 * subnets are unique per run (random bridge name, subnets claimed host-wide), so it runs
 * beside other engines; everything is removed in `after`, even after a failure, and the last
 * test asserts that nothing of ours is left on the host.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { kindOf } from '../../lib/errdefs/index.js';
import { LocalNetworkService } from './local-network-service.js';
import type { ConnectResult, SandboxInfo } from './network-service.js';

const execFileAsync = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync('/usr/lib/podman/netavark') && existsSync('/bin/busybox');
const skip = canRun ? false : 'needs root, netavark and busybox';

const tag = randomBytes(3).toString('hex');
const bridgeName = `mt${tag}0`;
const base = mkdtempSync(join(tmpdir(), 'net-test-'));
const root = join(base, 'root');
const execRoot = join(base, 'exec');
const resolvConf = join(base, 'resolv.conf');
const warnings: string[] = [];

let svc: LocalNetworkService | undefined;
/** Everything we made, for the final leftover check and for clean-up after a failure. */
const sandboxes = new Set<string>();
const networks = new Set<string>();
const subnets = new Set<string>();
const devices = new Set<string>([bridgeName]);
const hostVeths = new Set<string>();
const children: ChildProcess[] = [];
const servers: Server[] = [];

function open(): LocalNetworkService {
  svc = LocalNetworkService.open({ root, execRoot, bridgeName, onWarning: (m) => warnings.push(m) });
  return svc;
}

function cid(): string {
  const id = randomBytes(32).toString('hex');
  sandboxes.add(id);
  return id;
}

async function sandbox(s: LocalNetworkService, name: string): Promise<SandboxInfo> {
  const id = cid();
  const { netnsPath } = await s.createSandbox(id);
  return { containerId: id, containerName: name, hostname: id.slice(0, 12), netnsPath };
}

/** Runs `args` in the namespace, with our resolv.conf (the engine writes one into containers). */
function inNs(netns: string, args: string[], timeout = 8000): string {
  return execFileSync(
    'nsenter',
    [`--net=${netns}`, 'unshare', '--mount', 'sh', '-c', `mount --bind ${resolvConf} /etc/resolv.conf && exec "$@"`, 'sh', ...args],
    { timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

const SERVER = "require('net').createServer((s) => s.end(process.argv[1])).listen(+process.argv[2], () => console.log('up'))";
const CLIENT =
  "const s = require('net').connect(+process.argv[2], process.argv[1]); let d = ''; s.on('data', (b) => (d += b));" +
  " s.on('end', () => process.stdout.write(d)); s.on('error', (e) => { console.error(e.message); process.exit(1); }); setTimeout(() => process.exit(2), 3000).unref();";

/** A TCP server in the namespace that answers `body` to every connection and hangs up. */
async function tcpServer(netns: string, port: number, body: string): Promise<void> {
  const child = spawn('nsenter', [`--net=${netns}`, process.execPath, '-e', SERVER, body, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** What a TCP connection from the namespace to host:port reads (async: the host end may be in this process). */
async function tcpGet(netns: string, host: string, port: number): Promise<string> {
  const { stdout } = await execFileAsync(
    'nsenter',
    [`--net=${netns}`, 'unshare', '--mount', 'sh', '-c', `mount --bind ${resolvConf} /etc/resolv.conf && exec "$@"`, 'sh', process.execPath, '-e', CLIENT, host, String(port)],
    { timeout: 8000, encoding: 'utf8' },
  );
  return stdout;
}

/** What a TCP connection from the host reads. */
function hostGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, host);
    let d = '';
    sock.setTimeout(2000, () => sock.destroy(new Error('timeout')));
    sock.on('data', (b) => (d += b));
    sock.on('end', () => resolve(d));
    sock.on('error', reject);
  });
}

async function retry<T>(fn: () => T | Promise<T>, tries = 20): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await delay(100);
    }
  }
  throw last;
}

function remember(r: ConnectResult, netns: string): void {
  // The host side of the container's veth: its peer's ifindex.
  const links = JSON.parse(execFileSync('nsenter', [`--net=${netns}`, 'ip', '-j', 'link'], { encoding: 'utf8' })) as { ifname: string; link_index?: number }[];
  const hostLinks = JSON.parse(execFileSync('ip', ['-j', 'link'], { encoding: 'utf8' })) as { ifindex: number; ifname: string }[];
  for (const l of links) {
    if (l.ifname === 'lo' || l.link_index === undefined) continue;
    const h = hostLinks.find((x) => x.ifindex === l.link_index);
    if (h) hostVeths.add(`${h.ifindex}:${h.ifname}`);
  }
  void r;
}

async function expectError(p: Promise<unknown>, kind: string, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.equal(kindOf(err), kind, `kind of: ${(err as Error).message}`);
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return true;
  });
}

describe('LocalNetworkService (root, netavark)', { skip }, () => {
  before(() => {
    writeFileSync(resolvConf, 'nameserver 127.0.0.11\noptions ndots:0\n');
    open();
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of servers) s.close();
    try {
      const s = svc ?? open();
      for (const id of sandboxes) await s.removeSandbox(id).catch(() => undefined);
      for (const n of networks) await s.remove(n).catch(() => undefined);
      s.releaseHostClaims();
      await s.close();
    } finally {
      for (const d of devices) {
        try {
          execFileSync('ip', ['link', 'del', d], { stdio: 'ignore' });
        } catch {
          /* not there: good */
        }
      }
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('creates the predefined networks on first open', async () => {
    const s = svc!;
    const all = await s.list();
    assert.deepEqual(all.map((n) => [n.Name, n.Driver]), [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']]);
    const bridge = await s.inspect('bridge');
    assert.equal(bridge.Options['com.docker.network.bridge.name'], bridgeName);
    assert.match(bridge.IPAM.Config![0]!.Subnet!, /^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
    subnets.add(bridge.IPAM.Config![0]!.Subnet!);
    assert.deepEqual(bridge.Containers, {});
    await expectError(s.remove('bridge'), 'permission-denied', 'bridge is a pre-defined network and cannot be removed');
    await expectError(s.remove('host'), 'permission-denied', 'host is a pre-defined network and cannot be removed');
  });

  it('creates, inspects, lists, filters, removes and prunes user networks', async () => {
    const s = svc!;
    const a = await s.create({ Name: `a-${tag}`, Labels: { team: 'x' }, Options: { 'com.docker.network.driver.mtu': '1400' } });
    networks.add(a.Id);
    assert.match(a.Id, /^[0-9a-f]{64}$/);
    const ia = await s.inspect(a.Id.slice(0, 10));
    assert.equal(ia.Name, `a-${tag}`);
    assert.equal(ia.Driver, 'bridge');
    assert.equal(ia.Scope, 'local');
    assert.deepEqual(ia.Labels, { team: 'x' });
    const sub = ia.IPAM.Config![0]!.Subnet!;
    subnets.add(sub);
    devices.add(`br-${a.Id.slice(0, 12)}`);
    const bridgeSub = (await s.inspect('bridge')).IPAM.Config![0]!.Subnet!;
    assert.notEqual(sub, bridgeSub);
    assert.equal(ia.IPAM.Config![0]!.Gateway, sub.replace(/0\/\d+$/, '1'));

    await expectError(s.create({ Name: `a-${tag}` }), 'conflict', `network with name a-${tag} already exists`);
    await expectError(s.create({ Name: 'bridge' }), 'permission-denied', 'operation is not permitted on predefined bridge network ');
    await expectError(s.create({ Name: `x-${tag}`, Driver: 'nosuch' }), 'not-found', 'plugin "nosuch" not found');
    await expectError(s.create({ Name: `x-${tag}`, Driver: 'macvlan' }), 'not-implemented', /macvlan/);
    await expectError(
      s.create({ Name: `x-${tag}`, IPAM: { Config: [{ Subnet: '10.0.0.300/24' }] } }),
      'invalid-argument',
      'invalid network config:\n* invalid subnet 10.0.0.300/24: invalid CIDR block notation',
    );
    await expectError(s.create({ Name: `x-${tag}`, IPAM: { Config: [{ Subnet: sub }] } }), 'invalid-argument', 'Pool overlaps with other one on this address space');

    // A user-given subnet, range and gateway (a /28 out of the 10/8 nobody's pools use).
    const userSub = `10.${100 + (parseInt(tag.slice(0, 2), 16) % 100)}.${parseInt(tag.slice(2, 4), 16)}.0/28`;
    const b = await s.create({
      Name: `b-${tag}`,
      Internal: true,
      IPAM: { Config: [{ Subnet: userSub, IPRange: userSub.replace(/0\/28$/, '8/29'), Gateway: userSub.replace(/0\/28$/, '14') }] },
    });
    networks.add(b.Id);
    subnets.add(userSub);
    devices.add(`br-${b.Id.slice(0, 12)}`);
    const ib = await s.inspect(`b-${tag}`);
    assert.equal(ib.Internal, true);
    assert.deepEqual(ib.IPAM.Config, [{ Subnet: userSub, Gateway: userSub.replace(/0\/28$/, '14'), IPRange: userSub.replace(/0\/28$/, '8/29') }]);
    await expectError(
      s.create({ Name: `y-${tag}`, IPAM: { Config: [{ Subnet: '10.77.0.0/24', Gateway: '10.78.0.1' }] } }),
      'invalid-argument',
      "invalid network config:\n* invalid gateway 10.78.0.1: parent subnet 10.77.0.0/24 doesn't contain this address",
    );

    const names = (l: { Name: string }[]) => l.map((n) => n.Name).sort();
    assert.deepEqual(names(await s.list({ name: [tag] })), [`a-${tag}`, `b-${tag}`]);
    assert.deepEqual(names(await s.list({ label: ['team=x'] })), [`a-${tag}`]);
    assert.deepEqual(names(await s.list({ type: ['builtin'] })), ['bridge', 'host', 'none']);
    assert.deepEqual(names(await s.list({ type: ['custom'], id: [b.Id.slice(0, 8)] })), [`b-${tag}`]);
    assert.deepEqual(names(await s.list({ driver: ['null'] })), ['none']);
    assert.deepEqual(names(await s.list({ dangling: ['true'] })), [`a-${tag}`, `b-${tag}`]);
    await expectError(s.list({ nope: ['x'] }), 'invalid-argument', "invalid filter 'nope'");
    await expectError(s.inspect('nosuch-network'), 'not-found', 'network nosuch-network not found');

    await s.remove(`a-${tag}`);
    networks.delete(a.Id);
    await expectError(s.inspect(a.Id), 'not-found', `network ${a.Id} not found`);
    // Its subnet is free again (here and host-wide).
    assert.ok(!readdirSync('/run/moby-ipam').includes(sub.replace('/', '_')));

    const c = await s.create({ Name: `c-${tag}`, Labels: { keep: '1' } });
    networks.add(c.Id);
    subnets.add((await s.inspect(c.Id)).IPAM.Config![0]!.Subnet!);
    devices.add(`br-${c.Id.slice(0, 12)}`);
    const pruned = await s.prune({ 'label!': ['keep'] });
    assert.deepEqual(pruned.NetworksDeleted, [`b-${tag}`]);
    networks.delete(b.Id);
    assert.deepEqual(names(await s.list({ type: ['custom'] })).filter((n) => n.endsWith(tag)), [`c-${tag}`]);
    assert.deepEqual((await s.prune({ until: ['1h'] })).NetworksDeleted, null);
    await s.remove(c.Id);
    networks.delete(c.Id);
  });

  it('two containers on a user network reach each other by name, alias and TCP; a published port answers on 127.0.0.1', async () => {
    const s = svc!;
    const net = await s.create({ Name: `u-${tag}` });
    networks.add(net.Id);
    devices.add(`br-${net.Id.slice(0, 12)}`);
    subnets.add((await s.inspect(net.Id)).IPAM.Config![0]!.Subnet!);
    const web = await sandbox(s, `web-${tag}`);
    const cli = await sandbox(s, `cli-${tag}`);

    const rw = await s.connect(web, { network: `u-${tag}`, aliases: ['websvc'] }, { bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, publishAll: false, exposed: [] });
    remember(rw, web.netnsPath);
    const rc = await s.connect(cli, { network: net.Id });
    remember(rc, cli.netnsPath);

    const sub = (await s.inspect(net.Id)).IPAM.Config![0]!;
    assert.equal(rw.endpoint.NetworkID, net.Id);
    assert.match(rw.endpoint.EndpointID, /^[0-9a-f]{64}$/);
    assert.equal(rw.endpoint.Gateway, sub.Gateway);
    assert.equal(rw.endpoint.IPAddress, sub.Gateway!.replace(/\.1$/, '.2'));
    assert.equal(rc.endpoint.IPAddress, sub.Gateway!.replace(/\.1$/, '.3'));
    assert.equal(rw.endpoint.IPPrefixLen, Number(sub.Subnet!.split('/')[1]));
    assert.match(rw.endpoint.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.deepEqual(rw.endpoint.Aliases, ['websvc']);
    assert.deepEqual(rw.endpoint.DNSNames, [`web-${tag}`, web.containerId.slice(0, 12), 'websvc']);
    assert.deepEqual(rw.dns, { nameservers: ['127.0.0.11'], search: [], options: ['ndots:0'] });
    const hostPort = Number(rw.ports['80/tcp']![0]!.HostPort);
    assert.equal(rw.ports['80/tcp']![0]!.HostIp, '127.0.0.1');
    assert.ok(hostPort >= 32768 && hostPort <= 60999, `ephemeral port ${hostPort}`);

    const inspected = await s.inspect(`u-${tag}`);
    assert.deepEqual(Object.keys(inspected.Containers).sort(), [web.containerId, cli.containerId].sort());
    assert.equal(inspected.Containers[web.containerId]!.Name, `web-${tag}`);
    assert.equal(inspected.Containers[web.containerId]!.IPv4Address, `${rw.endpoint.IPAddress}/${rw.endpoint.IPPrefixLen}`);
    assert.equal(inspected.Containers[web.containerId]!.MacAddress, rw.endpoint.MacAddress);
    assert.deepEqual((await s.list({ name: [`u-${tag}`] }))[0]!.Containers, {});
    assert.deepEqual((await s.list({ name: [`u-${tag}`], dangling: ['true'] })), []);

    // Names through 127.0.0.11 (the DNAT to aardvark-dns inside the namespace).
    await retry(() => inNs(cli.netnsPath, ['busybox', 'ping', '-c1', '-W2', `web-${tag}`]));
    inNs(cli.netnsPath, ['busybox', 'ping', '-c1', '-W2', 'websvc']);
    inNs(web.netnsPath, ['busybox', 'ping', '-c1', '-W2', cli.containerId.slice(0, 12)]);
    assert.match(inNs(cli.netnsPath, ['busybox', 'nslookup', `web-${tag}`]), new RegExp(rw.endpoint.IPAddress.replace(/\./g, '\\.')));

    // TCP between them, and the published port from the host.
    await tcpServer(web.netnsPath, 80, `hello ${tag}`);
    const body = await retry(() => tcpGet(cli.netnsPath, 'websvc', 80), 5);
    assert.equal(body, `hello ${tag}`);
    const res = await retry(() => hostGet('127.0.0.1', hostPort), 5);
    assert.equal(res, `hello ${tag}`);

    await expectError(s.remove(`u-${tag}`), 'permission-denied', `error while removing network: network u-${tag} id ${net.Id} has active endpoints`);
    await expectError(s.connect(web, { network: `u-${tag}` }), 'conflict', `endpoint with name web-${tag} already exists in network u-${tag}`);

    // A static address: taken, outside, free.
    const st = await sandbox(s, `st-${tag}`);
    await expectError(s.connect(st, { network: net.Id, ipv4Address: rw.endpoint.IPAddress }), 'invalid-argument', 'Address already in use');
    await expectError(s.connect(st, { network: net.Id, ipv4Address: '10.255.255.7' }), 'invalid-argument', 'no configured subnet or ip-range contain the IP address 10.255.255.7');
    const wanted = sub.Gateway!.replace(/\.1$/, '.77');
    const rs = await s.connect(st, { network: net.Id, ipv4Address: wanted });
    remember(rs, st.netnsPath);
    assert.equal(rs.endpoint.IPAddress, wanted);
    assert.deepEqual(rs.endpoint.IPAMConfig, { IPv4Address: wanted });
    await s.disconnect(st.containerId, net.Id);
    await s.disconnect(st.containerId, net.Id); // idempotent
    assert.equal(Object.keys((await s.inspect(net.Id)).Containers).length, 2);
    await s.removeSandbox(st.containerId);
    await s.removeSandbox(st.containerId); // idempotent
    assert.ok(!existsSync(st.netnsPath));

    // A fixed host port already published is refused with Docker's words.
    const other = await sandbox(s, `o-${tag}`);
    await expectError(
      s.connect(other, { network: net.Id }, { bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] }, publishAll: false, exposed: [] }),
      'unavailable',
      /Bind for 127\.0\.0\.1:\d+ failed: port is already allocated/,
    );
    assert.equal(Object.keys((await s.inspect(net.Id)).Containers).length, 2, 'the failed connect left no endpoint');
    await s.removeSandbox(other.containerId);
  });

  it('the default bridge: no static IP, no aliases, no names; reaches a neighbour and the host', async () => {
    const s = svc!;
    const a = await sandbox(s, `ba-${tag}`);
    const b = await sandbox(s, `bb-${tag}`);
    await expectError(s.connect(a, { network: 'bridge', ipv4Address: '172.17.0.9' }), 'invalid-argument', 'user specified IP address is supported on user defined networks only');
    await expectError(s.connect(a, { network: 'default', aliases: ['x'] }), 'invalid-argument', /user defined networks/);
    const ra = await s.connect(a, { network: 'default' });
    const rb = await s.connect(b, { network: 'bridge' }, { bindings: {}, publishAll: true, exposed: ['8080/tcp'] });
    remember(ra, a.netnsPath);
    remember(rb, b.netnsPath);
    assert.equal(ra.dns, undefined);
    assert.equal(ra.endpoint.DNSNames, null);
    assert.equal(ra.endpoint.Aliases, null);
    assert.ok(rb.ports['8080/tcp']![0]!.HostPort !== '');
    assert.equal(rb.ports['8080/tcp']![0]!.HostIp, '0.0.0.0');
    inNs(a.netnsPath, ['busybox', 'ping', '-c1', '-W2', rb.endpoint.IPAddress]);
    assert.throws(() => inNs(a.netnsPath, ['busybox', 'ping', '-c1', '-W1', `bb-${tag}`], 6000));

    // The host, on the bridge's gateway.
    const srv = createServer((sock) => sock.end(`host ${tag}`));
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, ra.endpoint.Gateway, r));
    const port = (srv.address() as { port: number }).port;
    assert.equal(await tcpGet(a.netnsPath, ra.endpoint.Gateway, port), `host ${tag}`);
    // A published port of b (-P) from the host.
    await tcpServer(b.netnsPath, 8080, `b ${tag}`);
    const hp = Number(rb.ports['8080/tcp']![0]!.HostPort);
    assert.equal(await retry(() => hostGet('127.0.0.1', hp), 5), `b ${tag}`);
    // and a neighbour on the bridge, by address
    assert.equal(await tcpGet(a.netnsPath, rb.endpoint.IPAddress, 8080), `b ${tag}`);
    assert.deepEqual(Object.keys((await s.inspect('bridge')).Containers).sort(), [a.containerId, b.containerId].sort());
  });

  it('host and none networks: recorded, not wired', async () => {
    const s = svc!;
    const h = await sandbox(s, `h-${tag}`);
    const r = await s.connect(h, { network: 'none' });
    assert.equal(r.endpoint.IPAddress, '');
    assert.match(r.endpoint.EndpointID, /^[0-9a-f]{64}$/);
    assert.ok((await s.inspect('none')).Containers[h.containerId]);
    await s.removeSandbox(h.containerId);
    assert.deepEqual((await s.inspect('none')).Containers, {});
  });

  it('after a restart, disconnect and removeSandbox still undo what is running', async () => {
    let s = svc!;
    const net = await s.create({ Name: `r-${tag}` });
    networks.add(net.Id);
    devices.add(`br-${net.Id.slice(0, 12)}`);
    subnets.add((await s.inspect(net.Id)).IPAM.Config![0]!.Subnet!);
    const x = await sandbox(s, `rx-${tag}`);
    const rx = await s.connect(x, { network: net.Id }, { bindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] }, publishAll: false, exposed: [] });
    remember(rx, x.netnsPath);
    const rx2 = await s.connect(x, { network: 'bridge' });
    assert.equal(rx2.endpoint.IPAddress.length > 0, true);
    await s.close();
    s = open();
    assert.deepEqual(Object.keys((await s.inspect(net.Id)).Containers), [x.containerId]);
    await s.disconnect(x.containerId, net.Id);
    await s.removeSandbox(x.containerId);
    await s.remove(net.Id);
    networks.delete(net.Id);
  });

  it('leaves nothing behind: no bridge, veth, namespace, mount or iptables rule of ours', async () => {
    const s = svc!;
    for (const id of sandboxes) await s.removeSandbox(id);
    for (const n of networks) await s.remove(n);
    networks.clear();
    assert.deepEqual(
      (await s.list({ type: ['custom'] })).map((n) => n.Name).filter((n) => n.endsWith(tag)),
      [],
    );
    for (const k of ['bridge', 'none', 'host']) assert.deepEqual((await s.inspect(k)).Containers, {});
    // Netavark deletes a bridge when its last container leaves.
    const hostLinks = JSON.parse(execFileSync('ip', ['-j', 'link'], { encoding: 'utf8' })) as { ifindex: number; ifname: string }[];
    const links = hostLinks.map((l) => l.ifname);
    for (const d of devices) assert.ok(!links.includes(d), `device ${d} left`);
    // netavark names host veths veth0, veth1…, reused by other engines on the host: match index and name.
    assert.ok(hostVeths.size >= 2, `saw the host veths (${[...hostVeths].join(',')})`);
    const present = new Set(hostLinks.map((l) => `${l.ifindex}:${l.ifname}`));
    for (const v of hostVeths) assert.ok(!present.has(v), `veth ${v} left`);
    const rules = execFileSync('iptables-save', { encoding: 'utf8' }).split('\n');
    for (const sub of subnets) assert.deepEqual(rules.filter((l) => l.includes(sub)), [], `rules for ${sub}`);
    for (const d of devices) assert.deepEqual(rules.filter((l) => l.includes(d)), [], `rules for ${d}`);
    assert.ok(!existsSync(join(execRoot, 'netns')) || readdirSync(join(execRoot, 'netns')).length === 0);
    assert.deepEqual(
      readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(base)),
      [],
    );
    assert.deepEqual(warnings, []);
  });
});
