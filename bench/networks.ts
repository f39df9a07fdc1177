/**
 * Network figures for our engine (`moby daemon`, default packaging: networks over podman's
 * netavark + aardvark-dns) and Debian's dockerd 20.10 (bench/lib/reference-dockerd.ts), in one
 * run, both engines up side by side and measured in alternation (round r measures ours then
 * dockerd, round r+1 dockerd then ours), each through its own socket with the real docker CLI.
 * Prints every run, then medians, the ratio and the issue's target (ours at least as good as
 * dockerd on each figure).
 *
 * In each engine: one user-defined bridge network (`docker network create`) and four busybox
 * containers on it (the image is `docker import` of the test busybox rootfs, with `dd` and
 * `adjtimex` added and a 3-byte /www/x):
 *   source  `nc -ll -p 5001 -e dd if=/dev/zero bs=1M`: per connection, dd writes zeros into it
 *   web     `httpd -f -p 80 -h /www`
 *   client  `sleep`, plus its own `httpd -p 127.0.0.1:8080 -h /www` (the loopback baseline)
 *   pub     `nc -ll -p 5001 -e dd of=/dev/null bs=1M`, published: `-p 127.0.0.1:<free>:5001`
 * Containers are addressed by IP (from `docker inspect`), so no figure includes a DNS lookup.
 * Ours picks its network's subnet itself (and claims it host-wide in /run/moby-ipam); dockerd's
 * is chosen here and claimed there too (--subnet), so no engine of ours on this host takes it.
 * Why `nc -e dd` and not `dd | nc` / `nc > /dev/null`: busybox nc copies 1 KiB per
 * poll+read+write (measured: ~25 MB/s container to container, ~65 MB/s on the host's
 * loopback), so the figure would be of syscalls (and seccomp filters), not of the network
 * path. With `-e` nc only connects or accepts and then execs dd on the socket, which moves
 * the data in 1 MiB reads and writes (~1 GB/s here).
 *
 * Figures (the clock inside a container is busybox `adjtimex`, µs; busybox date has no %N):
 *   1. c2c throughput   `docker exec client sh -c 'adjtimex; nc <source> 5001 -e dd
 *                        of=/dev/null bs=1M count=N iflag=fullblock; adjtimex'`: the client
 *                        reads N MiB from the source container over the bridge (connect
 *                        included); dd's `N+0 records in` is checked. MB/s (10^6 bytes/s).
 *   2. c2c latency      `docker exec client sh -c 'adjtimex; wget -q -O /dev/null URL×K;
 *                        adjtimex'`: ONE wget process fetching the 3-byte file K times, each
 *                        fetch a new TCP connection (busybox wget has no keep-alive): connect,
 *                        GET, answer, close. One client process for all K requests keeps
 *                        fork+exec out of the per-request cost, a 3-byte body keeps transfer
 *                        out, and addressing by IP keeps DNS out; what is left per request is
 *                        the handshake and two small exchanges over veth → bridge → veth (with
 *                        conntrack and, as br_netfilter is loaded, the host's FORWARD chain)
 *                        plus busybox httpd's fork per connection on the server side. That
 *                        last part is not network, so the same K fetches are also timed
 *                        against the client's own httpd on 127.0.0.1 (same processes, no
 *                        veth/bridge), printed beside it: when the two are close, the
 *                        request's cost is the processes', not the network path's (on this
 *                        2-core machine it is: ~3-5 ms either way). ms/request.
 *      + ping       untargeted: `ping -c 100 -i 0.01 <web>` from the client, median round
 *                        trip: the network path alone (veth, bridge, conntrack, FORWARD chain),
 *                        no process on the far side.
 *   3. published port   the host (this node process) connects to 127.0.0.1:<port> published
 *                        by `pub` and writes N MiB (1 MiB buffer, minding back-pressure),
 *                        half-closes and waits for pub's close (its dd exits on EOF, so the
 *                        close means it read everything). MB/s. The paths differ by design:
 *                        dockerd forwards a published port through its userland docker-proxy
 *                        (with --iptables=false, as the reference runs, that is the only path;
 *                        with iptables on, traffic to 127.0.0.1 still goes through docker-proxy
 *                        as its DNAT rules skip loopback), ours through netavark's DNAT in the
 *                        kernel.
 * Before every measured transfer the server is checked to listen (`/proc/net/tcp{,6}` by docker
 * exec, outside the timing). One warm-up round (N/4 MiB, K/4 requests) is not counted.
 *
 * Ratios: throughput ours/dockerd; latency dockerd/ours (times inverted), so that in every
 * row a ratio ≥ 1.0 means ours is at least as good. Target (the issue's): ≥ 1.0 on all three.
 *
 * Run: npx tsc -p . && node dist/bench/networks.js [--mb 500] [--runs 7] [--requests 300]
 *        [--only ours|dockerd]
 * Compiled elsewhere (`npx tsc -p . --outDir /tmp/x`), link node_modules, package.json and
 * bin/ beside it: test/support/engine.ts runs `<root>/bin/moby`, the root being found from
 * where it was compiled to (bin/moby itself runs the repository's dist/).
 * Needs root, /usr/sbin/dockerd, the docker CLI, and our engine built (`bin/moby` runs
 * dist/). Everything (containers, networks, both engines, temporary directories) is removed
 * on success, on failure and on SIGINT/SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIB, docker, median } from './lib/containers-bench-lib.js';
import {
  STAMP,
  WEB_FILE,
  WEB_ROOT,
  addressOn,
  execStamps,
  freePort,
  ddServer,
  sendToPort,
  claimSubnetForDockerd,
  startDockerd,
  startOurs,
  waitListening,
  writeNetBenchRootfs,
  type EngineName,
  type NetBenchEngine,
} from './lib/networks-bench-lib.js';

const IMAGE = 'nbench-busybox:latest';
const NETWORK = 'nbench';
const SOURCE_PORT = 5001;
const SINK_PORT = 5001;
const WEB_PORT = 80;
const LOOP_PORT = 8080;
const PINGS = 100;
const C = { source: 'nbench-source', web: 'nbench-web', client: 'nbench-client', pub: 'nbench-pub' } as const;

// ---------------------------------------------------------------------------------------------
// Clean-up on every path: normal end, failure, SIGINT/SIGTERM.

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await fn().catch((err: unknown) => console.error(`clean-up: ${(err as Error).message}`));
    }
  })());
}
let aborting = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    aborting = true;
    console.error(`\n${sig}: cleaning up…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
function log(line: string): void {
  if (!aborting) console.log(line);
}

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  mb: number;
  runs: number;
  requests: number;
  only?: EngineName;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string' },
      runs: { type: 'string' },
      requests: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const usage = 'usage: node dist/bench/networks.js [--mb 500] [--runs 7] [--requests 300] [--only ours|dockerd]';
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (v: string | undefined, dflt: number, what: string, min: number) => {
    const x = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(x) || x < min) throw new Error(`${what} must be an integer ≥ ${min}\n${usage}`);
    return x;
  };
  if (values.only !== undefined && values.only !== 'ours' && values.only !== 'dockerd') throw new Error(`--only takes ours or dockerd\n${usage}`);
  return {
    mb: int(values.mb, 500, '--mb', 4),
    runs: int(values.runs, 7, '--runs', 1),
    requests: int(values.requests, 300, '--requests', 4),
    only: values.only as EngineName | undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Set-up in one engine

interface Subject {
  engine: NetBenchEngine;
  sourceIp: string;
  webIp: string;
  pubPort: number;
  /** Per figure, the measured runs. */
  c2cMBps: number[];
  latencyMs: number[];
  loopbackMs: number[];
  pingMs: number[];
  pubMBps: number[];
  errors: string[];
}

