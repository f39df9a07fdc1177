/**
 * Container life-cycle figures for our engine (`moby daemon`, default packaging) and Debian's
 * dockerd 20.10 (bench/lib/reference-dockerd.ts), in one run, engines one after the other,
 * each through its own Engine API with the real docker CLI; `runc run` of a prepared bundle is
 * printed as the floor under `docker run`. Prints each figure (median where repeated), the
 * ratio ours/dockerd and the target from our issue.
 *
 * Sections (names for --skip):
 *   run     `docker run --rm busybox true`, median of N after 1 warm-up; floor: `runc run`
 *   batch   50 × `docker run -d busybox sleep 1000`, 8 at a time (containers/s), then
 *           50 × `docker rm -f`, 8 at a time (containers/s)
 *   exec    `docker exec c true` in a running container, median of N after 1 warm-up
 *   list    `GET /containers/json?all=1` on the socket with 100 containers made by
 *           `docker create`, median of N after 1 warm-up
 *   logs    a container writes 100 MiB to stdout: start (POST /start) → exit (the /wait
 *           answer) is the write side; `docker logs c > /dev/null` the read side; median of
 *           --logs-n runs. Also printed, untargeted: `GET /containers/{id}/logs` drained
 *           straight off the socket (the engine's side without the CLI's demultiplexing)
 *   memory  with 20 `sleep 1000` containers running: PSS of the per-container processes
 *           (ours: those whose cmdline holds `moby-monitor`; dockerd: its containerd-shims)
 *           divided by 20
 *   runc    the `runc run` floor (skipping it leaves the engines' figures alone)
 *
 * Every container runs with `--network none` (change with --network MODE; `--network default`
 * passes no flag): the reference dockerd runs with --bridge=none (it must not touch the host's
 * network), so neither engine could give a container a bridge, and the figures are of the
 * container life-cycle, not of network set-up.
 * The busybox image is `docker import -c 'CMD ["sh"]'` of the test busybox rootfs, as
 * `busybox:latest`, in each engine.
 *
 * Run: npx tsc -p . && node dist/bench/containers.js [--only ours|dockerd] [--n 10]
 *        [--logs-n 3] [--skip logs,memory,…] [--network none]
 * Needs root, /usr/sbin/dockerd, runc and the docker CLI. Exits 1 when a section failed (for
 * instance because an engine does not serve the container routes); everything is cleaned up
 * on success, on failure and on SIGINT/SIGTERM.
 */
import { mkdtemp } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startEngine } from '../test/support/engine.js';
import { writeBusyboxRootfs } from '../test/support/busybox-rootfs.js';
import {
  MIB,
  apiMessage,
  docker,
  http,
  httpDrain,
  killContainersOf,
  median,
  openRequest,
  pool,
  prepareRuncFloor,
  processes,
  removeAllContainers,
  removeDir,
  signal,
  timed,
  unmountUnder,
  type DockerTarget,
} from './lib/containers-bench-lib.js';
import { pssOfPids, processTree } from './lib/pss.js';
import { startReferenceDockerd } from './lib/reference-dockerd.js';

const SECTIONS = ['run', 'batch', 'exec', 'list', 'logs', 'memory', 'runc'] as const;
type Section = (typeof SECTIONS)[number];
type EngineName = 'ours' | 'dockerd';

const IMAGE = 'busybox:latest';
let RUN_OPTS = ['--network', 'none'];
const CONCURRENCY = 8;
const BATCH = 50;
const LISTED = 100;
const MEMORY_CONTAINERS = 20;
const LOG_BYTES = 104_857_600; // 100 MiB
const LOG_CMD = `yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c ${LOG_BYTES}`;
const LOG_TIMEOUT_MS = 600_000;
const MEMORY_SETTLE_MS = 2_000;

/** Targets from the issue; `le`: ours/dockerd at most; `ge`: ours/dockerd at least; `abs`: ours at most (MiB). */
const TARGETS = {
  run: { le: 0.35 },
  batchStart: { ge: 3 },
  batchRemove: { ge: 3 },
  exec: { le: 0.5 },
  list: { le: 1.0 },
  logsWrite: { ge: 4 },
  logsRead: { ge: 4 },
  memory: { abs: 0.5 },
} as const;

