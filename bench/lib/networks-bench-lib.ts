// Helpers for bench/networks.ts: the two engines (ours through `bin/moby daemon`, Debian's
// dockerd through startReferenceDockerd) with a clean-up that also removes their networks, the
// busybox rootfs with the applets the network figures need, timestamps taken inside a
// container, waiting for a container's listening socket, and the host-side sender.
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { existsSync, writeFileSync } from 'node:fs';
import { HostClaims } from '../../core/networks/claims.js';
import { DEFAULT_CLAIMS_DIR } from '../../core/networks/local-network-service.js';
import { chooseSubnet, formatPrefix, hostRoutes, overlaps, type Prefix } from '../../core/networks/ipam.js';
import { mobyBin, startEngine } from '../../test/support/engine.js';
import { writeBusyboxRootfs } from '../../test/support/busybox-rootfs.js';
import type { FixtureEntry } from '../../core/archive/tar-fixture.js';
import {
  apiMessage,
  docker,
  http,
  killContainersOf,
  processes,
  removeAllContainers,
  signal,
  unmountUnder,
  type DockerTarget,
} from './containers-bench-lib.js';
import { startReferenceDockerd } from './reference-dockerd.js';

export type EngineName = 'ours' | 'dockerd';

export interface NetBenchEngine extends DockerTarget {
  name: EngineName;
  /** Removes every container and user-defined network, stops the engine, removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const PATH = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';

/** Our engine (`bin/moby daemon`, default packaging, running `dist/`) in a fresh /tmp/mce-* directory. */
export async function startOurs(log: (line: string) => void): Promise<NetBenchEngine> {
  // startEngine runs <root>/bin/moby, the root being found from where this file was compiled to.
  if (!existsSync(mobyBin)) throw new Error(`${mobyBin} not found: compiled outside the repository? link the repository's bin/ there (ln -sfn <repo>/bin ${join(mobyBin, '..')})`);
  const afters: (() => Promise<void>)[] = [];
  let engine;
  try {
    engine = await startEngine({ after: (fn) => void afters.push(fn) });
  } catch (err) {
    for (const fn of afters) await fn().catch(() => undefined);
    throw err;
  }
  const e = engine;
  const socket = e.dockerSocket;
  let stopped: Promise<void> | undefined;
  return {
    name: 'ours',
    socket,
    env: { PATH, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(e.dir, 'docker-config') },
    stop: () =>
      (stopped ??= (async () => {
        try {
          await removeAllContainers(socket);
          await removeUserNetworks(socket);
          await Promise.race([e.stop(), delay(20_000)]);
          // Monitors left behind (if any) name the engine's directory: they are ours to end.
          for (const [pid, p] of await processes()) if (p.cmdline.includes('moby-monitor') && p.cmdline.includes(e.dir)) signal(pid, 'SIGKILL');
          // So are containers it could not remove: their rootfs is mounted from its directory.
          const left = await killContainersOf(e.dir);
          if (left > 0) log(`  clean-up: ended ${left} container processes ours left behind`);
          await unmountUnder(e.dir);
        } finally {
          await e.cleanup();
        }
      })()),
  };
}

/** Debian's dockerd 20.10 (bench/lib/reference-dockerd.ts: --bridge=none --iptables=false). */
export async function startDockerd(): Promise<NetBenchEngine> {
  const d = await startReferenceDockerd();
  let stopped: Promise<void> | undefined;
  return {
    name: 'dockerd',
    socket: d.socket,
    env: { PATH, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') },
    stop: () =>
      (stopped ??= (async () => {
        try {
          await removeAllContainers(d.socket);
          await removeUserNetworks(d.socket);
        } finally {
          await d.stop();
        }
      })()),
  };
}

const PREDEFINED = new Set(['bridge', 'host', 'none']);

/** Removes every network but the predefined ones; best effort. */
export async function removeUserNetworks(socket: string): Promise<void> {
  const res = await http(socket, 'GET', '/networks', { timeoutMs: 30_000 }).catch(() => undefined);
  if (res?.status !== 200) return;
  for (const n of JSON.parse(res.body) as { Id: string; Name: string }[]) {
    if (PREDEFINED.has(n.Name)) continue;
    await http(socket, 'DELETE', `/networks/${n.Id}`, { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

/**
 * A subnet for the reference dockerd's network, claimed in our engines' host-wide claims
 * directory (as bench/network-wiring.ts does) so that no engine of ours on this host (tests
 * run many) picks it while dockerd uses it: dockerd only avoids subnets with a host route,
 * and would otherwise take 172.17.0.0/16, which our engines' default bridges claim. The
 * owner is a marker file under `dir`; `release()` drops the claim (and it goes stale when
 * the marker is removed).
 */
export function claimSubnetForDockerd(dir: string): { subnet: string; release(): void } {
  const owner = join(dir, 'dockerd-subnet-claim');
  writeFileSync(owner, '');
  const claims = new HostClaims(DEFAULT_CLAIMS_DIR, owner);
  const taken: Prefix[] = hostRoutes().map((r) => r.prefix);
  for (let i = 0; i < 20; i++) {
    const p = chooseSubnet((c) => !taken.some((t) => overlaps(t, c)) && !claims.foreignSubnets().some((t) => overlaps(t, c)));
    if (!p) break;
    if (claims.claimSubnet(p, 'moby-bench-networks dockerd')) return { subnet: formatPrefix(p), release: () => claims.releaseAll() };
    taken.push(p);
  }
  throw new Error('no free subnet for the reference dockerd\'s network');
}

// ---------------------------------------------------------------------------------------------
// The image

/** Applets beyond test/support/busybox-rootfs.ts's list (which has nc, wget, httpd): `dd`, `adjtimex` (a µs clock). */
const EXTRA_APPLETS = ['dd', 'adjtimex'];
/** The tiny file httpd serves (3 bytes): the request's cost is the connection, not the body. */
export const WEB_ROOT = '/www';
export const WEB_FILE = 'x';

/** The busybox rootfs tarball at `path`, with the extra applets and `/www/x`. */
export function writeNetBenchRootfs(path: string): Promise<string> {
  const extra: FixtureEntry[] = [
    ...EXTRA_APPLETS.map((a): FixtureEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777 })),
    { name: 'www/', type: 'directory', mode: 0o755 },
    { name: `www/${WEB_FILE}`, content: 'ok\n', mode: 0o644 },
  ];
  return writeBusyboxRootfs(path, extra);
}

/**
 * A server on `port` running `dd …` on every connection with the socket as its stdin and
 * stdout (busybox nc `-ll -e`: listen for ever, fork and exec per connection). dd moves the
 * data with 1 MiB reads or writes; busybox nc's own copy loop moves 1 KiB per poll+read+write,
 * which would make the figure one of syscalls rather than of the network path.
 */
export function ddServer(port: number, dd: string[]): string[] {
  return ['nc', '-ll', '-p', String(port), '-e', 'dd', ...dd];
}

// ---------------------------------------------------------------------------------------------
// Time inside a container

/**
 * A shell command that prints the time (CLOCK_REALTIME, µs): busybox's `adjtimex` with no
 * options reads adjtimex(2) without changing anything (no privilege needed) and prints
 * `time.tv_sec:` and `time.tv_usec:` lines. busybox's date has no %N.
 */
export const STAMP = 'adjtimex';

/** The times `STAMP` printed, in µs, in order. */
export function stampsOf(stdout: string): number[] {
  const out: number[] = [];
  for (const m of stdout.matchAll(/time\.tv_sec:\s+(\d+)\s+time\.tv_usec:\s+(\d+)/g)) out.push(Number(m[1]) * 1e6 + Number(m[2]));
  return out;
}

/** `docker exec container sh -c script`: the stamps it printed (µs), checked to number `count`, and its stdout. */
export async function execStamps(engine: DockerTarget, container: string, script: string, count: number, timeoutMs = 300_000): Promise<{ stamps: number[]; stdout: string }> {
  const { stdout } = await docker(engine, ['exec', container, 'sh', '-c', script], { timeoutMs });
  const stamps = stampsOf(stdout);
  if (stamps.length !== count) throw new Error(`docker exec ${container} (${engine.name}): expected ${count} timestamps, got ${stamps.length} in ${JSON.stringify(stdout.slice(0, 500))}`);
  return { stamps, stdout };
}

// ---------------------------------------------------------------------------------------------
// Sockets

/** Whether `/proc/net/tcp{,6}` text lists a socket listening (state 0A) on local `port`. */
export function listensOn(procNetTcp: string, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) === true && f[3] === '0A';
  });
}

/**
 * Polls `docker exec container cat /proc/net/tcp /proc/net/tcp6` until something listens on
 * `port` (busybox nc -l and httpd listen on `::`, dual-stack, so they show in tcp6 only).
 */
export async function waitListening(engine: DockerTarget, container: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { stdout } = await docker(engine, ['exec', container, 'sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; true'], { timeoutMs });
    if (listensOn(stdout, port)) return;
    if (performance.now() > deadline) throw new Error(`nothing listens on port ${port} in ${container} (${engine.name}) after ${timeoutMs / 1000} s`);
    await delay(50);
  }
}