async function prepare(engine: NetBenchEngine, rootfsTar: string, networkArgs: string[]): Promise<Subject> {
  await docker(engine, ['import', '-c', 'CMD ["sh"]', rootfsTar, IMAGE]);
  await docker(engine, ['network', 'create', ...networkArgs, NETWORK]);
  const run = (name: string, extra: string[], cmd: string[]) => docker(engine, ['run', '-d', '--name', name, '--network', NETWORK, ...extra, IMAGE, ...cmd]);
  await run(C.source, [], ddServer(SOURCE_PORT, ['if=/dev/zero', 'bs=1M']));
  await run(C.web, [], ['httpd', '-f', '-p', String(WEB_PORT), '-h', WEB_ROOT]);
  await run(C.client, [], ['sh', '-c', `httpd -p 127.0.0.1:${LOOP_PORT} -h ${WEB_ROOT} && exec sleep 1000000`]);
  // A free port now may be taken by the time the engine binds it (other engines run here): retry.
  let pubPort = 0;
  for (let attempt = 0; ; attempt++) {
    pubPort = await freePort();
    try {
      await run(C.pub, ['-p', `127.0.0.1:${pubPort}:${SINK_PORT}`], ddServer(SINK_PORT, ['of=/dev/null', 'bs=1M']));
      break;
    } catch (err) {
      await docker(engine, ['rm', '-f', C.pub]).catch(() => undefined);
      if (attempt >= 3) throw err;
    }
  }
  const [sourceIp, webIp] = await Promise.all([addressOn(engine, C.source, NETWORK), addressOn(engine, C.web, NETWORK)]);
  await Promise.all([
    waitListening(engine, C.source, SOURCE_PORT),
    waitListening(engine, C.web, WEB_PORT),
    waitListening(engine, C.client, LOOP_PORT),
    waitListening(engine, C.pub, SINK_PORT),
  ]);
  log(`  ${engine.name}: network ${NETWORK}, source ${sourceIp}:${SOURCE_PORT}, web ${webIp}:${WEB_PORT}, published 127.0.0.1:${pubPort} → pub:${SINK_PORT}`);
  return { engine, sourceIp, webIp, pubPort, c2cMBps: [], latencyMs: [], loopbackMs: [], pingMs: [], pubMBps: [], errors: [] };
}