interface Figures {
  runMs?: number;
  batchStartPerS?: number;
  batchRemovePerS?: number;
  execMs?: number;
  listMs?: number;
  logsWriteMBps?: number;
  logsReadMBps?: number;
  /** Extra, untargeted: `GET /containers/{id}/logs` read straight off the socket. */
  logsRawReadMBps?: number;
  memoryBytesPerContainer?: number;
  /** Extra, untargeted: growth of the engine daemons' PSS per running container. */
  engineGrowthBytesPerContainer?: number;
  memoryProcesses?: number;
}

interface BenchEngine extends DockerTarget {
  name: EngineName;
  /** The per-container processes (ours: monitors; dockerd: shims), and what they are. */
  perContainerPids(): Promise<number[]>;
  perContainerWhat: string;
  /** The engine's own daemons (not per-container processes, not container processes). */
  daemonPids(): Promise<number[]>;
  /** Removes every container, stops the engine, removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

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
/** Set on SIGINT/SIGTERM: what is in flight fails as the engines go; nothing more is printed. */
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
// Engines

async function startOurs(): Promise<BenchEngine> {
  // Processes that existed before our engine started are not ours.
  const before = new Set((await processes()).keys());
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
  // A monitor's command line names its state directory, under the engine's exec root: that
  // tells ours from other engines' on the machine.
  const monitors = async () =>
    [...(await processes())].filter(([pid, p]) => !before.has(pid) && p.cmdline.includes('moby-monitor') && p.cmdline.includes(e.dir)).map(([pid]) => pid);
  let stopped: Promise<void> | undefined;
  return {
    name: 'ours',
    socket,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(e.dir, 'docker-config') },
    perContainerPids: monitors,
    perContainerWhat: 'moby-monitor processes (naming the engine\'s directory)',
    daemonPids: async () => {
      const tree = await processTree(e.daemon.pid!).catch(() => [] as number[]);
      const comps = (await e.components().catch(() => [])).map((c) => c.pid).filter((p): p is number => !!p);
      // Monitors and what runs below them (runc, the containers) are not the daemons.
      const below = await Promise.all((await monitors()).map((m) => processTree(m).catch(() => [m])));
      const perContainer = new Set(below.flat());
      return [...new Set([...tree, ...comps])].filter((p) => !perContainer.has(p));
    },
    stop: () =>
      (stopped ??= (async () => {
        await removeAllContainers(socket, CONCURRENCY);
        const exited = e.stop();
        await Promise.race([exited, delay(20_000)]);
        // Monitors left behind (if any) name the engine's directory: they are ours to end.
        const procs = await processes();
        for (const pid of await monitors()) if (procs.get(pid)?.cmdline.includes(e.dir)) signal(pid, 'SIGKILL');
        // So are containers it could not remove (say, a component crashed): their rootfs is
        // mounted from the engine's directory.
        const left = await killContainersOf(e.dir);
        if (left > 0) log(`  clean-up: ended ${left} container processes ours left behind`);
        await unmountUnder(e.dir);
        await e.cleanup();
      })()),
  };
}

async function startDockerd(): Promise<BenchEngine> {
  const d = await startReferenceDockerd();
  const shims = async () => {
    const procs = await processes();
    return (await d.pids()).filter((pid) => procs.get(pid)?.comm.startsWith('containerd-shim'));
  };
  let stopped: Promise<void> | undefined;
  return {
    name: 'dockerd',
    socket: d.socket,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') },
    perContainerPids: shims,
    perContainerWhat: 'containerd-shim processes',
    daemonPids: async () => {
      const s = new Set(await shims());
      return (await d.pids()).filter((pid) => !s.has(pid));
    },
    stop: () =>
      (stopped ??= (async () => {
        await removeAllContainers(d.socket, CONCURRENCY);
        await d.stop();
      })()),
  };
}

/**
 * The container routes the sections use, probed without side effects: per-id routes with an id
 * that does not exist (a served route answers 404 "No such container/exec instance"), create
 * with an image that does not exist ("No such image"). Any other 404, a 405 or a 501 means the
 * route is missing; a connection failure or a deadline too.
 */
