/**
 * End to end: networks and volumes outlive the engine. Two containers on a user-defined network
 * (a busybox httpd publishing a port on 127.0.0.1, and a client) keep running, their addresses,
 * name resolution, the published port and their place in `docker network inspect` across a
 * whole-engine restart (SIGTERM, then started again on the same data and exec roots), and
 * `docker stop`/`docker rm` afterwards still tear down their interfaces and firewall rules. The
 * same after `kill -9` of the component hosting `network-runtime`, where a new container can
 * also join the network and reach the old one by name. A container with a named volume keeps
 * its data across a restart, and `docker rm -v` afterwards leaves the named volume.
 *
 * Our engine only: the reference harness cannot restart a dockerd on its data root, and dockerd
 * has no components (with `MOBY_TEST_TARGET=dockerd` the tests skip).
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { State } from '../api/moby/component_registry/v1/component_registry.js';
import { dockerHard, inspect, ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';
import { freePort, hostLinks, rulesMentioning } from './support/host-net.js';
import { waitUntil } from './support/wait.js';

const run = promisify(execFile);
const TEST_TIMEOUT = 120_000;

interface NetworkInspect {
  Id: string;
  Name: string;
  IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
  Options: Record<string, string>;
  Containers: Record<string, { Name: string; IPv4Address: string }>;
}

/** A free TCP port on 127.0.0.1 (closed again before use). */
/** Interfaces whose master is `bridge` (the containers' veths on it). */
async function portsOf(bridge: string): Promise<string[]> {
  const links = await hostLinks();
  return links.filter((l) => l.master === bridge).map((l) => l.ifname);
}

async function linkExists(name: string): Promise<boolean> {
  const links = await hostLinks();
  return links.some((l) => l.ifname === name);
}

async function curl(port: number): Promise<string> {
  return (await run('curl', ['-s', '--max-time', '3', `http://127.0.0.1:${port}/`]).catch(() => ({ stdout: '' }))).stdout;
}