// ---------------------------------------------------------------------------------------------
// The three figures, one run each

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function c2cThroughput(s: Subject, mib: number): Promise<number> {
  await waitListening(s.engine, C.source, SOURCE_PORT);
  // nc execs dd with the socket as stdin; dd's record counts (its stderr, sent to our stdout)
  // show whether it read all it should: `<mib>+0 records in` with iflag=fullblock.
  const script = `set -e; ${STAMP}; nc ${s.sourceIp} ${SOURCE_PORT} -e dd of=/dev/null bs=1M count=${mib} iflag=fullblock 2>&1; ${STAMP}`;
  const { stamps: [t0, t1], stdout } = await execStamps(s.engine, C.client, script, 2);
  if (!new RegExp(`^${mib}\\+0 records in$`, 'm').test(stdout)) throw new Error(`the client did not read ${mib} MiB: ${JSON.stringify(stdout.replace(/\s*time\.tv_\w+:\s+\d+/g, '').slice(0, 300))}`);
  return mbps(mib * MIB, (t1! - t0!) / 1000);
}

/** ms per request over the bridge, and over the client's loopback. */
async function c2cLatency(s: Subject, k: number): Promise<{ bridge: number; loopback: number }> {
  const urls = (host: string) => Array.from({ length: k }, () => `http://${host}/${WEB_FILE}`).join(' ');
  const script = `set -e; ${STAMP}; wget -q -O /dev/null ${urls(`127.0.0.1:${LOOP_PORT}`)}; ${STAMP}; wget -q -O /dev/null ${urls(s.webIp)}; ${STAMP}`;
  const { stamps: [t0, t1, t2] } = await execStamps(s.engine, C.client, script, 3);
  return { loopback: (t1! - t0!) / 1000 / k, bridge: (t2! - t1!) / 1000 / k };
}