const NO_SUCH = 'moby-bench-no-such-thing';
const ROUTES = {
  list: { method: 'GET', path: '/containers/json?all=1' },
  create: { method: 'POST', path: '/containers/create', body: { Image: `${NO_SUCH}:0`, Cmd: ['true'] } },
  start: { method: 'POST', path: `/containers/${NO_SUCH}/start` },
  attach: { method: 'POST', path: `/containers/${NO_SUCH}/attach?stream=1&stdout=1&stderr=1` },
  wait: { method: 'POST', path: `/containers/${NO_SUCH}/wait?condition=next-exit` },
  inspect: { method: 'GET', path: `/containers/${NO_SUCH}/json` },
  logs: { method: 'GET', path: `/containers/${NO_SUCH}/logs?stdout=1&stderr=1` },
  remove: { method: 'DELETE', path: `/containers/${NO_SUCH}?force=1` },
  execCreate: { method: 'POST', path: `/containers/${NO_SUCH}/exec`, body: { Cmd: ['true'], AttachStdout: true, AttachStderr: true } },
  execStart: { method: 'POST', path: `/exec/${NO_SUCH}/start`, body: { Detach: false, Tty: false } },
  execInspect: { method: 'GET', path: `/exec/${NO_SUCH}/json` },
} as const satisfies Record<string, { method: string; path: string; body?: unknown }>;
type Route = keyof typeof ROUTES;

/** What each section calls (through the docker CLI or directly). */
const NEEDS: Record<Exclude<Section, 'runc'>, Route[]> = {
  run: ['create', 'attach', 'start', 'wait'],
  batch: ['create', 'start', 'list', 'remove'],
  exec: ['create', 'start', 'inspect', 'execCreate', 'execStart', 'execInspect', 'remove'],
  list: ['create', 'list', 'remove'],
  logs: ['create', 'wait', 'start', 'logs', 'remove'],
  memory: ['create', 'start', 'remove'],
};

/** The routes the engine does not serve, each as `METHOD /path → status message`. */
async function missingRoutes(engine: BenchEngine): Promise<Map<Route, string>> {
  const missing = new Map<Route, string>();
  await Promise.all(
    (Object.entries(ROUTES) as [Route, { method: string; path: string; body?: unknown }][]).map(async ([name, r]) => {
      const shown = `${r.method} ${r.path.replace(NO_SUCH, '{id}').replace(/\?.*$/, '')}`;
      try {
        const res = await http(engine.socket, r.method, r.path, { timeoutMs: 15_000, body: r.body });
        const message = apiMessage(res.body);
        const served = name === 'list' ? res.status === 200 : !([404, 405, 501].includes(res.status) && !/no such (container|exec|image)/i.test(message));
        if (!served) missing.set(name, `${shown} → ${res.status} ${message}`);
      } catch (err) {
        missing.set(name, `${shown} → ${(err as Error).message}`);
      }
    }),
  );
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Sections

async function runSection(engine: BenchEngine, n: number, f: Figures): Promise<void> {
  const times = await timed(n, 1, () => docker(engine, ['run', '--rm', ...RUN_OPTS, IMAGE, 'true']));
  f.runMs = median(times);
  log(`  run --rm busybox true: median ${fmtMs(f.runMs)} (min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))})`);
}

async function batchSection(engine: BenchEngine, f: Figures): Promise<void> {
  const names = Array.from({ length: BATCH }, (_, i) => `bench-batch-${i}`);
  let t0 = performance.now();
  await pool(names, CONCURRENCY, (name) => docker(engine, ['run', '-d', '--name', name, ...RUN_OPTS, IMAGE, 'sleep', '1000']));
  const startS = (performance.now() - t0) / 1000;
  const running = await http(engine.socket, 'GET', '/containers/json');
  const count = running.status === 200 ? (JSON.parse(running.body) as unknown[]).length : -1;
  if (count !== BATCH) throw new Error(`after ${BATCH} × docker run -d, ${count} containers are running`);
  t0 = performance.now();
  await pool(names, CONCURRENCY, (name) => docker(engine, ['rm', '-f', name]));
  const removeS = (performance.now() - t0) / 1000;
  f.batchStartPerS = BATCH / startS;
  f.batchRemovePerS = BATCH / removeS;
  log(`  ${BATCH} × run -d: ${startS.toFixed(2)} s (${f.batchStartPerS.toFixed(1)}/s); ${BATCH} × rm -f: ${removeS.toFixed(2)} s (${f.batchRemovePerS.toFixed(1)}/s)`);
}

async function execSection(engine: BenchEngine, n: number, f: Figures): Promise<void> {
  await docker(engine, ['run', '-d', '--name', 'bench-exec', ...RUN_OPTS, IMAGE, 'sleep', '1000']);
  const times = await timed(n, 1, () => docker(engine, ['exec', 'bench-exec', 'true']));
  f.execMs = median(times);
  log(`  exec true: median ${fmtMs(f.execMs)} (min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))})`);
  await docker(engine, ['rm', '-f', 'bench-exec']);
}

async function listSection(engine: BenchEngine, n: number, f: Figures): Promise<void> {
  const names = Array.from({ length: LISTED }, (_, i) => `bench-list-${i}`);
  await pool(names, CONCURRENCY, (name) => docker(engine, ['create', '--name', name, ...RUN_OPTS, IMAGE, 'sleep', '1000']));
  const times = await timed(n, 1, async () => {
    const res = await http(engine.socket, 'GET', '/containers/json?all=1');
    if (res.status !== 200) throw new Error(`GET /containers/json?all=1 answered ${res.status} (${apiMessage(res.body)})`);
    const listed = (JSON.parse(res.body) as unknown[]).length;
    if (listed < LISTED) throw new Error(`GET /containers/json?all=1 listed ${listed} containers, expected ${LISTED}`);
  });
  f.listMs = median(times);
  log(`  GET /containers/json?all=1 (${LISTED} created): median ${fmtMs(f.listMs)} (min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))})`);
  await removeAllContainers(engine.socket, CONCURRENCY);
}

/** Bytes `docker logs name` writes to stdout (untimed: checks the log holds all it should). */
function dockerLogsBytes(engine: BenchEngine, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['logs', name], { env: engine.env, stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout!.on('data', (d: Buffer) => (bytes += d.length));
    const timer = setTimeout(() => child.kill('SIGKILL'), LOG_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(bytes);
      else reject(new Error(`docker logs ${name} (${engine.name}): exit ${code}`));
    });
  });
}