describe(`networks and volumes survive the engine (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;
  const tag = randomBytes(3).toString('hex');
  // The environment changes on restart: always read it from the target.
  const d = (args: string[], opts?: { timeoutMs?: number }) => dockerHard(target.dockerEnv, args, { timeoutMs: 60_000, ...opts });
  const must = (args: string[], opts?: { timeoutMs?: number }) => ok(target.dockerEnv, args, opts);
  const inspectNetwork = async (name: string) => (JSON.parse(await must(['network', 'inspect', name])) as NetworkInspect[])[0]!;
  const ipOn = async (container: string, net: string) => (await must(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, container])).trim();

  before(async () => {
    target = await startContainerTarget();
  });
  after(async () => {
    await target?.cleanup();
  });

  /** Removes (pass or fail) the containers, networks and volumes a test made. */
  function cleanupOf(t: TestContext, what: { containers?: string[]; networks?: string[]; volumes?: string[] }): void {
    t.after(async () => {
      if (what.containers?.length) await d(['rm', '-f', '-v', ...what.containers]);
      for (const n of what.networks ?? []) await d(['network', 'rm', n]);
      for (const v of what.volumes ?? []) await d(['volume', 'rm', '-f', v]);
    });
  }

  interface Pair {
    net: string;
    bridge: string;
    subnet: string;
    server: string;
    client: string;
    port: number;
    ips: { server: string; client: string };
    pids: { server: number; client: number };
  }

  /** A user-defined network with an httpd `server` (published on 127.0.0.1:<port>) and a `client`, both answering. */
  async function startPair(net: string, server: string, client: string): Promise<Pair> {
    await must(['network', 'create', net]);
    const n = await inspectNetwork(net);
    const bridge = n.Options['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`;
    const subnet = n.IPAM.Config?.[0]?.Subnet;
    assert.ok(subnet, `a subnet for ${net}: ${JSON.stringify(n.IPAM)}`);
    const port = await freePort();
    await must(['run', '-d', '--name', server, '--network', net, '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', `mkdir -p /www && echo 'hello from ${server}' > /www/index.html && exec httpd -f -p 80 -h /www`]);
    await must(['run', '-d', '--name', client, '--network', net, 'busybox', 'sleep', '1000']);
    await assertNetworking({ server, client, port } as Pair);
    return {
      net,
      bridge,
      subnet,
      server,
      client,
      port,
      ips: { server: await ipOn(server, net), client: await ipOn(client, net) },
      pids: { server: (await inspect(target.dockerEnv, server)).State.Pid, client: (await inspect(target.dockerEnv, client)).State.Pid },
    };
  }

  /** The client fetches the server by name, and the host reaches the published port. */
  async function assertNetworking(p: Pick<Pair, 'server' | 'client' | 'port'>, from = p.client): Promise<void> {
    let last = '';
    await waitUntil(async () => {
      const r = await d(['exec', from, 'wget', '-qO-', `http://${p.server}/`]);
      last = r.stdout + r.stderr;
      return r.code === 0;
    }, { timeoutMs: 15_000, what: () => `${from} to fetch http://${p.server}/ by name (last: ${last})` });
    assert.equal(last, `hello from ${p.server}\n`);
    let body = '';
    await waitUntil(async () => (body = await curl(p.port)) !== '', { timeoutMs: 15_000, what: `curl of 127.0.0.1:${p.port} from the host` });
    assert.equal(body, `hello from ${p.server}\n`);
  }

  /** Still running with the same pids and addresses, still in the network's inspect, still talking. */
  async function assertPairSurvived(p: Pair): Promise<void> {
    for (const role of ['server', 'client'] as const) {
      const c = await inspect(target.dockerEnv, p[role]);
      assert.equal(c.State.Running, true, `${p[role]} running`);
      assert.equal(c.State.Pid, p.pids[role], `${p[role]} keeps its pid`);
      assert.equal(await ipOn(p[role], p.net), p.ips[role], `${p[role]} keeps its address on ${p.net}`);
    }
    const n = await inspectNetwork(p.net);
    const members = Object.values(n.Containers).map((c) => `${c.Name} ${c.IPv4Address.split('/')[0]}`).sort();
    assert.deepEqual(members, [`${p.client} ${p.ips.client}`, `${p.server} ${p.ips.server}`].sort(), `docker network inspect ${p.net}: ${JSON.stringify(n.Containers)}`);
    await assertNetworking(p);
    const mapped = (await must(['port', p.server, '80/tcp'])).trim().split('\n');
    assert.ok(mapped.includes(`127.0.0.1:${p.port}`), mapped.join(', '));
  }

  /** docker stop and docker rm of the containers leave no veth on the bridge and no rule for the subnet; then the network goes. */
  async function assertTornDown(p: Pair, containers: string[]): Promise<void> {
    for (const c of containers) assert.equal((await must(['stop', '-t', '1', c])).trim(), c);
    await must(['rm', ...containers]);
    const veths = await portsOf(p.bridge);
    assert.deepEqual(veths, [], `interfaces still on ${p.bridge}: ${veths.join(', ')}`);
    const rules = await rulesMentioning([p.subnet]);
    assert.deepEqual(rules, [], `firewall rules for ${p.subnet} left:\n${rules.join('\n')}`);
    assert.equal(await curl(p.port), '', `127.0.0.1:${p.port} no longer answers`);
    assert.deepEqual(Object.keys((await inspectNetwork(p.net)).Containers), []);
    await must(['network', 'rm', p.net]);
    assert.equal(await linkExists(p.bridge), false, `${p.bridge} removed with its network`);
    assert.deepEqual(await rulesMentioning([p.subnet]), []);
  }

  it('after an engine restart: same IPs, name resolution, published port, network inspect; stop/rm tear down', { timeout: TEST_TIMEOUT }, async (t) => {
    if (!target.restart) {
      t.skip(target.restartUnsupported);
      return;
    }
    const [net, server, client] = [`rn-${tag}`, 'server', 'client'];
    cleanupOf(t, { containers: [server, client], networks: [net] });
    const pair = await startPair(net, server, client);
    await target.restart();
    await assertPairSurvived(pair);
    await assertTornDown(pair, [server, client]);
  });

  it('after kill -9 of the component hosting network-runtime: networking goes on, and a new container joins and reaches the old by name', { timeout: TEST_TIMEOUT }, async (t) => {
    if (target.kind !== 'moby') {
      t.skip('dockerd has no components (our engine only)');
      return;
    }
    const [net, server, client, late] = [`kn-${tag}`, 'kserver', 'kclient', 'klate'];
    cleanupOf(t, { containers: [server, client, late], networks: [net] });
    const pair = await startPair(net, server, client);
    const engine = target.engine!;
    const host = (await engine.components()).find((c) => c.services.includes('network-runtime'));
    assert.ok(host, 'a component hosts network-runtime');
    assert.ok(host.pid > 0 && host.pid !== engine.daemon.pid, `network-runtime runs in its own process (pid ${host.pid})`);
    process.kill(host.pid, 'SIGKILL');
    await waitUntil(
      async () => {
        const now = (await engine.components()).find((c) => c.name === host.name);
        return now !== undefined && now.state === State.STATE_RUNNING && now.pid !== host.pid;
      },
      { timeoutMs: 30_000, what: `component ${host.name} to be restarted after kill -9` },
    );
    await waitUntil(async () => (await d(['network', 'ls'])).code === 0 && (await d(['ps'])).code === 0, { timeoutMs: 30_000, what: 'docker ps and network ls to answer again' });
    await assertPairSurvived(pair);
    // A new container joins the network and reaches the old one by name (and is reached by it).
    await must(['run', '-d', '--name', late, '--network', net, 'busybox', 'sleep', '1000']);
    await assertNetworking(pair, late);
    const lateIp = await ipOn(late, net);
    assert.ok(lateIp !== '' && lateIp !== pair.ips.server && lateIp !== pair.ips.client, `a fresh address for ${late}: ${lateIp}`);
    const ping = await d(['exec', client, 'ping', '-c1', '-W3', late]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.equal(Object.keys((await inspectNetwork(net)).Containers).length, 3);
    await assertTornDown(pair, [server, client, late]);
  });

  it('a container with a named volume keeps its data across an engine restart; rm -v afterwards leaves the named volume', { timeout: TEST_TIMEOUT }, async (t) => {
    if (!target.restart) {
      t.skip(target.restartUnsupported);
      return;
    }
    const [c, vol] = [`vc-${tag}`, `keep-${tag}`];
    cleanupOf(t, { containers: [c], volumes: [vol] });
    await must(['run', '-d', '--name', c, '-v', `${vol}:/data`, 'busybox', 'sh', '-c', 'echo before > /data/f && exec sleep 1000']);
    await waitUntil(async () => (await d(['exec', c, 'cat', '/data/f'])).stdout === 'before\n', { timeoutMs: 15_000, what: `${c} to write /data/f` });
    const [volInfo] = JSON.parse(await must(['volume', 'inspect', vol])) as { Mountpoint: string }[];
    const pid = (await inspect(target.dockerEnv, c)).State.Pid;
    await target.restart();
    const after = await inspect(target.dockerEnv, c);
    assert.equal(after.State.Running, true);
    assert.equal(after.State.Pid, pid);
    assert.equal(await must(['exec', c, 'cat', '/data/f']), 'before\n');
    await must(['exec', c, 'sh', '-c', 'echo after >> /data/f']);
    const mounts = JSON.parse(await must(['inspect', '-f', '{{json .Mounts}}', c])) as { Type: string; Name: string; Destination: string }[];
    assert.deepEqual(mounts.map((m) => `${m.Type} ${m.Name} ${m.Destination}`), [`volume ${vol} /data`]);
    // The volume is still in use: not removable.
    const busy = await d(['volume', 'rm', vol]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /volume is in use/);
    await must(['stop', '-t', '1', c]);
    await must(['rm', '-v', c]);
    const names = (await must(['volume', 'ls', '-q'])).trim().split('\n');
    assert.ok(names.includes(vol), `rm -v left the named volume: ${names.join(', ')}`);
    assert.ok(existsSync(volInfo!.Mountpoint), 'its data is still there');
    assert.equal(await must(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'cat', '/data/f']), 'before\nafter\n');
    await must(['volume', 'rm', vol]);
  });
});