/** Median ICMP echo round trip (ms) of PINGS pings, client → web: the network path alone. */
async function c2cPing(s: Subject): Promise<number> {
  const { stdout } = await docker(s.engine, ['exec', C.client, 'ping', '-c', String(PINGS), '-i', '0.01', s.webIp]);
  const times = [...stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  if (times.length < PINGS / 2) throw new Error(`ping: ${times.length} of ${PINGS} answered: ${JSON.stringify(stdout.slice(-300))}`);
  return median(times);
}

async function publishedThroughput(s: Subject, mib: number): Promise<number> {
  await waitListening(s.engine, C.pub, SINK_PORT);
  const ms = await sendToPort(s.pubPort, mib * MIB);
  return mbps(mib * MIB, ms);
}

async function round(subjects: Subject[], mib: number, k: number, record: boolean, label: string): Promise<void> {
  for (const s of subjects) {
    if (aborting) return;
    const parts: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        const message = `${what}: ${(err as Error).message}`;
        s.errors.push(message);
        parts.push(`${what} FAILED`);
        log(`  ${s.engine.name} FAILED ${message}`);
      }
    };
    await attempt('c2c throughput', async () => {
      const x = await c2cThroughput(s, mib);
      if (record) s.c2cMBps.push(x);
      parts.push(`c2c ${x.toFixed(0)} MB/s`);
    });
    await attempt('c2c latency', async () => {
      const x = await c2cLatency(s, k);
      if (record) {
        s.latencyMs.push(x.bridge);
        s.loopbackMs.push(x.loopback);
      }
      parts.push(`latency ${x.bridge.toFixed(3)} ms/req (loopback ${x.loopback.toFixed(3)})`);
    });
    await attempt('ping', async () => {
      const x = await c2cPing(s);
      if (record) s.pingMs.push(x);
      parts.push(`ping ${x.toFixed(3)} ms`);
    });
    await attempt('published throughput', async () => {
      const x = await publishedThroughput(s, mib);
      if (record) s.pubMBps.push(x);
      parts.push(`published ${x.toFixed(0)} MB/s`);
    });
    log(`  ${label} ${s.engine.name.padEnd(7)}: ${parts.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function report(subjects: Partial<Record<EngineName, Subject>>, opts: Options): void {
  const o = subjects.ours;
  const d = subjects.dockerd;
  const m = (s: Subject | undefined, key: 'c2cMBps' | 'latencyMs' | 'loopbackMs' | 'pingMs' | 'pubMBps') => (s && s[key].length > 0 ? median(s[key]) : undefined);
  const rows: string[][] = [];
  const row = (label: string, ours: number | undefined, theirs: number | undefined, fmt: (x: number) => string, lowerIsBetter: boolean, targeted: boolean) => {
    const ratio = ours !== undefined && theirs !== undefined && ours > 0 && theirs > 0 ? (lowerIsBetter ? theirs / ours : ours / theirs) : undefined;
    rows.push([
      label,
      ours === undefined ? '—' : fmt(ours),
      theirs === undefined ? '—' : fmt(theirs),
      ratio === undefined ? '—' : `${ratio.toFixed(2)}${lowerIsBetter ? ' (dockerd/ours)' : ' (ours/dockerd)'}`,
      targeted ? '≥ 1.00' : '',
      targeted && ratio !== undefined ? (ratio >= 1 ? 'met' : 'MISSED') : '',
    ]);
  };
  const rate = (x: number) => `${x.toFixed(0)} MB/s`;
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  row(`1. c2c TCP throughput (${opts.mb} MiB, dd over nc -e)`, m(o, 'c2cMBps'), m(d, 'c2cMBps'), rate, false, true);
  row(`2. c2c connection latency (per request, K=${opts.requests})`, m(o, 'latencyMs'), m(d, 'latencyMs'), ms, true, true);
  row('   same fetches over the client\'s loopback (untargeted)', m(o, 'loopbackMs'), m(d, 'loopbackMs'), ms, true, false);
  row(`   ICMP echo round trip, median of ${PINGS} (untargeted)`, m(o, 'pingMs'), m(d, 'pingMs'), ms, true, false);
  row(`3. published-port throughput, host → container (${opts.mb} MiB)`, m(o, 'pubMBps'), m(d, 'pubMBps'), rate, false, true);
  const header = ['', 'ours', 'dockerd', 'ratio (≥ 1.0: ours as good or better)', 'target', ''];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  log(`\n== summary: medians of ${opts.runs} runs; ratios are ours/dockerd for throughputs (higher is better) and dockerd/ours for the latency (lower is better), so ≥ 1.0 always means ours is at least as good ==`);
  for (const r of all) log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  for (const s of [o, d]) for (const e of s?.errors ?? []) log(`${s!.engine.name} FAILED: ${e}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = options();
  if (process.getuid?.() !== 0) throw new Error('this benchmark needs root (it starts engines, containers and networks)');
  const dir = await mkdtemp(join(tmpdir(), 'moby-bench-networks-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const rootfsTar = await writeNetBenchRootfs(join(dir, 'busybox-rootfs.tar'));
  const load = () => `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`;
  const loadStart = load();
  log(`networks bench: ${opts.mb} MiB per transfer, ${opts.runs} runs, ${opts.requests} requests per latency run, engines: ${opts.only ?? 'ours, dockerd'}; ${loadStart}`);

  const subjects: Partial<Record<EngineName, Subject>> = {};
  const names = (['ours', 'dockerd'] as const).filter((n) => opts.only === undefined || opts.only === n);
  for (const name of names) {
    if (aborting) break;
    log(`starting ${name}…`);
    let networkArgs: string[] = [];
    if (name === 'dockerd') {
      const claim = claimSubnetForDockerd(dir);
      cleanups.push(async () => claim.release());
      networkArgs = ['--subnet', claim.subnet];
    }
    const engine = name === 'ours' ? await startOurs(log) : await startDockerd();
    cleanups.push(() => engine.stop());
    subjects[name] = await prepare(engine, rootfsTar, networkArgs);
  }
  const list = names.map((n) => subjects[n]!).filter(Boolean);
  log('warm-up round (not counted):');
  await round(list, Math.max(1, Math.floor(opts.mb / 4)), Math.max(1, Math.floor(opts.requests / 4)), false, 'warm-up');
  for (let r = 0; r < opts.runs && !aborting; r++) {
    const order = r % 2 === 0 ? list : [...list].reverse();
    await round(order, opts.mb, opts.requests, true, `run ${r + 1}/${opts.runs}`);
  }
  report(subjects, opts);
  log(`${load()} at the end (${loadStart} at the start)${loadavg()[0]! > availableParallelism() ? '; the machine was busy: figures are noisy' : ''}`);
  return list.some((s) => s.errors.length > 0) ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`networks bench: ${(err as Error).stack ?? (err as Error).message}`);
} finally {
  await cleanupAll();
}
process.exit(aborting ? 130 : code);