async function logsSection(engine: BenchEngine, runs: number, f: Figures): Promise<void> {
  const writes: number[] = [];
  const reads: number[] = [];
  const rawReads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `bench-logs-${i}`;
    await docker(engine, ['create', '--name', name, ...RUN_OPTS, IMAGE, 'sh', '-c', LOG_CMD]);
    // Wait for the next exit first (its headers mean the wait is registered), then start.
    const wait = await openRequest(engine.socket, 'POST', `/containers/${name}/wait?condition=next-exit`, { timeoutMs: LOG_TIMEOUT_MS });
    if (wait.status !== 200) throw new Error(`POST /containers/${name}/wait answered ${wait.status} (${apiMessage(await wait.body.catch(() => ''))})`);
    const t0 = performance.now();
    const start = await http(engine.socket, 'POST', `/containers/${name}/start`);
    if (start.status !== 204) throw new Error(`POST /containers/${name}/start answered ${start.status} (${apiMessage(start.body)})`);
    const body = await wait.body;
    const writeMs = performance.now() - t0;
    const exit = (JSON.parse(body) as { StatusCode?: number }).StatusCode;
    if (exit !== 0) throw new Error(`the logging container exited with ${exit}: ${body}`);
    const read = await docker(engine, ['logs', name], { discardStdout: true, timeoutMs: LOG_TIMEOUT_MS });
    if (i === 0) {
      const bytes = await dockerLogsBytes(engine, name);
      if (bytes !== LOG_BYTES) throw new Error(`docker logs ${name} gave ${bytes} bytes, expected ${LOG_BYTES}`);
    }
    // The engine's side alone, without the CLI's demultiplexing: the raw stream on the socket.
    const t1 = performance.now();
    const raw = await httpDrain(engine.socket, `/containers/${name}/logs?stdout=1&stderr=1`, LOG_TIMEOUT_MS);
    const rawMs = performance.now() - t1;
    if (raw.status !== 200) throw new Error(`GET /containers/${name}/logs answered ${raw.status}`);
    writes.push(writeMs);
    reads.push(read.ms);
    rawReads.push(rawMs);
    log(`  logs run ${i + 1}/${runs}: write ${fmtMs(writeMs)} (${fmtRate(mbps(writeMs))}), docker logs ${fmtMs(read.ms)} (${fmtRate(mbps(read.ms))}), raw GET /logs ${fmtMs(rawMs)} (${fmtRate(mbps(rawMs))}, ${(raw.bytes / 1e6).toFixed(1)} MB on the wire)`);
    await docker(engine, ['rm', '-f', name]);
  }
  f.logsWriteMBps = mbps(median(writes));
  f.logsReadMBps = mbps(median(reads));
  f.logsRawReadMBps = mbps(median(rawReads));
}

