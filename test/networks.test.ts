/**
 * End to end: networks through the real docker CLI — user-defined bridge networks with name
 * resolution, published ports reached from the host, the default bridge's outbound NAT to a
 * namespace the test makes, connect/disconnect of a running container, Docker's refusals, and
 * nothing left behind (interfaces, namespaces, firewall rules) once everything is removed.
 * Runs against our engine, or with `MOBY_TEST_TARGET=dockerd` against Debian's dockerd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerHard, ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';
import { startDnsResponder } from './support/dns-responder.js';
import { freePort, hostLinks, rulesMentioning, sh } from './support/host-net.js';
import { waitUntil } from './support/wait.js';

const run = promisify(execFile);
const TEST_TIMEOUT = 90_000;

interface NetworkInspect {
  Id: string;
  Name: string;
  Driver: string;
  IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
  Options: Record<string, string>;
  Containers: Record<string, { Name: string; IPv4Address: string }>;
}

/** Interfaces whose name or master is one of `bridges`. */
async function linksOf(bridges: string[]): Promise<string[]> {
  const links = await hostLinks();
  return links.filter((l) => bridges.includes(l.ifname) || (l.master !== undefined && bridges.includes(l.master))).map((l) => l.ifname);
}

/** Whether `subnet` is claimed host-wide (core/networks/claims.ts) by an engine outside `ourDir`. */
function claimedByAnother(subnet: string, ourDir: string): boolean {
  try {
    const body = JSON.parse(readFileSync(join('/run/moby-ipam', subnet.replace('/', '_')), 'utf8')) as { owner?: string };
    return typeof body.owner === 'string' && !body.owner.startsWith(ourDir);
  } catch {
    return false;
  }
}