export { freePort } from '../../test/support/host-net.js';

/**
 * Connects to `127.0.0.1:port`, writes `bytes` (a 1 MiB buffer over and over, minding
 * back-pressure), half-closes, and resolves with the ms from the start of connect to the
 * peer's close (the sink in the container exits on EOF, so its close means it read
 * everything). Rejects on a reset, an early close or the deadline.
 */
export function sendToPort(port: number, bytes: number, timeoutMs = 300_000): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    let sent = 0;
    let ended = false;
    let peerEnded = false;
    const timer = setTimeout(() => socket.destroy(new Error(`sending ${bytes} bytes to 127.0.0.1:${port}: not done within ${timeoutMs / 1000} s`)), timeoutMs);
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return; // wait for 'drain'
      }
      if (!ended) {
        ended = true;
        socket.end();
      }
    };
    socket.on('data', () => undefined);
    socket.once('end', () => (peerEnded = true));
    socket.on('drain', pump);
    socket.once('connect', pump);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`sending to 127.0.0.1:${port}: ${err.message} after ${sent} of ${bytes} bytes`));
    });
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return; // 'error' rejected
      if (!ended || !peerEnded) reject(new Error(`127.0.0.1:${port} closed after ${sent} of ${bytes} bytes were handed to the socket`));
      else resolve(performance.now() - t0);
    });
  });
}

/** The container's address on `network` (`docker inspect`). */
export async function addressOn(engine: DockerTarget, container: string, network: string): Promise<string> {
  const { stdout } = await docker(engine, ['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]);
  const ip = stdout.trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`${container} (${engine.name}) has no IPv4 address on ${network}: ${JSON.stringify(stdout)}`);
  return ip;
}

export { apiMessage };