async function memorySection(engine: BenchEngine, f: Figures): Promise<void> {
  const daemonBefore = await pssOfPids(await engine.daemonPids());
  const names = Array.from({ length: MEMORY_CONTAINERS }, (_, i) => `bench-mem-${i}`);
  await pool(names, CONCURRENCY, (name) => docker(engine, ['run', '-d', '--name', name, ...RUN_OPTS, IMAGE, 'sleep', '1000']));
  await delay(MEMORY_SETTLE_MS);
  const pids = await engine.perContainerPids();
  if (pids.length === 0) throw new Error(`no ${engine.perContainerWhat} found with ${MEMORY_CONTAINERS} containers running`);
  const pss = await pssOfPids(pids);
  const daemonAfter = await pssOfPids(await engine.daemonPids());
  f.memoryBytesPerContainer = pss / MEMORY_CONTAINERS;
  f.memoryProcesses = pids.length;
  f.engineGrowthBytesPerContainer = (daemonAfter - daemonBefore) / MEMORY_CONTAINERS;
  log(`  ${MEMORY_CONTAINERS} running: ${pids.length} ${engine.perContainerWhat}, PSS ${fmtMiB(pss)} in all, ${fmtMiB(f.memoryBytesPerContainer, 2)} per container`);
  log(`  (engine daemons' PSS ${fmtMiB(daemonBefore)} → ${fmtMiB(daemonAfter)}: ${fmtMiB(f.engineGrowthBytesPerContainer, 2)} per container)`);
  await pool(names, CONCURRENCY, (name) => docker(engine, ['rm', '-f', name]));
}

// ---------------------------------------------------------------------------------------------
// Driver