describe(`networks through the docker CLI (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;
  let env: NodeJS.ProcessEnv;
  const tag = randomBytes(3).toString('hex');
  const d = (args: string[], opts?: { input?: string; timeoutMs?: number }) => dockerHard(env, args, { timeoutMs: 60_000, ...opts });
  const must = (args: string[], opts?: { input?: string; timeoutMs?: number }) => ok(env, args, opts);
  const inspectNetwork = async (name: string) => (JSON.parse(await must(['network', 'inspect', name])) as NetworkInspect[])[0]!;
  /** Every bridge and subnet the tests' networks used, for the leak checks. */
  const bridges = new Set<string>();
  const subnets = new Set<string>();
  const remember = async (name: string) => {
    const n = await inspectNetwork(name);
    // dockerd keeps its default bridge (and its NAT rule) for as long as it runs; ours goes with its last container.
    if (name === 'bridge' && target.kind === 'dockerd') return n;
    bridges.add(n.Options['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`);
    for (const c of n.IPAM.Config ?? []) if (c.Subnet) subnets.add(c.Subnet);
    return n;
  };
  const httpd = (name: string, network: string, extra: string[] = [], text = `hello from ${name}`) =>
    must(['run', '-d', '--name', name, '--network', network, ...extra, 'busybox', 'sh', '-c', `mkdir -p /www && echo '${text}' > /www/index.html && exec httpd -f -p 80 -h /www`]);

  /** Firewall lines present before this file made anything (another engine's, or an earlier run's). */
  let baselineRules = new Set<string>();

  before(async () => {
    baselineRules = new Set(await rulesMentioning(['']));
    target = await startContainerTarget();
    env = target.dockerEnv;
  });
  after(async () => {
    await target?.cleanup();
  });

  it('lists the predefined networks and refuses to remove them', { timeout: TEST_TIMEOUT }, async () => {
    const names = (await must(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).trim().split('\n').sort();
    for (const n of ['bridge bridge', 'host host', 'none null']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    const rm = await d(['network', 'rm', 'bridge']);
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /bridge is a pre-defined network and cannot be removed/);
  });

  it('two containers on a user-defined network reach each other by name (ping and wget)', { timeout: TEST_TIMEOUT }, async () => {
    const net = `n1-${tag}`;
    await must(['network', 'create', net]);
    await remember(net);
    await httpd(`web-${tag}`, net);
    await must(['run', '-d', '--name', `cli-${tag}`, '--network', net, 'busybox', 'sleep', '1000']);
    const ping = await d(['exec', `cli-${tag}`, 'ping', '-c1', '-W3', `web-${tag}`]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.match(ping.stdout, /1 packets received/);
    let page = '';
    await waitUntil(async () => {
      const r = await d(['exec', `cli-${tag}`, 'wget', '-qO-', `http://web-${tag}/`]);
      page = r.stdout;
      return r.code === 0;
    }, { timeoutMs: 15_000, what: 'wget of the web container by name' });
    assert.equal(page, `hello from web-${tag}\n`);
    // Docker's resolver address and the container's own line in /etc/hosts.
    const resolv = await must(['exec', `cli-${tag}`, 'cat', '/etc/resolv.conf']);
    assert.match(resolv, /^nameserver 127\.0\.0\.11$/m);
    const inspected = await inspectNetwork(net);
    const ips = Object.values(inspected.Containers).map((c) => c.IPv4Address);
    assert.equal(ips.length, 2, JSON.stringify(inspected.Containers));
    const hosts = await must(['exec', `cli-${tag}`, 'cat', '/etc/hosts']);
    const ownIp = (await must(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, `cli-${tag}`])).trim();
    assert.match(hosts, new RegExp(`^${ownIp.replace(/\./g, '\\.')}\\s`, 'm'));
    await must(['rm', '-f', `web-${tag}`, `cli-${tag}`]);
    await must(['network', 'rm', net]);
  });

  it('-p publishes a port reachable from the host on 127.0.0.1, and -P an ephemeral one', { timeout: TEST_TIMEOUT }, async () => {
    const port = await freePort();
    await httpd(`pub-${tag}`, 'bridge', ['-p', `127.0.0.1:${port}:80`, '-p', '80'], 'published');
    await remember('bridge');
    let body = '';
    await waitUntil(async () => {
      const r = await run('curl', ['-s', '--max-time', '3', `http://127.0.0.1:${port}/`]).catch(() => ({ stdout: '' }));
      body = r.stdout;
      return body !== '';
    }, { timeoutMs: 15_000, what: `curl of 127.0.0.1:${port}` });
    assert.equal(body, 'published\n');
    const mapped = (await must(['port', `pub-${tag}`, '80/tcp'])).trim().split('\n');
    assert.ok(mapped.includes(`127.0.0.1:${port}`), mapped.join(', '));
    const ephemeral = mapped.map((m) => /^0\.0\.0\.0:(\d+)$/.exec(m)?.[1]).find(Boolean);
    assert.ok(ephemeral, `an ephemeral port in ${mapped.join(', ')}`);
    const viaEphemeral = await run('curl', ['-s', '--max-time', '3', `http://127.0.0.1:${ephemeral}/`]);
    assert.equal(viaEphemeral.stdout, 'published\n');
    await must(['rm', '-f', `pub-${tag}`]);
    // the port is free again
    const again = await run('curl', ['-s', '--max-time', '2', `http://127.0.0.1:${port}/`]).then(() => 'answered', () => 'refused');
    assert.equal(again, 'refused');
  });

  it('the default bridge reaches another namespace through NAT', { timeout: TEST_TIMEOUT }, async () => {
    const ns = `mobyt-${tag}`;
    const octet = 100 + (parseInt(tag.slice(0, 2), 16) % 100);
    const [hostIp, nsIp] = [`10.251.${octet}.1`, `10.251.${octet}.2`];
    const veth = `vt${tag}`;
    let server: ChildProcess | undefined;
    try {
      await sh(`ip netns add ${ns} && ip link add ${veth} type veth peer name ${veth}p && ip link set ${veth}p netns ${ns}`);
      await sh(`ip addr add ${hostIp}/30 dev ${veth} && ip link set ${veth} up`);
      await sh(`ip -n ${ns} addr add ${nsIp}/30 dev ${veth}p && ip -n ${ns} link set ${veth}p up && ip -n ${ns} link set lo up && ip -n ${ns} route add default via ${hostIp}`);
      await sh(`mkdir -p /tmp/${ns}-www && echo outside > /tmp/${ns}-www/index.html`);
      server = spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', `/tmp/${ns}-www`], { stdio: 'ignore' });
      const r = await d(['run', '--rm', 'busybox', 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://${nsIp}:8080/ && exit 0; sleep 0.5; done; exit 1`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'outside\n');
    } finally {
      server?.kill('SIGKILL');
      await sh(`ip netns del ${ns} 2>/dev/null; ip link del ${veth} 2>/dev/null; rm -rf /tmp/${ns}-www; true`);
    }
  });

  it('docker network connect and disconnect on a running container', { timeout: TEST_TIMEOUT }, async () => {
    const [n2, n3] = [`n2-${tag}`, `n3-${tag}`];
    await must(['network', 'create', n2]);
    await must(['network', 'create', n3]);
    await remember(n2);
    await remember(n3);
    await httpd(`peer-${tag}`, n3);
    await must(['run', '-d', '--name', `roam-${tag}`, '--network', n2, 'busybox', 'sleep', '1000']);
    const before = await d(['exec', `roam-${tag}`, 'ping', '-c1', '-W2', `peer-${tag}`]);
    assert.notEqual(before.code, 0, 'not reachable before connect');
    await must(['network', 'connect', '--alias', `roamer-${tag}`, n3, `roam-${tag}`]);
    const links = await must(['exec', `roam-${tag}`, 'ip', '-o', 'link']);
    assert.match(links, /eth1/);
    const ping = await d(['exec', `roam-${tag}`, 'ping', '-c1', '-W3', `peer-${tag}`]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    // the alias resolves for others on n3
    const byAlias = await d(['exec', `peer-${tag}`, 'ping', '-c1', '-W3', `roamer-${tag}`]);
    assert.equal(byAlias.code, 0, byAlias.stdout + byAlias.stderr);
    const nets = JSON.parse(await must(['inspect', '-f', '{{json .NetworkSettings.Networks}}', `roam-${tag}`])) as Record<string, { IPAddress: string }>;
    assert.deepEqual(Object.keys(nets).sort(), [n2, n3].sort());
    assert.ok(nets[n3]!.IPAddress);
    await must(['network', 'disconnect', n3, `roam-${tag}`]);
    assert.doesNotMatch(await must(['exec', `roam-${tag}`, 'ip', '-o', 'link']), /eth1/);
    const after = await d(['exec', `roam-${tag}`, 'ping', '-c1', '-W2', `peer-${tag}`]);
    assert.notEqual(after.code, 0, 'not reachable after disconnect');
    // a network in use cannot be removed
    const busy = await d(['network', 'rm', n3]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /has active endpoints/);
    await must(['rm', '-f', `peer-${tag}`, `roam-${tag}`]);
    await must(['network', 'rm', n2, n3]);
  });

  it('static --ip on a user-defined subnet, refused on the default bridge', { timeout: TEST_TIMEOUT }, async () => {
    const octet = 100 + (parseInt(tag.slice(2, 4), 16) % 100);
    const net = `n4-${tag}`;
    await must(['network', 'create', '--subnet', `10.252.${octet}.0/24`, '--gateway', `10.252.${octet}.254`, net]);
    const n = await remember(net);
    assert.deepEqual(n.IPAM.Config, [{ Subnet: `10.252.${octet}.0/24`, Gateway: `10.252.${octet}.254` }]);
    const out = await must(['run', '--rm', '--network', net, '--ip', `10.252.${octet}.77`, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.match(out, new RegExp(`10\\.252\\.${octet}\\.77/24`));
    // a static MAC address is the interface's, and is kept across a restart
    const mac = '02:42:0a:fc:00:4d';
    await must(['run', '-d', '--name', `mac-${tag}`, '--network', net, '--mac-address', mac, 'busybox', 'sleep', '1000']);
    const macOf = async () => (await must(['exec', `mac-${tag}`, 'cat', '/sys/class/net/eth0/address'])).trim();
    assert.equal(await macOf(), mac);
    await must(['restart', '-t', '0', `mac-${tag}`]);
    assert.equal(await macOf(), mac);
    await must(['rm', '-f', `mac-${tag}`]);
    const onBridge = await d(['run', '--rm', '--ip', '172.17.0.99', 'busybox', 'true']);
    assert.notEqual(onBridge.code, 0);
    assert.match(onBridge.stderr, /user specified IP address is supported on user defined networks only/);
    // overlapping and malformed subnets
    const overlap = await d(['network', 'create', '--subnet', `10.252.${octet}.128/25`, `n5-${tag}`]);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /overlaps/i);
    const bad = await d(['network', 'create', '--subnet', '10.0.0.0/33', `n6-${tag}`]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid CIDR address|invalid subnet/i);
    const dup = await d(['network', 'create', net]);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /already exists/);
    await must(['network', 'rm', net]);
  });

  it('--dns on a user-defined network: the resolver still answers container names and forwards the rest to the given server', { timeout: TEST_TIMEOUT }, async () => {
    const net = `n7-${tag}`;
    const octet = 100 + (parseInt(tag.slice(4, 6), 16) % 100);
    const server = await startDnsResponder(`127.0.${octet}.53`, { [`outside-${tag}.test`]: '10.9.8.7' });
    try {
      await must(['network', 'create', net]);
      await remember(net);
      await must(['run', '-d', '--name', `dnsa-${tag}`, '--network', net, 'busybox', 'sleep', '1000']);
      const out = await must(['run', '--rm', '--network', net, '--dns', server.address, 'busybox', 'sh', '-c',
        `cat /etc/resolv.conf; nslookup outside-${tag}.test; nslookup dnsa-${tag}`]);
      assert.match(out, /^nameserver 127\.0\.0\.11$/m, 'the resolver stays 127.0.0.11');
      assert.match(out, /Address: 10\.9\.8\.7/, out);
      assert.ok(server.asked.includes(`outside-${tag}.test`), `the given server was asked: ${server.asked.join(', ')}`);
      assert.ok(!server.asked.includes(`dnsa-${tag}`), 'container names are answered by the network');
    } finally {
      await d(['rm', '-f', `dnsa-${tag}`]);
      await d(['network', 'rm', net]);
      await server.close();
    }
  });

  it('network prune removes unused networks', { timeout: TEST_TIMEOUT }, async () => {
    await must(['network', 'create', `p1-${tag}`]);
    await remember(`p1-${tag}`);
    const out = await must(['network', 'prune', '-f']);
    assert.match(out, new RegExp(`p1-${tag}`));
    const ls = await must(['network', 'ls', '--format', '{{.Name}}']);
    assert.doesNotMatch(ls, new RegExp(`p1-${tag}`));
  });

  it('nothing is left behind: no interface, namespace, or firewall rule of ours', { timeout: TEST_TIMEOUT }, async () => {
    assert.equal((await must(['ps', '-aq'])).trim(), '');
    const leftLinks = await linksOf([...bridges]);
    assert.deepEqual(leftLinks, [], `interfaces left: ${leftLinks.join(', ')}`);
    // A subnet we released may already be another engine's on this host (tests run side by side):
    // its rules are that engine's, not leaks of ours.
    const ours = [...subnets].filter((subnet) => !claimedByAnother(subnet, target.scratch));
    const rules = (await rulesMentioning(ours)).filter((line) => !baselineRules.has(line));
    assert.deepEqual(rules, [], `firewall rules left:\n${rules.join('\n')}`);
    if (target.kind === 'moby') {
      const netns = await sh(`find ${target.engine!.dir} -path '*netns*' -type f 2>/dev/null || true`);
      assert.equal(netns.trim(), '', `namespace files left: ${netns}`);
      const mounts = await sh(`grep ' ${target.engine!.dir}' /proc/self/mounts | grep nsfs || true`);
      assert.equal(mounts.trim(), '', `namespace mounts left: ${mounts}`);
    }
  });
});