interface Options {
  only?: EngineName;
  n: number;
  logsN: number;
  skip: Set<Section>;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      n: { type: 'string' },
      'logs-n': { type: 'string' },
      skip: { type: 'string' },
      network: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const usage = `usage: node dist/bench/containers.js [--only ours|dockerd] [--n 10] [--logs-n 3] [--skip ${SECTIONS.join(',')}] [--network none|default|MODE]`;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (v: string | undefined, dflt: number, what: string) => {
    const x = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(x) || x < 1) throw new Error(`${what} must be a positive integer\n${usage}`);
    return x;
  };
  if (values.only !== undefined && values.only !== 'ours' && values.only !== 'dockerd') throw new Error(`--only takes ours or dockerd\n${usage}`);
  const skip = new Set<Section>();
  for (const s of (values.skip ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--skip: unknown section ${s} (sections: ${SECTIONS.join(', ')})`);
    skip.add(s as Section);
  }
  if (values.network !== undefined) RUN_OPTS = values.network === 'default' ? [] : ['--network', values.network];
  return { only: values.only as EngineName | undefined, n: int(values.n, 10, '--n'), logsN: int(values['logs-n'], 3, '--logs-n'), skip };
}

interface EngineResult {
  figures: Figures;
  errors: string[];
}

async function benchEngine(name: EngineName, opts: Options, rootfsTar: string): Promise<EngineResult> {
  const figures: Figures = {};
  const errors: string[] = [];
  log(`\n== ${name} ==`);
  let engine: BenchEngine;
  try {
    engine = name === 'ours' ? await startOurs() : await startDockerd();
  } catch (err) {
    errors.push(`could not start: ${(err as Error).message}`);
    return { figures, errors };
  }
  cleanups.push(() => engine.stop());
  try {
    const missing = await missingRoutes(engine);
    if (missing.size === Object.keys(ROUTES).length || missing.has('list')) {
      throw new Error(`${name} does not serve the container routes (yet): ${[...missing.values()].join('; ')}`);
    }
    if (missing.size > 0) log(`  container routes missing in ${name}: ${[...missing.values()].join('; ')}`);
    await docker(engine, ['import', '-c', 'CMD ["sh"]', rootfsTar, IMAGE]);
    const sections: [Section, () => Promise<void>][] = [
      ['run', () => runSection(engine, opts.n, figures)],
      ['batch', () => batchSection(engine, figures)],
      ['exec', () => execSection(engine, opts.n, figures)],
      ['list', () => listSection(engine, opts.n, figures)],
      ['logs', () => logsSection(engine, opts.logsN, figures)],
      ['memory', () => memorySection(engine, figures)],
    ];
    for (const [section, fn] of sections) {
      if (aborting) break;
      if (opts.skip.has(section)) continue;
      const lacking = NEEDS[section as Exclude<Section, 'runc'>].filter((r) => missing.has(r));
      if (lacking.length > 0) {
        const message = `${section}: not run, container routes missing: ${lacking.map((r) => missing.get(r)).join('; ')}`;
        errors.push(message);
        log(`  SKIPPED ${message}`);
        continue;
      }
      try {
        await fn();
      } catch (err) {
        const message = `${section}: ${(err as Error).message}`;
        errors.push(message);
        log(`  FAILED ${message}`);
      } finally {
        await removeAllContainers(engine.socket, CONCURRENCY);
      }
    }
  } catch (err) {
    errors.push((err as Error).message);
    log(`  FAILED ${(err as Error).message}`);
  } finally {
    await engine.stop();
  }
  return { figures, errors };
}

async function runcFloor(n: number, dir: string, rootfsTar: string): Promise<number | undefined> {
  log('\n== runc (floor) ==');
  const floor = await prepareRuncFloor(join(dir, 'runc'), rootfsTar);
  cleanups.push(() => floor.cleanup());
  const times = await timed(n, 1, () => floor.runOnce());
  const ms = median(times);
  log(`  runc run (true): median ${fmtMs(ms)} (min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))})`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Report

const mbps = (ms: number) => LOG_BYTES / 1e6 / (ms / 1000);
const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;
const fmtRate = (x: number) => `${x.toFixed(0)} MB/s`;
const fmtMiB = (bytes: number, digits = 1) => `${(bytes / MIB).toFixed(digits)} MiB`;

type Target = { le?: number; ge?: number; abs?: number };

function targetText(t: Target): string {
  if (t.le !== undefined) return `ours/dockerd ≤ ${t.le}`;
  if (t.ge !== undefined) return `ours/dockerd ≥ ${t.ge} (throughput)`;
  return `ours ≤ ${t.abs} MiB`;
}

function verdict(t: Target, ours: number | undefined, ratio: number | undefined): string {
  if (t.abs !== undefined) return ours === undefined ? '' : ours / MIB <= t.abs ? 'met' : 'MISSED';
  if (ratio === undefined) return '';
  if (t.le !== undefined) return ratio <= t.le ? 'met' : 'MISSED';
  return ratio >= t.ge! ? 'met' : 'MISSED';
}

function report(results: Partial<Record<EngineName, EngineResult>>, runcMs: number | undefined, opts: Options): void {
  const o = results.ours?.figures ?? {};
  const d = results.dockerd?.figures ?? {};
  const rows: [string, string, string, string, string, string][] = [];
  const row = (label: string, ours: number | undefined, theirs: number | undefined, fmt: (x: number) => string, target: Target) => {
    const ratio = ours !== undefined && theirs !== undefined ? ours / theirs : undefined;
    rows.push([label, ours === undefined ? '—' : fmt(ours), theirs === undefined ? '—' : fmt(theirs), ratio === undefined ? '—' : ratio.toFixed(2), targetText(target), verdict(target, ours, ratio)]);
  };
  const perS = (x: number) => `${x.toFixed(1)} /s`;
  row('run --rm busybox true', o.runMs, d.runMs, fmtMs, TARGETS.run);
  if (runcMs !== undefined) rows.push(['  floor: runc run', fmtMs(runcMs), '', '', '', '']);
  row(`${BATCH} × run -d (${CONCURRENCY} at a time)`, o.batchStartPerS, d.batchStartPerS, perS, TARGETS.batchStart);
  row(`${BATCH} × rm -f (${CONCURRENCY} at a time)`, o.batchRemovePerS, d.batchRemovePerS, perS, TARGETS.batchRemove);
  row('exec c true', o.execMs, d.execMs, fmtMs, TARGETS.exec);
  row(`GET /containers/json?all=1 (${LISTED})`, o.listMs, d.listMs, fmtMs, TARGETS.list);
  row('logs write 100 MiB', o.logsWriteMBps, d.logsWriteMBps, fmtRate, TARGETS.logsWrite);
  row('logs read (docker logs)', o.logsReadMBps, d.logsReadMBps, fmtRate, TARGETS.logsRead);
  if (o.logsRawReadMBps !== undefined || d.logsRawReadMBps !== undefined) {
    const r = (x: number | undefined) => (x === undefined ? '—' : fmtRate(x));
    const ratio = o.logsRawReadMBps !== undefined && d.logsRawReadMBps !== undefined ? (o.logsRawReadMBps / d.logsRawReadMBps).toFixed(2) : '—';
    rows.push(['  (raw GET /logs, untargeted)', r(o.logsRawReadMBps), r(d.logsRawReadMBps), ratio, '', '']);
  }
  row('memory per container', o.memoryBytesPerContainer, d.memoryBytesPerContainer, (x) => fmtMiB(x, 2), TARGETS.memory);
  if (o.engineGrowthBytesPerContainer !== undefined || d.engineGrowthBytesPerContainer !== undefined) {
    const g = (x: number | undefined) => (x === undefined ? '—' : fmtMiB(x, 2));
    rows.push(['  (daemons\' growth, untargeted)', g(o.engineGrowthBytesPerContainer), g(d.engineGrowthBytesPerContainer), '', '', '']);
  }
  const header: [string, string, string, string, string, string] = ['', 'ours', 'dockerd', 'ours/dockerd', 'target', ''];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  log(`\n== summary (N=${opts.n}, logs runs=${opts.logsN}; medians; ratios of times for latencies, of rates for throughputs) ==`);
  for (const r of all) log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  for (const [name, res] of Object.entries(results)) {
    for (const e of res?.errors ?? []) log(`${name} FAILED: ${e}`);
  }
}

async function main(): Promise<number> {
  const opts = options();
  if (process.getuid?.() !== 0) throw new Error('this benchmark needs root (it starts engines and runc containers)');
  const dir = await mkdtemp(join(tmpdir(), 'moby-bench-containers-'));
  cleanups.push(() => removeDir(dir));
  const rootfsTar = await writeBusyboxRootfs(join(dir, 'busybox-rootfs.tar'));
  const load = () => `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`;
  log(`containers bench: N=${opts.n}, logs runs=${opts.logsN}, run options [${RUN_OPTS.join(' ')}], engines: ${opts.only ?? 'ours, dockerd'}${opts.skip.size ? `, skipping ${[...opts.skip].join(', ')}` : ''}`);
  const loadStart = load();
  log(loadStart);
  let failed = false;
  let runcMs: number | undefined;
  if (!opts.skip.has('run') && !opts.skip.has('runc')) {
    try {
      runcMs = await runcFloor(opts.n, dir, rootfsTar);
    } catch (err) {
      failed = true;
      log(`  FAILED runc floor: ${(err as Error).message}`);
    }
  }
  const results: Partial<Record<EngineName, EngineResult>> = {};
  for (const name of ['ours', 'dockerd'] as const) {
    if (aborting) break;
    if (opts.only !== undefined && opts.only !== name) continue;
    results[name] = await benchEngine(name, opts, rootfsTar);
    if (results[name]!.errors.length > 0) failed = true;
  }
  report(results, runcMs, opts);
  log(`${load()} at the end (${loadStart} at the start)${loadavg()[0]! > availableParallelism() ? '; the machine was busy: figures are noisy' : ''}`);
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`containers bench: ${(err as Error).message}`);
} finally {
  await cleanupAll();
}
process.exit(aborting ? 130 : code);
